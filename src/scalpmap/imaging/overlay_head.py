"""Overlay parts for whole-head photos: what was left out (hatched) and the face's landmarks."""

from __future__ import annotations

import cv2
import numpy as np
import shapely.affinity
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.imaging.analysis_result import Analysis

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
    bx0, by0, bx1, by1 = analysis.excluded_area.bounds
    x0, y0 = max(0, int(bx0 * scale) - 1), max(0, int(by0 * scale) - 1)
    x1, y1 = min(w, int(bx1 * scale) + 2), min(h, int(by1 * scale) + 2)
    if x1 <= x0 or y1 <= y0:
        return
    shifted = shapely.affinity.translate(analysis.excluded_area, -x0 / scale, -y0 / scale)
    mask = area_mask(shifted, (x1 - x0, y1 - y0), scale)
    if not mask.any():
        return
    window = bgr[y0:y1, x0:x1]
    grey = np.empty_like(window)
    grey[:] = EXCLUDED_BGR
    dimmed = cv2.addWeighted(window, 1 - EXCLUDED_DIM, grey, EXCLUDED_DIM, 0.0)
    # Diagonal hatching from one tile of the pattern, repeated over the window.
    tile_y, tile_x = np.mgrid[0:HATCH_SPACING, 0:HATCH_SPACING]
    tile = ((tile_y + tile_x) % HATCH_SPACING) < max(1, HATCH_SPACING // 7)
    reps = (-(-(y1 - y0) // HATCH_SPACING), -(-(x1 - x0) // HATCH_SPACING))
    shift = (y0 + x0) % HATCH_SPACING  # the pattern stays put when the window moves
    hatch = np.roll(np.tile(tile, reps), -shift, axis=1)[: y1 - y0, : x1 - x0]
    dimmed[hatch] = HATCH_BGR
    np.copyto(window, dimmed, where=mask[..., None])


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
