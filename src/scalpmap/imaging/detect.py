"""Find SMP impressions: small, round, dark, ink-coloured dots.

A dot is judged against the skin around it, never against a fixed grey level:

1. **Contrast.** Every pixel's darkening relative to the local skin (:mod:`scalpmap.imaging.skin`),
   whose level is taken without the dots, so that dense work does not darken it.
2. **Candidates.** Local maxima of the contrast, smoothed at the scale of the smallest impression,
   that stand out from the local noise (``NOISE_SIGMAS`` standard deviations of the contrast's
   spread around them), also once the skin right around them is taken away
   (``PROMINENCE_SIGMAS``): a faint dot counts if it is clearly above the noise, however faint
   (:mod:`scalpmap.imaging.dot_peaks`). A candidate between ``WEAK_SIGMAS`` and those counts
   only when it looks like the photo's own impressions: as dark as a good share of the typical
   one and no broader (:func:`scalpmap.imaging.impressions.drop_weak_unlike_typical`). Pores
   and skin texture hold less pigment than the
   smallest, faintest impression: a candidate's ink (its contrast summed over its footprint, in
   mm²) must reach ``MIN_INK_MM2``, and its darkness a fifth of the photo's typical impression
   (:mod:`scalpmap.imaging.impressions`).
3. **Shape.** Each candidate's footprint (pixels above half its peak) gives a sub-pixel centre, a
   diameter and an elongation. Long thin marks are stubble, and so is a dark line leaving the
   candidate (:mod:`scalpmap.imaging.hair_lines`), or a dark mark touching an oblong candidate
   that is not another round dot (dots packed a few pixels apart touch each other's rings;
   :mod:`scalpmap.imaging.dot_shape`); marks wider than ``MAX_DIAMETER_MM`` are moles and
   freckles. Dots under hairs are found again as bulges on them, and faint marks with a line
   leaving them are pieces of hair (:mod:`scalpmap.imaging.hair_dots`); dots that a hair
   touches are found again once the hairs are taken away (:mod:`scalpmap.imaging.hair_removed`),
   which also checks the bulges: one where hairs cross or meet leaves nothing once they are.
   The shape tests leave out samples that fall on a neighbouring round dot.
4. **Colour.** Melanin darkens blue far more than red; carbon ink darkens all channels alike, or
   red most for bluish inks. Brown marks are rejected.
"""

from __future__ import annotations

import cv2
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
from scalpmap.imaging.hair_dots import add_dots_under_hairs, faint_beside_lines
from scalpmap.imaging.hair_lines import line_arms
from scalpmap.imaging.hair_removed import (
    ShapeLimits,
    add_dots_off_hairs,
    hair_residual,
    in_residual,
)
from scalpmap.imaging.impressions import (
    RELATIVE_FAINT_MIN_COUNT,
    Impressions,
    drop_relatively_faint,
    drop_weak_unlike_typical,
)
from scalpmap.imaging.neighbours import distance_to_nearest_other
from scalpmap.imaging.skin import (
    LocalSkin,
    estimate_local_skin,
    local_noise_grid,
    luminance,
    relative_contrast,
)
from scalpmap.imaging.validate import check_mm_per_px, check_rgb

__all__ = ["COLOUR_MIN_RADIUS_PX", "Impressions", "detect_impressions", "drop_relatively_faint"]

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
NOISE_CELL_MM = 3.0
FINEST_MM_PER_PX = 0.01
"""Finer photos are detected on a copy reduced to this scale (see :func:`detect_impressions`)."""


def detect_impressions(
    rgb: NDArray[np.uint8],
    *,
    mm_per_px: float,
    mask: NDArray[np.bool_] | None = None,
    skin: LocalSkin | None = None,
    min_darkness: float = MIN_DARKNESS,
    max_diameter_mm: float = MAX_DIAMETER_MM,
) -> Impressions:
    """Find every SMP impression in a photo.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    mm_per_px : float
        Scale.
    mask : ndarray of bool, shape (rows, cols), optional
        Where to look (the scalp); everywhere when omitted.
    skin : LocalSkin, optional
        A precomputed local skin estimate.
    min_darkness : float, optional
        Faintest impression, as darkening against the local skin; fainter marks are pores.
    max_diameter_mm : float, optional
        Largest impression; larger dark marks are moles and freckles.

    Returns
    -------
    Impressions
        The impressions, and counts of rejected candidates by reason.

    Notes
    -----
    A photo finer than ``FINEST_MM_PER_PX`` (0.01 mm/px) is analysed on a copy reduced to that
    scale, so the work stays proportional to the photo's area whatever the scale; ``skin`` is
    then estimated again on the copy (within ``mask``).

    Examples
    --------
    >>> import numpy as np, cv2
    >>> photo = np.full((200, 200, 3), (200, 160, 130), np.uint8)
    >>> _ = cv2.circle(photo, (100, 80), 4, (40, 40, 45), -1)
    >>> found = detect_impressions(photo, mm_per_px=0.03)
    >>> found.count, [round(v) for v in found.xy[0]]
    (1, [100, 80])
    """
    check_rgb(rgb)
    check_mm_per_px(mm_per_px)
    if mm_per_px < FINEST_MM_PER_PX:
        return _detect_reduced(rgb, mm_per_px, mask, min_darkness, max_diameter_mm)
    skin = skin or estimate_local_skin(rgb, mm_per_px=mm_per_px, without_marks=True)
    fine = relative_contrast(luminance(rgb), skin, smooth_px=0.6)
    smooth_px = max(0.8, 0.035 / mm_per_px)
    smooth = np.asarray(cv2.GaussianBlur(fine, (0, 0), smooth_px), dtype=np.float32)
    noise_cell = max(8, int(NOISE_CELL_MM / mm_per_px))
    noise = local_noise_grid(smooth, cell_px=noise_cell, mask=mask)
    radius = max(1, int(round(PEAK_RADIUS_MM / mm_per_px)))
    peaks = local_maxima(smooth, radius, np.float32(min_darkness * 0.5))
    if mask is not None and len(peaks):
        peaks = peaks[mask[peaks[:, 0], peaks[:, 1]]]
    if len(peaks):  # stand out from the local noise
        cell_r = np.minimum(peaks[:, 0] // noise_cell, noise.shape[0] - 1)
        cell_c = np.minimum(peaks[:, 1] // noise_cell, noise.shape[1] - 1)
        value = smooth[peaks[:, 0], peaks[:, 1]]
        peaks = peaks[value > WEAK_SIGMAS * noise[cell_r, cell_c]]
    if len(peaks) == 0:
        return Impressions.empty()
    half = max(3, int(np.ceil(0.5 * max_diameter_mm / mm_per_px)))
    if len(peaks) > 1:
        cut = np.minimum(0.5 * distance_to_nearest_other(peaks) + 0.75, half)
    else:
        cut = np.full(len(peaks), float(half))
    mean_x, mean_y, area, peak, elongation, ink = all_footprints(fine, peaks, half, cut)
    radius_px = np.sqrt(area / np.pi)
    diameter_mm = 2 * radius_px * mm_per_px
    x = peaks[:, 1] + mean_x
    y = peaks[:, 0] + mean_y
    # Standing out from the skin right around it: a broad faint swell of the skin does not.
    around = np.median(ring_samples(smooth, x, y, radius_px + 2 * smooth_px + 1.0), axis=1)
    cell_r = np.minimum(peaks[:, 0] // noise_cell, noise.shape[0] - 1)
    cell_c = np.minimum(peaks[:, 1] // noise_cell, noise.shape[1] - 1)
    prominence = smooth[peaks[:, 0], peaks[:, 1]] - np.maximum(around, 0.0)
    sigma = noise[cell_r, cell_c].astype(np.float64)
    standing_out = prominence > WEAK_SIGMAS * sigma
    weak = (prominence <= PROMINENCE_SIGMAS * sigma) | (
        smooth[peaks[:, 0], peaks[:, 1]] <= NOISE_SIGMAS * sigma
    )
    step = np.clip(np.round(radius_px), 1, half).astype(np.intp)
    roundness, ridge_angle = blob_roundness(smooth, peaks, step)
    wide_ring = np.median(
        ring_samples(smooth, x, y, 0.5 * max_diameter_mm / mm_per_px + 2 * smooth_px), axis=1
    )
    faint = (peak < min_darkness) | ~standing_out | (ink * mm_per_px**2 < MIN_INK_MM2)
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
    contrast_rgb = colour_contrast(rgb, skin, peaks)
    mean_contrast = np.maximum(contrast_rgb.mean(axis=1), 1e-3)
    brown_shift = (contrast_rgb[:, 2] - contrast_rgb[:, 0]) / mean_contrast
    reasons = {
        "faint (pore or skin texture)": faint,
        "too large (mole or freckle)": too_large,
        "elongated (stubble or hair)": (roundness < MIN_ROUNDNESS)
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
    dots = live[round_dots]
    beside = faint_beside_lines(fine, xy, radius_px, peak, keep, dots, mm_per_px)
    reasons["elongated (stubble or hair)"] |= beside
    rejected["elongated (stubble or hair)"] += int(beside.sum())
    keep &= ~beside
    found = Impressions(
        xy=xy[keep],
        diameter_mm=diameter_mm[keep],
        darkness=np.clip(peak[keep], 0.0, 1.0),
        contrast_rgb=contrast_rgb[keep],
        rejected=rejected,
    )
    hairy = np.flatnonzero(
        ~weak
        & reasons["elongated (stubble or hair)"]
        & ~reasons["faint (pore or skin texture)"]
        & ~reasons["too large (mole or freckle)"]
    )
    alone = found.count
    was_weak = weak[keep]
    found = add_dots_under_hairs(
        found, fine, xy, ridge_angle, peak, contrast_rgb, hairy, mm_per_px, 0.5 * MIN_SPACING_MM
    )
    residual = None
    if alone >= RELATIVE_FAINT_MIN_COUNT and len(hairy):
        footprint_px = float(np.median(found.diameter_mm[:alone])) / mm_per_px
        residual = hair_residual(smooth, footprint_px)
        if found.count > alone:  # a bulge where hairs cross or meet leaves nothing
            bulges = found.xy[alone:]
            at = np.round(bulges[:, ::-1]).astype(np.intp)
            local = noise[
                np.clip(at[:, 0] // noise_cell, 0, noise.shape[0] - 1),
                np.clip(at[:, 1] // noise_cell, 0, noise.shape[1] - 1),
            ]
            shows = in_residual(
                residual,
                bulges,
                NOISE_SIGMAS * local.astype(np.float64),
                max(1, int(round(0.25 * footprint_px))),
            )
            found = found.select(np.r_[np.ones(alone, dtype=bool), shows])
    limits = ShapeLimits(
        noise_sigmas=NOISE_SIGMAS,
        shape_sigmas=SHAPE_SIGMAS,
        axis_share=AXIS_SHARE,
        max_elongation=ROUND_ELONGATION,
        max_diameter_px=max_diameter_mm / mm_per_px,
        peak_radius_px=radius,
        ring_gap_px=2 * smooth_px + 1.0,
    )
    found = add_dots_off_hairs(
        found, rgb, skin, smooth, noise, noise_cell, peaks[hairy], limits,
        mm_per_px=mm_per_px, min_gap_px=0.5 * MIN_SPACING_MM / mm_per_px, residual=residual,
    )  # fmt: skip
    found = drop_weak_unlike_typical(found, np.r_[was_weak, np.zeros(found.count - alone, bool)])
    return drop_relatively_faint(found)


def _detect_reduced(
    rgb: NDArray[np.uint8],
    mm_per_px: float,
    mask: NDArray[np.bool_] | None,
    min_darkness: float,
    max_diameter_mm: float,
) -> Impressions:
    """Detect on a copy reduced to ``FINEST_MM_PER_PX``, then scale the centres back.

    Every filter of the detector is sized in millimetres, so its work per pixel grows with the
    square of the pixels per millimetre; past this scale the smallest impression spans 10 px
    and finer pixels add no information, only time.
    """
    rows, cols = rgb.shape[:2]
    factor = FINEST_MM_PER_PX / mm_per_px
    size = (max(1, int(cols / factor)), max(1, int(rows / factor)))  # never finer than the cap
    if min(size) < 16:  # too small to analyse (see check_rgb)
        return Impressions.empty()
    small = np.ascontiguousarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), np.uint8)
    work_mm = mm_per_px * cols / size[0]
    small_mask = None
    if mask is not None:
        reduced = cv2.resize(mask.view(np.uint8), size, interpolation=cv2.INTER_NEAREST)
        small_mask = np.asarray(reduced, dtype=bool)
    found = detect_impressions(
        small,
        mm_per_px=work_mm,
        mask=small_mask,
        skin=estimate_local_skin(small, mm_per_px=work_mm, mask=small_mask, without_marks=True),
        min_darkness=min_darkness,
        max_diameter_mm=max_diameter_mm,
    )
    back = np.array([cols / size[0], rows / size[1]])
    return Impressions(
        xy=(found.xy + 0.5) * back - 0.5,
        diameter_mm=found.diameter_mm,
        darkness=found.darkness,
        contrast_rgb=found.contrast_rgb,
        rejected=found.rejected,
    )
