"""Impressions that a hair touches: take the hairs away, and look again for round dots.

A hair ending in an impression, lying across it or passing a pixel from it makes the pair fail
the shape tests (an oblong footprint, a dark mark touching its ring, a ray that stays dark), and
at the coarsest close-ups a hair pixel may even take the dot's place as the local maximum.
Where a bulge on the hair shows, :mod:`scalpmap.imaging.hair_crossing` finds the dot; where the
dot is two or three pixels across, as wide as the hair, it does not.

So the hairs are taken away. A hair is a line longer than any impression: a grey opening of the
contrast with a line ``LINE_DOTS`` impressions long, in ``N_DIRECTIONS`` directions (the largest
of them), keeps every hair up to its ends and no dot (:func:`hair_level`). What the opening does
not keep (the *residual*) is the dots, with the hairs gone; a dot the hair overlaps keeps what it
adds to the hair. The openings run only on windows around the candidates, where the residual is
read (:mod:`scalpmap.imaging.hair_windows`). The residual's peak near each candidate rejected as
a hair (within the reach of a local maximum and a pixel) is an impression when it passes the
detector's own tests on the residual: it stands out from the local noise and from the residual
around it, it is round (roundness, footprint, and no darker along its axis than across it), it
is at least ``LINE_FAINT_SHARE`` as dark as the photo's typical impression, and a hair really is
beside it (the opening there at least ``HAIR_SHARE`` as dark as the dot): a short piece of
stubble, which the opening leaves in the residual, was judged by the shape tests already.

The residual also checks the dots found as bulges on hairs (:mod:`scalpmap.imaging.hair_crossing`):
where hairs cross, meet at a narrow angle or thicken in their middle, the band bulges too, but
every pixel of it lies on a line and the residual there is flat. A dot under a hair is wider
than the hair and keeps what it adds to it (:func:`in_residual`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.dot_peaks import all_footprints
from scalpmap.imaging.dot_shape import axis_contrast, blob_roundness, colour_contrast, ring_samples
from scalpmap.imaging.hair_dots import LINE_FAINT_SHARE, spaced
from scalpmap.imaging.hair_windows import windows_near
from scalpmap.imaging.impressions import Impressions, typical_darkness
from scalpmap.imaging.skin import LocalSkin

N_DIRECTIONS = 8
"""Directions of the line openings: a hair at most 11.25 degrees off one of them still holds a
line of ``LINE_DOTS`` impressions within its width."""
LINE_DOTS = 2.0
"""Length of the opening's line, in the photo's median impression footprints: longer than the
impressions, shorter than the hairs."""
HAIR_SHARE = 0.5
"""A hair within a dot's radius and two pixels of the residual's peak, at least this share as
dark as the dot, is what the shape tests stumbled on."""
MIN_ROUNDNESS = 0.5
"""Least roundness (Hessian ratio) of the residual dot, as for a round dot of the detector."""


@dataclass(frozen=True)
class ShapeLimits:
    """The detector's tests, passed on so that the dots found here meet the same ones.

    Attributes
    ----------
    noise_sigmas : float
        A peak and its prominence stand out from the local noise by this many sigmas.
    shape_sigmas : float
        Along its axis a dot is darker than across it by no more than this many sigmas...
    axis_share : float
        ... or this share of its peak.
    max_elongation : float
        Largest ratio of the footprint's axes.
    max_diameter_px : float
        Largest footprint diameter.
    peak_radius_px : int
        Radius of the disc a peak is the maximum of.
    ring_gap_px : float
        The prominence's ring lies this far outside the footprint.
    """

    noise_sigmas: float
    shape_sigmas: float
    axis_share: float
    max_elongation: float
    max_diameter_px: float
    peak_radius_px: int
    ring_gap_px: float


def hair_level(contrast: NDArray[np.float32], length_px: int) -> NDArray[np.float32]:
    """Measure the hairs: the largest grey opening of the contrast with a line, over directions.

    The openings run on the contrast quantised to 1/255 (rounded down, so that no hair is
    measured darker than it is): eight of them on a 12 MP photo take a fraction of the time.

    Parameters
    ----------
    contrast : ndarray of float32, shape (rows, cols)
        The contrast map (0..1 where darker than the skin).
    length_px : int
        Length of the line (made odd).

    Returns
    -------
    ndarray of float32, shape (rows, cols)
        The contrast of the lines at least ``length_px`` long; 0 elsewhere.

    Examples
    --------
    >>> image = np.zeros((30, 30), np.float32)
    >>> image[10, 2:28] = 0.4  # a hair
    >>> image[20:23, 20:23] = 0.5  # a dot
    >>> level = hair_level(image, 7)
    >>> round(float(level[10, 15]), 2), float(level[21, 21])
    (0.4, 0.0)
    """
    size = length_px | 1
    centre = (size - 1) / 2
    levels = np.floor(np.clip(contrast, 0.0, 1.0) * 255).astype(np.uint8)
    level = np.zeros(contrast.shape, dtype=np.uint8)
    for angle in np.arange(N_DIRECTIONS) * (np.pi / N_DIRECTIONS):
        kernel = np.zeros((size, size), np.uint8)
        dx, dy = centre * np.cos(angle), centre * np.sin(angle)
        start = (int(round(centre - dx)), int(round(centre - dy)))
        end = (int(round(centre + dx)), int(round(centre + dy)))
        cv2.line(kernel, start, end, 1, 1)
        # OpenCV dilates with the kernel as it erodes, not mirrored: only a kernel symmetric
        # about its centre makes the pair an opening (never above the image).
        kernel |= kernel[::-1, ::-1]
        np.maximum(level, cv2.morphologyEx(levels, cv2.MORPH_OPEN, kernel), out=level)
    return (level.astype(np.float32) / np.float32(255.0)).astype(np.float32)


def hair_residual(
    contrast: NDArray[np.float32],
    footprint_px: float,
    near_rc: NDArray[np.intp] | None = None,
    reach_px: int = 0,
) -> NDArray[np.float32]:
    """Take the hairs away: the contrast minus its :func:`hair_level`.

    Parameters
    ----------
    contrast : ndarray of float32, shape (rows, cols)
        The contrast map.
    footprint_px : float
        The photo's median impression footprint; the lines are ``LINE_DOTS`` of them long.
    near_rc : ndarray of int, shape (N, 2), optional
        Take the hairs away only within ``reach_px`` (in rows and columns) of these pixels, on
        windows around them (:mod:`scalpmap.imaging.hair_windows`; the same values there as on
        the whole photo); elsewhere the residual is the contrast itself. Everywhere by default.
    reach_px : int, optional
        How far from ``near_rc`` the residual is wanted.

    Returns
    -------
    ndarray of float32, shape (rows, cols)
        The residual: the dots, with the hairs gone.
    """
    length = int(np.ceil(LINE_DOTS * footprint_px))
    if near_rc is None:
        hairs = hair_level(contrast, length)
        return np.asarray(contrast - hairs, dtype=np.float32)
    residual = contrast.copy()
    margin = 2 * ((length | 1) // 2)  # the opening's reach: its erosion's, then its dilation's
    rows, cols = contrast.shape
    for top, bottom, left, right in windows_near((rows, cols), near_rc, reach_px):
        start, stop = max(0, top - margin), min(rows, bottom + margin)
        first, last = max(0, left - margin), min(cols, right + margin)
        hairs = hair_level(contrast[start:stop, first:last], length)
        residual[top:bottom, left:right] -= hairs[
            top - start : bottom - start, left - first : right - first
        ]
    return residual


def residual_reach(limits: ShapeLimits, footprint_px: float) -> int:
    """How far from a hair candidate :func:`add_dots_off_hairs` reads the residual, in pixels.

    The residual's peak lies within ``peak_radius_px + 1`` of the candidate; around the peak
    the footprint's patch (``half``), its centre (shifted by up to ``half``), the ring beyond
    the largest footprint's radius and the axis samples all lie within ``half`` plus that
    ring, and the hairs are read within half a footprint and two pixels.

    Parameters
    ----------
    limits : ShapeLimits
        The detector's tests.
    footprint_px : float
        The photo's median impression footprint.

    Returns
    -------
    int
        The reach, with two pixels to spare.
    """
    half = max(3, int(np.ceil(0.5 * limits.max_diameter_px)))
    largest_radius = (2 * half + 1) / np.sqrt(np.pi)
    around_peak = max(
        2 * half + int(np.ceil(largest_radius + limits.ring_gap_px)) + 1,
        int(np.ceil(0.5 * footprint_px + 2.0)),
    )
    return limits.peak_radius_px + 1 + around_peak + 2


def in_residual(
    residual: NDArray[np.float32],
    xy: NDArray[np.float64],
    level: NDArray[np.float64],
    reach_px: int,
) -> NDArray[np.bool_]:
    """Whether the residual rises above ``level`` within ``reach_px`` of each point.

    Parameters
    ----------
    residual : ndarray of float32, shape (rows, cols)
        The contrast with the hairs taken away (:func:`hair_residual`).
    xy : ndarray of float, shape (N, 2)
        The points (dots found as bulges on hairs).
    level : ndarray of float, shape (N,)
        How far the residual must rise at each (the local noise times the detector's sigmas).
    reach_px : int
        How far from each point to look.

    Returns
    -------
    ndarray of bool, shape (N,)
        Where the residual shows a dot.

    Examples
    --------
    >>> image = np.zeros((30, 30), np.float32)
    >>> image[10, 2:28] = 0.4  # a hair, crossed by another one
    >>> image[2:28, 6] = 0.4
    >>> image[8:13, 18:23] = 0.5  # a dot lying on the first hair
    >>> flat = hair_residual(image, 4.0)
    >>> in_residual(flat, np.array([[6.0, 10.0], [20.0, 10.0]]), np.full(2, 0.1), 1).tolist()
    [False, True]
    """
    if len(xy) == 0:
        return np.zeros(0, dtype=bool)
    rows = np.clip(np.round(xy[:, 1]), 0, residual.shape[0] - 1).astype(np.intp)
    cols = np.clip(np.round(xy[:, 0]), 0, residual.shape[1] - 1).astype(np.intp)
    peak = _largest_within(residual, np.column_stack([rows, cols]), reach_px)
    return np.asarray(peak > level, dtype=bool)


def add_dots_off_hairs(
    found: Impressions,
    rgb: NDArray[np.uint8],
    skin: LocalSkin,
    smooth: NDArray[np.float32],
    noise: NDArray[np.float32],
    noise_cell_px: int,
    hairy_rc: NDArray[np.intp],
    limits: ShapeLimits,
    *,
    mm_per_px: float,
    min_gap_px: float,
    residual: NDArray[np.float32] | None = None,
) -> Impressions:
    """Add the round dots that the hairs leave once they are taken away, near hair candidates.

    Parameters
    ----------
    found : Impressions
        The impressions found so far: the yardsticks (typical darkness and footprint), and a new
        dot counts only ``min_gap_px`` from every one of them.
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo (the new dots' colour).
    skin : LocalSkin
        The local skin.
    smooth : ndarray of float32, shape (rows, cols)
        The detector's contrast, smoothed at the scale of the smallest impression.
    noise : ndarray of float32, shape (r, c)
        Its local noise, on cells of ``noise_cell_px``.
    noise_cell_px : int
        Side of the noise's cells.
    hairy_rc : ndarray of int, shape (N, 2)
        Row and column of the candidates rejected as hairs.
    limits : ShapeLimits
        The detector's tests.
    mm_per_px : float
        Scale.
    min_gap_px : float
        Least distance of a new dot from any other impression.
    residual : ndarray of float32, shape (rows, cols), optional
        ``smooth`` with the hairs taken away (:func:`hair_residual` with the median footprint
        of ``found``), when already computed: at least within :func:`residual_reach` of
        ``hairy_rc``.

    Returns
    -------
    Impressions
        ``found`` and the new dots; the rejection counts say how many.
    """
    typical = typical_darkness(found.darkness)
    if typical is None or len(hairy_rc) == 0:
        return found
    footprint_px = float(np.median(found.diameter_mm)) / mm_per_px
    if residual is None:
        residual = hair_residual(
            smooth, footprint_px, hairy_rc, residual_reach(limits, footprint_px)
        )
    # The residual's peak near each hair candidate: a hair pixel may have taken the dot's place.
    peaks = np.unique(_peak_near(residual, hairy_rc, limits.peak_radius_px + 1), axis=0)
    cell_r = np.minimum(peaks[:, 0] // noise_cell_px, noise.shape[0] - 1)
    cell_c = np.minimum(peaks[:, 1] // noise_cell_px, noise.shape[1] - 1)
    local = noise[cell_r, cell_c].astype(np.float64)
    standing = residual[peaks[:, 0], peaks[:, 1]] > limits.noise_sigmas * local
    peaks, local = peaks[standing], local[standing]
    if len(peaks) == 0:
        return found
    half = max(3, int(np.ceil(0.5 * limits.max_diameter_px)))
    mean_x, mean_y, area, peak, elongation, _ = all_footprints(
        residual, peaks, half, np.full(len(peaks), float(half))
    )
    x, y = peaks[:, 1] + mean_x, peaks[:, 0] + mean_y
    radius = np.sqrt(area / np.pi)
    around = np.median(ring_samples(residual, x, y, radius + limits.ring_gap_px), axis=1)
    prominence = residual[peaks[:, 0], peaks[:, 1]] - np.maximum(around, 0.0)
    step = np.clip(np.round(radius), 1, half).astype(np.intp)
    roundness, angle = blob_roundness(residual, peaks, step)
    axis = axis_contrast(residual, x, y, angle, radius + 1.0)
    # The hairs (smooth - residual) are read only there: taken pixel by pixel, not as a map.
    hair_beside = _largest_within(smooth, peaks, int(np.ceil(0.5 * footprint_px + 2.0)), residual)
    good = (
        (prominence > limits.noise_sigmas * local)
        & (roundness >= MIN_ROUNDNESS)
        & (elongation <= limits.max_elongation)
        & (axis <= np.minimum(limits.shape_sigmas * local, limits.axis_share * peak))
        & (2 * radius <= limits.max_diameter_px)
        & (peak >= LINE_FAINT_SHARE * typical)
        & (hair_beside >= np.maximum(limits.noise_sigmas * local, HAIR_SHARE * peak))
    )
    order = np.flatnonzero(good)[np.argsort(-peak[good], kind="stable")]
    xy = np.column_stack([x, y])
    chosen = order[spaced(xy[order], found.xy, min_gap_px)]
    if len(chosen) == 0:
        return found
    rejected = dict(found.rejected)
    rejected["found beside a hair (kept)"] = len(chosen)
    return Impressions(
        xy=np.vstack([found.xy, xy[chosen]]),
        diameter_mm=np.concatenate([found.diameter_mm, 2 * radius[chosen] * mm_per_px]),
        darkness=np.concatenate([found.darkness, np.clip(peak[chosen], 0.0, 1.0)]),
        contrast_rgb=np.vstack([found.contrast_rgb, colour_contrast(rgb, skin, peaks[chosen])]),
        rejected=rejected,
    )


def _peak_near(
    image: NDArray[np.float32],
    centres_rc: NDArray[np.intp],
    reach_px: int,
    minus: NDArray[np.float32] | None = None,
) -> NDArray[np.intp]:
    """Return the row and column of the largest value within ``reach_px`` of each centre.

    With ``minus``, the values are ``image - minus`` (float32, as the whole difference's).
    """
    offsets = np.arange(-reach_px, reach_px + 1)
    dr, dc = np.meshgrid(offsets, offsets, indexing="ij")
    inside = dr**2 + dc**2 <= reach_px**2
    dr, dc = dr[inside], dc[inside]
    rows = np.clip(centres_rc[:, 0, None] + dr[None, :], 0, image.shape[0] - 1)
    cols = np.clip(centres_rc[:, 1, None] + dc[None, :], 0, image.shape[1] - 1)
    values = image[rows, cols] if minus is None else image[rows, cols] - minus[rows, cols]
    best = np.argmax(values, axis=1)
    pick = np.arange(len(centres_rc))
    return np.column_stack([rows[pick, best], cols[pick, best]]).astype(np.intp)


def _largest_within(
    image: NDArray[np.float32],
    centres_rc: NDArray[np.intp],
    reach_px: int,
    minus: NDArray[np.float32] | None = None,
) -> NDArray[np.float64]:
    """Return the largest value of ``image`` (less ``minus``) within ``reach_px`` of each centre."""
    r, c = _peak_near(image, centres_rc, reach_px, minus).T
    values = image[r, c] if minus is None else image[r, c] - minus[r, c]
    return np.asarray(values, dtype=np.float64)
