"""What the plan pages show, read from a stored plan.json (docs/plan-json.md)."""

from __future__ import annotations

from typing import Any

from scalpmap.imaging.scale import scale_source_words
from scalpmap.planning.plan_figures import figures_of
from scalpmap.planning.templates import LANDMARK_NAMES
from scalpmap.reports.scale_note import scale_estimate
from scalpmap.store.models import PlanVersion
from scalpmap.web.plans.files import plan_files_urls

__all__ = [
    "KIRBY_DESAI_FACTORS",
    "after_role",
    "landmark_sources",
    "plan_context",
    "target_label",
    "version_summary",
]

KIRBY_DESAI_FACTORS = ("skin_type", "location", "colour", "ink_amount", "scarring", "layering")
"""The six factors of the Kirby-Desai scale, in the order of the paper."""

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI"}


def _dig(document: Any, *keys: str) -> Any:
    """Return ``document[k1][k2]...`` or ``None`` when a level is missing."""
    value = document
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def after_role(document: dict[str, Any]) -> str | None:
    """Return the picture the slider shows "after": the touch-up's, or the laser's for removal.

    Parameters
    ----------
    document : dict
        plan.json.

    Returns
    -------
    str or None
        ``after_touch_up``, ``after_laser``, or ``None`` when neither was stored.

    Examples
    --------
    >>> after_role({"sessions": {"total_removal": True}, "files": {"after_laser": "x"}})
    'after_laser'
    """
    files = document.get("files") or {}
    total = bool(_dig(document, "sessions", "total_removal"))
    order = ("after_laser", "after_touch_up") if total else ("after_touch_up", "after_laser")
    return next((role for role in order if role in files), None)


def target_label(template: str | None, started: str | None) -> str:
    """Describe a plan's target in words.

    Parameters
    ----------
    template : str or None
        The target's template (``custom`` when the hairline was edited).
    started : str or None
        The template the design started from.

    Returns
    -------
    str
        E.g. ``"Mature"`` or ``"Soften, edited"``.

    Examples
    --------
    >>> target_label("custom", "soften"), target_label("remove-all", "remove-all")
    ('Soften, edited', 'Remove all')
    """
    names = {"keep": "Keep", "soften": "Soften", "mature": "Mature", "remove-all": "Remove all"}
    if template == "custom":
        return f"{names[started]}, edited" if started in names else "Custom"
    return names.get(template or "", template or "—")


def version_summary(plan: PlanVersion) -> dict[str, Any]:
    """Summarise a version for the version lists.

    Parameters
    ----------
    plan : PlanVersion
        The version.

    Returns
    -------
    dict
        ``id``, ``case_id``, ``version``, ``analysis_id``, ``template``, ``target`` (in words),
        ``removal_area_cm2``,
        ``laser_sessions_likely``, ``note``, ``created_at``, ``created_by_id`` and ``url``.
    """
    document = plan.document if isinstance(plan.document, dict) else {}
    started = _dig(document, "options", "template")
    template = _dig(document, "target", "template") or started
    return {
        "id": plan.id,
        "case_id": plan.case_id,
        "version": plan.version,
        "analysis_id": plan.analysis_id,
        "template": template,
        "target": target_label(template, started),
        "removal_area_cm2": _dig(document, "zones", "removal", "area_cm2"),
        "laser_sessions_likely": _dig(document, "sessions", "laser", "likely"),
        "note": plan.note,
        "created_at": plan.created_at,
        "created_by_id": plan.created_by_id,
        "url": f"/plans/{plan.id}",
    }


def landmark_sources(document: dict[str, Any]) -> str | None:
    """Say where the plan's facial landmarks came from, or None without landmarks.

    Parameters
    ----------
    document : dict
        plan.json.

    Returns
    -------
    str or None
        E.g. ``"glabella given; left canthus, right canthus detected"``.

    Examples
    --------
    >>> landmark_sources({"options": {"landmarks": {"glabella": [1, 2], "sources": {
    ...     "glabella": "given", "left_canthus": "detected", "right_canthus": "detected"}}}})
    'glabella given; left canthus, right canthus detected'
    """
    marks = _dig(document, "options", "landmarks")
    if not isinstance(marks, dict):
        return None
    sources = marks.get("sources") or {}
    parts = []
    for source in ("given", "detected"):
        names = [n.replace("_", " ") for n in LANDMARK_NAMES if sources.get(n, "given") == source]
        if names:
            parts.append(f"{', '.join(names)} {source}")
    return "; ".join(parts)


def _factors(document: dict[str, Any]) -> list[dict[str, Any]]:
    """List the Kirby-Desai factors in the paper's order (missing ones shown as unknown)."""
    given = {f.get("name"): f for f in _dig(document, "sessions", "kirby_desai", "factors") or []}
    return [
        given.get(name)
        or {"name": name, "value": None, "points": None, "source": None, "explanation": ""}
        for name in KIRBY_DESAI_FACTORS
    ]


def _zones(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: {
            key: _dig(document, "zones", name, key)
            for key in ("area_cm2", "impressions", "impressions_to_add")
        }
        for name in ("removal", "touch_up", "keep")
    }


def plan_context(plan: PlanVersion, versions: list[PlanVersion]) -> dict[str, Any]:
    """Build the plan page's variables.

    Parameters
    ----------
    plan : PlanVersion
        The version shown.
    versions : list of PlanVersion
        Every version of its case, oldest first.

    Returns
    -------
    dict
        Template variables: ``plan``, ``doc`` (plan.json), ``summary``, ``zones``, ``figures``
        (the plan's stored figures, :func:`~scalpmap.planning.plan_figures.figures_of`),
        ``measures``, ``factors``, ``kirby_desai``, ``laser``, ``touch_up``, ``timeline``,
        ``skin``, ``files`` (role to page URL), ``after_role``, ``versions``, ``scale_words``
        (the scale and its source in words), ``scale_estimate`` (a
        :class:`~scalpmap.reports.scale_note.ScaleEstimate` for an iris scale, else None) and
        ``landmarks`` (their sources in words, or None).
    """
    document = plan.document if isinstance(plan.document, dict) else {}
    skin = document.get("skin") or {}
    fitzpatrick = skin.get("fitzpatrick")
    scale = document.get("scale") or {}
    mm = scale.get("mm_per_px")
    words = scale_source_words(scale.get("source"), scale.get("uncertainty_percent"))
    return {
        "scale_words": f"{mm:.4f} mm/px, {words}" if isinstance(mm, int | float) else words,
        "scale_estimate": scale_estimate(scale),
        "landmarks": landmark_sources(document),
        "plan": plan,
        "doc": document,
        "summary": version_summary(plan),
        "zones": _zones(document),
        "figures": figures_of(document),
        "assessment": document.get("assessment") or {},
        "measures": _dig(document, "assessment", "measures") or [],
        "factors": _factors(document),
        "kirby_desai": _dig(document, "sessions", "kirby_desai") or {},
        "laser": _dig(document, "sessions", "laser") or {},
        "touch_up": _dig(document, "sessions", "touch_up") or {},
        "total_removal": bool(_dig(document, "sessions", "total_removal")),
        "timeline": document.get("timeline") or {},
        "skin": skin,
        "skin_roman": _ROMAN.get(fitzpatrick, "?") if isinstance(fitzpatrick, int) else "?",
        "files": plan_files_urls(plan, prefix="/plans"),
        "after_role": after_role(document),
        "versions": [version_summary(v) for v in reversed(versions)],
    }
