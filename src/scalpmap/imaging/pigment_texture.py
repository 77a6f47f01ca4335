"""Pigment texture of a whole-head photo on coarse cells, and the level that separates it from skin.

At whole-head scales single impressions are not resolved, but they still speckle the skin they
sit on. Each pixel's darkening against the local skin (a running median over 4 mm, so shading,
shine and skin tone drop out) is squared and averaged per cell over the skin that is not hair
(oriented texture: brows, a beard, combed stubble, wrinkles); only darkening counts, so that the
bright speckle of shine does not read as pigment. The field is that RMS darkening, smoothed over
the analysed area only.

The level that separates pigment from skin is judged against this person's own bare skin: the
forehead between the brows and the lowest pigment when the brows are known, otherwise the lower
class of the head's own texture.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging import region as region_mod
from scalpmap.imaging.face_exclusion import BrowLine
from scalpmap.imaging.pigment_field import block_mean, hair_mask
from scalpmap.imaging.skin import estimate_local_skin, luminance, relative_contrast

SMOOTH_MM = 3.0
HAIR_DARKNESS = 0.03
SKIN_WINDOW_MM = 4.0
SKIN_CELL_PX = 2.0
FOREHEAD_BAND_MM = (6.0, 30.0)
FOREHEAD_HALF_WIDTH_MM = 60.0
MIN_PIGMENT_RATIO = 1.25
MIN_FOREHEAD_CELLS = 20
CROWN_BAND_MM = 30.0
TEXTURED_RATIO = 1.4
MIN_CROWN_CM2 = 2.0


@dataclass(frozen=True)
class TextureCells:
    """Raw pigment texture per cell, before smoothing.

    Attributes
    ----------
    speckle : ndarray of float, shape (r, c)
        Mean squared darkening over the cell's usable skin.
    bright : ndarray of float, shape (r, c)
        Mean squared brightening over the same skin: skin texture and noise alone, since
        pigment only darkens (the bare skin's own level of the same measure).
    share : ndarray of float, shape (r, c)
        Share of the cell on the head.
    usable_share : ndarray of float, shape (r, c)
        Share of the cell on the head and not hair.
    cell_px : int
        Cell side in pixels of the image the cells were computed on.
    """

    speckle: NDArray[np.float64]
    bright: NDArray[np.float64]
    share: NDArray[np.float64]
    usable_share: NDArray[np.float64]
    cell_px: int


def texture_cells(
    rgb: NDArray[np.uint8],
    head_mask: NDArray[np.bool_],
    mm_per_px: float,
    cell_px: int,
    *,
    measures: tuple[str, ...] = ("darkening",),
) -> dict[str, TextureCells]:
    """Measure the pigment texture of each cell.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The (working-resolution) photo.
    head_mask : ndarray of bool, shape (rows, cols)
        The head: skin of the person.
    mm_per_px : float
        Scale of ``rgb``.
    cell_px : int
        Cell side in pixels.
    measures : tuple of str
        ``"darkening"``: the squared darkening against the local skin; ``"dots"``: the dark
        dots' response (:func:`dot_responses`), blind to wrinkles, hairs and shading edges.

    Returns
    -------
    dict of str to TextureCells
        The raw texture, by measure.
    """
    skin = estimate_local_skin(
        rgb,
        mm_per_px=mm_per_px,
        window_mm=SKIN_WINDOW_MM,
        cell_mm=max(0.12, SKIN_CELL_PX * mm_per_px),
        mask=head_mask,
    )
    contrast = relative_contrast(luminance(rgb), skin, smooth_px=0.5)
    # Only the hairs' own dark pixels are left out: the skin between stubble still shows the
    # pigment under it.
    usable = head_mask & ~(hair_mask(contrast, mm_per_px) & (contrast > HAIR_DARKNESS))
    usable_share = block_mean(usable, cell_px)
    share = block_mean(head_mask, cell_px)
    found: dict[str, TextureCells] = {}
    for measure in measures:
        if measure == "dots":
            dark, bright = dot_responses(contrast, mm_per_px)
        else:
            dark = contrast.copy() if len(measures) > 1 else contrast
            bright = np.minimum(dark, 0.0)
            np.clip(dark, 0.0, 0.08, out=dark)
            with np.errstate(under="ignore"):  # squares of near-zero contrast may underflow
                np.square(dark, out=dark)
                np.square(np.maximum(bright, -0.4), out=bright)
        dark[~usable] = 0.0
        bright[~usable] = 0.0
        found[measure] = TextureCells(
            speckle=block_mean(dark, cell_px) / np.maximum(usable_share, 1e-6),
            bright=block_mean(bright, cell_px) / np.maximum(usable_share, 1e-6),
            share=share,
            usable_share=usable_share,
            cell_px=cell_px,
        )
    return found


DOT_SIGMA_MM = 0.2
MAX_DOT_RESPONSE = 0.08


def dot_responses(
    contrast: NDArray[np.float32], mm_per_px: float
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Dark and bright dot responses: the Hessian's eigenvalues of the contrast at the dot scale.

    A dark dot is a peak of the contrast, curved down in every direction (both eigenvalues
    negative); a wrinkle, a hair or a shading edge is curved across one direction only, so its
    smaller curvature is near zero. The dark response is ``max(-lambda_max, 0)``; the bright
    response (bright dots: the skin's own speckle and noise, never pigment) is
    ``max(lambda_min, 0)``.

    Parameters
    ----------
    contrast : ndarray of float32, shape (rows, cols)
        Relative darkening against the local skin.
    mm_per_px : float
        Scale.

    Returns
    -------
    dark, bright : ndarray of float32
        The responses, clipped to ``MAX_DOT_RESPONSE``.
    """
    sigma = max(0.6, DOT_SIGMA_MM / mm_per_px)
    smooth = cv2.GaussianBlur(contrast, (0, 0), sigma)
    dxx = cv2.Sobel(smooth, cv2.CV_32F, 2, 0, ksize=3)
    dyy = cv2.Sobel(smooth, cv2.CV_32F, 0, 2, ksize=3)
    dxy = cv2.Sobel(smooth, cv2.CV_32F, 1, 1, ksize=3)
    half_trace = 0.5 * (dxx + dyy)
    with np.errstate(under="ignore"):  # products of near-zero curvatures may underflow: harmless
        root = np.sqrt(np.maximum(half_trace**2 - (dxx * dyy - dxy**2), 0.0))
    dark = np.clip(-(half_trace + root), 0.0, MAX_DOT_RESPONSE).astype(np.float32)
    bright = np.clip(half_trace - root, 0.0, MAX_DOT_RESPONSE).astype(np.float32)
    return dark, bright


def smooth_texture(
    cells: TextureCells, area: NDArray[np.bool_], mm_per_cell: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """RMS darkening smoothed over ``area`` at two scales (coarse, fine), NaN outside it.

    Parameters
    ----------
    cells : TextureCells
        The raw texture.
    area : ndarray of bool, shape (r, c)
        Cells analysed.
    mm_per_cell : float
        Cell side in millimetres.

    Returns
    -------
    coarse, fine : ndarray of float
        The field smoothed over ``SMOOTH_MM`` and half that.
    """
    usable = area & (cells.usable_share > 0.2 * np.maximum(cells.share, 1e-6))
    coarse = region_mod.smooth_field(cells.speckle, usable, SMOOTH_MM / mm_per_cell)
    fine = region_mod.smooth_field(cells.speckle, usable, SMOOTH_MM / 2 / mm_per_cell)
    coarse = np.where(area, coarse, np.nan)
    fine = np.where(area, fine, np.nan)
    return np.sqrt(np.maximum(coarse, 0.0)), np.sqrt(np.maximum(fine, 0.0))


def bright_level(cells: TextureCells, area: NDArray[np.bool_], mm_per_cell: float) -> float:
    """Measure bare skin's level of the field from the brightening side of the same texture.

    Pigment only darkens: the RMS brightening against the local skin is the skin's own texture
    and the camera's noise, and on bare skin the RMS darkening is the same. It gives the bare
    level even where little bare skin is in view (a top view of a fully pigmented scalp).

    Parameters
    ----------
    cells : TextureCells
        The raw texture.
    area : ndarray of bool, shape (r, c)
        The analysed cells.
    mm_per_cell : float
        Cell side in millimetres.

    Returns
    -------
    float
        The median RMS brightening over the area (0 when the area is empty).
    """
    usable = area & (cells.usable_share > 0.2 * np.maximum(cells.share, 1e-6))
    if not usable.any():
        return 0.0
    smooth = region_mod.smooth_field(cells.bright, usable, SMOOTH_MM / mm_per_cell)
    return float(np.sqrt(max(float(np.nanmedian(smooth[usable])), 0.0)))


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

    Bare skin's level is the forehead's when the brows are known, otherwise the skin's own
    texture on its brightening side (:func:`bright_level`). The pigment's level is the field
    on the crown: the top ``CROWN_BAND_MM`` of the cells clearly textured beyond bare skin (a
    scalp's pigment always reaches the top of the head; a wall behind it is smooth). A beard or
    brows darker than the pigment below the crown change neither.

    Parameters
    ----------
    coarse, fine : ndarray of float
        The field at two smoothing scales (NaN outside the analysed area).
    forehead : ndarray of bool or None
        Cells of this person's bare forehead, when known.
    height_mm : ndarray of float
        Each cell's height in the head's up direction (:func:`cell_heights_mm`).
    bright : float
        The bare level from the brightening side of the texture (:func:`bright_level`).
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


def refine_edge(
    coarse: NDArray[np.float64], fine: NDArray[np.float64], threshold: float, *, band_cells: float
) -> NDArray[np.float64]:
    """Use the finer field near the edge (see :func:`region.refine_near_edge`).

    Parameters
    ----------
    coarse, fine : ndarray of float
        The field at two scales.
    threshold : float
        The edge level.
    band_cells : float
        Half-width of the band, in cells.

    Returns
    -------
    ndarray of float
        The combined field.
    """
    return region_mod.refine_near_edge(coarse, fine, threshold, band_cells=band_cells)


def resize_bool(mask: NDArray[np.bool_], shape: tuple[int, int]) -> NDArray[np.bool_]:
    """Resize a mask to ``shape`` (rows, cols) by area: True where at least half was True.

    Parameters
    ----------
    mask : ndarray of bool
        The mask.
    shape : tuple of int
        ``(rows, cols)`` wanted.

    Returns
    -------
    ndarray of bool
        The resized mask.
    """
    rows, cols = shape
    small = cv2.resize(mask.astype(np.float32), (cols, rows), interpolation=cv2.INTER_AREA)
    return np.asarray(small >= 0.5, dtype=bool)
