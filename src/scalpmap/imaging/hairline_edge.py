"""The hairline of a whole head: the edge of the pigment as seen from the bare forehead.

The frontal hairline is the lower edge of the scalp's pigment above the forehead; the temporal
and side hairlines continue it towards the ears. All of them face the forehead: standing on the
bare forehead just above the brows and looking around, the first pigment met in every direction
is the hairline. The region's other edges (along the top of the head, against a wall that has the
skin's colour, around the back) are hidden behind the pigment itself, so they are never taken for
the hairline, whatever the photo's background.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.imaging.hairline_stretches import join_near_stretches, polyline_length
from scalpmap.imaging.whole_head_shapes import rasterise

RAYS = 1536
VISIBLE_TOLERANCE_CELLS = 2.0


def _first_hits(
    inside: NDArray[np.bool_], origin_cells: NDArray[np.float64], step: float
) -> NDArray[np.float64]:
    """Distance (cells) along each of ``RAYS`` rays from ``origin`` to the first True cell."""
    rows, cols = inside.shape
    # Far enough to cross the grid from a viewpoint outside it.
    outside_x = max(0.0, -origin_cells[0], origin_cells[0] - cols)
    outside_y = max(0.0, -origin_cells[1], origin_cells[1] - rows)
    reach = float(np.hypot(rows, cols)) + float(np.hypot(outside_x, outside_y))
    radii = np.arange(0.0, reach, step)
    angles = np.linspace(-np.pi, np.pi, RAYS, endpoint=False)
    col = origin_cells[0] + np.cos(angles)[:, None] * radii[None, :]
    row = origin_cells[1] + np.sin(angles)[:, None] * radii[None, :]
    col, row = np.rint(col), np.rint(row)
    ok = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
    hit = np.zeros(ok.shape, dtype=bool)
    hit[ok] = inside[row[ok].astype(int), col[ok].astype(int)]
    first = np.where(hit.any(axis=1), np.argmax(hit, axis=1), -1)
    return np.where(first >= 0, radii[np.maximum(first, 0)], np.inf)


def visible_edge(
    region: Polygon | MultiPolygon,
    viewpoint_xy: NDArray[np.float64],
    blocked: NDArray[np.bool_],
    px_per_cell: float,
    *,
    clearance_px: float,
    up_xy: NDArray[np.float64],
    gap_px: float,
    min_run_px: float | None = None,
    join_px: float | None = None,
    skip: Callable[[NDArray[np.float64]], NDArray[np.bool_]] | None = None,
) -> NDArray[np.float64]:
    """Find the stretches of the region's outline seen from a point on the face.

    Parameters
    ----------
    region : Polygon or MultiPolygon
        The pigmented region (photo pixels).
    viewpoint_xy : ndarray of float, shape (2,)
        A point on the face below the hairline (photo pixels); it may lie outside the photo.
    blocked : ndarray of bool, shape (r, c)
        Cells where nothing is seen (outside the head, below the brow line); outline points
        nearer than ``clearance_px`` to them are not hairline.
    px_per_cell : float
        Photo pixels per cell of ``blocked``.
    clearance_px : float
        See ``blocked``.
    up_xy : ndarray of float, shape (2,)
        The head's up direction: only stretches that reach above the viewpoint count, and of
        several parts of the region the one with the most hairline is taken.
    gap_px : float
        Stretches hidden for less than this (behind a bump of the edge) join their neighbours.
    min_run_px : float, optional
        Seen stretches shorter than this (``gap_px`` by default) are left out, unless none is
        longer; the others, in their order along the outline, make the hairline.
    join_px : float, optional
        Stretches further apart than this (``2 * gap_px`` by default) are separate candidates:
        the chain holding the most seen outline is the hairline.
    skip : callable, optional
        Given an exterior ring's points (shape (N, 2)), flags those that are not hairline even
        when seen.

    Returns
    -------
    ndarray of float, shape (M, 2)
        The hairline, ordered from the image's left to its right (for an upright head);
        ``(0, 2)`` when no edge is seen.
    """
    if region.is_empty:
        return np.zeros((0, 2))
    inside = rasterise(region, blocked.shape, px_per_cell)
    origin = (np.asarray(viewpoint_xy, dtype=np.float64) + 0.5) / px_per_cell - 0.5
    rows, cols = blocked.shape
    in_grid = 0 <= origin[0] < cols and 0 <= origin[1] < rows
    if in_grid and inside[int(origin[1]), int(origin[0])]:
        return np.zeros((0, 2))
    hits = _first_hits(inside, origin, 1.0)
    free = np.pad(~blocked, 1, constant_values=False).astype(np.uint8)
    depth = cv2.distanceTransform(free, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)[1:-1, 1:-1]
    best = np.zeros((0, 2))
    best_score = (-1.0, -1.0)
    up = np.asarray(up_xy, dtype=np.float64)
    min_run = gap_px if min_run_px is None else min_run_px
    join_px = 2 * gap_px if join_px is None else join_px
    for part in getattr(region, "geoms", [region]):
        ring = np.asarray(shapely.segmentize(part.exterior, px_per_cell / 2).coords)[:-1]
        if len(ring) < 3:
            continue
        rel = (ring + 0.5) / px_per_cell - 0.5 - origin
        dist = np.hypot(rel[:, 0], rel[:, 1])
        angle = np.arctan2(rel[:, 1], rel[:, 0])
        k = np.round((angle + np.pi) / (2 * np.pi) * RAYS).astype(int) % RAYS
        seen = dist <= hits[k] + VISIBLE_TOLERANCE_CELLS
        r = np.clip(np.round(rel[:, 1] + origin[1]).astype(int), 0, rows - 1)
        c = np.clip(np.round(rel[:, 0] + origin[0]).astype(int), 0, cols - 1)
        seen &= depth[r, c] * px_per_cell > clearance_px
        if skip is not None:
            seen &= ~skip(ring)
        # Every stretch seen from the face is hairline: a side view's frontal, temporal and
        # sideburn stretches are cut apart where the edge meets the masked face or the ear.
        stretches = [xy for xy in _joined_runs(ring, _runs(seen), gap_px) if len(xy) >= 2]
        lengths = [polyline_length(xy) for xy in stretches]
        longest = max(lengths, default=0.0)
        kept = [
            i
            for i, xy in enumerate(stretches)
            if lengths[i] >= min(min_run, longest) and float(((xy - viewpoint_xy) @ up).max()) > 0
        ]
        if not kept:
            continue
        joined, total = join_near_stretches(
            [stretches[i] for i in kept], [lengths[i] for i in kept], join_px
        )
        if (1.0, total) > best_score:
            best, best_score = joined, (1.0, total)
    if len(best) < 2:
        return np.zeros((0, 2))
    along = np.array([-up[1], up[0]])
    if float(best[0] @ along) > float(best[-1] @ along):
        best = best[::-1]
    return np.asarray(best, dtype=np.float64)


def _joined_runs(
    ring: NDArray[np.float64], runs: list[NDArray[np.intp]], gap_px: float
) -> list[NDArray[np.float64]]:
    """Join consecutive visible runs whose ends lie within ``gap_px`` of each other.

    A narrow inlet in the region's edge is hidden from the viewpoint: the runs either side of
    it are one hairline, joined straight across the inlet's mouth.
    """
    if not runs:
        return []
    groups: list[list[NDArray[np.intp]]] = [[runs[0]]]
    for run in runs[1:]:
        last = groups[-1][-1]
        if float(np.hypot(*(ring[run[0]] - ring[last[-1]]))) <= gap_px:
            groups[-1].append(run)
        else:
            groups.append([run])
    if len(groups) > 1:  # the ring is cyclic: the last group may join the first
        if float(np.hypot(*(ring[groups[0][0][0]] - ring[groups[-1][-1][-1]]))) <= gap_px:
            groups[0] = groups.pop() + groups[0]
    return [ring[np.concatenate(group)] for group in groups]


def _runs(flags: NDArray[np.bool_]) -> list[NDArray[np.intp]]:
    """Index arrays of the runs of True in a cyclic sequence."""
    n = len(flags)
    if not flags.any():
        return []
    if flags.all():
        return [np.arange(n)]
    start = int(np.argmin(flags))  # a False: runs do not wrap past it
    order = (np.arange(n) + start) % n
    rolled = flags[order]
    edges = np.flatnonzero(np.diff(np.concatenate([[0], rolled.astype(int), [0]])))
    return [order[a:b] for a, b in zip(edges[::2], edges[1::2], strict=True)]
