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
   leaving them are pieces of hair (:mod:`scalpmap.imaging.hair_dots`); dots beside a hair as
   what its own profile, taken away along its axis, does not explain
   (:mod:`scalpmap.imaging.hair_side`); dots that a hair touches are found again once the
   hairs are taken away (:mod:`scalpmap.imaging.hair_removed`), which also checks the bulges
   and the dots beside hairs: one where hairs cross or meet leaves nothing once they are.
   The shape tests leave out samples that fall on a neighbouring round dot.
4. **Colour.** Melanin darkens blue far more than red; carbon ink darkens all channels alike, or
   red most for bluish inks. Brown marks are rejected.
5. **Beside others.** A faint impression on a darker one's shoulder makes no maximum of its own,
   or looks attached to it: the impressions found on their own are taken away and the residual
   beside them is searched again with the same tests (:mod:`scalpmap.imaging.dot_residual`).

The tests of steps 2 to 4 are :func:`scalpmap.imaging.dot_judge.judge_candidates`.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.dot_judge import (
    AXIS_NOISE_SIGMAS,
    AXIS_SHARE,
    COLOUR_MIN_RADIUS_PX,
    MAX_DIAMETER_MM,
    MIN_DARKNESS,
    MIN_SPACING_MM,
    NOISE_SIGMAS,
    PEAK_RADIUS_MM,
    PROMINENCE_SIGMAS,
    ROUND_ELONGATION,
    SHAPE_SIGMAS,
    WEAK_SIGMAS,
    ContrastMaps,
    candidate_peaks,
    judge_candidates,
)
from scalpmap.imaging.dot_residual import add_residual_dots
from scalpmap.imaging.hair_dots import add_dots_under_hairs
from scalpmap.imaging.hair_removed import (
    ShapeLimits,
    add_dots_off_hairs,
    hair_residual,
    in_residual,
    residual_reach,
)
from scalpmap.imaging.hair_side import add_dots_beside_hairs
from scalpmap.imaging.impressions import (
    RELATIVE_FAINT_MIN_COUNT,
    Impressions,
    drop_relatively_faint,
    drop_weak_unlike_typical,
)
from scalpmap.imaging.skin import (
    LocalSkin,
    estimate_local_skin,
    local_noise_grid,
    luminance,
    relative_contrast,
)
from scalpmap.imaging.validate import check_mm_per_px, check_rgb

__all__ = [
    "AXIS_NOISE_SIGMAS",
    "AXIS_SHARE",
    "COLOUR_MIN_RADIUS_PX",
    "Impressions",
    "PROMINENCE_SIGMAS",
    "WEAK_SIGMAS",
    "detect_impressions",
    "drop_relatively_faint",
]

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
    maps = ContrastMaps(
        rgb, skin, fine, smooth, noise, noise_cell, smooth_px, mm_per_px, min_darkness,
        max_diameter_mm,
    )  # fmt: skip
    peaks = candidate_peaks(maps, mask, radius)
    if len(peaks) == 0:
        return Impressions.empty()
    judged = judge_candidates(maps, peaks)
    found, hairy = judged.found, judged.hairy
    alone = found.count
    was_weak = judged.weak[judged.keep]
    found = add_dots_under_hairs(
        found, fine, judged.xy, judged.ridge_angle, judged.peak, judged.contrast_rgb, hairy,
        mm_per_px, 0.5 * MIN_SPACING_MM,
    )  # fmt: skip
    found = add_dots_beside_hairs(
        found, alone, rgb, skin, fine, judged.xy[hairy], judged.ridge_angle[hairy],
        judged.peak[hairy], maps.sigma_at(peaks[hairy]), mm_per_px=mm_per_px,
        noise_sigmas=NOISE_SIGMAS, max_elongation=ROUND_ELONGATION,
        min_gap_px=0.5 * MIN_SPACING_MM / mm_per_px,
    )  # fmt: skip
    limits = ShapeLimits(
        noise_sigmas=NOISE_SIGMAS,
        shape_sigmas=SHAPE_SIGMAS,
        axis_share=AXIS_SHARE,
        max_elongation=ROUND_ELONGATION,
        max_diameter_px=max_diameter_mm / mm_per_px,
        peak_radius_px=radius,
        ring_gap_px=2 * smooth_px + 1.0,
    )
    residual = None
    if alone >= RELATIVE_FAINT_MIN_COUNT and len(hairy):
        footprint_px = float(np.median(found.diameter_mm[:alone])) / mm_per_px
        bulges = found.xy[alone:]
        at = np.round(bulges[:, ::-1]).astype(np.intp)
        bulge_reach = max(1, int(round(0.25 * footprint_px)))
        # The hairs are taken away only where the residual is read: around the hair candidates
        # (add_dots_off_hairs) and the bulges (in_residual).
        residual = hair_residual(
            smooth,
            footprint_px,
            np.concatenate([peaks[hairy], at]),
            max(residual_reach(limits, footprint_px), bulge_reach),
        )
        if found.count > alone:  # a bulge where hairs cross or meet leaves nothing
            shows = in_residual(residual, bulges, NOISE_SIGMAS * maps.sigma_at(at), bulge_reach)
            found = found.select(np.r_[np.ones(alone, dtype=bool), shows])
    found = add_dots_off_hairs(
        found, rgb, skin, smooth, noise, noise_cell, peaks[hairy], limits,
        mm_per_px=mm_per_px, min_gap_px=0.5 * MIN_SPACING_MM / mm_per_px, residual=residual,
    )  # fmt: skip
    weak = np.r_[was_weak, np.zeros(found.count - alone, bool)]
    taken = np.r_[judged.round_dot[judged.keep], np.zeros(found.count - alone, bool)]
    found, weak = add_residual_dots(found, weak, taken, maps, mask, radius)
    found = drop_weak_unlike_typical(found, weak)
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
