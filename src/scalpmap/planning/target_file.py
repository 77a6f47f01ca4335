"""Targets from lines and from TARGET.json files.

A :class:`~scalpmap.planning.zones.Target` is what should stay pigmented after the revision. It
comes from a template (:func:`scalpmap.planning.templates.make_target`) or from a TARGET.json
file (docs/target-json.md): a polygon, or a hairline drawn across the photo (used as drawn).

**Clipping the region with a line.** The line is extended along its end directions well beyond
the photo, then noded with the border of a box three times the photo's size and polygonised
(``shapely.polygonize``): that gives the faces on either side of the line, however it wiggles.
Each face takes the side of the line it lies on (the sign of the cross product of the line's
direction and the offset to the face), by a vote along its outline. The *pigmented side* is the
side on which the current region lies right behind the current hairline (within ``NEAR_MM``); a
target line is oriented like the current hairline, so its pigmented side has the same sign.
Without a current hairline, the side of the target line holding more of the region is taken.
The target region is the current region clipped to the faces on the pigmented side.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient
from shapely.ops import substring
from shapely.validation import explain_validity

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import Analysis
from scalpmap.planning.geometry import as_lineal, as_polygonal, photo_frame
from scalpmap.planning.hairline import DEFAULT_FEATHER_MM, arc_length, as_points, distinct_points
from scalpmap.planning.zones import Target

TANGENT_MM = 3.0
GRID_PX = 1e-6
NEAR_MM = 3.0
ALLOWED_KEYS = ("region", "hairline", "feather_mm")
MISSES = "the target misses the pigmented region; use --template remove-all for total removal"


def _extend(xy: NDArray[np.float64], reach: float, tangent: float) -> NDArray[np.float64]:
    """Extend a polyline by ``reach`` at both ends.

    Each end goes on along its direction over ``tangent`` (or a tenth of the line, if longer);
    when that makes the line cross itself (hooked ends), both ends go on along the chord.
    """
    s = arc_length(xy)
    tangent = max(tangent, 0.1 * s[-1])
    j0 = min(int(np.searchsorted(s, min(tangent, s[-1]))), len(xy) - 1)
    j1 = max(int(np.searchsorted(s, max(s[-1] - tangent, 0.0), side="right")) - 1, 0)
    chord = xy[-1] - xy[0]
    tried = []
    for ends in (np.array([xy[0] - xy[j0], xy[-1] - xy[j1]]), np.array([-chord, chord])):
        ends = ends / np.maximum(np.linalg.norm(ends, axis=1, keepdims=True), 1e-12)
        tried.append(np.vstack([xy[0] + reach * ends[0], xy, xy[-1] + reach * ends[1]]))
        if LineString(tried[-1]).is_simple:
            return tried[-1]
    return tried[0]


def _faces(
    xy: NDArray[np.float64], frame: Polygon, tangent: float, margin: float
) -> tuple[list[Polygon], NDArray[np.int_]]:
    """Cut a box around the frame with the extended line; return the faces and their sides.

    A face's side is a vote over the stretches of line along its outline, weighted by length:
    +1 where the face lies where ``cross(line direction, offset)`` is positive. A small loop of
    a wiggly line cannot outvote the long stretches.
    """
    x0, y0, x1, y1 = frame.bounds
    pad = max(math.hypot(x1 - x0, y1 - y0), margin)
    big = box(x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    extended = _extend(xy, 4 * pad, tangent)
    line = LineString(extended)
    noded = shapely.get_parts(shapely.union_all([big.exterior, line]))
    faces = [
        g
        for g in shapely.get_parts(shapely.polygonize(noded))
        if isinstance(g, Polygon) and g.area > 0 and g.within(big.buffer(1.0))
    ]
    if not faces:
        return [big], np.ones(1, dtype=int)
    rings = [np.asarray(orient(face, 1.0).exterior.coords) for face in faces]
    owner = np.concatenate([np.full(len(r) - 1, k) for k, r in enumerate(rings)])
    start = np.concatenate([r[:-1] for r in rings])
    edge = np.concatenate([np.diff(r, axis=0) for r in rings])
    segments = np.stack([extended[:-1], extended[1:]], axis=1)
    tree = shapely.STRtree(np.asarray(shapely.linestrings(segments), dtype=object))
    (i, j), distance = tree.query_nearest(shapely.points(start + edge / 2), return_distance=True)
    # The face lies left of its counter-clockwise outline: on the line's + side where they agree.
    agree = np.sign(np.einsum("ij,ij->i", edge[i], segments[j, 1] - segments[j, 0]))
    weight = np.where(distance < 1e-7 * pad, np.hypot(edge[i, 0], edge[i, 1]) * agree, 0.0)
    vote = np.bincount(owner[i], weights=weight, minlength=len(faces))
    return faces, np.where(vote >= 0, 1, -1)


def side_region(
    xy: NDArray[np.float64], frame: Polygon, sign: int, *, tangent: float, margin: float = 0.0
) -> Polygon | MultiPolygon:
    """Return the part of a box around the photo on one side of the extended line.

    Parameters
    ----------
    xy : ndarray of float, shape (K, 2)
        The line, at least two distinct points.
    frame : shapely.Polygon
        The photo's frame.
    sign : {+1, -1}
        The side: the sign of the cross product of the line's direction and the offset to it.
    tangent : float
        The line is extended along its directions over this length at each end, pixels.
    margin : float, optional
        The box reaches this far beyond the frame (at least the frame's diagonal).

    Returns
    -------
    Polygon or MultiPolygon
        That side.
    """
    faces, sides = _faces(xy, frame, tangent, margin)
    return as_polygonal(
        shapely.union_all([f for f, s in zip(faces, sides, strict=True) if s == sign])
    )


def region_sign(
    xy: NDArray[np.float64],
    region: BaseGeometry,
    frame: Polygon,
    *,
    tangent: float,
    near: float | None = None,
) -> int:
    """Return the side (+1 or -1, see :func:`side_region`) of the line holding more of a region.

    Parameters
    ----------
    xy : ndarray of float, shape (K, 2)
        The line.
    region : shapely geometry
        The pigmented region.
    frame : shapely.Polygon
        The photo's frame.
    tangent : float
        See :func:`side_region`.
    near : float, optional
        Count only the region within this distance of the line (pixels): for the region's own
        hairline, the side where the pigment lies right behind it.

    Returns
    -------
    int
        +1 or -1.
    """
    faces, sides = _faces(xy, frame, tangent, 0.0)
    if near is not None:
        region = region.intersection(LineString(xy).buffer(near))
    areas = shapely.area(shapely.intersection(faces, region))
    return 1 if float(areas[sides > 0].sum()) >= float(areas[sides < 0].sum()) else -1


def round_line(
    xy: NDArray[np.float64],
    frame: Polygon,
    sign: int,
    *,
    radius: float,
    at: NDArray[np.float64],
    tangent: float,
) -> NDArray[np.float64] | None:
    """Round a line's corners near some points to arcs of a radius.

    Within ``2 * radius`` of the points, the line's ``sign`` side is replaced by its opening and
    closing (``buffer(-r).buffer(r).buffer(r).buffer(-r)``): convex and concave corners tighter
    than the radius become arcs of it; the rest of the line stays.

    Parameters
    ----------
    xy : ndarray of float, shape (K, 2)
        The line.
    frame : shapely.Polygon
        The photo's frame.
    sign : {+1, -1}
        The side that is rounded as a shape (see :func:`side_region`).
    radius : float
        Radius of the arcs, pixels.
    at : ndarray of float, shape (N, 2)
        The points near which to round.
    tangent : float
        See :func:`side_region`.

    Returns
    -------
    ndarray of float, shape (M, 2) or None
        The new line within the frame, oriented like ``xy`` and no longer than it reaches (the
        extension of its ends is cut off again); None when it leaves the frame.
    """
    r = radius
    side = side_region(xy, frame, sign, tangent=tangent, margin=4 * r)
    opened = side.buffer(-r, quad_segs=32).buffer(r, quad_segs=32)
    smooth = opened.buffer(r, quad_segs=32).buffer(-r, quad_segs=32)
    near = shapely.union_all(shapely.buffer(shapely.points(at), 2 * r, quad_segs=16))
    soft = as_polygonal(side.difference(near).union(smooth.intersection(near)))
    largest = max(shapely.get_parts(soft), key=lambda part: part.area, default=Polygon())
    if largest.is_empty:
        return None
    lines = shapely.get_parts(as_lineal(largest.exterior.intersection(frame)))
    pieces = [g for g in lines if g.length > 0]
    if not pieces:
        return None
    longest = max(pieces, key=lambda g: g.length)
    # The side was cut by the line extended beyond its ends: keep only the stretch between the
    # points nearest its own ends (a whole head's hairline ends on the head, not at the border).
    ends = sorted(longest.project(Point(p)) for p in (xy[0], xy[-1]))
    cut = substring(longest, ends[0], ends[1]) if ends[1] > ends[0] else None
    if isinstance(cut, LineString) and len(cut.coords) >= 2:
        longest = cut
    new = np.asarray(longest.coords, dtype=np.float64)
    return new[::-1] if float(np.dot(new[-1] - new[0], xy[-1] - xy[0])) < 0 else new


def clip_region_to_line(
    analysis: Analysis, line_xy: NDArray[np.float64]
) -> tuple[Polygon | MultiPolygon, Polygon | MultiPolygon]:
    """Clip the current region to the pigmented side of a target line.

    The line is oriented like the current hairline, whose pigmented side (where the region lies
    within ``NEAR_MM`` behind it) gives the sign; without a current hairline, the side of the
    target line that holds more of the region is taken.

    Parameters
    ----------
    analysis : Analysis
        The photo's analysis.
    line_xy : ndarray of float, shape (K, 2)
        The target line, at least two distinct points.

    Returns
    -------
    region : Polygon or MultiPolygon
        The current region on the line's pigmented side.
    side : Polygon or MultiPolygon
        The whole pigmented side (within a box three times the photo's size).
    """
    frame, mm = photo_frame(analysis.shape), analysis.scale.mm_per_px
    tangent = TANGENT_MM / mm
    current = distinct_points(np.asarray(analysis.hairline_xy, dtype=np.float64).reshape(-1, 2))
    if len(current) < 2:
        sign = region_sign(line_xy, analysis.region, frame, tangent=tangent)
    else:
        if float(np.dot(line_xy[-1] - line_xy[0], current[-1] - current[0])) < 0:
            line_xy = line_xy[::-1]
        sign = region_sign(current, analysis.region, frame, tangent=tangent, near=NEAR_MM / mm)
    side = side_region(line_xy, frame, sign, tangent=tangent)
    # Snapped to a fine grid: a corner a rounding error away from the region's own (1e-15 px)
    # otherwise makes later overlays of the zones give wrong areas.
    clipped = shapely.set_precision(analysis.region.intersection(side), GRID_PX)
    return as_polygonal(clipped), side


def _read(path: Path) -> dict[str, Any]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the target file {path}: {exc}") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{Path(path).name} is not valid JSON: {exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}"
        ) from None
    if not isinstance(doc, dict):
        raise InputError(f"{Path(path).name} must hold a JSON object with 'region' or 'hairline'")
    unknown = sorted(set(doc) - set(ALLOWED_KEYS))
    if unknown:
        raise InputError(
            f"{Path(path).name} has an unknown key {unknown[0]!r}; use 'region' or 'hairline'"
        )
    if ("region" in doc) == ("hairline" in doc):
        raise InputError(
            f"{Path(path).name} needs exactly one of 'region' (a polygon) or 'hairline' (a line)"
        )
    return doc


def _outside(what: str, frame: Polygon) -> InputError:
    rows, cols = int(frame.bounds[3] + 0.5), int(frame.bounds[2] + 0.5)
    return InputError(
        f"the target {what} lies entirely outside the photo ({cols} x {rows} px); "
        "use pixel coordinates, origin top-left"
    )


def _target_polygon(xy: NDArray[np.float64], frame: Polygon) -> Polygon:
    """Check the polygon of a TARGET.json file: distinct points, an area, no crossings."""
    distinct = np.unique(xy, axis=0)
    if len(distinct) < 3:
        raise InputError(
            f"the target polygon needs at least 3 distinct points, got {len(distinct)}"
        )
    if np.linalg.matrix_rank(distinct - distinct[0]) < 2:
        raise InputError("the target polygon has zero area: its points lie on one line")
    polygon = Polygon(xy)
    if not polygon.is_valid:
        reason = explain_validity(polygon)
        raise InputError(
            f"the target polygon is self-intersecting ({reason}); draw it without crossings"
        )
    if polygon.area < 1.0:
        raise InputError("the target polygon has zero area (less than one square pixel)")
    if polygon.intersection(frame).area <= 0:
        raise _outside("polygon", frame)
    return polygon


def _target_line(xy: NDArray[np.float64], frame: Polygon) -> NDArray[np.float64]:
    xy = distinct_points(xy)
    if len(xy) < 2:
        raise InputError("the target hairline needs at least 2 distinct points")
    line = LineString(xy)
    if not line.is_simple:
        raise InputError("the target hairline crosses itself; draw it without loops")
    if not line.intersects(frame):
        raise _outside("hairline", frame)
    return xy


def _region_edge(region: BaseGeometry, analysis: Analysis) -> LineString | MultiLineString:
    """Return the region's outline inside the analysed area, a pixel from its border."""
    area = analysis.analysed_area
    inner = (photo_frame(analysis.shape) if area.is_empty else area).buffer(-1.0)
    return as_lineal(region.boundary.intersection(inner))


def load_target_file(path: str | Path, analysis: Analysis) -> Target:
    """Read a TARGET.json file into a target (format: docs/target-json.md).

    Parameters
    ----------
    path : str or Path
        The file: ``{"region": [[x, y], ...]}`` or ``{"hairline": [[x, y], ...]}``, pixels;
        optionally ``"feather_mm"``.
    analysis : Analysis
        The photo's analysis.

    Returns
    -------
    Target
        A ``custom`` target.

    Raises
    ------
    InputError
        On malformed JSON, neither or both keys, a degenerate or self-intersecting polygon, a
        self-crossing line, a shape entirely outside the photo, or a target that misses the
        pigment.
    """
    doc = _read(Path(path))
    feather = doc.get("feather_mm", DEFAULT_FEATHER_MM)
    if isinstance(feather, bool) or not isinstance(feather, int | float) or not 0 <= feather <= 10:
        raise InputError(f"feather_mm must be a number of 0..10 mm, got {feather!r}")
    frame = photo_frame(analysis.shape)
    if "region" in doc:
        polygon = _target_polygon(as_points(doc["region"], "the target 'region'"), frame)
        reach = analysis.analysed_area if not analysis.analysed_area.is_empty else frame
        region = as_polygonal(
            polygon.intersection(reach.union(analysis.region)).intersection(frame)
        )
        edge = _region_edge(region, analysis)
        note = "custom target region from TARGET.json, clipped to the photo and the scalp"
    else:
        line_xy = _target_line(as_points(doc["hairline"], "the target 'hairline'"), frame)
        region, _side = clip_region_to_line(analysis, line_xy)
        edge = as_lineal(LineString(line_xy).intersection(frame))
        note = (
            "custom hairline from TARGET.json: the current region clipped to the line's pigmented "
            "side (the side where the current region lies beyond the current hairline)"
        )
    if analysis.region.intersection(region).area <= 0:
        raise InputError(MISSES)
    return Target(
        template="custom",
        region=region,
        hairline=None,
        edge=edge,
        feather_mm=float(feather),
        notes=[note],
    )
