"""Nearest neighbours among points, with shapely's STR tree (already loaded by the analysis).

scipy's k-d tree gives the same answers, but importing ``scipy.spatial`` took 0.3 s of CPU: as
long as the rest of a close-up's analysis. These three queries are all the analysis needs.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray

__all__ = ["distance_to_nearest", "distance_to_nearest_other", "neighbours_within"]


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
    geometries = _geometries(points)
    (source, _), distance = shapely.STRtree(geometries).query_nearest(
        geometries, return_distance=True, exclusive=True, all_matches=False
    )
    np.minimum.at(found, source, distance)
    # "exclusive" skips every equal point, so a point given twice sees the next one: put 0 back.
    _, first, counts = np.unique(points, axis=0, return_inverse=True, return_counts=True)
    found[counts[first.reshape(-1)] > 1] = 0.0
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
