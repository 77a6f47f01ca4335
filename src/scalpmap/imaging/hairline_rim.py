"""The region's edges that run along the head's rim with bare-reading skin outside them.

Where the scalp turns away from the camera its texture is foreshortened and shadowed: faded ink
there can read as bare in a thin strip between the pigment and the head's outline. The region's
edge along such a strip is not the hairline: the hairline is where the pigment gives way to bare
skin that reaches well into the head (forehead, temples), not to a strip at the rim. The strip
is told from a temple's recession by its course: its edge runs along the outline, within
``width_px`` of it and with the bare side towards it, for a long way, while a temple's edge
meets the outline at an angle, within that width only for a short run, and a sideburn's thin
pigment along the outline has its bare side away from it.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray


def _sample(
    grid: NDArray[np.float32], xy: NDArray[np.float64], px_per_cell: float
) -> NDArray[np.float32]:
    rows, cols = grid.shape
    c = np.clip(np.rint((xy[:, 0] + 0.5) / px_per_cell - 0.5).astype(int), 0, cols - 1)
    r = np.clip(np.rint((xy[:, 1] + 0.5) / px_per_cell - 0.5).astype(int), 0, rows - 1)
    return np.asarray(grid[r, c], dtype=np.float32)


def rim_strip_points(
    ring: NDArray[np.float64],
    blocked: NDArray[np.bool_],
    px_per_cell: float,
    *,
    width_px: float,
    min_run_px: float,
) -> NDArray[np.bool_]:
    """Flag the points of a region's outline that run along the rim with bare skin outside.

    Parameters
    ----------
    ring : ndarray of float, shape (N, 2)
        The region part's exterior ring, without its closing point (photo pixels).
    blocked : ndarray of bool, shape (r, c)
        Cells where nothing is seen (outside the head); the rim is their border.
    px_per_cell : float
        Photo pixels per cell of ``blocked``.
    width_px : float
        Points nearer than this to a blocked cell, whose outside (the bare side) lies towards
        the blocked cells, are along the rim.
    min_run_px : float
        Only runs of such points at least this long along the ring are flagged.

    Returns
    -------
    ndarray of bool, shape (N,)
        True on the points of those runs.

    Examples
    --------
    >>> blocked = np.ones((60, 60), dtype=bool)
    >>> blocked[2:58, 2:58] = False
    >>> top = [[x, 6.0] for x in range(20, 41)]
    >>> ring = np.array(top + [[x, 30.0] for x in range(40, 19, -1)])
    >>> flags = rim_strip_points(ring, blocked, 1.0, width_px=8.0, min_run_px=10.0)
    >>> bool(flags[:21].any()), bool(flags[21:].any())
    (True, False)
    """
    n = len(ring)
    if n < 5:
        return np.zeros(n, dtype=bool)
    free = np.pad(~blocked, 1, constant_values=False).astype(np.uint8)
    depth = cv2.distanceTransform(free, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)[1:-1, 1:-1]
    depth_px = depth * px_per_cell
    steps = np.linalg.norm(np.diff(ring, axis=0, append=ring[:1]), axis=1)
    spacing = float(np.median(steps)) or 1.0
    k = max(1, int(round(width_px / 2 / spacing)))
    tangent = np.roll(ring, -k, axis=0) - np.roll(ring, k, axis=0)
    x, y = ring[:, 0], ring[:, 1]
    orientation = 1.0 if float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)) >= 0 else -1.0
    normal = orientation * np.column_stack([tangent[:, 1], -tangent[:, 0]])
    normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-9)
    probe = 0.5 * width_px
    at = _sample(depth_px, ring, px_per_cell)
    outside = _sample(depth_px, ring + probe * normal, px_per_cell)
    inside = _sample(depth_px, ring - probe * normal, px_per_cell)
    along = (at < width_px) & (outside < inside)
    flags = np.zeros(n, dtype=bool)
    if not along.any():
        return flags
    if along.all():
        return np.ones(n, dtype=bool) if float(steps.sum()) >= min_run_px else flags
    start = int(np.argmin(along))  # a point off the rim: runs do not wrap past it
    order = (np.arange(n) + start) % n
    rolled = along[order].astype(int)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], rolled, [0]])))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        idx = order[a:b]
        if float(steps[idx[:-1]].sum()) >= min_run_px:
            flags[idx] = True
    return flags
