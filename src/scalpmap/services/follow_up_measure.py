"""The slow part of a clearance check: decode both photos, track the follow-up, draw the overlay.

It reads no database (:class:`~scalpmap.services.clearance_inputs.ClearanceInputs` carries what
it needs), so the web app runs it in a child process with limits
(:func:`scalpmap.services.limited.run_limited`) and the command line in its own process. About
3 s for 12 MP photos.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.analysis_from_json import analysis_from_json
from scalpmap.imaging.photo_io import decode_photo
from scalpmap.reports.images import encode_png
from scalpmap.services.clearance_inputs import ClearanceInputs
from scalpmap.services.errors import InputError
from scalpmap.tracking.overlay import render_tracking_overlay
from scalpmap.tracking.plan_facts import PlanFacts
from scalpmap.tracking.track import Tracking, track_followup

__all__ = ["OVERLAY_MAX_SIDE", "MeasuredFollowUp", "measure_follow_up_files"]

OVERLAY_MAX_SIDE = 2400
"""Largest side of the stored overlay picture, px (as the analysis overlays)."""


@dataclass(frozen=True)
class MeasuredFollowUp:
    """The slow part of a clearance check: the tracking and its overlay.

    Attributes
    ----------
    tracking : Tracking
        The follow-up, registered and compared impression by impression.
    overlay_png : bytes
        The overlay picture, at most ``OVERLAY_MAX_SIDE`` pixels on its long side.
    baseline_impressions : int
        Impressions of the baseline's analysis.
    followup_shape : tuple of int
        The follow-up photo's ``(rows, cols)``.
    """

    tracking: Tracking
    overlay_png: bytes
    baseline_impressions: int
    followup_shape: tuple[int, int]


def measure_follow_up_files(
    inputs: ClearanceInputs,
    facts: PlanFacts,
    baseline_data: bytes,
    follow_up_data: bytes,
    touch_up_at: float,
    max_pixels: int,
) -> MeasuredFollowUp:
    """Decode both photos, track the follow-up and draw the overlay (possibly in a child).

    Parameters
    ----------
    inputs : ClearanceInputs
        What the check read from the database.
    facts : PlanFacts
        The plan's removal zone and interval.
    baseline_data, follow_up_data : bytes
        The two stored photo files.
    touch_up_at : float
        Clearance (percent) from which the touch-up follows.
    max_pixels : int
        Largest photo accepted.

    Returns
    -------
    MeasuredFollowUp
        The tracking and its overlay.

    Raises
    ------
    ScalpmapError
        When a photo cannot be read or does not match its analysis.
    """
    baseline = analysis_from_json(inputs.analysis_document)
    base_rgb = decode_photo(baseline_data, max_pixels=max_pixels).rgb
    follow_rgb = decode_photo(follow_up_data, max_pixels=max_pixels).rgb
    if base_rgb.shape[:2] != baseline.shape:
        raise InputError("the baseline photo's size does not match its analysis")
    tracking = track_followup(
        base_rgb,
        baseline,
        follow_rgb,
        facts.removal,
        followup_date=inputs.follow_up_date,
        interval_weeks=facts.interval_weeks[0],
        followup_mm_per_px=inputs.follow_up_mm_per_px,
        touch_up_at=touch_up_at,
        laser_date=inputs.session_date,
    )
    overlay = render_tracking_overlay(base_rgb, follow_rgb, tracking, facts.removal)
    return MeasuredFollowUp(
        tracking=tracking,
        overlay_png=encode_png(_shrink(overlay, OVERLAY_MAX_SIDE), photographic=True),
        baseline_impressions=baseline.impressions.count,
        followup_shape=(int(follow_rgb.shape[0]), int(follow_rgb.shape[1])),
    )


def _shrink(rgb: NDArray[np.uint8], max_side: int) -> NDArray[np.uint8]:
    """Resize a picture so its longer side is at most ``max_side`` (area interpolation)."""
    rows, cols = rgb.shape[:2]
    factor = max_side / max(rows, cols)
    if factor >= 1:
        return rgb
    size = (max(1, round(cols * factor)), max(1, round(rows * factor)))
    return np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
