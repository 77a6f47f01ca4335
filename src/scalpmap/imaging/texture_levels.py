"""The levels of a whole-head photo's texture field: bare skin's, the pigment's, the edge between.

The level that separates pigment from skin is judged against this person's own bare skin: the
forehead between the brows and the lowest pigment when the brows are known, otherwise the
brightening side of the head's own texture (:func:`scalpmap.imaging.pigment_texture.bright_level`).
The field itself is :mod:`scalpmap.imaging.pigment_texture`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging import region as region_mod
from scalpmap.imaging.face_exclusion import BrowLine

FOREHEAD_BAND_MM = (6.0, 30.0)
FOREHEAD_HALF_WIDTH_MM = 60.0
MIN_PIGMENT_RATIO = 1.25
MIN_FOREHEAD_CELLS = 20
CROWN_BAND_MM = 30.0
TEXTURED_RATIO = 1.4
MIN_CROWN_CM2 = 2.0


@dataclass(frozen=True)
class Levels:
    """The field's level on bare skin and inside the pigment, and the edge between them.

    Attributes
    ----------
    bare : float
        Typical value on this person's bare skin.
    pigment : float
        Typical value inside the pigment.
    threshold : float
        The region's edge level (``inf`` when there is no pigment distinct from the skin).
    reference : str
        Where the bare level came from, in words.
    """

    bare: float
    pigment: float
    threshold: float
    reference: str


def forehead_cells(
    shape: tuple[int, int],
    px_per_cell: float,
    brow: BrowLine,
    mm_per_px: float,
    centre_xy: NDArray[np.float64] | None = None,
) -> NDArray[np.bool_]:
    """Cells of the forehead band above the brows, centred on the glabella's vertical.

    Parameters
    ----------
    shape : tuple of int
        The field's ``(rows, cols)``.
    px_per_cell : float
        Photo pixels per cell.
    brow : BrowLine
        The brow line (its point is the highest brow point).
    mm_per_px : float
        Photo scale.
    centre_xy : ndarray of float, shape (2,), optional
        The face's middle (the glabella); the brow line's point by default.

    Returns
    -------
    ndarray of bool
        True on the band's cells.
    """
    rows, cols = shape
    x = (np.arange(cols, dtype=np.float64) + 0.5) * px_per_cell - 0.5
    y = (np.arange(rows, dtype=np.float64) + 0.5) * px_per_cell - 0.5
    centre = brow.point_xy if centre_xy is None else np.asarray(centre_xy, dtype=np.float64)
    up, along = brow.up_xy, brow.along_xy
    height_mm = (
        (x[None, :] - brow.point_xy[0]) * up[0] + (y[:, None] - brow.point_xy[1]) * up[1]
    ) * mm_per_px
    along_mm = np.abs((x[None, :] - centre[0]) * along[0] + (y[:, None] - centre[1]) * along[1])
    along_mm *= mm_per_px
    lo, hi = FOREHEAD_BAND_MM
    return np.asarray(
        (height_mm >= lo) & (height_mm <= hi) & (along_mm <= FOREHEAD_HALF_WIDTH_MM), dtype=bool
    )


def cell_heights_mm(
    shape: tuple[int, int], px_per_cell: float, up_xy: NDArray[np.float64], mm_per_px: float
) -> NDArray[np.float64]:
    """Each cell's height in the head's up direction, in millimetres (origin arbitrary).

    Parameters
    ----------
    shape : tuple of int
        The grid's ``(rows, cols)``.
    px_per_cell : float
        Photo pixels per cell.
    up_xy : ndarray of float, shape (2,)
        The head's up direction.
    mm_per_px : float
        Photo scale.

    Returns
    -------
    ndarray of float, shape ``shape``
        Heights.
    """
    rows, cols = shape
    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float64)
    heights = (xx * float(up_xy[0]) + yy * float(up_xy[1])) * px_per_cell * mm_per_px
    return np.asarray(heights, dtype=np.float64)


def pigment_levels(
    coarse: NDArray[np.float64],
    fine: NDArray[np.float64],
    *,
    forehead: NDArray[np.bool_] | None,
    height_mm: NDArray[np.float64],
    bright: float,
    core_cells: float,
    mm_per_cell: float,
) -> Levels:
    """Find the bare and pigmented levels of the field and the edge level between them.

    Bare skin's level is the forehead's when the brows are known, otherwise the skin's own texture
    on its brightening side (:func:`~scalpmap.imaging.pigment_texture.bright_level`). The pigment's
    level is the field on the crown: the top ``CROWN_BAND_MM`` of the cells clearly textured beyond
    bare skin (a scalp's pigment always reaches the top of the head; a wall behind it is smooth). A
    beard or brows darker than the pigment below the crown change neither.

    Parameters
    ----------
    coarse, fine : ndarray of float
        The field at two smoothing scales (NaN outside the analysed area).
    forehead : ndarray of bool or None
        Cells of this person's bare forehead, when known.
    height_mm : ndarray of float
        Each cell's height in the head's up direction (:func:`cell_heights_mm`).
    bright : float
        The bare level from the brightening side of the texture
        (:func:`~scalpmap.imaging.pigment_texture.bright_level`).
    core_cells : float
        Depth (cells) of the pigment's core, measured on the finer field.
    mm_per_cell : float
        Cell side in millimetres.

    Returns
    -------
    Levels
        The levels; ``threshold`` is ``inf`` when the crown is not clearly above bare skin.
    """
    finite = np.isfinite(coarse)
    values = coarse[finite]
    if values.size == 0:
        return Levels(0.0, 0.0, float("inf"), "no analysed area")
    reference = "the skin's own texture (its brightening side; no brows to sample the forehead)"
    bare = bright
    if forehead is not None:
        sample = forehead & finite
        if sample.sum() >= MIN_FOREHEAD_CELLS:
            # The lower part of the band: the forehead below the lowest pigment.
            bare = float(np.percentile(coarse[sample], 35))
            reference = "this person's bare forehead above the brows"
    textured = finite & (np.nan_to_num(coarse) >= TEXTURED_RATIO * max(bare, 1e-6))
    if textured.sum() * mm_per_cell**2 / 100.0 < MIN_CROWN_CM2:
        return Levels(bare, bare, float("inf"), reference)
    top = textured & (height_mm >= float(height_mm[textured].max()) - CROWN_BAND_MM)
    pigment = float(np.median(coarse[top]))
    if pigment < MIN_PIGMENT_RATIO * max(bare, 1e-6):
        return Levels(bare, pigment, float("inf"), reference)
    threshold = 0.5 * (bare + pigment)
    threshold = region_mod.interior_threshold(fine, coarse, threshold, core_cells=core_cells)
    threshold = float(
        np.clip(threshold, bare + 0.25 * (pigment - bare), bare + 0.75 * (pigment - bare))
    )
    return Levels(bare, pigment, threshold, reference)
