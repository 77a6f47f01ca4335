"""The whole-head analysis's pigment field: the texture measure chosen and the field's cells.

Two texture measures (:mod:`scalpmap.imaging.pigment_texture`) are tried; the one whose pigment
stands furthest above this person's bare forehead is used (:func:`best_measure`). The field is
smoothed over the head above the brow line and split at the threshold (:func:`field_step`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.face_exclusion import BrowLine
from scalpmap.imaging.pigment_texture import (
    SMOOTH_MM,
    TextureCells,
    bright_level,
    refine_edge,
    smooth_texture,
)
from scalpmap.imaging.texture_levels import MIN_FOREHEAD_CELLS, Levels, pigment_levels
from scalpmap.imaging.whole_head_shapes import rasterise

MEASURES = ("dots", "darkening")
FALLBACK_MEASURE = "darkening"
MEASURE_WORDS = {
    "dots": "dark dots (blind to wrinkles, hairs and shading)",
    "darkening": "darkening of the skin",
}


def best_measure(
    by_measure: dict[str, TextureCells],
    on_head: NDArray[np.bool_],
    brow: BrowLine | None,
    grid: GridScale,
    forehead: NDArray[np.bool_] | None,
    heights: NDArray[np.float64],
) -> tuple[str, TextureCells, Levels, float]:
    """Pick the texture measure that best separates this person's pigment from bare skin.

    Each measure's pigment and bare levels are found as :func:`pigment_levels` finds them; the
    measure whose pigment stands furthest above the forehead, in units of the forehead's own
    spread (:func:`separation`), is used. Dots usually win on real skin, whose wrinkles, pores
    and shine darken it in lines and patches. Without a forehead to judge by (no landmarks), the
    darkening (``FALLBACK_MEASURE``) is used: the dots' bare level from their bright side is
    not reliable on dark skin with faded ink.

    Parameters
    ----------
    by_measure : dict of str to TextureCells
        The texture cells by measure (``MEASURES``).
    on_head : ndarray of bool
        The cells on the head.
    brow : BrowLine or None
        The brow line (crop pixels).
    grid : GridScale
        The grid's cell size.
    forehead : ndarray of bool or None
        The bare forehead's cells.
    heights : ndarray of float
        Each cell's height up the head, in millimetres.

    Returns
    -------
    measure : str
        The measure chosen.
    cells : TextureCells
        Its texture cells.
    levels : Levels
        Its pigment, bare and threshold levels.
    separation : float
        How far its pigment stands above the forehead (:func:`separation`; NaN without one).
    """
    best: tuple[float, str, TextureCells, Levels] | None = None
    by_measure = dict(sorted(by_measure.items(), key=lambda item: item[0] != FALLBACK_MEASURE))
    for measure, cells in by_measure.items():
        step = field_step(cells, on_head, brow, grid)
        levels = pigment_levels(
            step.coarse,
            step.fine,
            forehead=forehead,
            height_mm=heights,
            bright=bright_level(cells, step.area, grid.mm_per_cell),
            core_cells=SMOOTH_MM / grid.mm_per_cell,
            mm_per_cell=grid.mm_per_cell,
        )
        separation_found = separation(step.coarse, forehead, levels)
        if measure != FALLBACK_MEASURE and not np.isfinite(separation_found):
            continue  # without a forehead to judge by, the established measure is kept
        if best is None or (np.isfinite(separation_found) and not separation_found <= best[0]):
            best = (separation_found, measure, cells, levels)
    assert best is not None
    return best[1], best[2], best[3], best[0]


def separation(
    coarse: NDArray[np.float64], forehead: NDArray[np.bool_] | None, levels: Levels
) -> float:
    """Return how far the pigment stands above the forehead, in the forehead's own spread.

    Parameters
    ----------
    coarse : ndarray of float
        The coarsely smoothed texture.
    forehead : ndarray of bool or None
        The bare forehead's cells.
    levels : Levels
        The pigment and bare levels found.

    Returns
    -------
    float
        ``(pigment - bare) / (90th - 50th percentile of the forehead)``; NaN without a forehead
        or a threshold.
    """
    if forehead is None or not np.isfinite(levels.threshold):
        return float("nan")
    sample = coarse[forehead & np.isfinite(coarse)]
    if sample.size < MIN_FOREHEAD_CELLS:
        return float("nan")
    spread = float(np.percentile(sample, 90) - np.percentile(sample, 50))
    return (levels.pigment - levels.bare) / max(spread, 1e-9)


@dataclass(frozen=True)
class GridScale:
    """The pigment grid's cell size, in photo pixels and millimetres, over the crop.

    Attributes
    ----------
    px_per_cell : float
        Photo pixels per cell.
    mm_per_px : float
        The photo's scale.
    crop_shape : tuple of int
        The crop's ``(rows, cols)`` in photo pixels.
    """

    px_per_cell: float
    mm_per_px: float
    crop_shape: tuple[int, int]

    @property
    def mm_per_cell(self) -> float:
        """Millimetres per cell."""
        return self.px_per_cell * self.mm_per_px


@dataclass(frozen=True)
class FieldStep:
    """The field over the analysed cells, given a brow line, and its pigment and bare cells.

    Attributes
    ----------
    area : ndarray of bool
        The analysed cells: on the head, above the brow line.
    below : ndarray of bool or None
        The cells below the brow line.
    coarse, fine : ndarray of float
        The texture smoothed coarsely and finely.
    values : ndarray of float
        The field, its edge refined.
    pigment, bare : ndarray of bool
        The cells at or above the threshold, and those below it.
    """

    area: NDArray[np.bool_]
    below: NDArray[np.bool_] | None
    coarse: NDArray[np.float64]
    fine: NDArray[np.float64]
    values: NDArray[np.float64]
    pigment: NDArray[np.bool_]
    bare: NDArray[np.bool_]


def field_step(
    cells: TextureCells,
    on_head: NDArray[np.bool_],
    brow: BrowLine | None,
    grid: GridScale,
    threshold: float = float("inf"),
    *,
    inner: bool = False,
) -> FieldStep:
    """Smooth the texture over the head above the brow line and split it at ``threshold``.

    Parameters
    ----------
    cells : TextureCells
        The texture cells.
    on_head : ndarray of bool
        The cells on the head.
    brow : BrowLine or None
        The brow line (crop pixels).
    grid : GridScale
        The grid's cell size.
    threshold : float
        The pigment's threshold (none pigmented by default).
    inner : bool, optional
        Leave the head mask's rim out of the texture (:func:`smooth_texture`).

    Returns
    -------
    FieldStep
        The field and its cells.
    """
    below = (
        rasterise(brow.below(grid.crop_shape), on_head.shape, grid.px_per_cell)
        if brow is not None
        else None
    )
    area = on_head & ~below if below is not None else on_head
    coarse, fine = smooth_texture(cells, area, grid.mm_per_cell, inner=inner)
    values = refine_edge(coarse, fine, threshold, band_cells=2 * SMOOTH_MM / grid.mm_per_cell)
    finite = np.isfinite(values)
    pigment = finite & (values >= threshold)
    bare = area & finite & (values < threshold)
    return FieldStep(area, below, coarse, fine, values, pigment, bare)
