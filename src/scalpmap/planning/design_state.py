"""The hairline designer's state: start a design from a template, update it as points move.

A :class:`Design` is an analysis prepared once (the pigmented side of the current hairline, a
prepared region); :func:`start_design` returns the designer's state as JSON for a template, and
:func:`update_design` recomputes the removal, keep and touch-up zones for an edited
:class:`HairlineModel` (well under 300 ms on a 12-megapixel photo, see the ``designer-speed``
section of docs/benchmarks.md). The target is the current region clipped to the pigmented side of
the new line, exactly as :func:`~scalpmap.planning.designer.target_from_hairline` makes it.
Storage, caching and saving live in :mod:`scalpmap.services.plan_design`.

Facial landmarks: a :class:`Design` keeps the glabella and lateral canthi the head model found in
the photo (``Analysis.head``); the state carries the landmarks in use (each ``detected``, or
``given`` when the practitioner moved it) and the guide lines of the published rules
(:mod:`scalpmap.planning.landmark_edits`). On a whole head the state also carries the scalp area
the target line is clipped to (:mod:`scalpmap.planning.scalp_area`), so that no line is drawn
across the background.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.errors import GEOSException
from shapely.geometry import LineString, MultiPolygon, Polygon

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import Analysis
from scalpmap.planning.designer import target_from_hairline
from scalpmap.planning.face_landmarks import (
    Point,
    detected_landmarks,
    guide_lines,
    landmarks_json,
)
from scalpmap.planning.geometry import as_polygonal, photo_frame
from scalpmap.planning.hairline import HAIRLINE_FORMAT, HairlineModel, distinct_points
from scalpmap.planning.landmark_edits import (
    check_given_landmarks,
    design_guides,
    design_landmarks,
)
from scalpmap.planning.landmarks import Landmarks
from scalpmap.planning.scalp_area import OFF_SCALP, line_area, scalp_edge
from scalpmap.planning.target_file import NEAR_MM, TANGENT_MM, region_sign, side_region
from scalpmap.planning.templates import TemplateName, make_target
from scalpmap.planning.zones import Target, Zones, compute_zones

__all__ = [
    "Design",
    "check_given_landmarks",
    "design_guides",
    "design_landmarks",
    "edited_hairline",
    "prepare_design",
    "start_design",
    "update_design",
]

DRAW_TOLERANCE_MM = 0.5  # zone outlines and lines are simplified this much for drawing
MAX_CONTROL_POINTS = 500


@dataclass(frozen=True, eq=False)
class Design:
    """An analysis prepared for the designer (see :func:`prepare_design`).

    Attributes
    ----------
    analysis : Analysis
        The photo's analysis.
    analysis_id, case_id, photo_sha256 : int, int, str or None
        The stored analysis, its photo's case and the photo in the PhotoStore, if stored.
    current : ndarray of float, shape (K, 2)
        The current hairline without repeated points.
    sign : int
        Its pigmented side (+1 or -1, see :func:`~scalpmap.planning.target_file.side_region`);
        0 without a current hairline.
    detected : dict of str to tuple of float
        The landmarks found by the head model (``glabella``, ``left_canthus``,
        ``right_canthus``, as seen in the photo); empty without a face.
    line_area : Polygon or MultiPolygon or None
        Where a target line may run (:func:`~scalpmap.planning.scalp_area.line_area`: the head's
        scalp on a whole head, the photo on a close-up); None until prepared.
    """

    analysis: Analysis
    analysis_id: int | None = None
    case_id: int | None = None
    photo_sha256: str | None = None
    current: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 2)))
    sign: int = 0
    detected: Mapping[str, Point] = field(default_factory=dict)
    line_area: Polygon | MultiPolygon | None = None


def prepare_design(
    analysis: Analysis,
    *,
    analysis_id: int | None = None,
    case_id: int | None = None,
    photo_sha256: str | None = None,
) -> Design:
    """Precompute what every update of a design needs.

    Parameters
    ----------
    analysis : Analysis
        The photo's analysis.
    analysis_id, case_id, photo_sha256 : int, int, str, optional
        The stored analysis, its photo's case and the photo in the PhotoStore.

    Returns
    -------
    Design
        The prepared design.
    """
    mm = analysis.scale.mm_per_px
    current = distinct_points(np.asarray(analysis.hairline_xy, dtype=np.float64).reshape(-1, 2))
    sign = 0
    if len(current) >= 2 and not analysis.region.is_empty:
        frame = photo_frame(analysis.shape)
        near = NEAR_MM / mm
        sign = region_sign(current, analysis.region, frame, tangent=TANGENT_MM / mm, near=near)
    # Prepare the region (and build GEOS's lazy point index) now: the impression counts of
    # every update query it, possibly from several threads at once.
    shapely.prepare(analysis.region)
    shapely.contains_xy(analysis.region, 0.0, 0.0)
    detected, _reason = detected_landmarks(analysis.head)
    area = line_area(analysis)
    shapely.prepare(area)
    return Design(analysis, analysis_id, case_id, photo_sha256, current, sign, detected, area)


def _as_design(design: Design | Analysis) -> Design:
    return design if isinstance(design, Design) else prepare_design(design)


def _rounded(xy: Any) -> list[list[float]]:
    return cast(list[list[float]], np.round(np.asarray(xy, dtype=np.float64), 1).tolist())


def _drawn(geometry: Any, tolerance: float) -> list[list[list[list[float]]]]:
    """Polygons simplified for drawing: lists of rings (exterior first) of ``[x, y]``."""
    simple = shapely.simplify(geometry, tolerance, preserve_topology=True)
    return [
        [_rounded(ring.coords) for ring in (p.exterior, *p.interiors)]
        for p in shapely.get_parts(as_polygonal(simple))
        if isinstance(p, Polygon) and not p.is_empty
    ]


def _state(
    design: Design, target: Target, zones: Zones, landmarks: Landmarks | None
) -> dict[str, Any]:
    """Return the designer's state as JSON."""
    mm = design.analysis.scale.mm_per_px
    tol = DRAW_TOLERANCE_MM / mm
    lines = shapely.get_parts(shapely.simplify(target.edge, tol))
    current = LineString(design.current) if len(design.current) >= 2 else LineString()
    desired = zones.desired_density_per_cm2
    scale = design.analysis.scale
    return {
        "template": target.template,
        "mm_per_px": round(mm, 6),
        "scale": {
            "source": scale.source,
            "uncertainty_percent": scale.uncertainty_percent,
        },
        "photo": {"width": design.analysis.shape[1], "height": design.analysis.shape[0]},
        "current_hairline": _rounded(shapely.simplify(current, tol).coords),
        "hairline": None if target.hairline is None else target.hairline.to_json(mm),
        "target_lines": [_rounded(line.coords) for line in lines if not line.is_empty],
        "zones": {
            zone.name: {
                "area_cm2": round(zone.area_cm2, 4),
                "impressions": zone.impressions,
                "impressions_to_add": zone.impressions_to_add,
                "polygons": _drawn(zone.geometry, tol),
            }
            for zone in (zones.removal, zones.touch_up, zones.keep)
        },
        "desired_density_per_cm2": None if desired is None else round(desired, 3),
        "notes": [*target.notes, *zones.notes],
        "landmarks": landmarks_json(landmarks),
        "guides": None if landmarks is None else guide_lines(landmarks, mm, design.analysis.shape),
        "scalp_area": _scalp_area(design, tol),
    }


def _scalp_area(design: Design, tolerance: float) -> list[list[list[list[float]]]] | None:
    """Return the area a whole head's target line is clipped to (drawn); None on close-ups."""
    if design.analysis.head is None:
        return None
    area = design.line_area if design.line_area is not None else line_area(design.analysis)
    return _drawn(area, tolerance)


def start_design(
    analysis: Design | Analysis,
    template: TemplateName,
    *,
    age: int | None = None,
    landmarks: Landmarks | None = None,
    feather_mm: float = 1.5,
    corner_radius_mm: float = 10.0,
) -> dict[str, Any]:
    """Start a design from a template (with the detected landmarks unless others are given).

    Parameters
    ----------
    analysis : Design or Analysis
        The photo's design (from :class:`DesignCache`), or its analysis (prepared each call).
    template : {"keep", "soften", "mature", "remove-all"}
        The template.
    age : int, optional
        The patient's age (``mature`` needs it unless landmarks are given).
    landmarks : Landmarks, optional
        Facial landmarks (see :func:`design_landmarks`); the detected ones when omitted.
    feather_mm, corner_radius_mm : float, optional
        See :func:`~scalpmap.planning.templates.make_target`.

    Returns
    -------
    dict
        ``template``, ``mm_per_px``, ``scale`` (its ``source``: ``marker``, ``given`` or
        ``iris``, and ``uncertainty_percent`` of an iris estimate, else None), ``photo`` (width,
        height), ``current_hairline`` (points),
        ``hairline`` (the model's control points per segment, :meth:`HairlineModel.to_json`;
        None for ``remove-all``), ``target_lines`` (the smoothed new line, clipped to the
        photo), ``zones`` (``removal``, ``touch_up``, ``keep``: ``area_cm2``, ``impressions``,
        ``impressions_to_add`` and ``polygons`` simplified by ``DRAW_TOLERANCE_MM``, in pixels),
        ``desired_density_per_cm2``, ``notes``, ``landmarks`` (``glabella``,
        ``left_canthus``, ``right_canthus`` as ``[x, y]`` and their ``sources``; None without)
        and ``guides`` (:func:`~scalpmap.planning.face_landmarks.guide_lines`; None without
        landmarks).

    Raises
    ------
    InputError
        When the template cannot be applied.
    """
    design = _as_design(analysis)
    if landmarks is None:
        landmarks = design_landmarks(design)
    target = make_target(
        design.analysis,
        template,
        age=age,
        landmarks=landmarks,
        feather_mm=feather_mm,
        corner_radius_mm=corner_radius_mm,
    )
    return _state(design, target, compute_zones(design.analysis, target), landmarks)


def edited_hairline(analysis: Analysis, document: Any) -> HairlineModel:
    """Check an edited model: well formed, 2..MAX_CONTROL_POINTS points, none far off the photo."""
    if not isinstance(document, Mapping):
        raise InputError("the hairline must be a JSON object with 'segments'")
    if document.get("format", HAIRLINE_FORMAT) != HAIRLINE_FORMAT:
        raise InputError(f"the hairline's format must be {HAIRLINE_FORMAT!r}")
    model = HairlineModel.from_json(document)
    points = model.control_points()
    if len(points) > MAX_CONTROL_POINTS:
        raise InputError(f"a hairline may have at most {MAX_CONTROL_POINTS} control points")
    rows, cols = analysis.shape
    margin = max(rows, cols)
    far = (points < -margin).any(axis=1) | (points > np.array([cols, rows]) + margin).any(axis=1)
    if far.any():
        x, y = points[np.argmax(far)]
        raise InputError(f"control point ({x:.0f}, {y:.0f}) lies far outside the photo")
    return model


def _target(design: Design, model: HairlineModel) -> Target:
    """:func:`target_from_hairline`, with the current hairline's side computed once."""
    analysis = design.analysis
    if design.sign == 0:
        return target_from_hairline(analysis, model)
    mm, frame = analysis.scale.mm_per_px, photo_frame(analysis.shape)
    line = model.polyline(mm)
    edge = scalp_edge(analysis, line, design.line_area)
    if edge.is_empty:
        raise InputError(OFF_SCALP)
    if float(np.dot(line[-1] - line[0], design.current[-1] - design.current[0])) < 0:
        line = line[::-1]
    side = side_region(line, frame, design.sign, tangent=TANGENT_MM / mm)
    region = as_polygonal(analysis.region.intersection(side))
    notes = ["target region: the current region clipped to the new line's pigmented side"]
    if region.is_empty:
        notes.append("the new line leaves no pigment in the photo: all of it is removal")
    return Target("custom", region, model, edge, model.feather_mm, notes)


def update_design(
    analysis: Design | Analysis, hairline_json: Any, *, landmarks: Landmarks | None = None
) -> dict[str, Any]:
    """Recompute the zones for a hairline the practitioner edited.

    Parameters
    ----------
    analysis : Design or Analysis
        The photo's design (from :class:`DesignCache`; fast), or its analysis.
    hairline_json : dict
        The edited model (:meth:`HairlineModel.to_json`; the pixel points are used).
    landmarks : Landmarks, optional
        The landmarks to show; the detected ones when omitted.

    Returns
    -------
    dict
        The state, as :func:`start_design` returns it, with template ``custom``.

    Raises
    ------
    InputError
        When the model is malformed: fewer than 2 or more than ``MAX_CONTROL_POINTS`` points,
        one not finite or more than the photo's size off it; or the line misses the photo.
    """
    design = _as_design(analysis)
    model = edited_hairline(design.analysis, hairline_json)
    try:
        target = _target(design, model)
    except (ValueError, GEOSException) as error:
        raise InputError(f"the hairline cannot be drawn: {error}".splitlines()[0]) from None
    if landmarks is None:
        landmarks = design_landmarks(design)
    return _state(design, target, compute_zones(design.analysis, target), landmarks)
