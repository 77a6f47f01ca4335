"""After the laser in coverage mode: lighten the removal zone back to the surrounding skin.

Impressions too small to resolve darken the skin two ways, and both are undone inside the zone:

1. **Speckle.** Pixels darker than the local skin (a running median, blind to the specks) by
   more than ``SPECK_SIGMAS`` times the skin's noise are replaced by the local skin with noise
   of the skin's own strength, blended by how far they stand out. Hair (oriented strokes, see
   :func:`scalpmap.imaging.pigment_field.hair_mask`) and marks wider than ``MAX_SPECK_MM``
   (moles, freckles) are left alone: the laser spares them.
2. **Diffuse darkening.** On a coarse grid, the level inside the zone (a normalised
   convolution over the zone only, ``PIGMENT_SIGMA_MM``) is compared with the bare skin outside
   the pigmented region, extrapolated into it (``SKIN_SIGMA_MM``); the zone is multiplied by
   their ratio, per colour channel, which keeps the skin's fine texture. The ratio is capped
   by what the pigment can darken (:func:`max_gain`, from the region's coverage): beyond it the
   difference is the head's shading or skin, which the laser leaves as it is.

Changes fade in over a rim of at most 2 pixels at the zone's edge.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray
from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.imaging.analysis import Analysis
from scalpmap.imaging.pigment_field import hair_mask
from scalpmap.imaging.skin import LUMA_WEIGHTS, estimate_local_skin, luminance
from scalpmap.simulation._patches import polygon_mask

CELL_MM = 0.5  # the finest grid of the diffuse darkening
PIGMENT_SIGMA_MM = 2.0
SKIN_SIGMA_MM = 15.0
SKIN_WINDOW_MM = 2.0
MARGIN_MM = 3.0
MAX_GAIN = 3.0
COVERAGE_SLACK = 1.5  # the coverage measured may fall short of the pigment's share by this much
SPECK_SIGMAS = (0.5, 2.0)  # a pixel's replacement ramps from 0 to 1 over this many sigmas
CORE_SIGMAS = 3.0  # near a speck: within 2 px of a small mark this many sigmas dark
EDGE_SIGMA_PX = 0.8  # soft rim of the removal zone: 1 px beyond its pixels (a 3 x 3 kernel)
MIN_SKIN_CELLS = 4
GRID_SIGMAS = 4.0  # the blurs' sigma in cells of their grid
MAX_SPECK_MM = 1.0  # larger dark marks are moles and freckles


def _to_grid(geometry: Polygon | MultiPolygon, factor: int) -> Polygon | MultiPolygon:
    """Photo pixels to coarse-grid pixels (cell ``i`` spans photo pixels ``i * factor ...``)."""
    s = 1.0 / factor
    moved = affinity.affine_transform(geometry, [s, 0.0, 0.0, s, 0.5 * s - 0.5, 0.5 * s - 0.5])
    return moved if isinstance(moved, Polygon | MultiPolygon) else Polygon()


def _normalised_blur(
    image: NDArray[np.float32], weight: NDArray[np.bool_], sigma: float
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Gaussian mean of ``image`` over the pixels where ``weight`` is true, and its support."""
    w = weight.astype(np.float32)
    total = cv2.GaussianBlur(image * w[..., None], (0, 0), sigma)
    support = cv2.GaussianBlur(w, (0, 0), sigma)
    mean = total / np.maximum(support, 1e-6)[..., None]
    return np.asarray(mean, dtype=np.float32), np.asarray(support, dtype=np.float32)


def _despeckle(crop: NDArray[np.uint8], mm_per_px: float, seed: int) -> NDArray[np.float32]:
    """Replace the dark specks of a crop by its local skin with the skin's noise (step 1)."""
    skin = estimate_local_skin(crop, mm_per_px=mm_per_px, window_mm=SKIN_WINDOW_MM)
    rows, cols = crop.shape[:2]
    skin_rgb = cv2.resize(skin.rgb_small, (cols, rows), interpolation=cv2.INTER_LINEAR)
    contrast = 1.0 - luminance(crop) / skin.luma
    below = contrast[::2, ::2]
    below = below[below < 0]
    sigma = 1.4826 * float(np.median(-below)) if below.size else 0.01
    low, high = SPECK_SIGMAS
    weight = np.clip((contrast - low * sigma) / ((high - low) * sigma), 0.0, 1.0)
    core = ((contrast > CORE_SIGMAS * sigma) & ~hair_mask(contrast, mm_per_px)).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(core, connectivity=8)
    largest = np.pi * (MAX_SPECK_MM / 2 / mm_per_px) ** 2 + 4.0
    small = stats[:, cv2.CC_STAT_AREA] <= largest  # larger: a mole or a freckle, not ink
    small[0] = False
    specks = small[labels].astype(np.uint8)
    near = cv2.dilate(specks, np.ones((5, 5), np.uint8))  # the specks and their blurred rims
    weight = cv2.dilate(weight * near, np.ones((3, 3), np.uint8))
    noise = np.random.default_rng(seed).standard_normal((rows, cols, 1), dtype=np.float32)
    skin_like = skin_rgb * (1.0 + np.float32(sigma) * np.clip(noise, -2.5, 2.5))
    image = crop.astype(np.float32)
    return np.asarray(image + weight[..., None] * (skin_like - image), dtype=np.float32)


def _grid(
    photo: NDArray[np.uint8], analysis: Analysis, cell_mm: float
) -> tuple[NDArray[np.float32], NDArray[np.bool_], NDArray[np.bool_], int]:
    """Return the photo on a grid of ``cell_mm`` cells, its bare skin and pigmented region."""
    rows, cols = analysis.shape
    factor = max(1, int(round(cell_mm / analysis.scale.mm_per_px)))
    size = (max(1, cols // factor), max(1, rows // factor))
    small = np.asarray(cv2.resize(photo, size, interpolation=cv2.INTER_AREA), dtype=np.float32)
    shape = (size[1], size[0])
    region = polygon_mask(_to_grid(analysis.region, factor), shape)
    seen = analysis.analysed_area
    area = polygon_mask(_to_grid(seen, factor), shape) if not seen.is_empty else ~region
    grown = cv2.dilate(region.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    return small, area & ~grown, region, factor


def _diffuse_gain(
    photo: NDArray[np.uint8], analysis: Analysis, removal: Polygon | MultiPolygon
) -> tuple[NDArray[np.float32], int] | None:
    """Per-channel gain on a coarse grid that lifts the zone to the bare skin (step 2).

    The skin is extrapolated on a grid ``GRID_SIGMAS`` times coarser than its blur, so that the
    blurs stay a few cells wide at any scale.
    """
    small, _, _, factor = _grid(photo, analysis, max(CELL_MM, PIGMENT_SIGMA_MM / GRID_SIGMAS))
    zone = polygon_mask(_to_grid(removal, factor), small.shape[:2])
    coarse, bare, _, coarse_factor = _grid(photo, analysis, SKIN_SIGMA_MM / GRID_SIGMAS)
    if bare.sum() < MIN_SKIN_CELLS or not zone.any():
        return None
    mm = analysis.scale.mm_per_px
    skin, support = _normalised_blur(coarse, bare, SKIN_SIGMA_MM / (coarse_factor * mm))
    far = support < 1e-3
    if far.any():
        skin[far] = coarse[bare].mean(axis=0)
    size = (small.shape[1], small.shape[0])
    skin = np.asarray(cv2.resize(skin, size, interpolation=cv2.INTER_LINEAR), dtype=np.float32)
    pigment, _ = _normalised_blur(small, zone, PIGMENT_SIGMA_MM / (factor * mm))
    return np.clip(skin / np.maximum(pigment, 1.0), 1.0, max_gain(analysis)), factor


def max_gain(analysis: Analysis) -> float:
    """Return the most the diffuse step may lighten: what the region's pigment can darken.

    Pigment covering a share ``c`` of the skin (``coverage_percent``) absorbs at most that share
    of its light on average, so lifting the zone by more than ``1 / (1 - c)`` would lighten the
    skin itself: the shading of a dome-shaped head, darker on top than the lit forehead the bare
    skin is measured on, or a darker skin than the face's. ``COVERAGE_SLACK`` allows for the
    coverage's own error; never more than ``MAX_GAIN``.

    Parameters
    ----------
    analysis : Analysis
        The analysis (coverage mode).

    Returns
    -------
    float
        The largest gain, at least 1.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> round(max_gain(SimpleNamespace(coverage_percent=2.8)), 3)
    1.044
    """
    share = min(COVERAGE_SLACK * max(float(analysis.coverage_percent), 0.0) / 100.0, 0.5)
    return float(min(MAX_GAIN, 1.0 / (1.0 - share)))


def lighten_coverage(
    photo: NDArray[np.uint8], analysis: Analysis, removal: Polygon | MultiPolygon, seed: int = 0
) -> NDArray[np.uint8]:
    """Lighten the removal zone to the level of the skin around the pigmented region.

    Parameters
    ----------
    photo : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    analysis : Analysis
        Its analysis (coverage mode).
    removal : Polygon or MultiPolygon
        The removal zone, in pixels.
    seed : int, optional
        Seed of the skin noise put where specks were.

    Returns
    -------
    ndarray of uint8, shape (rows, cols, 3)
        The lightened copy; unchanged when the zone is empty or lies outside the photo.
    """
    out = photo.copy()
    rows, cols = analysis.shape
    if removal.is_empty:
        return out
    mm = analysis.scale.mm_per_px
    margin = int(np.ceil(MARGIN_MM / mm))
    bx0, by0, bx1, by1 = removal.bounds
    x0, y0 = max(0, int(bx0) - margin), max(0, int(by0) - margin)
    x1, y1 = min(cols, int(np.ceil(bx1)) + margin + 1), min(rows, int(np.ceil(by1)) + margin + 1)
    if x1 - x0 < 16 or y1 - y0 < 16:
        return out
    crop = photo[y0:y1, x0:x1]
    inside = polygon_mask(removal, crop.shape[:2], (x0, y0), exact=True).astype(np.float32)
    if not inside.any():
        return out
    lifted = _despeckle(crop, mm, seed)
    diffuse = _diffuse_gain(photo, analysis, removal)
    if diffuse is not None:
        grid, factor = diffuse
        lifted *= _upsample(grid, factor, (x0, y0, x1, y1))
    alpha = cv2.GaussianBlur(inside, (3, 3), EDGE_SIGMA_PX)[..., None]
    image = crop.astype(np.float32)
    out[y0:y1, x0:x1] = np.clip(image + alpha * (lifted - image) + 0.5, 0, 255).astype(np.uint8)
    return out


def _upsample(
    grid: NDArray[np.float32], factor: int, box: tuple[int, int, int, int]
) -> NDArray[np.float32]:
    """Bilinear values of a coarse grid at the photo pixels of ``box`` (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    gx = np.clip((np.arange(x0, x1, dtype=np.float32) + 0.5) / factor - 0.5, 0, grid.shape[1] - 1)
    gy = np.clip((np.arange(y0, y1, dtype=np.float32) + 0.5) / factor - 0.5, 0, grid.shape[0] - 1)
    map_x = np.ascontiguousarray(np.broadcast_to(gx[None, :], (y1 - y0, x1 - x0)))
    map_y = np.ascontiguousarray(np.broadcast_to(gy[:, None], (y1 - y0, x1 - x0)))
    return np.asarray(cv2.remap(grid, map_x, map_y, cv2.INTER_LINEAR), dtype=np.float32)


def kept_darkening(
    photo: NDArray[np.uint8], analysis: Analysis, keep: Polygon | MultiPolygon
) -> float | None:
    """Return how much the kept pigment darkens the skin on average: 1 - its luma / bare skin.

    Parameters
    ----------
    photo : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    analysis : Analysis
        Its analysis (coverage mode).
    keep : Polygon or MultiPolygon
        The keep zone.

    Returns
    -------
    float or None
        The mean darkening, 0..1, of the keep zone against the bare skin around the pigmented
        region (on a grid of ``SKIN_SIGMA_MM / GRID_SIGMAS`` cells); None when either is missing.
    """
    if keep.is_empty:
        return None
    small, bare, _, factor = _grid(photo, analysis, SKIN_SIGMA_MM / GRID_SIGMAS)
    kept = polygon_mask(_to_grid(keep, factor), small.shape[:2])
    if bare.sum() < MIN_SKIN_CELLS or not kept.any():
        return None
    luma = small @ LUMA_WEIGHTS.astype(np.float32)
    skin = float(luma[bare].mean())
    return float(np.clip(1.0 - float(luma[kept].mean()) / max(skin, 1.0), 0.0, 1.0))
