"""Pigment fields on coarse cells: impression density, pigment texture and the density grid.

The region and the hairline are traced from one of these fields (see
:mod:`scalpmap.imaging.region`): impression density in impressions mode, the RMS contrast of the
skin (hair left out) in coverage mode. All of them average over the analysed area only.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging import region as region_mod
from scalpmap.imaging.detect import Impressions
from scalpmap.imaging.neighbours import distance_to_nearest_other
from scalpmap.imaging.skin import estimate_local_skin, luminance, relative_contrast
from scalpmap.imaging.skin_noise import local_noise

DENSITY_CELL_MM = 5.0
COVERAGE_SIGMAS = 2.5
POISSON_SPACING_PER_NN = 2.1
HAIR_SCALE_MM = 1.0
COVERAGE_SMOOTH_MM = 3.0
HAIR_COHERENCE = 0.45


@dataclass(frozen=True)
class DensityGrid:
    """Impressions per cm² on square cells.

    Attributes
    ----------
    cell_mm : float
        Cell side in millimetres.
    cell_px : float
        Cell side in pixels; cell ``(i, j)`` covers ``x`` in ``[j, j + 1) * cell_px``.
    per_cm2 : ndarray of float, shape (r, c)
        Density per cell; NaN where less than half the cell was analysed.
    """

    cell_mm: float
    cell_px: float
    per_cm2: NDArray[np.float64]


def block_mean(
    image: NDArray[np.floating] | NDArray[np.bool_], cell_px: int
) -> NDArray[np.float64]:
    """Mean of each ``cell_px`` x ``cell_px`` block; the image is padded with zeros to fit.

    Parameters
    ----------
    image : ndarray, shape (rows, cols)
        Values (booleans count as 0/1).
    cell_px : int
        Block side; cell ``(i, j)`` covers rows ``i * cell_px ...`` and cols ``j * cell_px ...``.

    Returns
    -------
    ndarray of float, shape (ceil(rows / cell_px), ceil(cols / cell_px))
        Block means.

    Examples
    --------
    >>> import numpy as np
    >>> block_mean(np.ones((3, 5)), 2).tolist()
    [[1.0, 1.0, 0.5], [0.5, 0.5, 0.25]]
    """
    rows, cols = image.shape
    r, c = -(-rows // cell_px), -(-cols // cell_px)
    padded = np.zeros((r * cell_px, c * cell_px), dtype=np.float32)
    padded[:rows, :cols] = image
    # An area resize by an exact integer factor is the block mean, and much faster than reshape.
    means = cv2.resize(padded, (c, r), interpolation=cv2.INTER_AREA)
    return np.asarray(means, dtype=np.float64).reshape(r, c)


def field_cells(mask: NDArray[np.bool_], cell_px: int) -> tuple[NDArray[np.float64], float]:
    """Share of each coarse cell that was analysed, and the cell side in pixels."""
    return block_mean(mask, cell_px), float(cell_px)


def field_scale_mm(impressions: Impressions, mm_per_px: float) -> float:
    """Measure the smoothing scale of the impressions' density field: 1.5 spacings.

    The spacing comes from the nearest-neighbour distances (``POISSON_SPACING_PER_NN`` times
    their median); at 1.5 spacings the Gaussian holds some 28 impressions, so that the density
    is steady. The field resolves no detail of the region finer than this scale.

    Parameters
    ----------
    impressions : Impressions
        The impressions found.
    mm_per_px : float
        Scale.

    Returns
    -------
    float
        The scale in mm, 1-4 mm (4 mm with fewer than 3 impressions).

    Examples
    --------
    >>> xy = np.array([[x, y] for x in range(0, 400, 40) for y in range(0, 400, 40)], float)
    >>> dots = Impressions(xy, np.full(100, 0.2), np.full(100, 0.5), np.zeros((100, 3)))
    >>> round(field_scale_mm(dots, 0.025), 2)  # a 1 mm grid
    3.15
    """
    if impressions.count >= 3:
        nearest = distance_to_nearest_other(impressions.xy)
        spacing_mm = POISSON_SPACING_PER_NN * float(np.median(nearest)) * mm_per_px
    else:
        spacing_mm = 4.0
    return float(np.clip(1.5 * spacing_mm, 1.0, 4.0))


def impression_field(
    impressions: Impressions, share: NDArray[np.float64], cell_px: float, mm_per_px: float
) -> tuple[NDArray[np.float64], float]:
    """Impressions per mm² in each cell, smoothed over the analysed area, and the edge level.

    The smoothing scales with the spacing of the impressions (from their nearest-neighbour
    distances): wide enough that the density is steady, then a finer field places the edge.
    """
    rows, cols = share.shape
    counts, _, _ = np.histogram2d(
        impressions.xy[:, 1],
        impressions.xy[:, 0],
        bins=(rows, cols),
        range=((-0.5, rows * cell_px - 0.5), (-0.5, cols * cell_px - 0.5)),
    )
    area = share > 0.5
    cell_mm = cell_px * mm_per_px
    per_cell = counts / np.maximum(share, 0.5) / cell_mm**2
    coarse_mm = field_scale_mm(impressions, mm_per_px)
    coarse = region_mod.smooth_field(per_cell, area, coarse_mm / cell_mm)
    fine = region_mod.smooth_field(per_cell, area, max(0.8, 0.7 * coarse_mm) / cell_mm)
    threshold = region_mod.pigment_threshold(coarse)
    threshold = region_mod.interior_threshold(
        fine, coarse, threshold, core_cells=coarse_mm / cell_mm
    )
    # The finer field places the edge everywhere near it, also where the hairline meets the
    # photo's edge, the sticker or the head's outline: the coarse field there bent the hairline
    # a millimetre or more off its place, which a thin removal zone feels as 5-15 % of its area.
    field = region_mod.refine_near_edge(coarse, fine, threshold, band_cells=2 * coarse_mm / cell_mm)
    return field, threshold


def hair_mask(contrast: NDArray[np.float32], mm_per_px: float) -> NDArray[np.bool_]:
    """Where the dark texture is hair: strokes that share one direction over a millimetre.

    Eyebrows, a beard and combed stubble are strongly oriented (structure-tensor coherence near
    1); impressions are dots, with no direction (coherence near that of noise).

    Parameters
    ----------
    contrast : ndarray of float32, shape (rows, cols)
        Relative contrast against the local skin.
    mm_per_px : float
        Scale.

    Returns
    -------
    ndarray of bool
        True on hair.
    """
    gx = cv2.Sobel(contrast, cv2.CV_32F, 1, 0)  # structure tensor of the contrast
    gy = cv2.Sobel(contrast, cv2.CV_32F, 0, 1)
    sigma = HAIR_SCALE_MM / mm_per_px
    with np.errstate(under="ignore"):
        jxx = cv2.GaussianBlur(gx * gx, (0, 0), sigma)
        jyy = cv2.GaussianBlur(gy * gy, (0, 0), sigma)
        jxy = cv2.GaussianBlur(gx * gy, (0, 0), sigma)
    with np.errstate(under="ignore"):  # tiny gradients may underflow when squared: harmless
        coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy**2) / (jxx + jyy + 1e-9)
    return np.asarray(coherence > HAIR_COHERENCE, dtype=bool)


def coverage_field(
    rgb: NDArray[np.uint8], mask: NDArray[np.bool_], mm_per_px: float, cell_px: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], float, float]:
    """Pigment texture of each cell: the RMS contrast of its skin, hair left out.

    Dots too small to resolve still speckle the skin they sit on. The RMS of the contrast against
    the local skin over a few millimetres measures that speckle, whatever the light and skin
    tone; oriented texture (hair) is left out. Returns the field, the analysed share of each
    cell, and the share of the analysed skin darkened beyond the local noise.
    """
    skin = estimate_local_skin(rgb, mm_per_px=mm_per_px, window_mm=4.0, mask=mask)
    contrast = relative_contrast(luminance(rgb), skin, smooth_px=0.5)
    noise = local_noise(contrast, cell_px=max(8, int(4.0 / mm_per_px)), mask=mask)
    dark_share = float(((contrast > COVERAGE_SIGMAS * noise) & mask).sum()) / max(mask.sum(), 1)
    usable = mask & ~hair_mask(contrast, mm_per_px)
    with np.errstate(under="ignore"):  # squares of near-zero contrast may underflow: harmless
        speckle = np.where(usable, np.square(np.clip(contrast, -0.3, 0.4)), np.float32(0.0))
    share, real_cell = field_cells(mask, cell_px)
    usable_share = block_mean(usable, cell_px)
    per_cell = block_mean(speckle.astype(np.float32), cell_px) / np.maximum(usable_share, 1e-6)
    area = (share > 0.5) & (usable_share > 0.2 * share)
    cell_mm = real_cell * mm_per_px
    coarse = np.sqrt(
        np.maximum(region_mod.smooth_field(per_cell, area, COVERAGE_SMOOTH_MM / cell_mm), 0.0)
    )
    fine = np.sqrt(
        np.maximum(region_mod.smooth_field(per_cell, area, COVERAGE_SMOOTH_MM / 2 / cell_mm), 0.0)
    )
    threshold = region_mod.pigment_threshold(coarse)
    field = region_mod.refine_near_edge(
        coarse, fine, threshold, band_cells=2 * COVERAGE_SMOOTH_MM / cell_mm
    )
    return field, share, dark_share, threshold


def density_grid(
    impressions: Impressions, mask: NDArray[np.bool_], mm_per_px: float, *, known: bool = True
) -> DensityGrid:
    """Impressions per cm² on cells of ``DENSITY_CELL_MM``; all NaN when not ``known``."""
    cell_px = max(1, int(round(DENSITY_CELL_MM / mm_per_px)))
    share, real_cell = field_cells(mask, cell_px)
    rows, cols = share.shape
    counts, _, _ = np.histogram2d(
        impressions.xy[:, 1],
        impressions.xy[:, 0],
        bins=(rows, cols),
        range=((-0.5, rows * real_cell - 0.5), (-0.5, cols * real_cell - 0.5)),
    )
    cell_cm2 = (real_cell * mm_per_px / 10) ** 2
    per_cm2 = np.where(share >= 0.5, counts / np.maximum(share, 1e-9) / cell_cm2, np.nan)
    if not known:  # single impressions were not resolved: the density is unknown
        per_cm2 = np.full_like(per_cm2, np.nan)
    return DensityGrid(cell_mm=real_cell * mm_per_px, cell_px=real_cell, per_cm2=per_cm2)
