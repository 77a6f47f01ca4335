"""Turn the closed contours of a level set into a region, in time that grows with the contours.

The contours of a field at one level never cross: any two are disjoint or one lies inside the
other. Counted from the outside, a contour at even depth encloses bare skin (a hole) and one at
odd depth encloses pigment. :func:`rings_to_region` builds the region from them as
:func:`scalpmap.imaging.region.field_to_region` defines it: thin holes (gaps) are filled and
small islands dropped. A uniform or noisy field has tens of thousands of tiny contours; nesting
them pairwise, or applying them one by one to a growing region, took minutes on such photos. Here
contours too small to ever count are dropped first, the nesting comes from a spatial index, and
the region is assembled in one union.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

__all__ = ["contour_polygons", "never_counts_below", "rings_to_region"]

# A hole smaller than this share of a disc of the gap's radius is thin whatever its shape (the
# margin covers the buffer's polygonal arcs).
_THIN_AREA_SHARE = 0.5
_NARROW_SHARE = 0.99


def contour_polygons(
    contours: list[NDArray[np.float64]], cell_px: float, *, min_area_px: float = 0.0
) -> list[BaseGeometry]:
    """Make polygons in photo pixels from marching-squares contours of a padded cell grid.

    Parameters
    ----------
    contours : list of ndarray of float, shape (n, 2)
        ``(row, col)`` points of each closed contour, on the grid padded by one cell.
    cell_px : float
        Cell side in photo pixels.
    min_area_px : float, optional
        Contours enclosing less than this (in photo pixels², by the shoelace formula) are left
        out before any polygon is made.

    Returns
    -------
    list of Polygon or MultiPolygon
        Valid, non-empty polygons, largest first (ties keep the contours' order).

    Examples
    --------
    >>> square = np.array([[1.0, 1.0], [1.0, 3.0], [3.0, 3.0], [3.0, 1.0], [1.0, 1.0]])
    >>> [round(p.area) for p in contour_polygons([square], 10.0)]
    [400]
    """
    kept = [contour for contour in contours if len(contour) >= 4]
    if min_area_px > 0 and kept:
        enclosed = _shoelace_areas(kept) * cell_px**2
        kept = [
            contour for contour, area in zip(kept, enclosed, strict=True) if area >= min_area_px
        ]
    polygons: list[BaseGeometry] = []
    for contour in kept:
        xy = np.column_stack([contour[:, 1] - 1, contour[:, 0] - 1])
        ring = Polygon((xy + 0.5) * cell_px - 0.5).buffer(0)
        if not ring.is_empty:
            polygons.append(ring)
    polygons.sort(key=lambda ring: ring.area, reverse=True)
    return polygons


def _shoelace_areas(contours: list[NDArray[np.float64]]) -> NDArray[np.float64]:
    """Area enclosed by each closed contour, in grid cells², all at once."""
    points = np.concatenate(contours)
    starts = np.cumsum([0] + [len(c) for c in contours[:-1]])
    following = np.roll(points, -1, axis=0)  # each point's successor; wraps per contour below
    last = starts + np.array([len(c) for c in contours]) - 1
    following[last] = points[starts]
    cross = points[:, 1] * following[:, 0] - points[:, 0] * following[:, 1]
    return np.asarray(0.5 * np.abs(np.add.reduceat(cross, starts)), dtype=np.float64)


def never_counts_below(min_area_px: float, max_gap_px: float) -> float:
    """Area under which a contour can change nothing: too small as an island, thin as a hole.

    Parameters
    ----------
    min_area_px : float
        Smallest island kept.
    max_gap_px : float
        Holes that vanish when eroded by this are filled; 0 fills none.

    Returns
    -------
    float
        The area in photo pixels² (0 when every hole counts).

    Examples
    --------
    >>> round(never_counts_below(1000.0, 10.0), 1)
    157.1
    >>> never_counts_below(1000.0, 0.0)
    0.0
    """
    if max_gap_px <= 0:
        return 0.0
    return min(min_area_px, _THIN_AREA_SHARE * math.pi * max_gap_px**2)


def rings_to_region(
    rings: list[BaseGeometry], frame: Polygon, *, min_area_px: float, max_gap_px: float
) -> BaseGeometry:
    """Assemble the region from nested contours: holes at even depth, islands at odd depth.

    Parameters
    ----------
    rings : list of Polygon or MultiPolygon
        The contours as polygons, largest first, pairwise disjoint or nested.
    frame : Polygon
        The whole field; the contours of depth 0 are its holes.
    min_area_px : float
        Islands (odd depth) smaller than this are dropped.
    max_gap_px : float
        Holes (even depth) that vanish when eroded by this are filled.

    Returns
    -------
    shapely geometry
        The frame without the holes, with the islands: each point belongs where the innermost
        contour kept around it says, or to the frame when none is.

    Examples
    --------
    >>> frame = shapely.box(0, 0, 100, 100)
    >>> hole, island = shapely.box(10, 10, 90, 90), shapely.box(30, 30, 70, 70)
    >>> rings_to_region([hole, island], frame, min_area_px=100, max_gap_px=5).area
    5200.0
    """
    if not rings:
        return frame
    geoms = np.asarray(rings, dtype=object)
    area = shapely.area(geoms)
    depth = np.zeros(len(geoms), np.intp)
    point, outer = shapely.STRtree(geoms).query(shapely.point_on_surface(geoms), predicate="within")
    larger = area[outer] > area[point]  # the original counted only larger contours
    point, outer = point[larger], outer[larger]
    np.add.at(depth, point, 1)
    islands = depth % 2 == 1
    applied = np.where(islands, area >= min_area_px, True)
    if max_gap_px > 0:  # holes that an erosion by the gap removes are gaps, filled
        # A hole narrower than the gap's diameter is thin without eroding it (the margin covers
        # the buffer's polygonal arcs).
        bounds = shapely.bounds(geoms)
        narrow = np.minimum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
        applied[~islands & (narrow < _NARROW_SHARE * 2 * max_gap_px)] = False
        holes = np.flatnonzero(~islands & (narrow >= _NARROW_SHARE * 2 * max_gap_px))
        applied[holes] = ~shapely.is_empty(shapely.buffer(geoms[holes], -max_gap_px))
    # Each applied contour's parent: the smallest applied contour around it.
    both = applied[point] & applied[outer]
    point, outer = point[both], outer[both]
    parent = np.full(len(geoms), -1, np.intp)
    order = np.lexsort((area[outer], point))  # by contour, then smallest container first
    first = np.ones(len(order), bool)
    first[1:] = point[order][1:] != point[order][:-1]
    parent[point[order][first]] = outer[order][first]
    children: dict[int, list[int]] = {}
    for child in np.flatnonzero(applied & (parent >= 0)):
        children.setdefault(int(parent[child]), []).append(int(child))
    top = np.flatnonzero(applied & (parent < 0))
    pieces = [frame.difference(shapely.union_all(geoms[top])) if len(top) else frame]
    for island in np.flatnonzero(applied & islands):
        inner = children.get(int(island))
        pieces.append(
            geoms[island].difference(shapely.union_all(geoms[inner])) if inner else geoms[island]
        )
    return shapely.union_all(pieces)
