"""Impressions beside a hair: what the hair's own profile does not explain.

A dot that a hair touches from the side, or that sits at a hair's end, blurs into the hair at
phone scales: the pair fails the shape tests, the band is not 1.6 times wider at the dot
(:mod:`scalpmap.imaging.hair_crossing`: a hair blurred to three pixels is nearly as wide as a
small dot) and a line opening leaves only a crescent of the dot, or keeps a short hair whole
(:mod:`scalpmap.imaging.hair_removed`).

So the hair is measured on itself. Along each hair candidate's direction, from one impression
footprint away from it on (where a dot beside the candidate is not), the hair's ridge gives its
axis (a straight line fitted through the ridge) and the median of its cross-profiles the hair's
own profile. That profile is taken away all along the axis: what is left is what the hair does
not explain. A scan counts only when one hair runs through it: the axis is dark over
``MIN_HAIR_SHARE`` of it away from the candidate, and the profile is a single band above half
its peak, narrower than an impression (two hairs side by side, as where they meet, are not one
hair's profile).

A dot shows on the residual as a compact blob, found with a matched filter (a Gaussian as wide
as the photo's median impression footprint). It counts when the filtered residual stands out
from the local noise by the detector's ``NOISE_SIGMAS``; when the blob is as dark as
``HAIR_END_SHARE`` of the photo's typical impression, what a mark at a hair's end must reach
(:mod:`scalpmap.imaging.hair_dots`); when it is round, as the detector's round dots are (the
residual above half its peak no more elongated than ``ROUND_ELONGATION``: a bent or tapering tip
the straight axis does not follow, or a skin crease, leaves a piece of line); when nothing dark
touches it, as the detector asks of a dot (the filtered residual one footprint from it stays
under ``ATTACHED_SHARE`` of its peak all round: a second hair crossing or meeting this one); and
when no hair leaves it at its own darkness unless one passes straight through it (a hair's tip
poking past the hair it crosses is that hair's, like a bulge where hairs meet,
:func:`scalpmap.imaging.hair_dots.add_dots_under_hairs`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.dot_judge import ATTACHED_SHARE
from scalpmap.imaging.dot_shape import colour_contrast
from scalpmap.imaging.hair_crossing import ACROSS_HALF_MM, MIN_HAIR_SHARE, SCAN_HALF_MM, bilinear
from scalpmap.imaging.hair_dots import HAIR_END_SHARE, spaced
from scalpmap.imaging.hair_lines import line_arms
from scalpmap.imaging.impressions import Impressions, typical_darkness
from scalpmap.imaging.scan_patches import blob_elongation, blur_patches, median_where, sample_along
from scalpmap.imaging.skin import LocalSkin

STEP_PX = 0.5
"""Sampling step along and across the hair."""
SEARCH_SHARE = 0.5
"""The dot is looked for within this share of the scan's half-length from the candidate."""
RING_SAMPLES = 16
CHUNK_SAMPLES = 1 << 21
"""Samples per batch of candidates: bounds the memory."""
_FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))


@dataclass(frozen=True)
class BesideDots:
    """Impressions found beside hairs.

    Attributes
    ----------
    index : ndarray of int, shape (K,)
        Which of the given candidates' scans found the dot.
    xy : ndarray of float, shape (K, 2)
        The dots' centres.
    darkness : ndarray of float, shape (K,)
        The dots' darkness above the hair's profile (the matched filter's amplitude).
    """

    index: NDArray[np.intp]
    xy: NDArray[np.float64]
    darkness: NDArray[np.float64]


def add_dots_beside_hairs(
    found: Impressions,
    alone: int,
    rgb: NDArray[np.uint8],
    skin: LocalSkin,
    fine: NDArray[np.float32],
    xy: NDArray[np.float64],
    angle: NDArray[np.float64],
    peak: NDArray[np.float64],
    sigma: NDArray[np.float64],
    *,
    mm_per_px: float,
    noise_sigmas: float,
    max_elongation: float,
    min_gap_px: float,
) -> Impressions:
    """Add the impressions found beside hairs, once each, away from those already found.

    Parameters
    ----------
    found : Impressions
        The impressions found so far; the first ``alone`` were found on their own and are the
        yardsticks (their median footprint, and the typical darkness of all of them).
    alone : int
        How many of ``found`` were found on their own.
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo (the new dots' colour).
    skin : LocalSkin
        The local skin.
    fine : ndarray of float32, shape (rows, cols)
        Relative contrast against the local skin (lightly smoothed).
    xy, angle, peak, sigma : ndarray of float
        The candidates rejected as hairs: centres (N, 2), their hair's direction, their peak
        contrast and the local noise of the smoothed contrast at each.
    mm_per_px : float
        Scale.
    noise_sigmas : float
        A dot stands out from the local noise by this many standard deviations.
    max_elongation : float
        Largest ratio of the axes of a dot (the detector's round dots').
    min_gap_px : float
        A new dot counts only this far from every other impression.

    Returns
    -------
    Impressions
        ``found`` and the dots found beside hairs, darkest first; the rejection counts say how
        many.
    """
    typical = typical_darkness(found.darkness)
    if typical is None or alone == 0 or len(xy) == 0:
        return found
    footprint_px = float(np.median(found.diameter_mm[:alone])) / mm_per_px
    beside = find_dots_beside_hairs(
        fine, xy, angle, peak, sigma, mm_per_px=mm_per_px, footprint_px=footprint_px,
        min_darkness=HAIR_END_SHARE * typical, noise_sigmas=noise_sigmas,
        max_elongation=max_elongation,
    )  # fmt: skip
    if len(beside.index) == 0:
        return found
    # No hair leaves it at its own darkness, unless one passes straight through it.
    at_dot = bilinear(fine, beside.xy[:, :1], beside.xy[:, 1:])[:, 0].astype(np.float64)
    radius_px = np.full(len(at_dot), 0.5 * footprint_px)
    arms = line_arms(fine, beside.xy, radius_px, at_dot, mm_per_px=mm_per_px)
    alone_dot = ~arms.any | ((arms.runs == 2) & arms.through)
    order = np.flatnonzero(alone_dot)[np.argsort(-beside.darkness[alone_dot], kind="stable")]
    chosen = order[spaced(beside.xy[order], found.xy, min_gap_px)]
    if len(chosen) == 0:
        return found
    rows, cols = fine.shape
    rc = np.column_stack(
        [
            np.clip(np.round(beside.xy[chosen, 1]), 0, rows - 1),
            np.clip(np.round(beside.xy[chosen, 0]), 0, cols - 1),
        ]
    ).astype(np.intp)
    rejected = dict(found.rejected)
    rejected["found beside a hair's profile (kept)"] = len(chosen)
    return Impressions(
        xy=np.vstack([found.xy, beside.xy[chosen]]),
        diameter_mm=np.concatenate(
            [found.diameter_mm, np.full(len(chosen), footprint_px * mm_per_px)]
        ),
        darkness=np.concatenate([found.darkness, np.clip(beside.darkness[chosen], 0.0, 1.0)]),
        contrast_rgb=np.vstack([found.contrast_rgb, colour_contrast(rgb, skin, rc)]),
        rejected=rejected,
    )


def find_dots_beside_hairs(
    contrast: NDArray[np.float32],
    xy: NDArray[np.float64],
    angle: NDArray[np.float64],
    peak: NDArray[np.float64],
    sigma: NDArray[np.float64],
    *,
    mm_per_px: float,
    footprint_px: float,
    min_darkness: float,
    noise_sigmas: float,
    max_elongation: float,
) -> BesideDots:
    """Look beside each hair candidate for a dot its hair does not explain.

    Parameters
    ----------
    contrast : ndarray of float32, shape (rows, cols)
        Relative contrast against the local skin (lightly smoothed).
    xy : ndarray of float, shape (N, 2)
        Centres of the candidates rejected as hairs.
    angle : ndarray of float, shape (N,)
        Direction of each one's hair, radians from the x axis.
    peak : ndarray of float, shape (N,)
        Their peak contrast (the hair's darkness there).
    sigma : ndarray of float, shape (N,)
        The local noise of the detector's smoothed contrast at each.
    mm_per_px : float
        Scale.
    footprint_px : float
        The photo's median impression footprint (diameter, blur included).
    min_darkness : float
        Least darkness of a dot above the hair's profile.
    noise_sigmas : float
        The filtered residual at the dot stands out from ``sigma`` by this many.
    max_elongation : float
        Largest ratio of the axes of the blob (the filtered residual above half its peak).

    Returns
    -------
    BesideDots
        The dots, at most one per candidate.

    Examples
    --------
    >>> import cv2
    >>> contrast = np.zeros((80, 80), np.float32)
    >>> _ = cv2.line(contrast, (10, 40), (70, 40), 0.4, 2)  # a hair
    >>> _ = cv2.circle(contrast, (40, 44), 3, 0.4, -1)  # a dot touching it from below
    >>> found = find_dots_beside_hairs(
    ...     contrast, np.array([[30.0, 40.0]]), np.zeros(1), np.array([0.4]), np.full(1, 0.01),
    ...     mm_per_px=0.02, footprint_px=6.0, min_darkness=0.1, noise_sigmas=4.5,
    ...     max_elongation=1.6)
    >>> [round(v) for v in found.xy[0]]
    [40, 44]
    """
    n = len(xy)
    empty = BesideDots(np.zeros(0, np.intp), np.zeros((0, 2)), np.zeros(0))
    if n == 0:
        return empty
    along = np.arange(-SCAN_HALF_MM / mm_per_px, SCAN_HALF_MM / mm_per_px + 1e-9, STEP_PX)
    # Wide enough across that the ring round a dot beside the hair stays on the scan.
    across_half = max(ACROSS_HALF_MM / mm_per_px, 2 * footprint_px)
    across = np.arange(-across_half, across_half + 1e-9, STEP_PX)
    batch = max(1, CHUNK_SAMPLES // (len(along) * len(across)))
    parts = [
        _scan_beside(
            contrast,
            xy[i : i + batch],
            angle[i : i + batch],
            peak[i : i + batch],
            along,
            across,
            footprint_px,
        )
        for i in range(0, n, batch)
    ]
    ok = np.concatenate([p[0] for p in parts])
    filtered = np.concatenate([p[1] for p in parts])
    ring = np.concatenate([p[2] for p in parts])
    elongation = np.concatenate([p[3] for p in parts])
    centre = np.concatenate([p[4] for p in parts])
    # A Gaussian dot of the footprint's width and peak A filters to A / 2 at its centre.
    darkness = 2.0 * filtered
    good = (
        ok
        & (filtered >= noise_sigmas * np.asarray(sigma, dtype=np.float64))
        & (darkness >= min_darkness)
        & (ring <= ATTACHED_SHARE * filtered)
        & (elongation <= max_elongation)
    )
    index = np.flatnonzero(good)
    if len(index) == 0:
        return empty
    return BesideDots(index.astype(np.intp), centre[index], darkness[index])


def _scan_beside(
    contrast: NDArray[np.float32],
    xy: NDArray[np.float64],
    angle: NDArray[np.float64],
    peak: NDArray[np.float64],
    along: NDArray[np.float64],
    across: NDArray[np.float64],
    footprint_px: float,
) -> tuple[
    NDArray[np.bool_],
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.float64],
]:
    """One batch of :func:`find_dots_beside_hairs`.

    Returns whether a hair runs through each scan, the filtered residual's peak, its largest
    value one footprint from the peak, the blob's elongation and the peak's position in the
    photo.
    """
    n = len(xy)
    far = np.abs(along) >= footprint_px  # the hair on its own, away from the candidate
    need = MIN_HAIR_SHARE * far.sum()
    # The hair's axis: a straight line through its ridge, near the scan's line.
    values = sample_along(contrast, xy, angle, np.zeros(n), along, across)
    near_line = np.abs(across) <= 0.5 * footprint_px
    ridge_at = np.argmax(np.where(near_line[None, None, :], values, -np.inf), axis=2)
    ridge = np.take_along_axis(values, ridge_at[..., None], axis=2)[..., 0]
    weight = (far[None, :] & (ridge >= 0.5 * peak[:, None])).astype(np.float64)
    total = weight.sum(axis=1)
    ok = total >= need
    offset = across[ridge_at]
    mean_s = (weight * along).sum(axis=1) / np.maximum(total, 1.0)
    mean_t = (weight * offset).sum(axis=1) / np.maximum(total, 1.0)
    ds = along[None, :] - mean_s[:, None]
    var = (weight * ds**2).sum(axis=1)
    slope = (weight * ds * (offset - mean_t[:, None])).sum(axis=1) / np.maximum(var, 1e-9)
    slope = np.where(var > 0, slope, 0.0)
    tilt = np.arctan(slope)
    axis_angle = angle + tilt
    shift = (mean_t - slope * mean_s) * np.cos(tilt)
    # Along the axis: the hair's own profile is the median of its cross-profiles away from the
    # candidate, where the axis is dark.
    values = sample_along(contrast, xy, axis_angle, shift, along, across)
    middle = len(across) // 2
    on_hair = far[None, :] & (values[:, :, middle] >= 0.5 * peak[:, None])
    ok &= (on_hair.sum(axis=1) >= need) & on_hair.any(axis=1)
    profile = median_where(values, on_hair)
    # One hair: its profile is a single band above half its peak, narrower than an
    # impression; a second band (another hair alongside, as where two meet) is no hair's.
    band = profile >= 0.5 * profile[:, middle : middle + 1]
    run = (
        np.cumprod(band[:, middle:], axis=1).sum(axis=1)
        + np.cumprod(band[:, middle::-1], axis=1).sum(axis=1)
        - 1
    )
    ok &= (run * STEP_PX < footprint_px) & (band.sum(axis=1) == run)
    residual = values - profile[:, None, :]
    width = footprint_px / _FWHM_PER_SIGMA / STEP_PX
    filtered = blur_patches(residual, width)
    # Where the whole ring round the dot lies on the scan.
    half_s = min(SEARCH_SHARE * along[-1], along[-1] - footprint_px)
    search = (np.abs(along)[:, None] <= half_s) & (
        np.abs(across)[None, :] <= across[-1] - footprint_px
    )
    flat = np.where(search[None], filtered, -np.inf).reshape(n, -1)
    best = np.argmax(flat, axis=1)
    rows = np.arange(n)
    top = flat[rows, best]
    at_s, at_t = np.unravel_index(best, (len(along), len(across)))
    turns = np.linspace(0.0, 2 * np.pi, RING_SAMPLES, endpoint=False)
    reach = footprint_px / STEP_PX
    ring_s = at_s[:, None] + np.round(reach * np.cos(turns))[None, :].astype(np.intp)
    ring_t = at_t[:, None] + np.round(reach * np.sin(turns))[None, :].astype(np.intp)
    inside = (ring_s >= 0) & (ring_s < len(along)) & (ring_t >= 0) & (ring_t < len(across))
    ring_values = filtered[
        rows[:, None],
        np.clip(ring_s, 0, len(along) - 1),
        np.clip(ring_t, 0, len(across) - 1),
    ]
    ring = np.where(inside, ring_values, -np.inf).max(axis=1)
    # The blob's shape on the residual itself (what is above half its value at the peak): a
    # dot's is round, a piece of hair the straight axis does not follow (a bent or tapering
    # tip, a crease) is a line.
    elongation = blob_elongation(
        residual, at_s, at_t, residual[rows, at_s, at_t], int(np.ceil(reach))
    )
    # Beside the hair, not on it: the hair's own profile there is under half its peak (a dot on
    # the hair is a bulge of its band, :mod:`scalpmap.imaging.hair_crossing`).
    s, t = along[at_s], across[at_t]
    ux, uy = np.cos(axis_angle), np.sin(axis_angle)
    x = xy[:, 0] - shift * uy + s * ux - t * uy
    y = xy[:, 1] + shift * ux + s * uy + t * ux
    return ok, top, ring, elongation, np.column_stack([x, y])
