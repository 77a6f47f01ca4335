"""Where new impressions go: a Poisson-disk pool, weighted by the feather and the local shortfall.

1. **Pool.** Vectorised dart throwing fills the touch-up zone with candidates no two closer than
   the spacing, and none closer than that to an impression already there.
2. **Weights.** A candidate inside the feathered band weighs its depth into the band over the
   band's width (0 at the new hairline, 1 at the band's inner side), and any candidate weighs
   how far the existing impressions around it fall short of the desired density.
3. **Draw.** The impressions to add are drawn from the pool without replacement, each with
   probability growing with its weight (Efraimidis-Spirakis keys), so the density ramps down
   towards the new hairline and the new dots go where the existing ones are too few.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon

from scalpmap.simulation._patches import polygon_mask

DART_ROUNDS = 8
SHORTFALL_RADIUS_SPACINGS = 2.0  # existing density is counted within this many mean spacings
MIN_WEIGHT = 1e-6


def poisson_pool(
    area: Polygon | MultiPolygon,
    spacing_px: float,
    existing_xy: NDArray[np.float64],
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Random points in ``area``, no two and none to an existing point closer than the spacing.

    Parameters
    ----------
    area : Polygon or MultiPolygon
        Where to place them.
    spacing_px : float
        The minimum distance.
    existing_xy : ndarray of float, shape (M, 2)
        Points already there.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of float, shape (K, 2)
        The points, in random order.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> pts = poisson_pool(box(0, 0, 100, 100), 10.0, np.zeros((0, 2)), np.random.default_rng(0))
    >>> bool(cKDTree(pts).query(pts, k=2)[0][:, 1].min() >= 10.0), len(pts) > 60
    (True, True)
    """
    if area.is_empty or area.area <= 0:
        return np.zeros((0, 2))
    x0, y0, x1, y1 = area.bounds
    origin = (int(np.floor(x0)), int(np.floor(y0)))
    shape = (int(np.ceil(y1)) - origin[1] + 2, int(np.ceil(x1)) - origin[0] + 2)
    mask = polygon_mask(area, shape, origin)  # darts land on its pixels; exact test at the end
    pixels = np.flatnonzero(mask)
    if len(pixels) == 0:
        return np.zeros((0, 2))
    per_round = int(2.0 * len(pixels) / spacing_px**2) + 16
    existing = cKDTree(existing_xy) if len(existing_xy) else None
    kept = np.zeros((0, 2))
    for _ in range(DART_ROUNDS):
        row, col = np.divmod(pixels[rng.integers(0, len(pixels), per_round)], shape[1])
        jitter = rng.uniform(-0.5, 0.5, (per_round, 2))
        batch = np.column_stack([col + origin[0], row + origin[1]]) + jitter
        for tree in (existing, cKDTree(kept) if len(kept) else None):
            if tree is not None and len(batch):
                distance, _ = tree.query(batch, k=1, distance_upper_bound=spacing_px)
                batch = batch[np.asarray(distance) >= spacing_px]
        if len(batch) > 1:
            pairs = cKDTree(batch).query_pairs(spacing_px, output_type="ndarray")
            batch = np.delete(batch, np.unique(pairs[:, 1]), axis=0)
        kept = np.vstack([kept, batch])
    kept = kept[shapely.contains_xy(area, kept[:, 0], kept[:, 1])]
    return np.asarray(kept[rng.permutation(len(kept))], dtype=np.float64)


def feather_ramp(
    xy: NDArray[np.float64], edge: LineString | MultiLineString, feather_px: float
) -> NDArray[np.float64]:
    """Depth into the feathered band over its width: 0 on the new hairline, 1 from the band's end.

    Parameters
    ----------
    xy : ndarray of float, shape (N, 2)
        Points inside the target.
    edge : LineString or MultiLineString
        The new hairline.
    feather_px : float
        Width of the band.

    Returns
    -------
    ndarray of float, shape (N,)
        The ramp, 0..1 (all 1 without an edge or a band).

    Examples
    --------
    >>> line = LineString([(0, 0), (100, 0)])
    >>> feather_ramp(np.array([[50.0, 5.0], [50.0, 30.0]]), line, 10.0).tolist()
    [0.5, 1.0]
    """
    if len(xy) == 0 or edge.is_empty or feather_px <= 0:
        return np.ones(len(xy))
    step = max(0.5, feather_px / 50.0)  # the line as dense points: distances within step / 2
    vertices = shapely.get_coordinates(shapely.segmentize(edge, step))
    distance, _ = cKDTree(vertices).query(xy, k=1, distance_upper_bound=feather_px + step)
    return np.asarray(np.clip(np.asarray(distance) / feather_px, 0.0, 1.0), dtype=np.float64)


def shortfall(
    xy: NDArray[np.float64],
    existing_xy: NDArray[np.float64],
    desired_per_px2: float,
) -> NDArray[np.float64]:
    """How far the existing impressions around each point fall short of the desired density.

    Parameters
    ----------
    xy : ndarray of float, shape (N, 2)
        Points.
    existing_xy : ndarray of float, shape (M, 2)
        The impressions already there.
    desired_per_px2 : float
        Desired density per square pixel.

    Returns
    -------
    ndarray of float, shape (N,)
        ``1 - existing / desired`` around each point, 0..1.
    """
    if len(xy) == 0 or len(existing_xy) == 0:
        return np.ones(len(xy))
    radius = SHORTFALL_RADIUS_SPACINGS / np.sqrt(desired_per_px2)
    count = cKDTree(existing_xy).query_ball_point(xy, radius, return_length=True)
    density = np.asarray(count, dtype=np.float64) / (np.pi * radius**2)
    return np.asarray(np.clip(1.0 - density / desired_per_px2, 0.0, 1.0), dtype=np.float64)


def draw_weighted(
    weights: NDArray[np.float64], count: int, rng: np.random.Generator
) -> NDArray[np.intp]:
    """Draw ``count`` indices without replacement, heavier weights first (Efraimidis-Spirakis).

    Parameters
    ----------
    weights : ndarray of float, shape (N,)
        Non-negative weights; zero weights are drawn last.
    count : int
        How many to draw (at most N).
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of int
        The drawn indices.
    """
    count = int(min(max(count, 0), len(weights)))
    if count == 0:
        return np.zeros(0, dtype=np.intp)
    keys = np.log(rng.uniform(1e-12, 1.0, len(weights))) / np.maximum(weights, MIN_WEIGHT)
    return np.asarray(np.argsort(-keys, kind="stable")[:count], dtype=np.intp)
