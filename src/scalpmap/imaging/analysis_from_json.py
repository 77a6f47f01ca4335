"""Rebuild an :class:`Analysis` from its analysis.json document (docs/analysis-json.md).

The web app keeps each analysis as its analysis.json document; the hairline designer and the
planner need the :class:`Analysis` back without analysing the photo again.
:func:`analysis_from_json` validates the document against the shipped schema and rebuilds every
field the document holds, at the document's rounding (0.01 px, 0.001 mm).

Each impression's colour (``Impressions.contrast_rgb``, kept to 0.0001) is restored, so a plan
made on the rebuilt analysis judges the same colour cast as one made on the photo's analysis
(the web app's plans and the command line's agree). Documents written before the colour was
kept give zeros: the assessment's colour-cast measure then finds no coloured impressions and
says it was not measured, and the touch-up simulation draws its new dots in a neutral tone.

What the document does not hold, and what that affects:

- ``Analysis.pigment_field`` is None: the overlay (:mod:`scalpmap.imaging.overlay`) then shows
  no pigment-field shading in coverage mode.
- ``Scale.marker_corners_xy`` is empty when the scale was given (the document records the marker
  only when the scale was measured from it), so the overlay then draws no marker outline.
- ``analysed_area`` has no holes in documents written before its holes were (the marker on
  the scalp then counts as analysed).
- ``Analysis.head`` has no ``person_mask`` (an image, not written); documents written before the
  head model existed give ``head`` None, no hairline segments, patches or excluded area.
- ``Analysis.dot_scale`` keeps the document's rounding (0.01 px); documents written before the
  impressions' size was measured give None.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, cast, get_args

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.errors import InputError
from scalpmap.imaging.analysis_json import analysis_to_json, validate_analysis_json
from scalpmap.imaging.analysis_result import Analysis, InkTone
from scalpmap.imaging.detect import Impressions
from scalpmap.imaging.dot_scale import DotScale, Mode
from scalpmap.imaging.face_exclusion import BrowLineSource
from scalpmap.imaging.head import HeadModel, HeadView
from scalpmap.imaging.pigment_field import DensityGrid
from scalpmap.imaging.scale import Scale

__all__ = ["analysis_from_json", "stored_analysis"]

_NO_COLOUR = (0.0, 0.0, 0.0)


def _points(value: Sequence[Any], columns: int = 2) -> NDArray[np.float64]:
    """Return a list of points as a float array of shape (K, columns)."""
    return np.asarray(value, dtype=np.float64).reshape(-1, columns)


def _polygonal(geometry: Any) -> Polygon | MultiPolygon:
    """Return the areal part of a geometry (a repaired polygon may gain slivers of lines)."""
    if isinstance(geometry, Polygon | MultiPolygon):
        return geometry
    parts = [g for g in shapely.get_parts(geometry) if isinstance(g, Polygon) and not g.is_empty]
    if not parts:
        return Polygon()
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _valid(geometry: Polygon | MultiPolygon) -> Polygon | MultiPolygon:
    """Repair a geometry that rounding to 0.01 px made invalid (e.g. touching rings)."""
    if geometry.is_valid:
        return geometry
    return _polygonal(shapely.make_valid(geometry))


def rings_to_geometry(
    outer: Sequence[Sequence[Sequence[float]]], holes: Sequence[Sequence[Sequence[float]]] = ()
) -> Polygon | MultiPolygon:
    """Rebuild a (multi)polygon from outer rings and the holes of all parts together.

    Each hole goes to the outer ring that contains it (the smallest, should rings nest).

    Parameters
    ----------
    outer : sequence of rings
        Outer rings of ``[x, y]`` points, one per part.
    holes : sequence of rings, optional
        Inner rings; each lies inside exactly one of the outer rings.

    Returns
    -------
    Polygon or MultiPolygon
        The geometry; an empty Polygon without outer rings.

    Raises
    ------
    InputError
        When a hole lies inside none of the outer rings.

    Examples
    --------
    >>> square = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
    >>> hole = [[2, 2], [4, 2], [4, 4], [2, 4], [2, 2]]
    >>> rings_to_geometry([square], [hole]).area
    96.0
    """
    shells = [Polygon(_points(ring)) for ring in outer]
    if not shells:
        return Polygon()
    inner: list[list[NDArray[np.float64]]] = [[] for _ in shells]
    areas = np.array([shell.area for shell in shells])
    for ring in holes:
        xy = _points(ring)
        probe = Polygon(xy).representative_point()
        owners = [k for k, shell in enumerate(shells) if shell.contains(probe)]
        if not owners:
            raise InputError("analysis.json: a region hole lies outside every region polygon")
        inner[min(owners, key=lambda k: areas[k])].append(xy)
    parts = [
        _valid(Polygon(np.asarray(shell.exterior.coords), rings))
        for shell, rings in zip(shells, inner, strict=True)
    ]
    polygons = [p for part in parts for p in shapely.get_parts(part) if not p.is_empty]
    if not polygons:
        return Polygon()
    if len(polygons) == 1:
        return cast(Polygon, polygons[0])
    return _valid(MultiPolygon(polygons))


def _scale(doc: Mapping[str, Any]) -> Scale:
    marker = doc["marker"]
    if marker is None:
        uncertainty = doc.get("uncertainty_percent")
        iris = doc.get("iris_diameter_px")
        return Scale(
            mm_per_px=float(doc["mm_per_px"]),
            source=doc["source"],
            uncertainty_percent=None if uncertainty is None else float(uncertainty),
            iris_diameter_px=None if iris is None else float(iris),
        )
    corners = _points(marker["corners"])
    residual = marker["residual_px"]
    return Scale(
        mm_per_px=float(doc["mm_per_px"]),
        source=doc["source"],
        marker_id=int(marker["id"]),
        marker_side_mm=float(marker["side_mm"]),
        residual_px=None if residual is None else float(residual),
        marker_corners_xy=corners,
    )


def _impressions(items: Sequence[Mapping[str, Any]], rejected: Mapping[str, int]) -> Impressions:
    n = len(items)
    xy = _points([(item["x"], item["y"]) for item in items])
    diameter = np.array([item["diameter_mm"] for item in items], dtype=np.float64)
    darkness = np.array([item["darkness"] for item in items], dtype=np.float64)
    # Documents written before the colour was kept have none: zeros (see the module's docstring).
    contrast = np.array(
        [item.get("contrast_rgb", _NO_COLOUR) for item in items], dtype=np.float64
    ).reshape(n, 3)
    return Impressions(
        xy, diameter, darkness, contrast, {str(k): int(v) for k, v in rejected.items()}
    )


def _density(doc: Mapping[str, Any]) -> DensityGrid:
    rows = doc["grid_per_cm2"]
    widths = {len(row) for row in rows}
    if len(widths) > 1:
        raise InputError("analysis.json: the density grid's rows differ in length")
    grid = np.array(
        [[np.nan if v is None else float(v) for v in row] for row in rows], dtype=np.float64
    ).reshape(len(rows), widths.pop() if widths else 0)
    return DensityGrid(cell_mm=float(doc["cell_mm"]), cell_px=float(doc["cell_px"]), per_cm2=grid)


def stored_analysis(analysis: Analysis) -> Analysis:
    """Return the analysis as its analysis.json stores it (what the web app plans from).

    The command line plans from this too, so that a plan of a photo has the same figures
    whether it was made by ``scalpmap plan`` or in the web app from the stored analysis: the
    document's rounding (0.01 px, 0.001 mm) applied to both. Nothing planning reads is lost
    (see the module's docstring).

    Parameters
    ----------
    analysis : Analysis
        A photo's analysis.

    Returns
    -------
    Analysis
        ``analysis_from_json(analysis_to_json(analysis))``, without validating the document
        just written.
    """
    return analysis_from_json(analysis_to_json(analysis), validate=False)


def analysis_from_json(document: Mapping[str, Any], *, validate: bool = True) -> Analysis:
    """Rebuild an analysis from its analysis.json document.

    Parameters
    ----------
    document : mapping
        A ``scalpmap-analysis/1`` document, as written by
        :func:`scalpmap.imaging.analysis_json.analysis_to_json`.
    validate : bool, optional
        Check it against the schema first (a second or two for a whole head); only a document
        this process just wrote may skip it.

    Returns
    -------
    Analysis
        The analysis, at the document's rounding; ``pigment_field`` is None (see the module's
        docstring for what that affects).

    Raises
    ------
    InputError
        When the document does not conform to the analysis.json schema, or its geometry is
        inconsistent (a hole outside every polygon, ragged density rows); one line.
    """
    if not isinstance(document, Mapping):
        raise InputError("analysis.json must be a JSON object")
    doc = dict(document)
    if validate:
        _check(doc)
    mode = cast(Mode, doc["mode"])
    tone = cast(InkTone, doc["summary"]["ink_tone"])
    assert mode in get_args(Mode) and tone in get_args(InkTone)  # checked by the schema
    region = rings_to_geometry(doc["region"]["polygons"], doc["region"]["holes"])
    excluded = doc.get("excluded_area") or {}
    return Analysis(
        shape=(int(doc["photo"]["height"]), int(doc["photo"]["width"])),
        scale=_scale(doc["scale"]),
        mode=mode,
        mode_reason=str(doc["mode_reason"]),
        impressions=_impressions(doc["impressions"], doc["rejected"]),
        region=region,
        hairline_xy=_points(doc["hairline"]["points"]),
        density=_density(doc["density"]),
        coverage_percent=float(doc["coverage"]["mean_percent"]),
        analysed_area=rings_to_geometry(
            doc["analysed_area"]["polygons"], doc["analysed_area"].get("holes", [])
        ),
        ink_tone=tone,
        pigment_field=None,
        head=_head(doc.get("head")),
        hairline_segments={
            name: _points(points) for name, points in doc["hairline"].get("segments", {}).items()
        },
        patches=tuple(_polygon(patch["polygon"]) for patch in doc["region"].get("patches", [])),
        excluded_area=rings_to_geometry(excluded.get("polygons", []), excluded.get("holes", [])),
        brow_line_xy=_points(excluded.get("brow_line", [])),
        brow_line_source=cast(BrowLineSource, excluded.get("brow_line_source", "none")),
        warnings=tuple(str(w) for w in doc.get("warnings", [])),
        dot_scale=_dot_scale(doc.get("impression_size"), float(doc["scale"]["mm_per_px"])),
    )


def _dot_scale(doc: Mapping[str, Any] | None, mm_per_px: float) -> DotScale | None:
    """Rebuild the impressions' measured size (None in documents written before it existed)."""
    if doc is None:
        return None
    return DotScale(
        typical_diameter_px=doc["typical_diameter_px"],
        mm_per_px=mm_per_px,
        measured=int(doc["measured"]),
        resolved_percent=doc["resolved_percent"],
        footprint_diameter_px=doc["footprint_diameter_px"],
        blur_sigma_px=doc["blur_sigma_px"],
    )


def _polygon(ring: Sequence[Sequence[float]]) -> Polygon:
    """Rebuild one outer ring as a valid polygon (its largest part if rounding split it)."""
    geometry = _valid(Polygon(_points(ring)))
    parts = [p for p in shapely.get_parts(geometry) if isinstance(p, Polygon)]
    return max(parts, key=lambda p: p.area) if parts else Polygon()


def _head(doc: Mapping[str, Any] | None) -> HeadModel | None:
    """Rebuild the head model as written (without the person's mask, which is not written)."""
    if doc is None:
        return None
    box = doc["face_box"]
    return HeadModel(
        view=cast(HeadView, doc["view"]),
        yaw_deg=doc["yaw_deg"],
        roll_deg=doc.get("roll_deg"),
        rotation_deg=int(doc.get("rotation_deg", 0)),
        face_box=None
        if box is None
        else (float(box[0]), float(box[1]), float(box[2]), float(box[3])),
        landmarks={str(k): _points(v) for k, v in doc["landmarks"].items()},
        iris_diameter_px=doc.get("iris_diameter_px"),
        iris_diameters_px=tuple(float(d) for d in doc.get("iris_diameters_px", [])),
        person_mask=None,
        faces_found=int(doc.get("faces_found", 0)),
        source=str(doc["source"]),
        notes=tuple(str(n) for n in doc["notes"]),
    )


def _check(doc: dict[str, Any]) -> None:
    """Refuse a document that is not finite JSON or does not conform to the schema (one line)."""
    try:
        # Python's json reads NaN and Infinity, which the schema's bounds do not catch.
        json.dumps(doc, allow_nan=False)
    except (TypeError, ValueError):
        raise InputError("analysis.json holds a value that is not a finite JSON number") from None
    from jsonschema import ValidationError  # 0.04-0.1 s to import: only when a stored one is read

    try:
        validate_analysis_json(doc)
    except ValidationError as error:
        where = "/".join(str(p) for p in error.absolute_path) or "the document"
        message = " ".join(error.message.split())
        if len(message) > 200:
            message = message[:197] + "..."
        raise InputError(f"not a valid analysis.json at {where}: {message}") from None
