"""Overlay parts for whole-head photos: what was left out (hatched) and the face's landmarks."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.imaging.analysis import Analysis

EXCLUDED_BGR = (128, 128, 128)
HATCH_BGR = (200, 200, 200)
LANDMARK_BGR = (0, 255, 255)
BROW_LINE_BGR = (255, 0, 255)
EXCLUDED_DIM = 0.45
HATCH_SPACING = 14


def area_mask(
    geometry: Polygon | MultiPolygon, size: tuple[int, int], scale: float
) -> NDArray[np.bool_]:
    """Fill a geometry (photo pixels) on a picture of ``size`` (width, height) at ``scale``.

    Parameters
    ----------
    geometry : Polygon or MultiPolygon
        The area.
    size : tuple of int
        The picture's ``(width, height)``.
    scale : float
        Picture pixels per photo pixel.

    Returns
    -------
    ndarray of bool, shape (height, width)
        True inside the area.
    """
    mask = np.zeros((size[1], size[0]), np.uint8)
    for part in getattr(geometry, "geoms", [geometry]):
        if part.is_empty:
            continue
        rings = [np.asarray(r.coords) for r in (part.exterior, *part.interiors)]
        pts = [np.round(r * scale * 16).astype(np.int32).reshape(-1, 1, 2) for r in rings]
        cv2.fillPoly(mask, pts[:1], 1, cv2.LINE_8, 4)
        if len(pts) > 1:
            cv2.fillPoly(mask, pts[1:], 0, cv2.LINE_8, 4)
    return mask.astype(bool)


def draw_excluded(bgr: NDArray[np.uint8], analysis: Analysis, scale: float) -> None:
    """Dim and hatch the part of the head left out (below the brow line), in place.

    Parameters
    ----------
    bgr : ndarray of uint8, shape (h, w, 3)
        The picture.
    analysis : Analysis
        The analysis.
    scale : float
        Picture pixels per photo pixel.
    """
    if analysis.excluded_area.is_empty:
        return
    h, w = bgr.shape[:2]
    mask = area_mask(analysis.excluded_area, (w, h), scale)
    if not mask.any():
        return
    rows, cols = np.nonzero(mask)
    grey = np.asarray(EXCLUDED_BGR, dtype=np.float32)
    pixels = bgr[rows, cols].astype(np.float32)
    bgr[rows, cols] = (pixels * (1 - EXCLUDED_DIM) + grey * EXCLUDED_DIM).astype(np.uint8)
    hatch = ((rows + cols) % HATCH_SPACING) < max(1, HATCH_SPACING // 7)
    bgr[rows[hatch], cols[hatch]] = HATCH_BGR


def draw_landmarks(
    bgr: NDArray[np.uint8], analysis: Analysis, scale: float, thickness: int
) -> None:
    """Draw the face's landmarks as dots and the brow line as a thin line, in place.

    Parameters
    ----------
    bgr : ndarray of uint8, shape (h, w, 3)
        The picture.
    analysis : Analysis
        The analysis.
    scale : float
        Picture pixels per photo pixel.
    thickness : int
        Line thickness in picture pixels.
    """
    if len(analysis.brow_line_xy) == 2:
        ends = np.round(analysis.brow_line_xy * scale * 16).astype(np.int32)
        cv2.line(bgr, tuple(ends[0]), tuple(ends[1]), BROW_LINE_BGR, thickness, cv2.LINE_AA, 4)
    head = analysis.head
    if head is None:
        return
    radius = max(2, thickness + 1)
    for points in head.landmarks.values():
        for x, y in np.asarray(points, dtype=np.float64).reshape(-1, 2):
            centre = (round(x * scale * 16), round(y * scale * 16))
            cv2.circle(bgr, centre, radius * 16, LANDMARK_BGR, -1, cv2.LINE_AA, 4)
