"""Track one follow-up photo: register it, measure the clearance, recommend the next step.

:func:`track_followup` is the package's entry point; the CLI's ``track`` command calls it and
serialises the :class:`Tracking` with :mod:`scalpmap.tracking.clearance_json`.

The recommendation's rule is in :mod:`scalpmap.tracking.recommend`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.errors import InputError, ScaleError
from scalpmap.imaging.analysis_result import Analysis
from scalpmap.imaging.marker import detect_marker
from scalpmap.imaging.scale import resolve_scale
from scalpmap.imaging.validate import check_rgb
from scalpmap.tracking.clearance import (
    OUTSIDE_FLAG_MIN,
    OUTSIDE_FLAG_PERCENT,
    ImpressionChanges,
    compare_impressions,
    control_problem,
)
from scalpmap.tracking.recommend import TOUCH_UP_AT_PERCENT, Recommendation, recommend
from scalpmap.tracking.register import Registration, register_photos


@dataclass(frozen=True)
class Clearance:
    """The counts behind the clearance; every measured value is None when not measured.

    Attributes
    ----------
    measured : bool
        Whether the follow-up was compared with the baseline.
    reason : str
        What was measured, or why not.
    percent : float or None
        Cleared share of the removal zone's impressions in view.
    removal_impressions, removal_out_of_view : int
        The removal zone's baseline impressions in view (judged), and out of view.
    cleared, gone, faded, remaining : int or None
        Of those in view: cleared (= gone + faded) and remaining.
    outside_impressions, outside_out_of_view : int
        Baseline impressions outside the removal zone in view, and out of view.
    outside_lost : int or None
        Of those in view, lost.
    outside_lost_percent : float or None
        Their share.
    outside_flagged : bool or None
        Unintended loss outside the removal zone.
    lighting_factor : float or None
        The darkness ratio of the untouched impressions (see :mod:`~.clearance`).
    """

    measured: bool
    reason: str
    percent: float | None = None
    removal_impressions: int = 0
    removal_out_of_view: int = 0
    cleared: int | None = None
    gone: int | None = None
    faded: int | None = None
    remaining: int | None = None
    outside_impressions: int = 0
    outside_out_of_view: int = 0
    outside_lost: int | None = None
    outside_lost_percent: float | None = None
    outside_flagged: bool | None = None
    lighting_factor: float | None = None


@dataclass(frozen=True)
class Tracking:
    """One follow-up, tracked.

    Attributes
    ----------
    registration : Registration
        How the follow-up lines up with the baseline.
    clearance : Clearance
        The clearance and the loss outside the removal zone.
    recommendation : Recommendation or None
        The next step; None when nothing was measured.
    changes : ImpressionChanges or None
        Per baseline impression; None when nothing was measured.
    followup_date : datetime.date
        The day the follow-up was taken.
    """

    registration: Registration
    clearance: Clearance
    recommendation: Recommendation | None
    changes: ImpressionChanges | None
    followup_date: dt.date


def summarise(changes: ImpressionChanges) -> Clearance:
    """Count the clearance and the outside loss from the per-impression comparison.

    Parameters
    ----------
    changes : ImpressionChanges
        The comparison.

    Returns
    -------
    Clearance
        The counts; ``percent`` is None when no removal-zone impression is in view.
    """
    zone = changes.in_removal
    judged, outside = zone & changes.in_view, ~zone & changes.in_view
    cleared = changes.cleared
    n, m = int(judged.sum()), int(outside.sum())
    n_cleared = int((cleared & judged).sum())
    gone = int((cleared & judged & ~changes.detected).sum())
    lost = int((cleared & outside).sum())
    lost_percent = lost / m * 100 if m else None
    flagged = (
        None
        if lost_percent is None
        else bool(lost_percent > OUTSIDE_FLAG_PERCENT and lost >= OUTSIDE_FLAG_MIN)
    )
    percent = n_cleared / n * 100 if n else None
    reason = (
        f"{n_cleared} of {n} impressions of the removal zone cleared"
        if n
        else "no impression of the removal zone is in the follow-up's view"
    )
    return Clearance(
        measured=n > 0,
        reason=reason,
        percent=percent,
        removal_impressions=n,
        removal_out_of_view=int((zone & ~changes.in_view).sum()),
        cleared=n_cleared,
        gone=gone,
        faded=n_cleared - gone,
        remaining=n - n_cleared,
        outside_impressions=m,
        outside_out_of_view=int((~zone & ~changes.in_view).sum()),
        outside_lost=lost,
        outside_lost_percent=lost_percent,
        outside_flagged=flagged,
        lighting_factor=changes.lighting_factor,
    )


def _followup_scale(
    rgb: NDArray[np.uint8], mm_per_px: float | None
) -> tuple[float | None, Literal["given", "marker"], NDArray[np.float64]]:
    """Return the follow-up's scale when known (given, else its marker), and its marker."""
    try:
        scale = resolve_scale(rgb, mm_per_px=mm_per_px)
    except ScaleError:  # no marker (or a non-standard one): derived from the registration
        found = detect_marker(rgb)
        return None, "given", np.zeros((0, 2)) if found is None else found.corners_xy
    # Without a head model the scale is never an iris estimate.
    source: Literal["given", "marker"] = "marker" if scale.source == "marker" else "given"
    return scale.mm_per_px, source, scale.marker_corners_xy


def track_followup(
    baseline_rgb: NDArray[np.uint8],
    baseline: Analysis,
    followup_rgb: NDArray[np.uint8],
    removal: Polygon | MultiPolygon,
    *,
    followup_date: dt.date,
    interval_weeks: int,
    followup_mm_per_px: float | None = None,
    touch_up_at: float = TOUCH_UP_AT_PERCENT,
    laser_date: dt.date | None = None,
) -> Tracking:
    """Register a follow-up to its baseline, measure the clearance and recommend the next step.

    Parameters
    ----------
    baseline_rgb : ndarray of uint8, shape (rows, cols, 3)
        The baseline photo (the plan's).
    baseline : Analysis
        Its analysis; its impressions are the ones tracked.
    followup_rgb : ndarray of uint8, shape (rows, cols, 3)
        The follow-up of the same view.
    removal : Polygon or MultiPolygon
        The plan's removal zone, baseline pixels.
    followup_date : datetime.date
        The day of the follow-up.
    interval_weeks : int
        Weeks between laser sessions (the plan's).
    followup_mm_per_px : float, optional
        The follow-up's scale; by default its marker's, else derived from the registration.
    touch_up_at : float, optional
        Clearance (percent) from which the touch-up follows.
    laser_date : datetime.date, optional
        The last laser session's date: another session is due an interval after it (not
        before the follow-up); without it, an interval after the follow-up.

    Returns
    -------
    Tracking
        The result; when the follow-up could not be registered, ``registration.ok`` is False,
        its reason says why, and nothing is measured or recommended.

    Raises
    ------
    InputError
        When a photo is not RGB, the baseline's analysis is not of the baseline photo or is in
        coverage mode (no single impressions), or ``interval_weeks`` or ``touch_up_at`` are out
        of range.
    """
    check_rgb(baseline_rgb)
    check_rgb(followup_rgb)
    if baseline.shape != baseline_rgb.shape[:2]:
        raise InputError("the baseline's analysis is of another photo; analyse the baseline")
    if baseline.mode != "impressions":
        raise InputError(
            f"the baseline resolves no single impressions at {baseline.scale.mm_per_px:.3f} mm/px "
            "(coverage mode); tracking compares impressions one by one: use close-ups"
        )
    if not 1 <= interval_weeks <= 52:
        raise InputError(f"the laser interval must be 1..52 weeks, got {interval_weeks}")
    if not 0 < touch_up_at <= 100:
        raise InputError(f"--touch-up-at must be above 0 and at most 100, got {touch_up_at}")
    mm = baseline.scale.mm_per_px
    follow_mm, source, corners = _followup_scale(followup_rgb, followup_mm_per_px)
    base_xy = baseline.impressions.xy
    registration = register_photos(
        baseline_rgb,
        followup_rgb,
        baseline_mm_per_px=mm,
        baseline_xy=base_xy,
        baseline_marker_xy=baseline.scale.marker_corners_xy,
        followup_marker_xy=corners,
        followup_mm_per_px=follow_mm,
        followup_scale_source=source,
    )
    changes = None
    if registration.ok:
        changes = compare_impressions(
            baseline_rgb,
            followup_rgb,
            base_xy,
            baseline.impressions.diameter_mm,
            baseline_mm_per_px=mm,
            registration=registration,
            removal=removal,
        )
        problem = control_problem(changes)
        if problem is not None:
            registration = dataclasses.replace(registration, ok=False, reason=problem)
            changes = None
    if changes is None:
        clearance = Clearance(measured=False, reason=registration.reason)
        return Tracking(registration, clearance, None, None, followup_date)
    clearance = summarise(changes)
    advice = None
    if clearance.percent is not None:
        advice = recommend(
            clearance.percent,
            followup_date=followup_date,
            interval_weeks=interval_weeks,
            touch_up_at=touch_up_at,
            laser_date=laser_date,
        )
    return Tracking(registration, clearance, advice, changes, followup_date)
