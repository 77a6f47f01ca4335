"""clearance.json: a tracked follow-up as a JSON document (format ``scalpmap-clearance/1``).

The contract is documented in docs/clearance-json.md and checked by the JSON Schema shipped in
``scalpmap/schemas/clearance.schema.json``. What the tracker reads from plan.json is in
:mod:`scalpmap.tracking.plan_facts`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

import scalpmap
from scalpmap.json_schemas import load_schema as load_schema_named
from scalpmap.json_schemas import validate_document
from scalpmap.tracking.clearance import FADED_BELOW, MATCH_TOLERANCE_MM, OUTSIDE_FLAG_PERCENT
from scalpmap.tracking.plan_facts import PlanFacts
from scalpmap.tracking.track import Tracking

CLEARANCE_FORMAT = "scalpmap-clearance/1"


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def _impressions(tracking: Tracking) -> list[dict[str, Any]]:
    """One entry per baseline impression: where it is and what became of it."""
    changes = tracking.changes
    if changes is None:
        return []
    cleared = changes.cleared
    status = np.where(
        changes.in_removal,
        np.where(cleared, np.where(changes.detected, "faded", "gone"), "remaining"),
        np.where(cleared, "lost", "kept"),
    )
    status = np.where(changes.in_view, status, "out_of_view")
    return [
        {
            "x": round(float(x), 2),
            "y": round(float(y), 2),
            "in_removal": bool(zone),
            "status": str(s),
            "darkness_ratio": round(float(r), 3) if seen else None,
        }
        for (x, y), zone, s, r, seen in zip(
            changes.xy, changes.in_removal, status, changes.ratio, changes.in_view, strict=True
        )
    ]


def _notes(tracking: Tracking) -> list[str]:
    """How the follow-up was measured, and what to look at, in words."""
    reg, clear = tracking.registration, tracking.clearance
    if not reg.ok:
        return [f"{reg.reason}. No clearance is reported for a follow-up that was not measured."]
    scale = {
        "given": "given with --mm-per-px",
        "marker": "measured from its printed marker",
        "registration": "derived from the baseline's scale and the registration (no marker)",
    }
    notes = [
        f"The follow-up's scale was {scale[reg.followup_scale_source or 'registration']}; "
        "distances are in baseline millimetres.",
        f"An impression counts as cleared when its darkness fell below {FADED_BELOW:.0%} of the "
        "baseline's, after correcting for the change of light measured on the impressions "
        "outside the removal zone.",
    ]
    if clear.removal_out_of_view > clear.removal_impressions:
        notes.append(
            f"Only {clear.removal_impressions} of the removal zone's "
            f"{clear.removal_impressions + clear.removal_out_of_view} impressions are in the "
            "follow-up's view: the clearance describes those only; photograph the whole zone."
        )
    if clear.outside_flagged:
        notes.append(
            f"{clear.outside_lost} impressions outside the removal zone "
            f"({clear.outside_lost_percent:.1f}%) were lost: check the edge of the treated "
            "area before the touch-up."
        )
    return notes


def tracking_to_json(
    tracking: Tracking,
    plan: PlanFacts,
    *,
    baseline_source: str | None,
    followup_source: str | None,
    plan_source: str | None,
    baseline_impressions: int,
    followup_shape: tuple[int, int],
    touch_up_at: float,
    files: dict[str, str] | None = None,
    created: dt.date | None = None,
) -> dict[str, Any]:
    """Serialise a tracked follow-up to the clearance.json contract.

    Parameters
    ----------
    tracking : Tracking
        The result of :func:`~scalpmap.tracking.track.track_followup`.
    plan : PlanFacts
        The plan's facts.
    baseline_source, followup_source, plan_source : str or None
        File names, recorded as given.
    baseline_impressions : int
        Impressions found on the baseline.
    followup_shape : tuple of int
        The follow-up's ``(rows, cols)``.
    touch_up_at : float
        The clearance from which the touch-up follows.
    files : dict of str to str, optional
        Files written next to clearance.json, by role.
    created : datetime.date, optional
        Today by default.

    Returns
    -------
    dict
        The document.
    """
    reg, clear, advice = tracking.registration, tracking.clearance, tracking.recommendation
    measured = clear.measured
    matrix = None if reg.matrix is None else np.round(reg.matrix, 8).tolist()
    follow_count = reg.followup_impressions.count if reg.ok else None
    return {
        "format": CLEARANCE_FORMAT,
        "scalpmap_version": scalpmap.__version__,
        "created": (created or dt.date.today()).isoformat(),
        "followup_date": tracking.followup_date.isoformat(),
        "baseline": {
            "source": baseline_source,
            "width": plan.width,
            "height": plan.height,
            "mm_per_px": round(plan.mm_per_px, 6),
            "impressions": baseline_impressions,
        },
        "followup": {
            "source": followup_source,
            "width": followup_shape[1],
            "height": followup_shape[0],
            "mm_per_px": _round(reg.followup_mm_per_px, 6),
            "scale_source": reg.followup_scale_source,
            "impressions": follow_count,
        },
        "plan": {
            "source": plan_source,
            "created": plan.created,
            "removal_area_cm2": round(plan.removal_area_cm2, 4),
            "interval_weeks": list(plan.interval_weeks),
        },
        "registration": {
            "ok": reg.ok,
            "reason": reg.reason,
            "model": reg.model if reg.matrix is not None else None,
            "matrix": matrix,
            "scale": _round(reg.scale, 5),
            "rotation_deg": _round(reg.rotation_deg, 3),
            "feature_matches": reg.feature_matches,
            "feature_inliers": reg.feature_inliers,
            "impression_pairs": reg.impression_pairs,
            "residual_mm": _round(reg.residual_mm, 4),
            "residual_source": reg.residual_source,
            "sharpness_ratio": _round(reg.sharpness_ratio, 3),
        },
        "clearance": {
            "measured": measured,
            "reason": clear.reason,
            "percent": _round(clear.percent, 2) if measured else None,
            "removal_impressions": clear.removal_impressions,
            "out_of_view": clear.removal_out_of_view,
            "cleared": clear.cleared if measured else None,
            "gone": clear.gone if measured else None,
            "faded": clear.faded if measured else None,
            "remaining": clear.remaining if measured else None,
            "faded_below": FADED_BELOW,
            "match_tolerance_mm": MATCH_TOLERANCE_MM,
            "lighting_factor": _round(clear.lighting_factor, 3),
        },
        "outside": {
            "impressions": clear.outside_impressions,
            "out_of_view": clear.outside_out_of_view,
            "lost": clear.outside_lost,
            "lost_percent": _round(clear.outside_lost_percent, 2),
            "flagged": clear.outside_flagged,
            "flag_above_percent": OUTSIDE_FLAG_PERCENT,
        },
        "recommendation": None
        if advice is None
        else {
            "action": advice.action,
            "date": None if advice.date is None else advice.date.isoformat(),
            "reason": advice.reason,
            "touch_up_at_percent": touch_up_at,
        },
        "impressions": _impressions(tracking),
        "files": dict(files or {}),
        "notes": _notes(tracking),
    }


def load_clearance_schema() -> dict[str, Any]:
    """Return the clearance.json JSON Schema shipped with the package.

    Returns
    -------
    dict
        The schema.
    """
    return load_schema_named("clearance")


def validate_clearance_json(document: dict[str, Any]) -> None:
    """Validate a document against the clearance.json schema.

    Parameters
    ----------
    document : dict
        The document.

    Raises
    ------
    jsonschema.ValidationError
        When it does not conform.
    """
    validate_document("clearance", document)
