"""Measures of the whole-head evaluation: region overlap, hairline errors, pigment where none is.

Everything is in pixels of the analysed photo unless a name says mm or cm². The analysis is read
through its public attributes only (``region``, ``hairline_xy``, and, where the analysis has
them, ``hairline_segments``, ``brow_line_xy`` and ``head``), so this module works with every
version of :func:`scalpmap.imaging.analysis.analyse_photo`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiPolygon, Polygon, box

from scalpmap.imaging.scoring import hairline_distance_mm
from scalpmap.imaging.whole_head_crop import MIN_PERSON_SHARE

Geometry = Polygon | MultiPolygon
FACE_CLEARANCE_MM = 3.0  # pigment this close to the true region counts as the region's edge
PERSON_MARGIN_MM = 3.0  # and this close to the person's outline as the person


def region_iou(found: Geometry, truth: Geometry) -> float:
    """Intersection over union of two regions (0 when both are empty).

    Parameters
    ----------
    found, truth : Polygon or MultiPolygon
        The regions.

    Returns
    -------
    float
        IoU.
    """
    union = found.union(truth).area
    return float(found.intersection(truth).area / union) if union else 0.0


def whole_hairline_error_mm(
    found_xy: NDArray[np.float64], truth_xy: NDArray[np.float64], mm_per_px: float
) -> float:
    """Mean distance between the found and the true hairline, both ways, as ``score_analysis``.

    Parameters
    ----------
    found_xy, truth_xy : ndarray of float, shape (M, 2)
        The hairlines.
    mm_per_px : float
        Scale.

    Returns
    -------
    float
        The error in mm; infinite when either is missing.
    """
    return hairline_distance_mm(found_xy, truth_xy, mm_per_px)


def frontal_hairline_error_mm(
    found_xy: NDArray[np.float64],
    found_frontal_xy: NDArray[np.float64] | None,
    truth_frontal_xy: NDArray[np.float64],
    mm_per_px: float,
) -> float:
    """Mean frontal hairline error: the true frontal line to the found line, and back.

    One way, every pixel of the true frontal hairline is measured to the nearest point of the
    whole found hairline. The other way, the found frontal segment (or, without named segments,
    the found hairline's points that lie across the true frontal line's span) is measured to the
    true frontal line. The error is the mean of the two means.

    Parameters
    ----------
    found_xy : ndarray of float, shape (M, 2)
        The whole found hairline.
    found_frontal_xy : ndarray of float or None
        The found frontal segment, when the analysis names its segments.
    truth_frontal_xy : ndarray of float, shape (K, 2)
        The true frontal hairline.
    mm_per_px : float
        Scale.

    Returns
    -------
    float
        The error in mm; infinite when no hairline was found.
    """
    if len(truth_frontal_xy) < 2:
        return float("nan")
    if len(found_xy) < 2:
        return float("inf")
    truth = LineString(truth_frontal_xy)
    found = LineString(found_xy)
    truth_points = np.asarray(shapely.segmentize(truth, 1.0).coords)
    to_found = shapely.distance(found, shapely.points(truth_points))
    if found_frontal_xy is not None and len(found_frontal_xy) >= 2:
        back = np.asarray(shapely.segmentize(LineString(found_frontal_xy), 1.0).coords)
    else:
        samples = np.asarray(shapely.segmentize(found, 1.0).coords)
        start, end = truth_frontal_xy[0], truth_frontal_xy[-1]
        chord = end - start
        t = (samples - start) @ chord / max(float(chord @ chord), 1e-9)
        back = samples[(t >= 0) & (t <= 1)]
    to_truth = shapely.distance(truth, shapely.points(back)) if len(back) else to_found
    return float((to_found.mean() + np.mean(to_truth)) / 2) * mm_per_px


def area_cm2(geometry: Any, mm_per_px: float) -> float:
    """Area of a geometry in cm².

    Parameters
    ----------
    geometry : shapely geometry
        The area, in pixels.
    mm_per_px : float
        Scale.

    Returns
    -------
    float
        The area.
    """
    return float(geometry.area) * mm_per_px**2 / 100.0


def below_brows_zone(
    brow_points_xy: NDArray[np.float64],
    down_xy: NDArray[np.float64],
    shape: tuple[int, int],
) -> Polygon:
    """Return the face below the brow line: from the brows' upper edge down, as wide as the brows.

    The zone is a band in the face's own frame (``down`` points from the brows to the nose), so
    that photos lying on their side or upside down get the right side of the brows.

    Parameters
    ----------
    brow_points_xy : ndarray of float, shape (K, 2)
        Points of both brows (or of the brow line).
    down_xy : ndarray of float, shape (2,)
        The face's downward direction in the photo.
    shape : tuple of int
        ``(rows, cols)`` of the photo.

    Returns
    -------
    Polygon
        The zone, clipped to the photo.
    """
    down = np.asarray(down_xy, dtype=np.float64)
    down /= np.linalg.norm(down)
    across = np.array([-down[1], down[0]])
    centre = brow_points_xy.mean(axis=0)
    along = (brow_points_xy - centre) @ across
    depth = (brow_points_xy - centre) @ down
    reach = 2.0 * float(max(shape))
    corners = [
        centre + across * along.min() + down * depth.min(),
        centre + across * along.max() + down * depth.min(),
        centre + across * along.max() + down * reach,
        centre + across * along.min() + down * reach,
    ]
    return Polygon(corners).intersection(box(0, 0, shape[1], shape[0]))


def brows_from_head(head: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """Brow points and the face's downward direction from an analysis' head model.

    Parameters
    ----------
    head : HeadModel or None
        ``analysis.head``.

    Returns
    -------
    tuple or None
        ``(brow_points, down)``; None without brows or a nose to tell which way is down.
    """
    marks = getattr(head, "landmarks", None) or {}
    brows = [np.asarray(marks[k]) for k in ("left_brow", "right_brow") if k in marks]
    if not brows:
        return None
    points = np.vstack(brows)
    below = [np.asarray(marks[k]).mean(axis=0) for k in ("nose_tip", "mouth") if k in marks]
    if not below:
        return None
    down = np.mean(below, axis=0) - points.mean(axis=0)
    return (points, down) if np.linalg.norm(down) > 1 else None


def person_outline(head: Any, mm_per_px: float) -> Geometry | None:
    """Return the person (head and body) as polygons from the head model's mask, grown by a margin.

    Parameters
    ----------
    head : HeadModel or None
        ``analysis.head``.
    mm_per_px : float
        Scale (for the margin).

    Returns
    -------
    Polygon or MultiPolygon or None
        The person; None without a mask, or with one that covers less than
        ``MIN_PERSON_SHARE`` of the photo: the segmentation failed there, and the analysis itself
        does not use it (:mod:`scalpmap.imaging.whole_head_crop`).
    """
    mask = getattr(head, "person_mask", None)
    if mask is None or float(np.mean(mask)) < MIN_PERSON_SHARE:
        return None
    contours, _ = cv2.findContours(
        mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
    )
    parts = [Polygon(c[:, 0, :]).buffer(0) for c in contours if len(c) >= 3]
    person = shapely.union_all(parts).buffer(PERSON_MARGIN_MM / mm_per_px)
    return person if isinstance(person, Polygon | MultiPolygon) else None


def found_frontal(analysis: Any) -> NDArray[np.float64] | None:
    """Return the analysis' frontal hairline segment, when it names its segments.

    Parameters
    ----------
    analysis : Analysis
        The analysis.

    Returns
    -------
    ndarray of float or None
        The segment.
    """
    segments = getattr(analysis, "hairline_segments", None) or {}
    frontal = segments.get("frontal")
    return None if frontal is None else np.asarray(frontal, dtype=np.float64)


def save_overlay(
    path: Path,
    rgb: NDArray[np.uint8],
    *,
    found_region: Geometry,
    found_hairline: NDArray[np.float64],
    truth_region: Geometry | None = None,
    truth_hairline: NDArray[np.float64] | None = None,
    never: Geometry | None = None,
    width: int = 1000,
) -> None:
    """Write a picture of what was found (red) against the truth (green), never-pigment in blue.

    Parameters
    ----------
    path : Path
        The PNG to write.
    rgb : ndarray of uint8
        The photo.
    found_region, found_hairline : geometry, ndarray
        What the analysis found.
    truth_region, truth_hairline : geometry, ndarray, optional
        The truth.
    never : geometry, optional
        Where no pigment may be (drawn in blue).
    width : int, optional
        Width of the picture.
    """
    scale = width / rgb.shape[1]
    image = cv2.resize(
        cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA
    )
    layer = image.copy()
    for geometry, colour in ((never, (255, 120, 0)), (found_region, (0, 0, 255))):
        for part in getattr(geometry, "geoms", [geometry]) if geometry is not None else []:
            if isinstance(part, Polygon) and not part.is_empty:
                cv2.fillPoly(
                    layer,
                    [np.round(np.asarray(part.exterior.coords) * scale).astype(np.int32)],
                    colour,
                )
    image = cv2.addWeighted(image, 0.65, layer, 0.35, 0)
    for part in getattr(truth_region, "geoms", [truth_region]) if truth_region is not None else []:
        if isinstance(part, Polygon) and not part.is_empty:
            cv2.polylines(
                image,
                [np.round(np.asarray(part.exterior.coords) * scale).astype(np.int32)],
                True,
                (0, 220, 0),
                2,
            )
    for line, colour in ((truth_hairline, (0, 255, 0)), (found_hairline, (0, 0, 255))):
        if line is not None and len(line) >= 2:
            cv2.polylines(image, [np.round(line * scale).astype(np.int32)], False, colour, 3)
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), image)
