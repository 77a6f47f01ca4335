"""Outlines of the whole-head analysis: masks to polygons and back, moving them, dropping slivers.

The whole-head analysis (:mod:`scalpmap.imaging.whole_head`) works on a crop of the photo at a
coarse working resolution; these helpers turn its masks into polygons in photo pixels and put
its field back on a grid over the whole photo.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import shapely
import shapely.affinity
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.imaging import region as region_mod


def mask_polygon(mask: NDArray[np.bool_], px_per_cell: float) -> Polygon | MultiPolygon:
    """Outline a coarse mask (with its holes) as polygons in pixels."""
    contours, hierarchy = cv2.findContours(
        mask.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE
    )
    if hierarchy is None or len(contours) == 0:
        return Polygon()
    shells: list[Polygon] = []
    holes: list[Polygon] = []
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0], strict=True):
        if len(contour) < 3:
            continue
        ring = Polygon((contour[:, 0, :].astype(np.float64) + 0.5) * px_per_cell - 0.5).buffer(0)
        (holes if parent >= 0 else shells).append(ring)
    union = shapely.union_all(shells) if shells else Polygon()
    if holes:
        union = union.difference(shapely.union_all(holes))
    parts = [
        p for p in getattr(union, "geoms", [union]) if isinstance(p, Polygon) and not p.is_empty
    ]
    if not parts:
        return Polygon()
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def translate(geometry: Polygon | MultiPolygon, dx: float, dy: float) -> Polygon | MultiPolygon:
    """Move a region by ``(dx, dy)`` pixels (an empty one stays empty)."""
    if geometry.is_empty or (dx == 0 and dy == 0):
        return geometry
    moved = shapely.affinity.translate(geometry, dx, dy)
    return moved if isinstance(moved, Polygon | MultiPolygon) else Polygon()


def drop_small_parts(region: Polygon | MultiPolygon, min_area_px: float) -> Polygon | MultiPolygon:
    """Drop parts and holes smaller than ``min_area_px`` (slivers left by joining the parts)."""
    parts = []
    for part in getattr(region, "geoms", [region]):
        if not isinstance(part, Polygon) or part.area < min_area_px:
            continue
        holes = [h for h in part.interiors if Polygon(h).area >= min_area_px]
        parts.append(Polygon(part.exterior, holes).buffer(0))
    kept = [
        p
        for q in parts
        for p in getattr(q, "geoms", [q])
        if isinstance(p, Polygon) and not p.is_empty
    ]
    if not kept:
        return Polygon()
    return kept[0] if len(kept) == 1 else MultiPolygon(kept)


def on_grid(region: Polygon | MultiPolygon, grid_px: float) -> Polygon | MultiPolygon:
    """Snap a region's outline to a grid, dropping the vertices it folds together.

    Parameters
    ----------
    region : Polygon or MultiPolygon
        The region.
    grid_px : float
        The grid's step, in pixels.

    Returns
    -------
    Polygon or MultiPolygon
        The region on the grid, valid there (its parts thinner than the grid are gone).
    """
    snapped = shapely.set_precision(region, grid_px)
    parts = [p for p in shapely.get_parts(snapped) if isinstance(p, Polygon) and not p.is_empty]
    if not parts:
        return Polygon()
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def translate_polygon(polygon: Polygon, dx: float, dy: float) -> Polygon:
    """Move one polygon by ``(dx, dy)`` pixels."""
    moved = shapely.affinity.translate(polygon, dx, dy)
    return moved if isinstance(moved, Polygon) else Polygon()


def full_field(
    values: NDArray[np.float64], px_per_cell: float, origin: tuple[int, int], shape: tuple[int, int]
) -> region_mod.PigmentField:
    """Place the crop's field on a grid over the whole photo (NaN outside the crop)."""
    rows, cols = shape
    full = np.full((int(math.ceil(rows / px_per_cell)), int(math.ceil(cols / px_per_cell))), np.nan)
    i0, j0 = int(round(origin[1] / px_per_cell)), int(round(origin[0] / px_per_cell))
    r = min(values.shape[0], full.shape[0] - i0)
    c = min(values.shape[1], full.shape[1] - j0)
    if r > 0 and c > 0:
        full[i0 : i0 + r, j0 : j0 + c] = values[:r, :c]
    return region_mod.PigmentField(values=full, cell_px=px_per_cell)


def rasterise(
    geometry: Polygon | MultiPolygon, shape: tuple[int, int], px_per_cell: float
) -> NDArray[np.bool_]:
    """Fill a geometry in photo pixels onto a grid of ``px_per_cell`` photo pixels per cell.

    Parameters
    ----------
    geometry : Polygon or MultiPolygon
        The area, photo pixels.
    shape : tuple of int
        The grid's ``(rows, cols)``.
    px_per_cell : float
        Photo pixels per grid cell.

    Returns
    -------
    ndarray of bool
        True on cells whose centre lies in the area.
    """
    out = np.zeros(shape, np.uint8)
    for part in getattr(geometry, "geoms", [geometry]):
        if part.is_empty:
            continue
        rings = [part.exterior, *part.interiors]
        pts = [
            np.round(((np.asarray(r.coords) + 0.5) / px_per_cell - 0.5) * 16).astype(np.int32)
            for r in rings
        ]
        cv2.fillPoly(out, [pts[0]], 1, cv2.LINE_8, 4)
        if len(pts) > 1:
            cv2.fillPoly(out, pts[1:], 0, cv2.LINE_8, 4)
    return out.astype(bool)
