"""Nearest neighbours among points, with shapely's STR tree (already loaded by the analysis).

scipy's k-d tree gives the same answers, but importing ``scipy.spatial`` took 0.3 s of CPU: as
long as the rest of a close-up's analysis. These three queries are all the analysis needs.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray

__all__ = [
    "distance_to_nearest",
    "distance_to_nearest_other",
    "nearest_within",
    "neighbours_within",
    "pairs_within",
]


def _points(xy: NDArray[np.floating] | NDArray[np.integer]) -> NDArray[np.float64]:
    points = np.asarray(xy, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape (N, 2), got {points.shape}")
    return points


def _geometries(points: NDArray[np.float64]) -> NDArray[np.object_]:
    """Shapely points, one per row."""
    return np.asarray(shapely.points(points), dtype=object).reshape(-1)


def distance_to_nearest_other(
    xy: NDArray[np.floating] | NDArray[np.integer],
) -> NDArray[np.float64]:
    """Measure the distance from each point to the nearest other point.

    Parameters
    ----------
    xy : ndarray, shape (N, 2)
        The points.

    Returns
    -------
    ndarray of float, shape (N,)
        The distances (0 for a point given twice; ``inf`` when N < 2).

    Examples
    --------
    >>> distance_to_nearest_other(np.array([[0, 0], [3, 4], [10, 4]])).tolist()
    [5.0, 5.0, 7.0]
    """
    points = _points(xy)
    found = np.full(len(points), np.inf)
    if len(points) < 2:
        return found
    # On a grid of cells as wide as the mean spacing most points (about 96 % of points spread at
    # random) find their nearest neighbour in the cells around them (a point given twice finds
    # its twin at 0); the STR tree (0.1 s for 7,000 points) searches only for the others.
    extent = np.maximum(points.max(axis=0) - points.min(axis=0), 1.0)
    reach = float(np.sqrt(extent[0] * extent[1] / len(points)))
    _, found = _nearest_within(points, points, reach, own=np.arange(len(points)))
    lonely = np.flatnonzero(np.isinf(found))
    if len(lonely) == 0:
        return found
    # The others look again four times as far.
    _, farther = _nearest_within(points[lonely], points, 4.0 * reach, own=lonely)
    found[lonely] = farther
    lonely = lonely[np.isinf(farther)]
    if len(lonely) == 0:
        return found
    # None of them has another point within reach, so none is given twice: "exclusive" (which
    # skips the points equal to the query) skips only the point itself.
    (source, _), distance = shapely.STRtree(_geometries(points)).query_nearest(
        _geometries(points[lonely]), return_distance=True, exclusive=True, all_matches=False
    )
    nearest = np.full(len(lonely), np.inf)
    np.minimum.at(nearest, source, distance)
    found[lonely] = nearest
    return found


def distance_to_nearest(
    xy: NDArray[np.floating] | NDArray[np.integer],
    known: NDArray[np.floating] | NDArray[np.integer],
) -> NDArray[np.float64]:
    """Measure the distance from each point to the nearest of ``known``.

    Parameters
    ----------
    xy : ndarray, shape (N, 2)
        The points.
    known : ndarray, shape (M, 2)
        The points to measure to.

    Returns
    -------
    ndarray of float, shape (N,)
        The distances (``inf`` when ``known`` is empty).

    Examples
    --------
    >>> distance_to_nearest(np.array([[0.0, 0.0], [9.0, 0.0]]), np.array([[0.0, 1.0]])).tolist()
    [1.0, 9.055385138137417]
    """
    points, targets = _points(xy), _points(known)
    found = np.full(len(points), np.inf)
    if len(points) == 0 or len(targets) == 0:
        return found
    (source, _), distance = shapely.STRtree(_geometries(targets)).query_nearest(
        _geometries(points), return_distance=True, all_matches=False
    )
    np.minimum.at(found, source, distance)
    return found


def neighbours_within(
    xy: NDArray[np.floating] | NDArray[np.integer], radius: float
) -> list[NDArray[np.intp]]:
    """Find the points within ``radius`` of each point, itself included.

    Parameters
    ----------
    xy : ndarray, shape (N, 2)
        The points.
    radius : float
        The distance, inclusive.

    Returns
    -------
    list of ndarray of int
        For each point, the indices of its neighbours in increasing order.

    Examples
    --------
    >>> [n.tolist() for n in neighbours_within(np.array([[0, 0], [2, 0], [5, 0]]), 2.0)]
    [[0, 1], [0, 1], [2]]
    """
    points = _points(xy)
    if len(points) == 0:
        return []
    geometries = _geometries(points)
    source, target = shapely.STRtree(geometries).query(
        geometries, predicate="dwithin", distance=float(radius)
    )
    order = np.lexsort((target, source))
    source, target = source[order], target[order]
    return np.split(target.astype(np.intp), np.searchsorted(source, np.arange(1, len(points))))


def nearest_within(
    queries: NDArray[np.floating], points: NDArray[np.floating], reach: float
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Find the nearest of ``points`` to each query, when one lies within ``reach``.

    The points are binned on a grid of cells ``reach`` wide, and each query looks only in its
    own cell and the eight around it: every point within ``reach`` is there, so the nearest
    one found is the nearest of all whenever it lies within ``reach``. Many queries among
    sparse points (the rings around every dot of a photo) take milliseconds, where an STR
    tree's nearest-neighbour search took most of a second.

    Parameters
    ----------
    queries : ndarray, shape (Q, 2)
        Where to look from.
    points : ndarray, shape (N, 2)
        The points to find.
    reach : float
        The largest distance of interest, > 0.

    Returns
    -------
    index : ndarray of int, shape (Q,)
        The nearest point's index, -1 when none lies within ``reach``.
    distance : ndarray of float, shape (Q,)
        Its distance (``inf`` where ``index`` is -1).

    Examples
    --------
    >>> index, distance = nearest_within(
    ...     np.array([[0.0, 0.0], [9.0, 0.0]]), np.array([[3.0, 4.0], [1.0, 0.0]]), 5.0
    ... )
    >>> index.tolist(), distance.tolist()
    ([1, -1], [1.0, inf])
    """
    return _nearest_within(_points(queries), _points(points), reach)


def _nearest_within(
    found_q: NDArray[np.float64],
    targets: NDArray[np.float64],
    reach: float,
    *,
    own: NDArray[np.intp] | None = None,
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """:func:`nearest_within`; ``own[i]`` is query ``i``'s own index among the points, if any."""
    index = np.full(len(found_q), -1, dtype=np.intp)
    distance = np.full(len(found_q), np.inf)
    q, p, gap = _pairs_within(found_q, targets, reach)
    near = np.ones(len(q), dtype=bool)
    if own is not None:  # the queries are some of the points: each one's own pair is left out
        near &= own[q] != p
    q, p, gap = q[near], p[near], gap[near]
    if len(q) == 0:
        return index, distance
    # Per query: the nearest, then the lowest index (unbuffered minima: no sort of the pairs).
    np.minimum.at(distance, q, gap)
    nearest = gap == distance[q]
    lowest = np.full(len(found_q), len(targets), dtype=np.intp)
    np.minimum.at(lowest, q[nearest], p[nearest])
    found = lowest < len(targets)
    index[found] = lowest[found]
    return index, distance


def pairs_within(
    queries: NDArray[np.floating], points: NDArray[np.floating], reach: float
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """Find every pair of a query and a point at most ``reach`` apart.

    The same grid as :func:`nearest_within`'s finds them.

    Parameters
    ----------
    queries : ndarray, shape (Q, 2)
        Where to look from.
    points : ndarray, shape (N, 2)
        The points to find.
    reach : float
        The largest distance of interest, > 0.

    Returns
    -------
    query : ndarray of int
        Each pair's query.
    point : ndarray of int
        Each pair's point.
    distance : ndarray of float
        Their distance, at most ``reach``.

    Examples
    --------
    >>> q, p, d = pairs_within(np.array([[0.0, 0.0]]), np.array([[3.0, 4.0], [1.0, 0.0]]), 5.0)
    >>> sorted(zip(q.tolist(), p.tolist(), d.tolist()))
    [(0, 0, 5.0), (0, 1, 1.0)]
    """
    return _pairs_within(_points(queries), _points(points), reach)


def _pairs_within(
    found_q: NDArray[np.float64], targets: NDArray[np.float64], reach: float
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    empty = np.zeros(0, dtype=np.intp)
    if len(found_q) == 0 or len(targets) == 0:
        return empty, empty, np.zeros(0)
    cell = float(reach)
    origin = np.minimum(found_q.min(axis=0), targets.min(axis=0)) - cell
    target_cells = np.floor((targets - origin) / cell).astype(np.int64)
    query_cells = np.floor((found_q - origin) / cell).astype(np.int64)
    width = int(max(target_cells[:, 0].max(), query_cells[:, 0].max())) + 3
    keys = target_cells[:, 1] * width + target_cells[:, 0]
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    # The queries in the order of their cells: each shifted cell keeps that order, and sorted
    # needles make the binary searches several times faster.
    query_keys = query_cells[:, 1] * width + query_cells[:, 0]
    query_order = np.argsort(query_keys, kind="stable")
    query_keys = query_keys[query_order]
    pairs_q, pairs_p = [], []
    for d_row in (-1, 0, 1):
        for d_col in (-1, 0, 1):
            wanted = query_keys + (d_row * width + d_col)
            low = np.searchsorted(sorted_keys, wanted, side="left")
            counts = np.searchsorted(sorted_keys, wanted, side="right") - low
            total = int(counts.sum())
            if total == 0:
                continue
            owners = np.repeat(query_order, counts)
            starts = np.repeat(low - np.cumsum(counts) + counts, counts)
            pairs_q.append(owners)
            pairs_p.append(order[starts + np.arange(total)])
    if not pairs_q:
        return empty, empty, np.zeros(0)
    q, p = np.concatenate(pairs_q), np.concatenate(pairs_p)
    step = found_q[q] - targets[p]
    gap = np.sqrt(step[:, 0] ** 2 + step[:, 1] ** 2)
    near = gap <= cell
    return q[near], p[near], gap[near]
