"""A plan's figures, written once: every page, report and table shows these texts.

:func:`plan_figures` turns a plan.json document into its headline figures, each with its value,
the text every surface shows, and whether it was measured (with the reason when not). The plan
stores them in plan.json (``figures``, see docs/plan-json.md) when it is made; the web's plan
page, the patient's and the facility's reports and the command line's table read them from
there (:func:`figures_of`), so one plan shows one set of numbers everywhere.

A figure that could not be measured (impressions on a whole-head photo, the overall verdict
when too few measures were made) is ``measured: false`` with the text ``not measured`` (or
``not enough measured for an overall verdict``) and a reason in words: never 0, never a dash.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scalpmap.imaging.scale import scale_source_words
from scalpmap.planning.assessment_verdicts import MIN_MEASURED, NOT_ENOUGH
from scalpmap.planning.figure_text import (
    NOT_MEASURED,
    area_text,
    count_text,
    density_text,
    measure_value_text,
    percent_text,
)

__all__ = [
    "MEASURE_NAMES",
    "NOT_ENOUGH",
    "NO_ANALYSIS",
    "Figure",
    "analysis_figures",
    "figures_of",
    "plan_figures",
    "zone_figures",
]

Figure = dict[str, Any]
MEASURE_NAMES = (
    "impression_size",
    "spacing",
    "patchiness",
    "colour_cast",
    "hairline_harshness",
    "symmetry",
)
COVERAGE_WHY = (
    "single impressions are not resolved on this photo (coverage mode): a close-up of the "
    "scalp counts them"
)
NO_ANALYSIS = "the plan holds no analysis of the photo"
_ROMAN: dict[Any, str] = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}


def _measured(value: Any, text: str) -> Figure:
    return {"value": value, "text": text, "measured": True, "why": None}


def _missing(why: str, text: str = NOT_MEASURED) -> Figure:
    return {"value": None, "text": text, "measured": False, "why": why}


def _get(document: Mapping[str, Any], *keys: str) -> Any:
    value: Any = document
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def _number(value: Any) -> float | None:
    return None if value is None or isinstance(value, bool) else float(value)


def analysis_figures(summary: Mapping[str, Any]) -> dict[str, Figure]:
    """Write the figures of a photo's analysis: counts, sizes, darkness, ink, region.

    The photo page shows them for an analysis; a plan shows the same of its analysis.

    Parameters
    ----------
    summary : mapping
        analysis.json's ``summary`` with the analysis' ``mode`` (plan.json's ``analysis``).

    Returns
    -------
    dict of str to dict
        ``impressions_in_region``, ``mean_density_per_cm2``, ``median_diameter_mm``,
        ``blown_out_percent``, ``median_darkness``, ``ink_tone``, ``region_area_cm2`` and
        ``coverage_percent`` (see :func:`plan_figures`). A figure the summary does not hold
        (a plan stored without its analysis) is not measured, with the reason
        :data:`NO_ANALYSIS`: never 0.
    """
    a = summary
    coverage = a.get("mode") == "coverage"

    def why_missing(key: str) -> str:
        if coverage:
            return COVERAGE_WHY
        return "no impressions in the region" if key in a else NO_ANALYSIS

    figures: dict[str, Figure] = {}
    rows = (
        ("impressions_in_region", "count_in_region", count_text),
        ("mean_density_per_cm2", "mean_density_per_cm2", density_text),
        ("median_diameter_mm", "median_diameter_mm", lambda v: f"{v:.2f} mm"),
        ("blown_out_percent", "blown_out_percent", percent_text),
        ("median_darkness", "median_darkness", lambda v: f"{v:.2f}"),
    )
    for name, key, write in rows:
        value = _number(a.get(key))
        if value is None:
            figures[name] = _missing(why_missing(key))
        else:
            figures[name] = _measured(int(value) if name == "impressions_in_region" else value, "")
            figures[name]["text"] = write(value)
    tone = a.get("ink_tone")
    figures["ink_tone"] = (
        _measured(tone, str(tone))
        if tone and tone != "unknown"
        else _missing(
            COVERAGE_WHY
            if coverage
            else ("the ink's colour could not be judged" if "ink_tone" in a else NO_ANALYSIS)
        )
    )
    # Measured in both modes; absent only from a plan that holds no analysis (never "0.00").
    area = _number(a.get("region_area_cm2"))
    figures["region_area_cm2"] = (
        _missing(NO_ANALYSIS) if area is None else _measured(area, area_text(area))
    )
    share = _number(a.get("coverage_percent"))
    figures["coverage_percent"] = (
        _missing(NO_ANALYSIS) if share is None else _measured(share, percent_text(share))
    )
    return figures


def zone_figures(zones: Mapping[str, Any], mode: str | None) -> dict[str, Figure]:
    """Write the zones' areas, impressions to remove and to add, and the desired density.

    The designer shows them live for the line being drawn; a plan stores them for its zones.

    Parameters
    ----------
    zones : mapping
        plan.json's ``zones`` (or the designer's): ``removal``, ``touch_up``, ``keep`` with
        ``area_cm2``, ``impressions``, ``impressions_to_add``; ``desired_density_per_cm2``.
    mode : {"impressions", "coverage"} or None
        The analysis' mode (no impressions are counted in coverage mode).

    Returns
    -------
    dict of str to dict
        ``removal_area_cm2``, ``touch_up_area_cm2``, ``keep_area_cm2``,
        ``removal_impressions``, ``touch_up_impressions``, ``keep_impressions``,
        ``desired_density_per_cm2`` and ``impressions_to_add`` (see :func:`plan_figures`).
    """
    document = {"zones": zones}
    coverage = mode == "coverage"
    figures: dict[str, Figure] = {}
    for name in ("removal", "touch_up", "keep"):
        area = _number(_get(document, "zones", name, "area_cm2")) or 0.0
        figures[f"{name}_area_cm2"] = _measured(area, area_text(area))
    for name in ("removal", "touch_up", "keep"):
        count = int(_get(document, "zones", name, "impressions") or 0)
        figures[f"{name}_impressions"] = (
            _missing(COVERAGE_WHY) if coverage else _measured(count, count_text(count))
        )
    desired = _number(_get(document, "zones", "desired_density_per_cm2"))
    if coverage:
        figures["desired_density_per_cm2"] = _missing(COVERAGE_WHY)
    elif desired is None:
        figures["desired_density_per_cm2"] = _missing("no kept pigment to take it from")
    else:
        figures["desired_density_per_cm2"] = _measured(desired, density_text(desired))
    to_add = _get(document, "zones", "touch_up", "impressions_to_add")
    if coverage or desired is None:
        figures["impressions_to_add"] = _missing(figures["desired_density_per_cm2"]["why"])
    else:
        figures["impressions_to_add"] = _measured(int(to_add or 0), count_text(to_add or 0))
    return figures


def _assessment(document: Mapping[str, Any]) -> dict[str, Figure]:
    """Write each measure's value, and the overall verdict (only of what was measured)."""
    figures: dict[str, Figure] = {}
    measures = {m.get("name"): m for m in _get(document, "assessment", "measures") or []}
    for name in MEASURE_NAMES:
        m = measures.get(name) or {}
        value = _number(m.get("value"))
        if value is None or m.get("verdict") == "n/a":
            text = str(m.get("text") or "")
            why = text.split(":", 1)[1].strip() if text.startswith("n/a:") else "not assessed"
            figures[name] = _missing(why) | {"verdict": "n/a"}
        else:
            written = measure_value_text(name, value, m.get("details") or {})
            figures[name] = _measured(value, written) | {"verdict": m.get("verdict")}
    overall = _get(document, "assessment", "overall")
    made = sum(1 for name in MEASURE_NAMES if figures[name]["measured"])
    if overall in ("good", "fair", "poor") and made >= MIN_MEASURED:
        figures["existing_smp"] = _measured(overall, str(overall))
    else:
        why = f"{made} of the {len(MEASURE_NAMES)} measures could be made on this photo"
        figures["existing_smp"] = _missing(why, NOT_ENOUGH)
    return figures


def _sessions(document: Mapping[str, Any]) -> dict[str, Figure]:
    """Write the skin type, Kirby-Desai score, laser sessions, interval, scale, hairline."""
    figures: dict[str, Figure] = {}
    fitzpatrick = _get(document, "skin", "fitzpatrick")
    source = _get(document, "skin", "source") or "given"
    figures["skin_type"] = (
        _measured(fitzpatrick, f"{_ROMAN.get(fitzpatrick, fitzpatrick)} ({source})")
        if fitzpatrick is not None
        else _missing("no skin type in this plan")
    )
    score = _get(document, "sessions", "kirby_desai", "score")
    figures["kirby_desai_score"] = (
        _measured(score, str(score)) if score is not None else _missing("no score in this plan")
    )
    laser = _get(document, "sessions", "laser") or {}
    likely = laser.get("likely")
    if likely is None:
        figures["laser_sessions"] = _missing("no session estimate in this plan")
    else:
        low, high = (list(laser.get("range") or [likely, likely]) + [likely, likely])[:2]
        spread = f" ({low}–{high})" if (low, high) != (likely, likely) else ""
        figures["laser_sessions"] = _measured(likely, f"{likely} likely{spread}")
    weeks = list(laser.get("interval_weeks") or [])
    if len(weeks) >= 2:
        span = str(weeks[0]) if weeks[0] == weeks[1] else f"{weeks[0]}–{weeks[1]}"
        figures["laser_interval"] = _measured(weeks[:2], f"{span} weeks")
    else:
        figures["laser_interval"] = _missing("no session estimate in this plan")
    mm = _number(_get(document, "scale", "mm_per_px"))
    if mm is None:
        figures["scale"] = _missing("no scale in this plan")
    else:
        words = scale_source_words(
            _get(document, "scale", "source"), _get(document, "scale", "uncertainty_percent")
        )
        figures["scale"] = _measured(mm, f"{mm:.4f} mm/px, {words}")
    height = _number(_get(document, "target", "height_above_glabella_cm"))
    figures["hairline_above_glabella_cm"] = (
        _measured(height, f"{height:.1f} cm")
        if height is not None
        else _missing("no facial landmarks: the photo shows no face, or the target was edited")
    )
    return figures


def plan_figures(document: Mapping[str, Any]) -> dict[str, Figure]:
    """Write a plan's figures from its plan.json document.

    Parameters
    ----------
    document : mapping
        The plan.json document (everything but ``figures`` is read).

    Returns
    -------
    dict of str to dict
        By name, each ``{"value", "text", "measured", "why"}`` (the assessment's measures also
        carry their ``verdict``): the analysis' ``impressions_in_region``,
        ``mean_density_per_cm2``, ``median_diameter_mm``, ``blown_out_percent``,
        ``median_darkness``, ``ink_tone``, ``region_area_cm2``, ``coverage_percent``; the
        zones' ``removal_area_cm2``, ``touch_up_area_cm2``, ``keep_area_cm2``,
        ``removal_impressions``, ``touch_up_impressions``, ``keep_impressions`` (the impressions
        each zone holds), ``impressions_to_add``, ``desired_density_per_cm2``; the six
        measures by name and ``existing_smp`` (the overall verdict); ``skin_type``,
        ``kirby_desai_score``, ``laser_sessions``, ``laser_interval``, ``scale`` and
        ``hairline_above_glabella_cm``.

    Examples
    --------
    >>> doc = {"analysis": {"mode": "coverage", "region_area_cm2": 80.3},
    ...        "zones": {"removal": {"area_cm2": 4.93, "impressions": 0}}}
    >>> figures = plan_figures(doc)
    >>> figures["removal_area_cm2"]["text"], figures["removal_impressions"]["text"]
    ('4.93 cm²', 'not measured')
    """
    return {
        **analysis_figures(_get(document, "analysis") or {}),
        **zone_figures(_get(document, "zones") or {}, _get(document, "analysis", "mode")),
        **_assessment(document),
        **_sessions(document),
    }


def figures_of(document: Mapping[str, Any]) -> dict[str, Figure]:
    """Return the figures a plan.json stores, or write them for a plan made before they were.

    Parameters
    ----------
    document : mapping
        The plan.json document.

    Returns
    -------
    dict of str to dict
        See :func:`plan_figures`.
    """
    stored = document.get("figures") if isinstance(document, Mapping) else None
    if isinstance(stored, Mapping) and stored:
        return dict(stored)
    return plan_figures(document if isinstance(document, Mapping) else {})
