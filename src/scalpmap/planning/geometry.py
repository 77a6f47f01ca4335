"""Geometry helpers of the planning: the areal or line parts of an overlay, and the photo's frame.

Coordinates are pixels, origin top-left; pixel centres are integers. Shapely overlays return
any kind of geometry (a collection of polygons, lines and points where outlines touch):
:func:`as_polygonal` and :func:`as_lineal` keep the parts a zone or a hairline is made of, and
:func:`without_slivers` drops the near-zero-area or sub-pixel-thin parts that rounding leaves.
:func:`unit_vector` scales a direction to length 1.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

__all__ = [
    "GRID_PX",
    "SLIVER_PX2",
    "as_lineal",
    "as_polygonal",
    "photo_frame",
    "unit_vector",
    "without_slivers",
]

SLIVER_PX2 = 1.0
"""Zone parts smaller than this (square pixels) are overlay slivers and are dropped."""

GRID_PX = 1e-3
"""The precision of the zones' overlays, in pixels: their results are snapped to this grid.

Without it, GEOS can mis-overlay outlines that run almost along each other (a target drawn a
tenth of a pixel inside the region): the region minus the target then overlapped the target by
1.6 px². A thousandth of a pixel is far below anything measured.
"""


def as_polygonal(geom: BaseGeometry) -> Polygon | MultiPolygon:
    """Return the polygons of any geometry (lines and points dropped) as one geometry.

    Parameters
    ----------
    geom : shapely geometry
        Any geometry, e.g. the result of an overlay.

    Returns
    -------
    Polygon or MultiPolygon
        Its areal parts; an empty Polygon when there are none.

    Examples
    --------
    >>> from shapely.geometry import GeometryCollection, Point
    >>> as_polygonal(GeometryCollection([box(0, 0, 1, 1), Point(5, 5)])).area
    1.0
    """
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon | MultiPolygon)]
    if not parts:
        return Polygon()
    merged = shapely.union_all(parts)
    return merged if isinstance(merged, Polygon | MultiPolygon) else Polygon()


def without_slivers(geom: Polygon | MultiPolygon) -> Polygon | MultiPolygon:
    """Return the polygons without the parts smaller than ``SLIVER_PX2`` or a pixel thin.

    Where two outlines almost touch, an overlay leaves slivers of next to no area: they are
    rounding, not a zone. So is a strip nowhere a pixel wide, however long: a target drawn to
    the outermost pixels' centres leaves half a pixel of the region beyond it, along the
    photo's edge, which no one could remove or touch up.

    Parameters
    ----------
    geom : Polygon or MultiPolygon
        A zone's geometry, in pixels.

    Returns
    -------
    Polygon or MultiPolygon
        The parts of at least ``SLIVER_PX2`` somewhere at least a pixel wide; an empty Polygon
        when none is left.

    Examples
    --------
    >>> sliver = Polygon([(0, 0), (100, 0), (100, 1e-9)])
    >>> without_slivers(shapely.union(box(0, 10, 5, 15), sliver)).area
    25.0
    >>> without_slivers(shapely.union(box(0, 10, 5, 15), box(-0.5, 20, 0, 700))).area
    25.0
    """
    parts = [
        p
        for p in shapely.get_parts(geom)
        if isinstance(p, Polygon) and p.area >= SLIVER_PX2 and not p.buffer(-0.5).is_empty
    ]
    if len(parts) == len(shapely.get_parts(geom)):
        return geom
    if not parts:
        return Polygon()
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def as_lineal(geom: BaseGeometry) -> LineString | MultiLineString:
    """Return the line parts of any geometry, merged where they join.

    Parameters
    ----------
    geom : shapely geometry
        Any geometry, e.g. a line clipped to a polygon.

    Returns
    -------
    LineString or MultiLineString
        Its lines; an empty LineString when there are none.
    """
    parts = shapely.get_parts(shapely.get_parts(geom))  # collections of multi-lines, too
    lines = [g for g in parts if isinstance(g, LineString) and not g.is_empty]
    if not lines:
        return LineString()
    merged = shapely.line_merge(MultiLineString(lines))
    return merged if isinstance(merged, LineString | MultiLineString) else LineString()


def photo_frame(shape: tuple[int, int]) -> Polygon:
    """Return the photo's outline: pixel centres are integers, so it spans -0.5 .. size - 0.5.

    Parameters
    ----------
    shape : tuple of int
        The photo's ``(rows, cols)``.

    Returns
    -------
    shapely.Polygon
        The frame.
    """
    rows, cols = shape
    return box(-0.5, -0.5, cols - 0.5, rows - 0.5)


def unit_vector(v: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return ``v`` scaled to length 1 (a zero vector stays about zero).

    Parameters
    ----------
    v : ndarray of float, shape (2,)
        A direction ``[x, y]``.

    Returns
    -------
    ndarray of float, shape (2,)
        The unit vector.

    Examples
    --------
    >>> unit_vector(np.array([3.0, 4.0])).tolist()
    [0.6, 0.8]
    """
    return v / max(float(np.hypot(*v)), 1e-12)
