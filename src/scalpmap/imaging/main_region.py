"""The scalp's pigment among the dark texture of a whole head: one region, its patches, no islands.

A whole-head photo holds more dark texture than the scalp's pigment: the brows, a beard, a
moustache, forehead wrinkles, shine's edges. The scalp's pigment is the part that reaches the top
of the head. Other parts that lie within it (patchy work) are its patches; parts below its lower
edge (on the forehead, the face) are islands and are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

NEAR_TOP_MM = 40.0
PATCH_JOIN_MM = 6.0
LOWER_EDGE_BIN_MM = 4.0
EDGE_TOLERANCE_MM = 3.0
UPRIGHT = np.array([0.0, -1.0])


@dataclass(frozen=True)
class MainRegion:
    """The scalp's pigmented region.

    Attributes
    ----------
    region : Polygon or MultiPolygon
        The main part and its patches, joined across narrow gaps.
    main : Polygon
        The part that reaches the top of the head.
    patches : tuple of Polygon
        Every part of the region before joining (the main part first); one for even work.
    islands : int
        Parts below the region's lower edge that were dropped.
    """

    region: Polygon | MultiPolygon
    main: Polygon
    patches: tuple[Polygon, ...]
    islands: int


def _parts(geometry: Polygon | MultiPolygon) -> list[Polygon]:
    return [
        p
        for p in getattr(geometry, "geoms", [geometry])
        if isinstance(p, Polygon) and not p.is_empty
    ]


def _frame(up_xy: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Along (towards the image's right for an upright head) and up unit vectors."""
    up = np.asarray(up_xy, dtype=np.float64)
    return np.array([-up[1], up[0]]), up


def _coords(part: Polygon, step_px: float) -> NDArray[np.float64]:
    return np.asarray(shapely.segmentize(part.exterior, max(step_px, 1e-3)).coords)


def lower_edge(
    part: Polygon, up_xy: NDArray[np.float64], bin_px: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Find the part's lowest point in each bin along the head's width.

    Parameters
    ----------
    part : shapely.Polygon
        The region.
    up_xy : ndarray of float, shape (2,)
        The head's up direction.
    bin_px : float
        Bin width in pixels.

    Returns
    -------
    along, height : ndarray of float
        Bin centres (along the head) and the lowest height in each; bins without points omitted.
    """
    along_v, up = _frame(up_xy)
    xy = _coords(part, bin_px / 4)
    s, h = xy @ along_v, xy @ up
    edges = np.arange(s.min(), s.max() + bin_px, bin_px)
    index = np.clip(np.digitize(s, edges) - 1, 0, len(edges) - 1)
    low = np.full(len(edges), np.inf)
    np.minimum.at(low, index, h)
    seen = np.isfinite(low)
    return (edges + bin_px / 2)[seen], low[seen]


def select_main_region(
    region: Polygon | MultiPolygon,
    head: Polygon | MultiPolygon,
    *,
    up_xy: NDArray[np.float64] = UPRIGHT,
    mm_per_px: float,
) -> MainRegion:
    """Keep the pigment that reaches the top of the head, and the patches within it.

    Parameters
    ----------
    region : Polygon or MultiPolygon
        Every pigmented part found.
    head : Polygon or MultiPolygon
        The analysed area (the head above the brows).
    up_xy : ndarray of float, shape (2,), optional
        The head's up direction in the image; upright by default.
    mm_per_px : float
        Scale.

    Returns
    -------
    MainRegion
        The region; empty when there is no pigment.
    """
    parts = sorted(_parts(region), key=lambda p: p.area, reverse=True)
    if not parts:
        return MainRegion(Polygon(), Polygon(), (), 0)
    along_v, up = _frame(up_xy)
    head_parts = _parts(head)
    head_top = (
        max(float((np.asarray(p.exterior.coords) @ up).max()) for p in head_parts)
        if head_parts
        else max(float((np.asarray(p.exterior.coords) @ up).max()) for p in parts)
    )
    near = NEAR_TOP_MM / mm_per_px

    def top(part: Polygon) -> float:
        return float((np.asarray(part.exterior.coords) @ up).max())

    at_top = [p for p in parts if top(p) >= head_top - near]
    main = at_top[0] if at_top else parts[0]
    s_edge, h_edge = lower_edge(main, up, LOWER_EDGE_BIN_MM / mm_per_px)
    tolerance = EDGE_TOLERANCE_MM / mm_per_px
    patches = [main]
    islands = 0
    for part in parts:
        if part is main:
            continue
        point = np.asarray(part.representative_point().coords[0])
        s, h = float(point @ along_v), float(point @ up)
        within = (
            s_edge[0] <= s <= s_edge[-1] and h >= float(np.interp(s, s_edge, h_edge)) - tolerance
        )
        if top(part) >= head_top - near or within:
            patches.append(part)
        else:
            islands += 1
    joined: Polygon | MultiPolygon = main
    if len(patches) > 1:
        join = PATCH_JOIN_MM / mm_per_px
        merged = shapely.union_all(patches).buffer(join).buffer(-join).intersection(head)
        merged = shapely.union_all([merged, *patches])
        kept = _parts(merged) if isinstance(merged, Polygon | MultiPolygon) else []
        joined = kept[0] if len(kept) == 1 else MultiPolygon(kept) if kept else main
    return MainRegion(joined, main, tuple(patches), islands)
