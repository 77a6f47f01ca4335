"""Marks painted on synthetic scalps: impressions with a feathered edge, hairs, pores and moles.

Shared by the close-up and the whole-head generators; every random choice comes from the
``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree
from shapely.geometry import LineString, MultiPolygon, Polygon

from scalpmap.imaging import synth_render as render

if TYPE_CHECKING:
    from scalpmap.imaging.synth_options import SynthOptions

MIN_SPACING_MM = 0.4


def sample_spaced_points(
    polygon: Polygon | MultiPolygon,
    count: int,
    min_spacing_px: float,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Draw ``count`` random points in a polygon, no two closer than ``min_spacing_px``.

    Parameters
    ----------
    polygon : Polygon or MultiPolygon
        Where to draw.
    count : int
        How many points to aim for.
    min_spacing_px : float
        Minimum distance between points.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of float, shape (K, 2)
        Points ``(x, y)``, ``K <= count``.
    """
    x0, y0, x1, y1 = polygon.bounds
    kept = np.zeros((0, 2))
    for _ in range(8):
        missing = count - len(kept)
        if missing <= 0:
            break
        fill = polygon.area / max((x1 - x0) * (y1 - y0), 1e-9)
        batch = rng.uniform((x0, y0), (x1, y1), (int(missing / max(fill, 0.05) * 1.3) + 8, 2))
        batch = batch[shapely.contains_xy(polygon, batch[:, 0], batch[:, 1])]
        if len(kept):
            distance, _ = cKDTree(kept).query(batch, k=1)
            batch = batch[distance >= min_spacing_px]
        tree = cKDTree(batch)
        drop = {j for i, j in tree.query_pairs(min_spacing_px)}
        batch = np.delete(batch, sorted(drop), axis=0)
        kept = np.vstack([kept, batch[:missing]])
    return kept


def place_impressions(
    region: Polygon | MultiPolygon,
    hairline_xy: NDArray[np.float64],
    allowed: Polygon | MultiPolygon,
    options: SynthOptions,
    rng: np.random.Generator,
    *,
    min_diameter_px: float = 0.0,
    strength_range: tuple[float, float] | None = None,
) -> NDArray[np.float64]:
    """Place impressions in a region, with a feathered edge at the hairline.

    Parameters
    ----------
    region : Polygon or MultiPolygon
        The true pigmented region (its edge is the 50 % line of the feathering).
    hairline_xy : ndarray of float, shape (M, 2)
        The hairline the feathering follows; empty for no feathering.
    allowed : Polygon or MultiPolygon
        Where impressions may fall (the skin, without the sticker).
    options : SynthOptions
        Resolved options (scale, density, ink).
    rng : numpy.random.Generator
        Source of randomness.
    min_diameter_px : float, optional
        Smallest impression in pixels; diameters are drawn from 0.10–0.35 mm, or from this
        size up when it is larger than 0.10 mm.
    strength_range : tuple of float, optional
        Range of the ink strength; the ink's own range by default.

    Returns
    -------
    ndarray of float, shape (N, 4)
        Columns ``x, y, diameter_mm, strength``.
    """
    assert options.mm_per_px is not None and options.density_per_cm2 is not None
    px_per_mm = 1.0 / options.mm_per_px
    feather_px = rng.uniform(1.0, 3.0) * px_per_mm
    zone = cast("Polygon | MultiPolygon", region.buffer(feather_px).intersection(allowed))
    area_cm2 = zone.area * options.mm_per_px**2 / 100.0
    points = sample_spaced_points(
        zone, int(area_cm2 * options.density_per_cm2 * 1.15), MIN_SPACING_MM * px_per_mm, rng
    )
    if len(points) and len(hairline_xy) >= 2:
        distance = shapely.distance(LineString(hairline_xy), shapely.points(points))
        inside = shapely.contains_xy(region, points[:, 0], points[:, 1])
        signed = np.where(inside, distance, -distance)
        keep_probability = np.clip(0.5 + signed / feather_px, 0.0, 1.0)
    else:
        keep_probability = np.ones(len(points))
    keep_probability *= 0.87 * (1 + 0.1 * rng.uniform(-1, 1))  # patchiness of real work
    points = points[rng.uniform(size=len(points)) < keep_probability]
    smallest_mm = min(max(0.10, min_diameter_px * options.mm_per_px), 0.35)
    diameters = rng.uniform(smallest_mm, 0.35, len(points))
    strengths = rng.uniform(
        *(strength_range or render.INK_PROFILES[options.ink or "black"][1]), len(points)
    )
    return np.column_stack([points, diameters, strengths])


def paint_confounders(
    canvas: render.FloatImage,
    allowed: Polygon | MultiPolygon,
    region: Polygon | MultiPolygon,
    options: SynthOptions,
    rng: np.random.Generator,
) -> None:
    """Paint pores, stubble, freckles and moles: dark marks that are not ink.

    Parameters
    ----------
    canvas : ndarray of float32, shape (rows, cols, 3)
        The skin, painted in place.
    allowed : Polygon or MultiPolygon
        The skin where marks may fall.
    region : Polygon or MultiPolygon
        The pigmented region; stubble grows in it and a little around it.
    options : SynthOptions
        Resolved options (scale).
    rng : numpy.random.Generator
        Source of randomness.
    """
    assert options.mm_per_px is not None
    px_per_mm = 1.0 / options.mm_per_px
    area_cm2 = allowed.area * options.mm_per_px**2 / 100
    for x, y in sample_spaced_points(allowed, int(area_cm2 * rng.uniform(15, 40)), 3.0, rng):
        render.paint_spot(
            canvas,
            x,
            y,
            rng.uniform(0.05, 0.12) * px_per_mm,
            rng.uniform(0.05, 0.14),
            (0.55, 0.45, 0.40),
            rng,
        )
    hairy = cast("Polygon | MultiPolygon", region.buffer(3 * px_per_mm).intersection(allowed))
    hair_area_cm2 = hairy.area * options.mm_per_px**2 / 100
    starts = sample_spaced_points(hairy, int(hair_area_cm2 * rng.uniform(1, 6)), 2.0, rng)
    lengths = rng.uniform(0.5, 1.6, len(starts)) * px_per_mm
    angles = rng.normal(rng.uniform(0, np.pi), 0.4, len(starts))
    ends = starts + np.column_stack([np.cos(angles), np.sin(angles)]) * lengths[:, None]
    widths = rng.uniform(0.05, 0.09, len(starts)) * px_per_mm
    render.paint_strokes(canvas, starts, ends, widths, rng.uniform(0.6, 0.8), render.HAIR_TINT)
    lesions = sample_spaced_points(allowed, int(rng.integers(1, 7)), 8 * px_per_mm, rng)
    for i, (x, y) in enumerate(lesions):
        mole = i % 3 == 2
        size = rng.uniform(2.0, 4.5) if mole else rng.uniform(1.0, 3.5)
        render.paint_spot(
            canvas,
            x,
            y,
            size * px_per_mm,
            rng.uniform(0.5, 0.7) if mole else rng.uniform(0.15, 0.3),
            render.MELANIN_TINT if not mole else (0.35, 0.22, 0.16),
            rng,
            soft_px=0.2 * px_per_mm,
        )


def paint_eyebrows(
    canvas: render.FloatImage,
    curves: list[NDArray[np.float64]],
    px_per_mm: float,
    rng: np.random.Generator,
) -> None:
    """Paint dark bands of hairs along each eyebrow curve.

    Parameters
    ----------
    canvas : ndarray of float32, shape (rows, cols, 3)
        The skin, painted in place.
    curves : list of ndarray, each of shape (K, 2)
        Eyebrow centre lines in pixels.
    px_per_mm : float
        Scale.
    rng : numpy.random.Generator
        Source of randomness.
    """
    for curve in curves:
        index = rng.integers(0, len(curve), 400)
        base = curve[index] + rng.normal(0, 2.5 * px_per_mm, (400, 2)) * (0.3, 1.0)
        direction = np.gradient(curve, axis=0)[index]
        angle = np.arctan2(direction[:, 1], direction[:, 0]) + rng.normal(0, 0.35, 400)
        length = rng.uniform(4, 9, 400) * px_per_mm
        ends = base + np.column_stack([np.cos(angle), np.sin(angle)]) * length[:, None]
        widths = np.full(400, max(1.0, 0.08 * px_per_mm))
        render.paint_strokes(canvas, base, ends, widths, 0.85, render.HAIR_TINT)


def sticker_outline(center_xy: tuple[float, float], side_px: float, angle_deg: float) -> Polygon:
    """Return the printed sticker (marker and quiet zone) as :func:`paste_marker` draws it.

    Parameters
    ----------
    center_xy : tuple of float
        Centre in pixels.
    side_px : float
        Side of the whole sticker (marker and quiet zone) in pixels.
    angle_deg : float
        Rotation, counter-clockwise as seen on screen.

    Returns
    -------
    shapely.Polygon
        The sticker.
    """
    theta = np.radians(angle_deg)
    rot = np.array([[np.cos(theta), np.sin(theta)], [-np.sin(theta), np.cos(theta)]])
    unit = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
    return Polygon(np.asarray(center_xy) + (unit * side_px) @ rot.T)


def longest_part_outside(line_xy: NDArray[np.float64], sticker: Polygon) -> NDArray[np.float64]:
    """Return the longest part of a polyline that the sticker does not cover, left to right.

    Parameters
    ----------
    line_xy : ndarray of float, shape (M, 2)
        The polyline.
    sticker : Polygon
        What covers it.

    Returns
    -------
    ndarray of float, shape (K, 2)
        The longest uncovered part, ordered left to right; empty when nothing is left.
    """
    if len(line_xy) < 2:
        return line_xy
    rest = LineString(line_xy).difference(sticker)
    parts = [p for p in getattr(rest, "geoms", [rest]) if isinstance(p, LineString) and p.length]
    if not parts:
        return np.zeros((0, 2))
    xy = np.asarray(max(parts, key=lambda p: p.length).coords, dtype=np.float64)
    return xy if xy[0, 0] <= xy[-1, 0] else xy[::-1]


def strength_to_darkness(
    strength: NDArray[np.float64], tint: tuple[float, float, float]
) -> NDArray[np.float64]:
    """Relative darkening of skin under a dot's centre, 0..1, averaged over the colour channels.

    Parameters
    ----------
    strength : ndarray of float
        Ink strength 0..1.
    tint : tuple of float
        Per-channel reflectance under full-strength ink.

    Returns
    -------
    ndarray of float
        Darkness 0..1, the same measure the analysis reports.
    """
    return np.asarray(strength * (1.0 - float(np.mean(tint))), dtype=np.float64)
