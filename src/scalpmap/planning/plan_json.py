"""plan.json: the plan as a JSON document (format ``scalpmap-plan/1``, docs/plan-json.md).

The document carries everything the reports and the web app show, so that a report can be
rebuilt from a stored plan.json without the photo's analysis in memory.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import shapely
from shapely.geometry import Polygon

import scalpmap
from scalpmap.imaging.analysis import Analysis
from scalpmap.imaging.analysis_json import analysis_to_json
from scalpmap.json_schemas import load_schema as load_schema_named
from scalpmap.json_schemas import validate_document
from scalpmap.planning.face_landmarks import landmarks_json
from scalpmap.planning.geometry import as_polygonal
from scalpmap.planning.plan import Plan
from scalpmap.planning.plan_figures import plan_figures

PLAN_FORMAT = "scalpmap-plan/1"


def _scale(analysis: Analysis) -> dict[str, Any]:
    """Return the plan's scale: mm per pixel, its source, and an estimate's uncertainty."""
    scale = analysis.scale
    doc: dict[str, Any] = {"mm_per_px": round(scale.mm_per_px, 6), "source": scale.source}
    if scale.uncertainty_percent is not None:
        doc["uncertainty_percent"] = scale.uncertainty_percent
    return doc


def _rings(geometry: Any) -> list[list[list[list[float]]]]:
    """Return polygons as lists of rings (exterior first) of ``[x, y]`` pixels."""
    return [
        [np.round(np.asarray(ring.coords), 2).tolist() for ring in (p.exterior, *p.interiors)]
        for p in shapely.get_parts(as_polygonal(geometry))
        if isinstance(p, Polygon) and not p.is_empty
    ]


def _options(plan: Plan) -> dict[str, Any]:
    o = plan.options
    return {
        "template": o.template,
        "target_file": None if o.target_path is None else o.target_path.name,
        "age": o.age,
        "skin_type": o.skin_type,
        "start_date": None if o.start_date is None else o.start_date.isoformat(),
        "picosecond": o.picosecond,
        "scarring": o.scarring,
        "layering": o.layering
        if not isinstance(o.layering, bool)
        else ("cover-up" if o.layering else "none"),
        "desired_density_per_cm2": o.desired_density_per_cm2,
        "second_touch_up": o.second_touch_up,
        "feather_mm": o.feather_mm,
        "landmarks": landmarks_json(o.landmarks),
    }


def plan_to_json(
    plan: Plan,
    *,
    source: str | None = None,
    simulation: dict[str, Any] | None = None,
    files: dict[str, str] | None = None,
    created: dt.date | None = None,
) -> dict[str, Any]:
    """Serialise a plan to the plan.json contract.

    Parameters
    ----------
    plan : Plan
        The plan.
    source : str, optional
        The photo's file name, recorded as given.
    simulation : dict, optional
        The simulation's self-check (see :mod:`scalpmap.simulation`), or None when not run.
    files : dict of str to str, optional
        The files written next to plan.json, by role (e.g. ``{"zones": "zones.png"}``).
    created : datetime.date, optional
        The plan's date (default: today).

    Returns
    -------
    dict
        The JSON document, with its ``figures`` written once from the rest
        (:func:`~scalpmap.planning.plan_figures.plan_figures`).
    """
    analysis, target = plan.analysis, plan.target
    mm = analysis.scale.mm_per_px
    summary = analysis_to_json(analysis, source=source)["summary"]
    document: dict[str, Any] = {
        "format": PLAN_FORMAT,
        "scalpmap_version": scalpmap.__version__,
        "created": (created or dt.date.today()).isoformat(),
        "photo": {"source": source, "width": analysis.shape[1], "height": analysis.shape[0]},
        "scale": _scale(analysis),
        "options": _options(plan),
        "analysis": {"mode": analysis.mode, "mode_reason": analysis.mode_reason, **summary},
        "assessment": plan.assessment.to_json(),
        "target": {
            "template": target.template,
            "feather_mm": target.feather_mm,
            "height_above_glabella_cm": target.height_above_glabella_cm,
            "hairline": None if target.hairline is None else target.hairline.to_json(mm),
            "current_hairline": np.round(analysis.hairline_xy, 2).tolist(),
            "region": {"polygons": _rings(target.region)},
            "notes": list(target.notes),
        },
        "zones": plan.zones.to_json(),
        "skin": {
            "fitzpatrick": plan.fitzpatrick,
            "source": plan.fitzpatrick_source,
            "estimate": None if plan.skin is None else plan.skin.to_json(),
        },
        "sessions": {
            "kirby_desai": plan.kirby_desai.to_json(),
            "laser": plan.laser.to_json(),
            "touch_up": plan.touch_up.to_json(),
            "total_removal": plan.total_removal,
        },
        "timeline": {**plan.timeline.to_json(), "start_given": plan.start_date_given},
        "simulation": simulation,
        "files": dict(files or {}),
        "notes": list(plan.notes),
    }
    document["figures"] = plan_figures(document)
    return document


def load_plan_schema() -> dict[str, Any]:
    """Return the plan.json JSON Schema shipped with the package.

    Returns
    -------
    dict
        The schema.
    """
    return load_schema_named("plan")


def validate_plan_json(document: dict[str, Any]) -> None:
    """Validate a document against the plan.json schema.

    Parameters
    ----------
    document : dict
        The document.

    Raises
    ------
    jsonschema.ValidationError
        When it does not conform.
    """
    validate_document("plan", document)
