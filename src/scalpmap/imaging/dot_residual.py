"""Faint impressions beside darker ones: take the impressions found away, and look again.

A faint impression 0.4-0.5 mm from a darker one sits on its shoulder: the contrast rises
towards the neighbour all across it, so that it makes no local maximum of its own, or its ring
and axis samples fall on the neighbour's slope and it looks attached to something dark, or
stretched. Once the impressions found on their own are taken away (each drawn by its own radial
profile, :mod:`scalpmap.imaging.dot_model`), the faint one stands alone on the skin.

The residual is searched only where an impression was taken away (within the reach of its
drawn profile; elsewhere the residual is the contrast, judged already), and not on what is left
of any impression found (its footprint and ``MIN_GAP_MM``). Its candidates then meet every test
of the detector (:func:`scalpmap.imaging.dot_judge.judge_candidates`), measured on the
residual against the photo's own noise, and must look like the photo's ink: round (a compact
footprint, round curvature, no line leaving it: with its neighbour gone, nothing stretches it)
and at least ``BROAD_FAINT_SHARE`` as dark as its typical impression
(:data:`scalpmap.imaging.impressions.BROAD_FAINT_SHARE`). Only round impressions with nothing dark
leaving them are taken away: what is left of a hair beside one would be taken for dots.

The search runs only beside at least ``MIN_CLEAR_FOR_WEAK`` clear impressions, as for the
weak marks (:data:`scalpmap.imaging.impressions.MIN_CLEAR_FOR_WEAK`): on bare skin there are
no impressions to take away.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.dot_judge import (
    MAX_DIAMETER_MM,
    ContrastMaps,
    candidate_peaks,
    judge_candidates,
)
from scalpmap.imaging.dot_model import draw_dots, radial_profiles
from scalpmap.imaging.impressions import (
    BROAD_FAINT_SHARE,
    Impressions,
    typical_beside_clear,
)
from scalpmap.imaging.neighbours import nearest_within

MIN_GAP_MM = 0.15
"""A residual candidate closer than this to an impression found is what is left of it."""
KEPT_REASON = "found beside another impression (kept)"


def residual_contrast(
    maps: ContrastMaps, xy: NDArray[np.float64], reach_px: int
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Take impressions away from the contrast.

    Parameters
    ----------
    maps : ContrastMaps
        The photo's contrast.
    xy : ndarray of float, shape (N, 2)
        Centres of the impressions to take away.
    reach_px : int
        How far from its centre each impression's profile is drawn.

    Returns
    -------
    fine, smooth : ndarray of float32, shape (rows, cols)
        The fine contrast with each impression's radial profile taken away, and it smoothed as
        the detector smooths.
    """
    profiles = radial_profiles(maps.fine, xy, reach_px)
    drawn = draw_dots(maps.fine.shape, xy, profiles)
    fine = np.subtract(maps.fine, drawn, out=drawn)  # in the drawing's buffer
    smooth = np.asarray(cv2.GaussianBlur(fine, (0, 0), maps.smooth_px), dtype=np.float32)
    return fine, smooth


def add_residual_dots(
    found: Impressions,
    weak: NDArray[np.bool_],
    taken: NDArray[np.bool_],
    maps: ContrastMaps,
    mask: NDArray[np.bool_] | None,
    radius_px: int,
) -> tuple[Impressions, NDArray[np.bool_]]:
    """Add the impressions that stand alone once those found are taken away.

    Parameters
    ----------
    found : Impressions
        The impressions found so far.
    weak : ndarray of bool, shape (N,)
        Which of them stand out only weakly.
    taken : ndarray of bool, shape (N,)
        Which of them are taken away: those found on their own as round dots with nothing
        dark leaving them (not on or beside a hair). Only beside them is the residual searched.
    maps : ContrastMaps
        The photo's contrast.
    mask : ndarray of bool, shape (rows, cols), optional
        Where to look.
    radius_px : int
        Radius of the disc a candidate is the maximum of.

    Returns
    -------
    found : Impressions
        ``found`` and the new impressions; the rejection counts say how many.
    weak : ndarray of bool
        ``weak``, and which of the new ones stand out only weakly.
    """
    typical = typical_beside_clear(found, weak)
    if typical is None:
        return found, weak
    reach = int(np.ceil(0.5 * MAX_DIAMETER_MM / maps.mm_per_px + 2 * maps.smooth_px)) + 1
    residual = maps.with_contrast(*residual_contrast(maps, found.xy[taken], reach))
    peaks = candidate_peaks(residual, mask, radius_px)
    if len(peaks):
        peaks = _beside(peaks, found.xy[taken], reach + radius_px)
    if len(peaks):
        own = 0.5 * found.diameter_mm / maps.mm_per_px + 1.0
        peaks = _apart(peaks, found.xy, np.maximum(own, MIN_GAP_MM / maps.mm_per_px))
    if len(peaks) == 0:
        return found, weak
    judged = judge_candidates(residual, peaks, found.xy, typical)
    like_ink = judged.keep & judged.round_dot & (judged.peak >= BROAD_FAINT_SHARE * typical)
    new = judged.found.select(like_ink[judged.keep])
    if new.count == 0:
        return found, weak
    rejected = dict(found.rejected)
    rejected[KEPT_REASON] = new.count
    merged = Impressions(
        xy=np.vstack([found.xy, new.xy]),
        diameter_mm=np.concatenate([found.diameter_mm, new.diameter_mm]),
        darkness=np.concatenate([found.darkness, new.darkness]),
        contrast_rgb=np.vstack([found.contrast_rgb, new.contrast_rgb]),
        rejected=rejected,
    )
    return merged, np.r_[weak, judged.weak[like_ink]]


def _beside(peaks: NDArray[np.intp], xy: NDArray[np.float64], reach_px: float) -> NDArray[np.intp]:
    """Keep the peaks within ``reach_px`` of one of the points ``xy``."""
    nearest, _ = nearest_within(peaks[:, ::-1].astype(np.float64), xy, float(reach_px))
    return peaks[nearest >= 0]


def _apart(
    peaks: NDArray[np.intp], xy: NDArray[np.float64], gap_px: NDArray[np.float64]
) -> NDArray[np.intp]:
    """Keep the peaks farther than its ``gap_px`` from every point ``xy``."""
    nearest, distance = nearest_within(
        peaks[:, ::-1].astype(np.float64), xy, float(gap_px.max()) if len(xy) else 1.0
    )
    return peaks[(nearest < 0) | (distance > gap_px[np.maximum(nearest, 0)])]
