"""The windows of a photo around some of its pixels, where the hairs are taken away.

The hair openings (:func:`scalpmap.imaging.hair_removed.hair_level`) are read only around the
candidates rejected as hairs: on a 12 MP close-up eight openings of the whole photo took a
fifth of the detection. A grey opening with a kernel ``size`` pixels across reads at most
``2 * (size // 2)`` pixels from each output pixel (the erosion's reach, then the dilation's),
and OpenCV ignores what lies beyond the photo's edge: computed on a window grown by that margin
(clipped to the photo), the opening inside the window is exactly the whole photo's.

The windows are the tiles of ``TILE_PX`` that hold a pixel within reach of a given one, each
run of such tiles along a row of tiles taken as one window.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["TILE_PX", "Window", "windows_near"]

TILE_PX = 128
"""Side of the tiles: larger tiles cover more of the photo, smaller ones cost more calls."""

Window = tuple[int, int, int, int]
"""A window's ``(top, bottom, left, right)``, in pixels, bottom and right excluded."""


def windows_near(
    shape: tuple[int, int], near_rc: NDArray[np.intp], reach_px: int, tile_px: int = TILE_PX
) -> list[Window]:
    """Return windows covering every pixel within ``reach_px`` (in rows and columns) of a point.

    Parameters
    ----------
    shape : tuple of int
        The photo's ``(rows, cols)``.
    near_rc : ndarray of int, shape (N, 2)
        Row and column of each point (points off the photo count at its edge).
    reach_px : int
        How far from each point the windows must reach, at least 0.
    tile_px : int, optional
        Side of the tiles the windows are made of.

    Returns
    -------
    list of tuple of int
        ``(top, bottom, left, right)`` of each window, disjoint, in raster order.

    Examples
    --------
    >>> windows_near((300, 400), np.array([[10, 10], [10, 150], [250, 390]]), 5, tile_px=100)
    [(0, 100, 0, 200), (200, 300, 300, 400)]
    """
    rows, cols = shape
    if len(near_rc) == 0 or rows == 0 or cols == 0:
        return []
    n_rows, n_cols = -(-rows // tile_px), -(-cols // tile_px)
    row = np.clip(near_rc[:, 0], 0, rows - 1)
    col = np.clip(near_rc[:, 1], 0, cols - 1)
    top = np.maximum(row - reach_px, 0) // tile_px
    bottom = np.minimum(row + reach_px, rows - 1) // tile_px
    left = np.maximum(col - reach_px, 0) // tile_px
    right = np.minimum(col + reach_px, cols - 1) // tile_px
    needed = np.zeros((n_rows, n_cols), dtype=bool)
    for d_row in range(int((bottom - top).max()) + 1):
        for d_col in range(int((right - left).max()) + 1):
            needed[np.minimum(top + d_row, bottom), np.minimum(left + d_col, right)] = True
    found: list[Window] = []
    for tile_row in np.flatnonzero(needed.any(axis=1)):
        edges = np.flatnonzero(np.diff(np.r_[0, needed[tile_row].astype(np.int8), 0]))
        for start, stop in zip(edges[::2], edges[1::2], strict=True):
            found.append(
                (
                    int(tile_row) * tile_px,
                    min((int(tile_row) + 1) * tile_px, rows),
                    int(start) * tile_px,
                    min(int(stop) * tile_px, cols),
                )
            )
    return found
