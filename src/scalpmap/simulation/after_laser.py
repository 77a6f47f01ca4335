"""What the scalp looks like once the laser has cleared the removal zone.

In impressions mode every impression whose centre lies in the removal zone is healed away: a disk
of ``FILL_SCALE`` times its diameter (and at least ``MIN_MARGIN_PX`` wider than it, for the
camera's blur) is replaced by a copy of nearby clean skin, colour-matched and blended over a soft
rim (see :mod:`scalpmap.simulation._heal`). Nothing else changes: pixels away from the erased
impressions keep their exact values, kept impressions next to erased ones are left alone, and
nothing is painted beyond the analysed area (a wall behind the head stays as it was).

In coverage mode (impressions too small to resolve) the removal zone is lightened back to the
skin around the pigmented region (see :mod:`scalpmap.simulation._coverage`).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree
from shapely.geometry import box

from scalpmap.imaging.analysis import Analysis
from scalpmap.imaging.scalp import WORK_SIDE_PX
from scalpmap.planning.zones import Zones, as_polygonal
from scalpmap.simulation._canvas import MAX_GROW_PX, PROTECT_PX, RIM_PX, RING_PX, make_canvas
from scalpmap.simulation._coverage import lighten_coverage
from scalpmap.simulation._hair import HAIR_REACH_PX
from scalpmap.simulation._heal import SEARCH_RINGS, heal_points
from scalpmap.simulation._patches import check_photo, inside, polygon_mask

FILL_SCALE = 1.3
MIN_MARGIN_PX = 2.0


def fill_radius_px(diameter_mm: NDArray[np.float64], mm_per_px: float) -> NDArray[np.float64]:
    """Radius of the disk healed around impressions of these diameters.

    Parameters
    ----------
    diameter_mm : ndarray of float
        Measured diameters.
    mm_per_px : float
        Scale.

    Returns
    -------
    ndarray of float
        Radii in pixels: ``FILL_SCALE`` times the impression's radius, and at least its radius
        plus ``MIN_MARGIN_PX``.

    Examples
    --------
    >>> fill_radius_px(np.array([0.1, 0.4]), 0.02).round(2).tolist()
    [4.5, 13.0]
    """
    radius = np.asarray(diameter_mm, dtype=np.float64) / 2 / mm_per_px
    return np.asarray(np.maximum(FILL_SCALE * radius, radius + MIN_MARGIN_PX), dtype=np.float64)


def paintable_mask(
    analysis: Analysis, window: tuple[int, int, int, int]
) -> NDArray[np.bool_] | None:
    """Where the healing may paint, on a window of the photo: the analysed area.

    The analysed area is traced on the scalp mask's coarse grid, so along the photo's border it
    stops up to a cell short of the frame; there the skin goes on, and the strip out to the
    frame may be painted too. Along the head's outline it does not: beyond lies the background.

    Parameters
    ----------
    analysis : Analysis
        The photo's analysis.
    window : tuple of int
        ``(x0, y0, x1, y1)``: the window's columns and rows (end excluded).

    Returns
    -------
    ndarray of bool, shape (y1 - y0, x1 - x0), or None
        The mask; None when the analysed area is unknown (paint anywhere).
    """
    area = analysis.analysed_area
    if area.is_empty:
        return None
    rows, cols = analysis.shape
    cell_px = math.ceil(max(rows, cols) / WORK_SIDE_PX) + 1.0
    frame = box(-0.5, -0.5, cols - 0.5, rows - 0.5)
    strip = frame.difference(frame.buffer(-cell_px)).intersection(area.buffer(cell_px))
    x0, y0, x1, y1 = window
    return polygon_mask(as_polygonal(area.union(strip)), (y1 - y0, x1 - x0), (x0, y0))


def simulate_after_laser(
    rgb: NDArray[np.uint8], analysis: Analysis, zones: Zones
) -> NDArray[np.uint8]:
    """Simulate the photo after the laser has removed the pigment of the removal zone.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The analysed photo.
    analysis : Analysis
        Its analysis.
    zones : Zones
        The plan's zones (:func:`scalpmap.planning.zones.compute_zones`).

    Returns
    -------
    ndarray of uint8, shape (rows, cols, 3)
        A new picture. In impressions mode only disks around the erased impressions change (a
        blending rim of ``RIM_PX`` included); in coverage mode only the removal zone and a rim of
        at most 2 px around it.

    Raises
    ------
    InputError
        When ``rgb`` is not a uint8 RGB array of the analysed photo's size.
    """
    photo = check_photo(rgb, analysis)
    removal = zones.removal.geometry
    if analysis.mode == "coverage":
        return lighten_coverage(photo, analysis, removal)
    out = photo.copy()
    found = analysis.impressions
    erase = inside(removal, found.xy)
    if not erase.any():
        return out
    mm = analysis.scale.mm_per_px
    radius_px = found.diameter_mm / 2 / mm
    fill_px = fill_radius_px(found.diameter_mm[erase], mm)
    xy = found.xy[erase]
    largest = float(fill_px.max()) + MAX_GROW_PX  # the disks may grow to cover their marks
    box_half = math.ceil(largest + RIM_PX)
    pad = math.ceil(largest + RIM_PX + max(RING_PX, HAIR_REACH_PX)) + 2
    margin = (SEARCH_RINGS + 2) * box_half + pad  # the farthest candidate and its patch
    rows, cols = analysis.shape
    x0 = max(0, math.floor(float(xy[:, 0].min())) - margin)
    y0 = max(0, math.floor(float(xy[:, 1].min())) - margin)
    x1 = min(cols, math.ceil(float(xy[:, 0].max())) + margin + 1)
    y1 = min(rows, math.ceil(float(xy[:, 1].max())) + margin + 1)
    crop = photo[y0:y1, x0:x1]
    area = analysis.analysed_area
    usable = None if area.is_empty else polygon_mask(area, crop.shape[:2], (x0, y0))
    shift = np.array([pad - x0, pad - y0], dtype=np.float64)
    on_crop = (found.xy[:, 0] >= x0 - pad) & (found.xy[:, 0] < x1 + pad)
    on_crop &= (found.xy[:, 1] >= y0 - pad) & (found.xy[:, 1] < y1 + pad)
    near = np.zeros(found.count, dtype=bool)  # kept impressions a healed disk may reach
    reach = largest + RIM_PX + float(radius_px.max()) + PROTECT_PX + 1.0
    distance, _ = cKDTree(xy).query(found.xy[~erase], k=1, distance_upper_bound=reach)
    near[~erase] = np.isfinite(distance)
    marks = (found.xy[on_crop] + shift, radius_px[on_crop], near[on_crop])
    paint = paintable_mask(analysis, (x0, y0, x1, y1))
    canvas = make_canvas(crop, mm, usable, pad, marks, paint=paint)
    heal_points(canvas, xy[:, 0] + shift[0], xy[:, 1] + shift[1], fill_px)
    out[y0:y1, x0:x1] = canvas.image[pad:-pad, pad:-pad]
    return out
