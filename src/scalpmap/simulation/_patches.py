"""Shared helpers of the simulations: input checks, masks, and batches of small square patches.

Both simulations change the photo only on small patches around single impressions. The patches
are handled in batches with numpy fancy indexing; patches of one batch never overlap, so that one
scatter writes them all without a patch overwriting its neighbour's pixels.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import Analysis
from scalpmap.imaging.validate import check_rgb

IntArray = NDArray[np.intp]


def check_photo(rgb: Any, analysis: Analysis, name: str = "rgb") -> NDArray[np.uint8]:
    """Check that ``rgb`` is an RGB uint8 photo of the analysed size.

    Parameters
    ----------
    rgb : ndarray
        The candidate photo.
    analysis : Analysis
        The analysis it should match.
    name : str, optional
        The argument's name, for the message.

    Returns
    -------
    ndarray of uint8, shape (rows, cols, 3)
        The photo.

    Raises
    ------
    InputError
        When it is not a (rows, cols, 3) uint8 array of the analysed photo's size.
    """
    check_rgb(rgb)
    rows, cols = analysis.shape
    if tuple(rgb.shape[:2]) != (rows, cols):
        raise InputError(
            f"{name} is {rgb.shape[1]}x{rgb.shape[0]} px but the analysis is of a {cols}x{rows} "
            "px photo; pass the analysed photo"
        )
    return np.asarray(rgb, dtype=np.uint8)


def inside(geometry: Polygon | MultiPolygon, xy: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Which points lie inside a geometry (all False for an empty geometry or no points).

    Parameters
    ----------
    geometry : Polygon or MultiPolygon
        The area, in pixels.
    xy : ndarray of float, shape (N, 2)
        Points.

    Returns
    -------
    ndarray of bool, shape (N,)
        True inside.
    """
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    if len(xy) == 0 or geometry.is_empty:
        return np.zeros(len(xy), dtype=bool)
    return np.asarray(shapely.contains_xy(geometry, xy[:, 0], xy[:, 1]), dtype=bool)


def polygon_mask(
    geometry: Polygon | MultiPolygon,
    shape: tuple[int, int],
    origin: tuple[int, int] = (0, 0),
    *,
    exact: bool = False,
) -> NDArray[np.bool_]:
    """Rasterise polygons (with their holes) onto a grid whose top-left pixel is ``origin``.

    Parameters
    ----------
    geometry : Polygon or MultiPolygon
        The area, in photo pixels (pixel centres are integers).
    shape : tuple of int
        ``(rows, cols)`` of the grid.
    origin : tuple of int, optional
        Photo ``(x, y)`` of the grid's top-left pixel.
    exact : bool, optional
        Decide the pixels along the outline by their centres (else the outline's pixels count
        as inside, up to a pixel beyond it).

    Returns
    -------
    ndarray of bool
        True on pixels whose centre lies inside.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> int(polygon_mask(box(0.6, 0.6, 3.4, 3.4), (5, 5), exact=True).sum())
    9
    """
    rows, cols = shape
    mask = np.zeros(shape, dtype=np.uint8)
    for part in shapely.get_parts(geometry):
        if not isinstance(part, Polygon) or part.is_empty:
            continue
        x0, y0, x1, y1 = part.bounds
        c0 = max(0, int(np.floor(x0)) - origin[0] - 1)
        r0 = max(0, int(np.floor(y0)) - origin[1] - 1)
        c1 = min(cols, int(np.ceil(x1)) - origin[0] + 2)
        r1 = min(rows, int(np.ceil(y1)) - origin[1] + 2)
        if c0 >= c1 or r0 >= r1:
            continue
        shift = np.array([origin[0] + c0, origin[1] + r0], dtype=np.float64)
        rings = [
            np.round((np.asarray(ring.coords)[:, :2] - shift) * 16).astype(np.int32)
            for ring in (part.exterior, *part.interiors)
        ]
        window = np.zeros((r1 - r0, c1 - c0), dtype=np.uint8)
        cv2.fillPoly(window, rings[:1], 1, cv2.LINE_8, shift=4)
        if len(rings) > 1:
            holes = np.zeros_like(window)
            cv2.fillPoly(holes, rings[1:], 1, cv2.LINE_8, shift=4)
            window &= 1 - holes
        mask[r0:r1, c0:c1] |= window
    if exact and mask.any():
        kernel = np.ones((3, 3), np.uint8)
        unsure = (cv2.dilate(mask, kernel) > 0) & (cv2.erode(mask, kernel) == 0)
        unsure_r, unsure_c = np.nonzero(unsure)
        centre_x, centre_y = unsure_c + origin[0], unsure_r + origin[1]
        mask[unsure_r, unsure_c] = shapely.contains_xy(geometry, centre_x, centre_y)
    return mask.astype(bool)


def non_overlapping_batches(xy: NDArray[np.float64], half: int) -> list[IntArray]:
    """Split points into batches whose square patches (``2 * half + 1`` wide) never overlap.

    Points are binned on cells one patch wide; a batch takes one point per cell, from cells of
    the same row and column parity, so two patches of a batch are at least one cell apart.

    Parameters
    ----------
    xy : ndarray of float, shape (N, 2)
        Patch centres (rounded to the nearest pixel when painted).
    half : int
        Half the patch side.

    Returns
    -------
    list of ndarray of int
        Indices of each batch; together they hold every point once.

    Examples
    --------
    >>> xy = np.array([[0.0, 0.0], [3.0, 0.0], [40.0, 0.0]])
    >>> [b.tolist() for b in non_overlapping_batches(xy, 2)]
    [[0, 2], [1]]
    """
    if len(xy) == 0:
        return []
    cell = 2 * half + 2  # the rounding of a centre moves it by half a pixel at most
    cx = np.floor(np.round(xy[:, 0]) / cell).astype(np.int64)
    cy = np.floor(np.round(xy[:, 1]) / cell).astype(np.int64)
    key = (cy - cy.min()) * (int(cx.max() - cx.min()) + 1) + (cx - cx.min())
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    rank = np.empty(len(xy), dtype=np.int64)
    rank[order] = np.arange(len(order)) - run_start
    batch = rank * 4 + (cy % 2) * 2 + (cx % 2)
    return [np.flatnonzero(batch == b) for b in np.unique(batch)]


def patch_index(
    cols: NDArray[np.intp], rows: NDArray[np.intp], half: int
) -> tuple[IntArray, IntArray]:
    """Row and column indices of square patches, shape ``(N, 2 * half + 1, 2 * half + 1)``.

    Parameters
    ----------
    cols, rows : ndarray of int, shape (N,)
        Patch centres.
    half : int
        Half the patch side.

    Returns
    -------
    rr, cc : ndarray of int
        Indices for ``image[rr, cc]``.
    """
    offsets = np.arange(-half, half + 1)
    rr, cc = np.broadcast_arrays(
        rows[:, None, None] + offsets[None, :, None], cols[:, None, None] + offsets[None, None, :]
    )
    return rr, cc


def patch_distance(
    x: NDArray[np.float64], y: NDArray[np.float64], half: int
) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32]]:
    """Offsets and distance of each patch pixel from the sub-pixel point it is centred on.

    Parameters
    ----------
    x, y : ndarray of float, shape (N,)
        The points; patch ``i`` is centred on pixel ``round(x[i]), round(y[i])``.
    half : int
        Half the patch side.

    Returns
    -------
    dx, dy, dist : ndarray of float32, shape (N, 2 * half + 1, 2 * half + 1)
        Pixel minus point, and their distance.
    """
    offsets = np.arange(-half, half + 1, dtype=np.float32)
    fx = (x - np.round(x)).astype(np.float32)
    fy = (y - np.round(y)).astype(np.float32)
    dx = np.broadcast_to(
        offsets[None, None, :] - fx[:, None, None], (len(x), 2 * half + 1, 2 * half + 1)
    )
    dy = np.broadcast_to(offsets[None, :, None] - fy[:, None, None], dx.shape)
    return dx, dy, np.sqrt(dx * dx + dy * dy)


def disk_offsets(half: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Row and column offsets of the pixels within ``half`` of a patch's centre pixel.

    Parameters
    ----------
    half : int
        The radius.

    Returns
    -------
    oy, ox : ndarray of int, shape (M,)
        The offsets, row by row.

    Examples
    --------
    >>> len(disk_offsets(1)[0]), len(disk_offsets(2)[0])
    (5, 13)
    """
    offsets = np.arange(-half, half + 1)
    oy, ox = np.meshgrid(offsets, offsets, indexing="ij")
    inside = oy * oy + ox * ox <= half * half
    return oy[inside].astype(np.intp), ox[inside].astype(np.intp)


def disk_patches(
    x: NDArray[np.float64], y: NDArray[np.float64], half: int, width: int
) -> tuple[IntArray, NDArray[np.float32], tuple[IntArray, IntArray]]:
    """Flat indices and distances of the pixels within ``half`` of each point's pixel.

    Parameters
    ----------
    x, y : ndarray of float, shape (N,)
        The points.
    half : int
        The radius of the disks (around the rounded points).
    width : int
        Width of the image the flat indices index.

    Returns
    -------
    flat : ndarray of int, shape (N, M)
        Indices into the flattened image.
    dist : ndarray of float32, shape (N, M)
        Distance of each pixel from its (sub-pixel) point.
    offsets : tuple of ndarray of int, shape (M,)
        The row and column offsets (:func:`disk_offsets`).
    """
    oy, ox = disk_offsets(half)
    cols, rows = np.round(x).astype(np.intp), np.round(y).astype(np.intp)
    flat = (rows * width + cols)[:, None] + (oy * width + ox)[None, :]
    fx, fy = (x - cols).astype(np.float32), (y - rows).astype(np.float32)
    ddx = ox.astype(np.float32)[None, :] - fx[:, None]
    ddy = oy.astype(np.float32)[None, :] - fy[:, None]
    dist = np.sqrt(ddx * ddx + ddy * ddy)
    return flat, dist, (oy, ox)
