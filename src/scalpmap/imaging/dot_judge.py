"""Judge candidate dots: faint, too large, elongated or brown, and which stand out only weakly.

The tests of :mod:`scalpmap.imaging.detect` (steps 2 to 4 of its description) on a set of
candidate peaks of a contrast map. They run on the photo's contrast, and again on the contrast
with the impressions already found taken away (:mod:`scalpmap.imaging.dot_residual`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.dot_peaks import all_footprints, local_maxima
from scalpmap.imaging.dot_shape import (
    attached_darkness,
    axis_contrast,
    blob_roundness,
    colour_contrast,
    ring_samples,
)
from scalpmap.imaging.hair_dots import faint_beside_lines
from scalpmap.imaging.hair_lines import line_arms
from scalpmap.imaging.impressions import Impressions
from scalpmap.imaging.neighbours import distance_to_nearest_other
from scalpmap.imaging.skin import LocalSkin

MIN_DARKNESS = 0.045
NOISE_SIGMAS = 4.5
PROMINENCE_SIGMAS = 4.5
WEAK_SIGMAS = 3.5
"""Candidates standing out from the noise by this many sigmas, but by less than
``NOISE_SIGMAS`` or ``PROMINENCE_SIGMAS``, are weak: they count only when they look like the
photo's own impressions (:func:`scalpmap.imaging.impressions.drop_weak_unlike_typical`)."""
MIN_INK_MM2 = 0.0006
MAX_DIAMETER_MM = 0.6
MIN_ROUNDNESS = 0.2
MAX_ELONGATION = 2.0
SHAPE_SIGMAS = 3.0
AXIS_SHARE = 0.2
"""An elongated footprint is a round dot after all when the mark is no darker along its axis
than across it by more than ``SHAPE_SIGMAS`` standard deviations of the local noise, nor by more
than this share of its peak (:func:`scalpmap.imaging.dot_shape.axis_contrast`)..."""
AXIS_NOISE_SIGMAS = 2.0
"""... but never less than this many standard deviations of the noise: a faint dot's share of
its peak is within the noise, and an excess there is no evidence of a hair."""
BROWN_SHIFT = 0.30
COLOUR_MIN_RADIUS_PX = 5.0
PEAK_RADIUS_MM = 0.12
MIN_SPACING_MM = 0.3
ATTACHED_GAP_MM = 0.05
ATTACHED_SHARE = 0.6
ROUND_ELONGATION = 1.6
HAIR_REASON = "elongated (stubble or hair)"
FAINT_REASON = "faint (pore or skin texture)"


@dataclass(frozen=True)
class ContrastMaps:
    """A photo's contrast, the maps every test reads.

    Attributes
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo (the candidates' colour).
    skin : LocalSkin
        The local skin.
    fine : ndarray of float32, shape (rows, cols)
        The lightly smoothed contrast.
    smooth : ndarray of float32, shape (rows, cols)
        The contrast smoothed at the scale of the smallest impression (``smooth_px``).
    noise : ndarray of float32, shape (r, c)
        The local noise of ``smooth``, on cells of ``noise_cell`` pixels.
    noise_cell : int
        Side of the noise's cells.
    smooth_px : float
        The smoothing's standard deviation.
    mm_per_px : float
        Scale.
    min_darkness : float
        Faintest impression.
    max_diameter_mm : float
        Largest impression.
    """

    rgb: NDArray[np.uint8]
    skin: LocalSkin
    fine: NDArray[np.float32]
    smooth: NDArray[np.float32]
    noise: NDArray[np.float32]
    noise_cell: int
    smooth_px: float
    mm_per_px: float
    min_darkness: float
    max_diameter_mm: float

    def sigma_at(self, rc: NDArray[np.intp]) -> NDArray[np.float64]:
        """Return the local noise at each (row, column)."""
        cell_r = np.clip(rc[:, 0] // self.noise_cell, 0, self.noise.shape[0] - 1)
        cell_c = np.clip(rc[:, 1] // self.noise_cell, 0, self.noise.shape[1] - 1)
        return np.asarray(self.noise[cell_r, cell_c], dtype=np.float64)

    def with_contrast(self, fine: NDArray[np.float32], smooth: NDArray[np.float32]) -> ContrastMaps:
        """Return the same maps with another contrast (the noise stays the photo's)."""
        return ContrastMaps(
            self.rgb, self.skin, fine, smooth, self.noise, self.noise_cell, self.smooth_px,
            self.mm_per_px, self.min_darkness, self.max_diameter_mm,
        )  # fmt: skip


@dataclass(frozen=True)
class Judged:
    """The candidates and the verdicts; row ``i`` of every array is candidate ``i``.

    Attributes
    ----------
    found : Impressions
        The candidates that passed (rows where ``keep``).
    keep : ndarray of bool, shape (N,)
        Which passed.
    weak : ndarray of bool, shape (N,)
        Which stand out from the noise by less than ``NOISE_SIGMAS`` / ``PROMINENCE_SIGMAS``.
    reasons : dict of str to ndarray of bool
        Each rejection's reason, where it holds.
    xy : ndarray of float, shape (N, 2)
        Sub-pixel centres.
    peak : ndarray of float, shape (N,)
        Peak contrast.
    ridge_angle : ndarray of float, shape (N,)
        Direction of the weaker curvature, or of the hair leaving the candidate.
    contrast_rgb : ndarray of float, shape (N, 3)
        Darkening per channel.
    round_dot : ndarray of bool, shape (N,)
        Which are round dots with nothing dark leaving them (a compact footprint, round
        curvature and no line running out).
    """

    found: Impressions
    keep: NDArray[np.bool_]
    weak: NDArray[np.bool_]
    reasons: dict[str, NDArray[np.bool_]]
    xy: NDArray[np.float64]
    peak: NDArray[np.float64]
    ridge_angle: NDArray[np.float64]
    contrast_rgb: NDArray[np.float64]
    round_dot: NDArray[np.bool_]

    @property
    def hairy(self) -> NDArray[np.intp]:
        """The clear candidates rejected only as hairs (the ones a dot may hide under)."""
        return np.flatnonzero(
            ~self.weak
            & self.reasons[HAIR_REASON]
            & ~self.reasons[FAINT_REASON]
            & ~self.reasons["too large (mole or freckle)"]
        )


def candidate_peaks(
    maps: ContrastMaps, mask: NDArray[np.bool_] | None, radius_px: int
) -> NDArray[np.intp]:
    """Find the candidates: maxima of the smoothed contrast that stand out from the noise.

    Parameters
    ----------
    maps : ContrastMaps
        The contrast.
    mask : ndarray of bool, shape (rows, cols), optional
        Where to look.
    radius_px : int
        Radius of the disc a candidate is the maximum of.

    Returns
    -------
    ndarray of int, shape (N, 2)
        Row and column of each candidate: above half ``maps.min_darkness`` and ``WEAK_SIGMAS``
        of the local noise, in ``mask``.
    """
    smooth = maps.smooth
    peaks = local_maxima(smooth, radius_px, np.float32(maps.min_darkness * 0.5))
    if mask is not None and len(peaks):
        peaks = peaks[mask[peaks[:, 0], peaks[:, 1]]]
    if len(peaks):  # stand out from the local noise
        peaks = peaks[smooth[peaks[:, 0], peaks[:, 1]] > WEAK_SIGMAS * maps.sigma_at(peaks)]
    return peaks


def judge_candidates(
    maps: ContrastMaps,
    peaks: NDArray[np.intp],
    others_xy: NDArray[np.float64] | None = None,
    typical: float | None = None,
) -> Judged:
    """Measure each candidate peak and run every test of the detector on it.

    Parameters
    ----------
    maps : ContrastMaps
        The contrast.
    peaks : ndarray of int, shape (N, 2), N >= 1
        Row and column of each candidate (local maxima of ``maps.smooth`` above the noise).
    others_xy : ndarray of float, shape (M, 2), optional
        Impressions found already: no footprint reaches more than halfway to one.
    typical : float, optional
        The photo's typical impression's darkness, when measured already (on ``others_xy``);
        by default measured on the candidates that pass.

    Returns
    -------
    Judged
        The verdicts, and the impressions that passed.
    """
    mm_per_px, smooth, fine = maps.mm_per_px, maps.smooth, maps.fine
    smooth_px, max_diameter_mm = maps.smooth_px, maps.max_diameter_mm
    half = max(3, int(np.ceil(0.5 * max_diameter_mm / mm_per_px)))
    points = peaks[:, ::-1].astype(np.float64)
    if others_xy is not None and len(others_xy):
        points = np.vstack([points, others_xy])
    if len(points) > 1:
        cut = np.minimum(0.5 * distance_to_nearest_other(points)[: len(peaks)] + 0.75, half)
    else:
        cut = np.full(len(peaks), float(half))
    mean_x, mean_y, area, peak, elongation, ink = all_footprints(fine, peaks, half, cut)
    radius_px = np.sqrt(area / np.pi)
    diameter_mm = 2 * radius_px * mm_per_px
    x = peaks[:, 1] + mean_x
    y = peaks[:, 0] + mean_y
    # Standing out from the skin right around it: a broad faint swell of the skin does not.
    around = np.median(ring_samples(smooth, x, y, radius_px + 2 * smooth_px + 1.0), axis=1)
    prominence = smooth[peaks[:, 0], peaks[:, 1]] - np.maximum(around, 0.0)
    sigma = maps.sigma_at(peaks)
    standing_out = prominence > WEAK_SIGMAS * sigma
    weak = (prominence <= PROMINENCE_SIGMAS * sigma) | (
        smooth[peaks[:, 0], peaks[:, 1]] <= NOISE_SIGMAS * sigma
    )
    step = np.clip(np.round(radius_px), 1, half).astype(np.intp)
    roundness, ridge_angle = blob_roundness(smooth, peaks, step)
    wide_ring = np.median(
        ring_samples(smooth, x, y, 0.5 * max_diameter_mm / mm_per_px + 2 * smooth_px), axis=1
    )
    faint = (peak < maps.min_darkness) | ~standing_out | (ink * mm_per_px**2 < MIN_INK_MM2)
    too_large = (diameter_mm > max_diameter_mm) | (wide_ring > 0.5 * peak)
    # The hair tests sample many points per candidate: only on those still in the running.
    live = np.flatnonzero(~faint & ~too_large)
    xy = np.column_stack([x, y])
    on_hair = np.zeros(len(peaks), dtype=bool)
    arms = line_arms(fine, xy[live], radius_px[live], peak[live], mm_per_px=mm_per_px)
    on_hair[live] = arms.any
    round_dots = (elongation[live] <= ROUND_ELONGATION) & (roundness[live] >= 0.5) & ~arms.any
    is_round = np.zeros(len(peaks), dtype=bool)
    is_round[live[round_dots]] = True
    # An elongated footprint counts unless the mark stays no darker along its axis than across
    # it, within the noise and a fifth of its peak: a faint dot's half-peak footprint is as
    # ragged as the noise, while a piece of hair stays dark along itself. The same holds for
    # the oblong footprint of a candidate that something dark touches. A sample on a
    # neighbouring round dot is left out: packed dots stretch each other's footprints.
    axis_excess = axis_contrast(smooth, x, y, ridge_angle, radius_px + 1.0, (radius_px, is_round))
    level = np.maximum(
        np.minimum(SHAPE_SIGMAS * sigma, AXIS_SHARE * peak), AXIS_NOISE_SIGMAS * sigma
    )
    long_mark = (elongation > MAX_ELONGATION) & (axis_excess > level)
    ridge_angle[live] = arms.angle(ridge_angle[live])
    attached = np.full(len(peaks), -np.inf)
    ring_px = radius_px[live] + ATTACHED_GAP_MM / mm_per_px + 1.0
    attached[live] = attached_darkness(fine, x[live], y[live], radius_px[live], ring_px, round_dots)
    contrast_rgb = colour_contrast(maps.rgb, maps.skin, peaks)
    mean_contrast = np.maximum(contrast_rgb.mean(axis=1), 1e-3)
    brown_shift = (contrast_rgb[:, 2] - contrast_rgb[:, 0]) / mean_contrast
    reasons = {
        FAINT_REASON: faint,
        "too large (mole or freckle)": too_large,
        HAIR_REASON: (roundness < MIN_ROUNDNESS)
        | long_mark
        | (
            (attached > ATTACHED_SHARE * peak)
            & (((elongation > ROUND_ELONGATION) & (axis_excess > level)) | (roundness < 0.5))
        )
        | on_hair,
        "brown (melanin, not ink)": (brown_shift > BROWN_SHIFT)
        & (radius_px >= COLOUR_MIN_RADIUS_PX),
    }
    keep = np.ones(len(peaks), dtype=bool)
    rejected: dict[str, int] = {}
    for reason, bad in reasons.items():
        rejected[reason] = int((bad & keep).sum())
        keep &= ~bad
    beside = faint_beside_lines(
        fine, xy, radius_px, peak, keep, live[round_dots], mm_per_px, typical
    )
    reasons[HAIR_REASON] |= beside
    rejected[HAIR_REASON] += int(beside.sum())
    keep &= ~beside
    found = Impressions(
        xy=xy[keep],
        diameter_mm=diameter_mm[keep],
        darkness=np.clip(peak[keep], 0.0, 1.0),
        contrast_rgb=contrast_rgb[keep],
        rejected=rejected,
    )
    return Judged(found, keep, weak, reasons, xy, peak, ridge_angle, contrast_rgb, is_round)
