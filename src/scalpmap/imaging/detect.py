"""Find SMP impressions: small, round, dark, ink-coloured dots.

A dot is judged against the skin around it, never against a fixed grey level:

1. **Contrast.** Every pixel's darkening relative to the local skin (:mod:`scalpmap.imaging.skin`),
   whose level is taken without the dots, so that dense work does not darken it.
2. **Candidates.** Local maxima of the contrast, smoothed at the scale of the smallest impression,
   that stand out from the local noise (``NOISE_SIGMAS`` standard deviations of the contrast's
   spread around them), also once the skin right around them is taken away
   (``PROMINENCE_SIGMAS``): a faint dot counts if it is clearly above the noise, however faint.
   Pores and skin texture hold less pigment than the smallest, faintest impression: a
   candidate's ink (its contrast summed over its footprint, in mm²) must reach ``MIN_INK_MM2``,
   and its darkness a fifth of the photo's typical impression (``RELATIVE_FAINT_SHARE``).
3. **Shape.** Each candidate's footprint (pixels above half its peak) gives a sub-pixel centre, a
   diameter and an elongation. Long thin marks are stubble, and so is a dark line leaving the
   candidate (:mod:`scalpmap.imaging.hair_lines`), or a dark mark touching an oblong candidate
   that is not another round dot (dots packed a few pixels apart touch each other's rings);
   marks wider than ``MAX_DIAMETER_MM`` are moles and freckles.
4. **Colour.** Melanin darkens blue far more than red; carbon ink darkens all channels alike, or
   red most for bluish inks. Brown marks are rejected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.hair_crossing import bilinear, find_dots_under_hairs
from scalpmap.imaging.hair_lines import line_arms
from scalpmap.imaging.neighbours import (
    distance_to_nearest,
    distance_to_nearest_other,
    nearest_within,
    neighbours_within,
)
from scalpmap.imaging.plateau_peaks import plateau_peaks, plateau_peaks_labelled
from scalpmap.imaging.skin import (
    LocalSkin,
    estimate_local_skin,
    local_noise_grid,
    luminance,
    relative_contrast,
)
from scalpmap.imaging.validate import check_mm_per_px, check_rgb

MIN_DARKNESS = 0.045
NOISE_SIGMAS = 4.5
PROMINENCE_SIGMAS = 4.5
MIN_INK_MM2 = 0.0006
MAX_DIAMETER_MM = 0.6
MIN_ROUNDNESS = 0.2
MAX_ELONGATION = 2.0
BROWN_SHIFT = 0.30
COLOUR_MIN_RADIUS_PX = 5.0
PEAK_RADIUS_MM = 0.12
MIN_SPACING_MM = 0.3
ATTACHED_GAP_MM = 0.05
ATTACHED_SHARE = 0.6
ROUND_ELONGATION = 1.6
NOISE_CELL_MM = 3.0
FOOTPRINT_BATCH_PX = 1 << 20
MAXIMA_BAND_ROWS = 512
_RING_3X3 = np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], np.float32)
FINEST_MM_PER_PX = 0.01
"""Finer photos are detected on a copy reduced to this scale (see :func:`detect_impressions`)."""
RELATIVE_FAINT_SHARE = 0.2
"""A candidate darker than its skin by less than this share of the photo's typical impression
(the upper quartile of the darkness of those kept, ``RELATIVE_FAINT_QUANTILE``) is a pore or skin
texture: one person's impressions are one ink, and faded or small ones still keep well over a
fifth of the darkness of the others."""
RELATIVE_FAINT_QUANTILE = 0.75
RELATIVE_FAINT_MIN_COUNT = 10
"""Below this many impressions there is no typical one to compare with."""


@dataclass(frozen=True)
class Impressions:
    """Detected impressions; row ``i`` of every array describes impression ``i``.

    Attributes
    ----------
    xy : ndarray of float, shape (N, 2)
        Sub-pixel centres ``(x, y)``, origin top-left.
    diameter_mm : ndarray of float, shape (N,)
        Diameter of the dark footprint (half of the peak contrast).
    darkness : ndarray of float, shape (N,)
        Peak darkening against the local skin, 0..1.
    contrast_rgb : ndarray of float, shape (N, 3)
        Darkening in each colour channel, for judging the ink's tone.
    rejected : dict of str to int
        How many candidates were rejected, by reason.
    """

    xy: NDArray[np.float64]
    diameter_mm: NDArray[np.float64]
    darkness: NDArray[np.float64]
    contrast_rgb: NDArray[np.float64]
    rejected: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """Number of impressions."""
        return int(self.xy.shape[0])

    def select(self, keep: NDArray[np.bool_]) -> Impressions:
        """Return the impressions where ``keep`` is true.

        Parameters
        ----------
        keep : ndarray of bool, shape (N,)
            Which to keep.

        Returns
        -------
        Impressions
            The subset, with the same rejection counts.
        """
        return Impressions(
            xy=self.xy[keep],
            diameter_mm=self.diameter_mm[keep],
            darkness=self.darkness[keep],
            contrast_rgb=self.contrast_rgb[keep],
            rejected=dict(self.rejected),
        )

    @classmethod
    def empty(cls) -> Impressions:
        """Return an empty result with the right shapes.

        Returns
        -------
        Impressions
            No impressions.
        """
        return cls(np.zeros((0, 2)), np.zeros(0), np.zeros(0), np.zeros((0, 3)), {})


def _local_maxima(
    contrast: NDArray[np.float32], radius_px: int, threshold: np.float32
) -> NDArray[np.intp]:
    """Row, col of pixels that are the maximum within ``radius_px`` and above ``threshold``.

    A flat top (a plateau: pixels of equal value that touch) gives one peak, its pixel nearest
    the plateau's centroid: an all-black photo is one plateau, not one peak per pixel. Peaks
    come in raster order.
    """
    size = 2 * radius_px + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    peaks = np.empty(contrast.shape, dtype=bool)
    # In bands of rows, each dilated with a margin of the kernel's radius: the same maxima
    # without a second full-size float image.
    for top in range(0, contrast.shape[0], MAXIMA_BAND_ROWS):
        bottom = min(top + MAXIMA_BAND_ROWS, contrast.shape[0])
        start, stop = max(0, top - radius_px), min(contrast.shape[0], bottom + radius_px)
        band = contrast[start:stop]
        dilated = cv2.dilate(band, kernel)[top - start : bottom - start]
        np.greater_equal(band[top - start : bottom - start], dilated, out=peaks[top:bottom])
    peaks &= contrast > threshold
    # Strict maxima never touch: only the pixels of a plateau have a peak beside them, and
    # only those are labelled (scalpmap.imaging.plateau_peaks).
    neighbours = cv2.filter2D(peaks.view(np.uint8), -1, _RING_3X3, borderType=cv2.BORDER_CONSTANT)
    plateau = peaks & (neighbours > 0)
    del neighbours
    if not plateau.any():
        return np.argwhere(peaks)
    peaks &= ~plateau
    single = np.argwhere(peaks)
    del peaks
    flat = plateau_peaks(np.argwhere(plateau))
    if flat is None:  # a plateau too large to label sparsely (an all-black photo): OpenCV's
        flat = plateau_peaks_labelled(plateau)
    rc = np.concatenate([single, flat])
    return rc[np.lexsort((rc[:, 1], rc[:, 0]))]


def _footprints(
    contrast: NDArray[np.float32],
    peaks_rc: NDArray[np.intp],
    half: int,
    cut_px: NDArray[np.float64],
) -> tuple[NDArray[np.float64], ...]:
    """Centre offset, area, peak, elongation and summed contrast of each peak's footprint.

    The footprint is the pixels above half the peak contrast, within ``cut_px`` of the peak: half
    the distance to the nearest other peak, so that a neighbour's ink is never counted.
    """
    offsets = np.arange(-half, half + 1)
    rows, cols = contrast.shape  # patches reaching past the border repeat the edge pixels
    rr = np.clip(peaks_rc[:, 0, None, None] + offsets[None, :, None], 0, rows - 1)
    cc = np.clip(peaks_rc[:, 1, None, None] + offsets[None, None, :], 0, cols - 1)
    patches = contrast[rr, cc]
    peak = patches[:, half, half].astype(np.float64)
    radius_sq = (offsets[None, :, None] ** 2 + offsets[None, None, :] ** 2).astype(np.float32)
    inside = (patches >= 0.5 * peak[:, None, None]) & (radius_sq <= (cut_px**2)[:, None, None])
    weight = np.where(inside, patches, np.float32(0.0))
    total = np.maximum(weight.sum(axis=(1, 2), dtype=np.float64), 1e-9)
    mean_x = (weight * offsets[None, None, :]).sum(axis=(1, 2), dtype=np.float64) / total
    mean_y = (weight * offsets[None, :, None]).sum(axis=(1, 2), dtype=np.float64) / total
    area = inside.sum(axis=(1, 2)).astype(np.float64)
    dx = offsets[None, None, :] - mean_x[:, None, None]
    dy = offsets[None, :, None] - mean_y[:, None, None]
    cxx = (weight * dx * dx).sum(axis=(1, 2)) / total
    cyy = (weight * dy * dy).sum(axis=(1, 2)) / total
    cxy = (weight * dx * dy).sum(axis=(1, 2)) / total
    spread = np.sqrt((cxx - cyy) ** 2 / 4 + cxy**2)
    major = (cxx + cyy) / 2 + spread
    minor = np.maximum((cxx + cyy) / 2 - spread, 1.0 / 12.0)
    return mean_x, mean_y, area, peak, np.sqrt(major / minor), total


def _all_footprints(
    contrast: NDArray[np.float32],
    peaks_rc: NDArray[np.intp],
    half: int,
    cut_px: NDArray[np.float64],
) -> tuple[NDArray[np.float64], ...]:
    """Run :func:`_footprints` on every peak, in batches of peaks with the same patch size.

    A footprint never reaches past its cut (half the distance to the nearest other peak), so a
    patch needs only that half-width: crowded peaks get small patches, and the work stays
    proportional to the photo's area however many peaks it has. Each batch holds about
    ``FOOTPRINT_BATCH_PX`` patch pixels, which bounds the memory.
    """
    reach = np.minimum(np.ceil(cut_px), half).astype(np.intp)
    out = [np.empty(len(peaks_rc)) for _ in range(6)]
    for size in np.unique(reach):
        members = np.flatnonzero(reach == size)
        step = max(1, FOOTPRINT_BATCH_PX // (2 * int(size) + 1) ** 2)
        for start in range(0, len(members), step):
            batch = members[start : start + step]
            values = _footprints(contrast, peaks_rc[batch], int(size), cut_px[batch])
            for column, value in zip(out, values, strict=True):
                column[batch] = value
    return tuple(out)


def _sample(
    image: NDArray[np.float32], rows: NDArray[np.intp], cols: NDArray[np.intp]
) -> NDArray[np.float64]:
    """Values of ``image`` at integer positions, clamped to the image."""
    r = np.clip(rows, 0, image.shape[0] - 1)
    c = np.clip(cols, 0, image.shape[1] - 1)
    return image[r, c].astype(np.float64)


def _blob_roundness(
    smooth: NDArray[np.float32], peaks_rc: NDArray[np.intp], step_px: NDArray[np.intp]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Ratio of the Hessian's weaker to stronger curvature at each peak, at the blob's own scale.

    A round dot curves down alike in every direction (ratio near 1); a hair is a ridge that stays
    dark along its length (ratio near 0). Also returns the direction of the weaker curvature
    (along a hair), in radians from the x axis.
    """
    r, c, s = peaks_rc[:, 0], peaks_rc[:, 1], step_px
    centre = _sample(smooth, r, c)
    dxx = _sample(smooth, r, c + s) + _sample(smooth, r, c - s) - 2 * centre
    dyy = _sample(smooth, r + s, c) + _sample(smooth, r - s, c) - 2 * centre
    dxy = (
        _sample(smooth, r + s, c + s)
        + _sample(smooth, r - s, c - s)
        - _sample(smooth, r + s, c - s)
        - _sample(smooth, r - s, c + s)
    ) / 4
    spread = np.sqrt((dxx - dyy) ** 2 / 4 + dxy**2)
    strong = -(dxx + dyy) / 2 + spread
    weak = -(dxx + dyy) / 2 - spread
    ratio = np.asarray(np.clip(weak / np.maximum(strong, 1e-6), -1, 1), dtype=np.float64)
    return ratio, np.asarray(0.5 * np.arctan2(2 * dxy, dxx - dyy), dtype=np.float64)


def _ring_samples(
    image: NDArray[np.float32],
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    radius_px: NDArray[np.float64] | float,
) -> NDArray[np.float64]:
    """Contrast at 16 points on a ring around each peak, shape (N, 16).

    Its median is high when the dark mark is wider than a dot (a mole); its maximum is high when
    something dark leaves the dot (a hair, an edge).
    """
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    radius = np.broadcast_to(np.asarray(radius_px, dtype=np.float64), x.shape)[:, None]
    cols = np.round(x[:, None] + radius * np.cos(angles)[None, :]).astype(np.intp)
    rows = np.round(y[:, None] + radius * np.sin(angles)[None, :]).astype(np.intp)
    return _sample(image, rows, cols)


def _attached(
    fine: NDArray[np.float32],
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    radius_px: NDArray[np.float64],
    ring_px: NDArray[np.float64],
    round_dots: NDArray[np.bool_],
) -> NDArray[np.float64]:
    """Darkest contrast on a ring just outside each candidate, other round dots left out.

    Something dark touching a dot (a hair, an edge) shows on the ring; a neighbouring dot
    does too when dots are packed a few pixels apart, so ring samples that fall on another
    candidate that is itself round (within its radius and a pixel) do not count.
    """
    ring = _ring_samples(fine, x, y, ring_px)
    others = np.flatnonzero(round_dots)
    if len(others) < 2:
        return np.asarray(ring.max(axis=1), dtype=np.float64)
    angles = np.linspace(0, 2 * np.pi, ring.shape[1], endpoint=False)
    ring_x = (x[:, None] + ring_px[:, None] * np.cos(angles)[None, :]).ravel()
    ring_y = (y[:, None] + ring_px[:, None] * np.sin(angles)[None, :]).ravel()
    # Only a dot within its radius and a pixel hides a sample: none reaches past the largest.
    reach = float(radius_px[others].max()) + 1.0
    nearest, distance = nearest_within(
        np.column_stack([ring_x, ring_y]), np.column_stack([x[others], y[others]]), reach
    )
    sample = np.flatnonzero(nearest >= 0)
    owner = others[nearest[sample]]
    on_dot = (distance[sample] <= radius_px[owner] + 1.0) & (owner != sample // ring.shape[1])
    hidden = np.zeros(ring.size, dtype=bool)
    hidden[sample[on_dot]] = True
    return np.asarray(np.where(hidden.reshape(ring.shape), -np.inf, ring).max(axis=1))


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
    peaks = _local_maxima(smooth, radius, np.float32(min_darkness * 0.5))
    if mask is not None and len(peaks):
        peaks = peaks[mask[peaks[:, 0], peaks[:, 1]]]
    if len(peaks):  # stand out from the local noise
        cell_r = np.minimum(peaks[:, 0] // noise_cell, noise.shape[0] - 1)
        cell_c = np.minimum(peaks[:, 1] // noise_cell, noise.shape[1] - 1)
        value = smooth[peaks[:, 0], peaks[:, 1]]
        peaks = peaks[value > NOISE_SIGMAS * noise[cell_r, cell_c]]
    if len(peaks) == 0:
        return Impressions.empty()
    half = max(3, int(np.ceil(0.5 * max_diameter_mm / mm_per_px)))
    if len(peaks) > 1:
        cut = np.minimum(0.5 * distance_to_nearest_other(peaks) + 0.75, half)
    else:
        cut = np.full(len(peaks), float(half))
    mean_x, mean_y, area, peak, elongation, ink = _all_footprints(fine, peaks, half, cut)
    radius_px = np.sqrt(area / np.pi)
    diameter_mm = 2 * radius_px * mm_per_px
    x = peaks[:, 1] + mean_x
    y = peaks[:, 0] + mean_y
    # Standing out from the skin right around it: a broad faint swell of the skin does not.
    around = np.median(_ring_samples(smooth, x, y, radius_px + 2 * smooth_px + 1.0), axis=1)
    cell_r = np.minimum(peaks[:, 0] // noise_cell, noise.shape[0] - 1)
    cell_c = np.minimum(peaks[:, 1] // noise_cell, noise.shape[1] - 1)
    prominence = smooth[peaks[:, 0], peaks[:, 1]] - np.maximum(around, 0.0)
    standing_out = prominence > PROMINENCE_SIGMAS * noise[cell_r, cell_c]
    step = np.clip(np.round(radius_px), 1, half).astype(np.intp)
    roundness, ridge_angle = _blob_roundness(smooth, peaks, step)
    wide_ring = np.median(
        _ring_samples(smooth, x, y, 0.5 * max_diameter_mm / mm_per_px + 2 * smooth_px), axis=1
    )
    faint = (peak < min_darkness) | ~standing_out | (ink * mm_per_px**2 < MIN_INK_MM2)
    too_large = (diameter_mm > max_diameter_mm) | (wide_ring > 0.5 * peak)
    # The hair tests sample many points per candidate: only on those still in the running.
    live = np.flatnonzero(~faint & ~too_large)
    xy = np.column_stack([x, y])
    on_hair = np.zeros(len(peaks), dtype=bool)
    arms = line_arms(fine, xy[live], radius_px[live], peak[live], mm_per_px=mm_per_px)
    on_hair[live] = arms.any
    ridge_angle[live] = arms.angle(ridge_angle[live])
    attached = np.full(len(peaks), -np.inf)
    round_dots = (elongation[live] <= ROUND_ELONGATION) & (roundness[live] >= 0.5) & ~arms.any
    ring_px = radius_px[live] + ATTACHED_GAP_MM / mm_per_px + 1.0
    attached[live] = _attached(fine, x[live], y[live], radius_px[live], ring_px, round_dots)
    contrast_rgb = _colour_contrast(rgb, skin, peaks)
    mean_contrast = np.maximum(contrast_rgb.mean(axis=1), 1e-3)
    brown_shift = (contrast_rgb[:, 2] - contrast_rgb[:, 0]) / mean_contrast
    reasons = {
        "faint (pore or skin texture)": faint,
        "too large (mole or freckle)": too_large,
        "elongated (stubble or hair)": (roundness < MIN_ROUNDNESS)
        | (elongation > MAX_ELONGATION)
        | (
            (attached > ATTACHED_SHARE * peak)
            & ((elongation > ROUND_ELONGATION) | (roundness < 0.5))
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
    found = Impressions(
        xy=xy[keep],
        diameter_mm=diameter_mm[keep],
        darkness=np.clip(peak[keep], 0.0, 1.0),
        contrast_rgb=contrast_rgb[keep],
        rejected=rejected,
    )
    hairy = np.flatnonzero(
        reasons["elongated (stubble or hair)"]
        & ~reasons["faint (pore or skin texture)"]
        & ~reasons["too large (mole or freckle)"]
    )
    found = _add_dots_under_hairs(
        found, fine, xy, ridge_angle, peak, contrast_rgb, hairy, mm_per_px
    )
    return drop_relatively_faint(found)


def drop_relatively_faint(found: Impressions) -> Impressions:
    """Drop the candidates far fainter than the photo's typical impression (pores, texture).

    Parameters
    ----------
    found : Impressions
        The impressions that passed every other test.

    Returns
    -------
    Impressions
        Those at least ``RELATIVE_FAINT_SHARE`` as dark as the upper quartile of all of them
        (all of them when there are fewer than ``RELATIVE_FAINT_MIN_COUNT``); the dropped ones
        are counted as faint.

    Examples
    --------
    >>> ink = np.r_[np.full(20, 0.5), 0.06]  # twenty impressions and a pore
    >>> found = Impressions(np.zeros((21, 2)), np.full(21, 0.2), ink, np.zeros((21, 3)))
    >>> drop_relatively_faint(found).count
    20
    """
    if found.count < RELATIVE_FAINT_MIN_COUNT:
        return found
    typical = float(np.quantile(found.darkness, RELATIVE_FAINT_QUANTILE))
    keep = found.darkness >= RELATIVE_FAINT_SHARE * typical
    if keep.all():
        return found
    kept = found.select(keep)
    reason = "faint (pore or skin texture)"
    kept.rejected[reason] = kept.rejected.get(reason, 0) + int((~keep).sum())
    return kept


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


def _add_dots_under_hairs(
    found: Impressions,
    fine: NDArray[np.float32],
    xy: NDArray[np.float64],
    ridge_angle: NDArray[np.float64],
    peak: NDArray[np.float64],
    contrast_rgb: NDArray[np.float64],
    hairy: NDArray[np.intp],
    mm_per_px: float,
) -> Impressions:
    """Add the impressions found as bulges on hairs, once each, away from those already found.

    A bulge where hairs cross or meet is no dot: the hairs leave it in more than two
    directions, or in two that are not opposite.
    """
    crossed = find_dots_under_hairs(
        fine, xy[hairy], ridge_angle[hairy], peak[hairy], mm_per_px=mm_per_px
    )
    if len(crossed.index) == 0:
        return found
    at_dot = bilinear(fine, crossed.xy[:, :1], crossed.xy[:, 1:])[:, 0].astype(np.float64)
    radius_px = crossed.diameter_mm / 2 / mm_per_px
    arms = line_arms(fine, crossed.xy, radius_px, 0.5 * at_dot, mm_per_px=mm_per_px)
    one_hair = np.flatnonzero((arms.runs <= 1) | ((arms.runs == 2) & arms.through))
    chosen = [
        int(one_hair[k])
        for k in _spaced(crossed.xy[one_hair], found.xy, 0.5 * MIN_SPACING_MM / mm_per_px)
    ]
    source = hairy[crossed.index[chosen]]
    rejected = dict(found.rejected)
    rejected["elongated (stubble or hair)"] -= len(chosen)
    rejected["found under a hair (kept)"] = len(chosen)
    return Impressions(
        xy=np.vstack([found.xy, crossed.xy[chosen]]),
        diameter_mm=np.concatenate([found.diameter_mm, crossed.diameter_mm[chosen]]),
        darkness=np.concatenate([found.darkness, np.clip(peak[source], 0.0, 1.0)]),
        contrast_rgb=np.vstack([found.contrast_rgb, contrast_rgb[source]]),
        rejected=rejected,
    )


def _spaced(
    points: NDArray[np.float64], known: NDArray[np.float64], min_gap_px: float
) -> list[int]:
    """Keep ``points`` in order, each one only if no known point nor kept point is that near.

    Returns the indices kept. Neighbours come from STR trees, so the work grows with the number
    of points, not with its square.
    """
    if len(points) == 0:
        return []
    free = np.ones(len(points), bool)
    if len(known):
        free = distance_to_nearest(points, known) >= min_gap_px
    neighbours = neighbours_within(points, min_gap_px)
    chosen: list[int] = []
    taken = np.zeros(len(points), bool)
    for k in np.flatnonzero(free):
        near = np.asarray(neighbours[k], dtype=np.intp)
        step = points[near[taken[near]]] - points[k]
        if not (np.hypot(step[:, 0], step[:, 1]) < min_gap_px).any():
            chosen.append(int(k))
            taken[k] = True
    return chosen


def _colour_contrast(
    rgb: NDArray[np.uint8], skin: LocalSkin, peaks_rc: NDArray[np.intp]
) -> NDArray[np.float64]:
    """Darkening of each colour channel at each peak (3 x 3 mean) against the local skin."""
    total = np.zeros((len(peaks_rc), 3))
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            r = np.clip(peaks_rc[:, 0] + dr, 0, rgb.shape[0] - 1)
            c = np.clip(peaks_rc[:, 1] + dc, 0, rgb.shape[1] - 1)
            total += rgb[r, c]
    skin_rgb = skin.rgb_at(peaks_rc[:, 1].astype(np.float64), peaks_rc[:, 0].astype(np.float64))
    return np.asarray(np.clip(1.0 - total / 9.0 / np.maximum(skin_rgb, 1.0), -1, 1), np.float64)
