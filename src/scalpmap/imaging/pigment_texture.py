"""Pigment texture of a whole-head photo on coarse cells.

At whole-head scales single impressions are not resolved, but they still speckle the skin they
sit on. Each pixel's darkening against the local skin (a running median over 4 mm, so shading,
shine and skin tone drop out) is squared and averaged per cell over the skin that is not hair
(oriented texture: brows, a beard, combed stubble, wrinkles); only darkening counts, so that the
bright speckle of shine does not read as pigment. The field is that RMS darkening, smoothed over
the analysed area only.

The level that separates pigment from skin is :mod:`scalpmap.imaging.texture_levels`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging import region as region_mod
from scalpmap.imaging.pigment_field import block_mean, hair_mask
from scalpmap.imaging.skin import estimate_local_skin, luminance, relative_contrast

SMOOTH_MM = 3.0
HAIR_DARKNESS = 0.03
SKIN_WINDOW_MM = 4.0
SKIN_CELL_PX = 2.0


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
    inner_speckle : ndarray of float, shape (r, c), optional
        :attr:`speckle` without the head mask's rim (see :func:`texture_cells`); None when no
        rim was left out.
    inner_share : ndarray of float, shape (r, c), optional
        Share of the cell on the head, not hair and off the rim.
    """

    speckle: NDArray[np.float64]
    bright: NDArray[np.float64]
    share: NDArray[np.float64]
    usable_share: NDArray[np.float64]
    cell_px: int
    inner_speckle: NDArray[np.float64] | None = None
    inner_share: NDArray[np.float64] | None = None


def texture_cells(
    rgb: NDArray[np.uint8],
    head_mask: NDArray[np.bool_],
    mm_per_px: float,
    cell_px: int,
    *,
    measures: tuple[str, ...] = ("darkening",),
    rim_mm: float = 0.0,
) -> dict[str, TextureCells]:
    """Measure the pigment texture of each cell.

    With ``rim_mm``, the texture is also measured without the head mask's rim
    (:attr:`TextureCells.inner_speckle`): the mask, traced on a coarse grid, runs up to a grid
    cell off the silhouette, and there the contrast and the dots' curvature read the
    background's step (an ear's rim against a white wall read as a strip of pigment).

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
    rim_mm : float, optional
        Width of the mask's rim left out of :attr:`TextureCells.inner_speckle`, in millimetres
        (0: no inner texture).

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
    rim_px = int(round(rim_mm / mm_per_px))
    inner: NDArray[np.bool_] | None = None
    inner_share = None
    if rim_px > 0:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * rim_px + 1, 2 * rim_px + 1))
        eroded = cv2.erode(np.pad(head_mask, rim_px).astype(np.uint8), kernel)
        inner = usable & (eroded[rim_px:-rim_px, rim_px:-rim_px] > 0)
        inner_share = block_mean(inner, cell_px)
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
        inner_speckle = None
        if inner is not None and inner_share is not None:
            inner_dark = np.where(inner, dark, np.float32(0.0))
            inner_speckle = block_mean(inner_dark, cell_px) / np.maximum(inner_share, 1e-6)
        found[measure] = TextureCells(
            speckle=block_mean(dark, cell_px) / np.maximum(usable_share, 1e-6),
            bright=block_mean(bright, cell_px) / np.maximum(usable_share, 1e-6),
            share=share,
            usable_share=usable_share,
            cell_px=cell_px,
            inner_speckle=inner_speckle,
            inner_share=inner_share,
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
    cells: TextureCells, area: NDArray[np.bool_], mm_per_cell: float, *, inner: bool = False
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """RMS darkening smoothed over ``area`` at two scales (coarse, fine), NaN outside it.

    With ``inner`` (and :attr:`TextureCells.inner_speckle`), the texture off the mask's rim is
    smoothed, and the rim's cells take the field of the measured cells inside them.

    Parameters
    ----------
    cells : TextureCells
        The raw texture.
    area : ndarray of bool, shape (r, c)
        Cells analysed.
    mm_per_cell : float
        Cell side in millimetres.
    inner : bool, optional
        Leave the mask's rim out of the texture.

    Returns
    -------
    coarse, fine : ndarray of float
        The field smoothed over ``SMOOTH_MM`` and half that.
    """
    least = 0.2 * np.maximum(cells.share, 1e-6)
    usable = area & (cells.usable_share > least)
    if inner and cells.inner_speckle is not None and cells.inner_share is not None:
        measured = area & (cells.inner_share > least)
        coarse = _smooth_into(cells.inner_speckle, measured, SMOOTH_MM / mm_per_cell, usable)
        fine = _smooth_into(cells.inner_speckle, measured, SMOOTH_MM / 2 / mm_per_cell, usable)
    else:
        coarse = region_mod.smooth_field(cells.speckle, usable, SMOOTH_MM / mm_per_cell)
        fine = region_mod.smooth_field(cells.speckle, usable, SMOOTH_MM / 2 / mm_per_cell)
    coarse = np.where(area, coarse, np.nan)
    fine = np.where(area, fine, np.nan)
    return np.sqrt(np.maximum(coarse, 0.0)), np.sqrt(np.maximum(fine, 0.0))


def _smooth_into(
    raw: NDArray[np.float64],
    measured: NDArray[np.bool_],
    sigma_cells: float,
    reach: NDArray[np.bool_],
) -> NDArray[np.float64]:
    """Smooth ``raw`` over the ``measured`` cells (normalised convolution) into ``reach``."""
    num = cv2.GaussianBlur((raw * measured).astype(np.float32), (0, 0), sigma_cells)
    den = cv2.GaussianBlur(measured.astype(np.float32), (0, 0), sigma_cells)
    out = np.where(reach & (den > 1e-3), num / np.maximum(den, 1e-6), np.nan)
    return np.asarray(out, dtype=np.float64)


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
