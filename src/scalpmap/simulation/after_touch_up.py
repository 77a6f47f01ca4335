"""What the scalp looks like once the touch-up zone has been filled in to the desired density.

The number of impressions to add is the desired density times the touch-up zone's area (the part
the analysis saw) minus the impressions already inside it. They are drawn from a Poisson-disk
pool (see :mod:`scalpmap.simulation._placement`): naturally spaced, never closer than the spacing
to each other or to an existing impression, fewer towards the new hairline across the feathered
band, and more where the existing impressions are too few.

Each new dot copies the diameter and darkness of one measured impression of the keep zone (all
impressions when the keep zone has fewer than ``MIN_SAMPLES``; ``DEFAULT_DIAMETER_MM`` and
``DEFAULT_DARKNESS`` of neutral black ink when there are none), and the colour tone of one whose
colour was measured reliably, so the new dots look like the existing work.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon, box

from scalpmap.imaging.analysis import Analysis
from scalpmap.imaging.detect import COLOUR_MIN_RADIUS_PX, Impressions
from scalpmap.imaging.skin import LUMA_WEIGHTS
from scalpmap.planning.zones import Target, Zones, as_polygonal
from scalpmap.simulation._paint import estimate_blur_px, paint_dots
from scalpmap.simulation._patches import check_photo, inside
from scalpmap.simulation._placement import (
    draw_weighted,
    feather_ramp,
    poisson_pool,
    shortfall,
)

MIN_SAMPLES = 5
DEFAULT_DIAMETER_MM = 0.25
DEFAULT_DARKNESS = 0.6
SPACING_FACTOR = 0.5  # minimum distance of new dots, times the mean spacing at the density
MIN_GAP_MM = 0.1  # and at least the largest diameter plus this
MIN_TONE, MAX_TONE = 0.5, 1.5
EDGE_MARGIN_MM = 0.3


def new_dot_spacing_px(desired_per_cm2: float, diameter_mm: float, mm_per_px: float) -> float:
    """Minimum distance between a new impression and any other, in pixels.

    Parameters
    ----------
    desired_per_cm2 : float
        The desired density.
    diameter_mm : float
        The largest diameter of the new impressions.
    mm_per_px : float
        Scale.

    Returns
    -------
    float
        ``SPACING_FACTOR`` times the mean spacing at the desired density, and at least the
        diameter plus ``MIN_GAP_MM``.

    Examples
    --------
    >>> round(new_dot_spacing_px(25.0, 0.3, 0.05), 1)
    20.0
    """
    mean_spacing_mm = 1.0 / np.sqrt(desired_per_cm2 / 100.0)
    return float(max(SPACING_FACTOR * mean_spacing_mm, diameter_mm + MIN_GAP_MM) / mm_per_px)


def _samples(
    analysis: Analysis, keep: Polygon | MultiPolygon, count: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Diameter (mm), darkness and per-channel tone of ``count`` new dots, from the measured."""
    found = analysis.impressions
    pool: Impressions = found.select(inside(keep, found.xy))
    if pool.count < MIN_SAMPLES:
        pool = found
    if pool.count == 0:
        return (
            np.full(count, DEFAULT_DIAMETER_MM),
            np.full(count, DEFAULT_DARKNESS),
            np.ones((count, 3)),
        )
    pick = rng.integers(0, pool.count, count)
    radius_px = pool.diameter_mm / 2 / analysis.scale.mm_per_px
    reliable = np.flatnonzero(radius_px >= COLOUR_MIN_RADIUS_PX / 2)
    tone_from = reliable[rng.integers(0, len(reliable), count)] if len(reliable) else pick
    contrast = np.clip(pool.contrast_rgb[tone_from], 1e-3, 1.0)
    tone = contrast / np.maximum(contrast @ LUMA_WEIGHTS.astype(np.float64), 1e-3)[:, None]
    tone = np.clip(tone, MIN_TONE, MAX_TONE)
    tone /= (tone @ LUMA_WEIGHTS.astype(np.float64))[:, None]
    return pool.diameter_mm[pick], pool.darkness[pick], tone


def simulate_after_touch_up(
    rgb_after_laser: NDArray[np.uint8],
    analysis: Analysis,
    zones: Zones,
    target: Target,
    *,
    seed: int = 0,
) -> tuple[NDArray[np.uint8], NDArray[np.float64]]:
    """Simulate the touch-up: add impressions to the touch-up zone up to the desired density.

    Parameters
    ----------
    rgb_after_laser : ndarray of uint8, shape (rows, cols, 3)
        The picture after the laser (:func:`simulate_after_laser`), or the photo.
    analysis : Analysis
        The photo's analysis.
    zones : Zones
        The plan's zones.
    target : Target
        The target; its ``edge`` and ``feather_mm`` give the feathered band.
    seed : int, optional
        Seed of the placement and the dots' looks.

    Returns
    -------
    picture : ndarray of uint8, shape (rows, cols, 3)
        A new picture with the added impressions (the input itself, unchanged, when the desired
        density is unknown or the touch-up zone is empty).
    new_xy : ndarray of float, shape (K, 2)
        Centres of the added impressions, in pixels.

    Raises
    ------
    InputError
        When the picture is not a uint8 RGB array of the analysed photo's size.
    """
    photo = check_photo(rgb_after_laser, analysis, "rgb_after_laser")
    desired = zones.desired_density_per_cm2
    area = touch_up_area(analysis, zones)
    if desired is None or area.is_empty:
        return photo, np.zeros((0, 2))
    rng = np.random.default_rng(seed)
    mm = analysis.scale.mm_per_px
    found = analysis.impressions
    remaining = found.xy[~inside(zones.removal.geometry, found.xy)]
    existing = int(inside(area, remaining).sum())
    count = int(round(desired * float(area.area) * mm**2 / 100.0)) - existing
    if count <= 0:
        return photo, np.zeros((0, 2))
    diameter_mm, darkness, tone = _samples(analysis, zones.keep.geometry, count, rng)
    spacing = new_dot_spacing_px(desired, float(diameter_mm.max()), mm)
    pool = poisson_pool(area, spacing, remaining, rng)
    desired_per_px2 = desired * mm**2 / 100.0
    weight = feather_ramp(pool, target.edge, target.feather_mm / mm) * shortfall(
        pool, remaining, desired_per_px2
    )
    chosen = pool[draw_weighted(weight, count, rng)]
    picture = photo.copy()
    n = len(chosen)
    strength = darkness[:n, None] * tone[:n]
    kept = ~inside(zones.removal.geometry, found.xy)
    blur = estimate_blur_px(photo, found.xy[kept], found.diameter_mm[kept] / 2 / mm)
    paint_dots(picture, chosen, diameter_mm[:n] / 2 / mm, strength, rng, blur_px=blur)
    return picture, chosen


def touch_up_area(analysis: Analysis, zones: Zones) -> Polygon | MultiPolygon:
    """Return the part of the touch-up zone the analysis saw, where impressions are added.

    Parameters
    ----------
    analysis : Analysis
        The analysis.
    zones : Zones
        The zones.

    Returns
    -------
    Polygon or MultiPolygon
        The touch-up zone within the analysed area and ``EDGE_MARGIN_MM`` inside the photo's
        edges (a dot cut by the edge is not seen whole).
    """
    touch = zones.touch_up.geometry
    if touch.is_empty:
        return touch
    rows, cols = analysis.shape
    margin = EDGE_MARGIN_MM / analysis.scale.mm_per_px
    inner = box(margin, margin, cols - 1 - margin, rows - 1 - margin)
    seen = analysis.analysed_area
    within = inner if seen.is_empty else seen.intersection(inner)
    return as_polygonal(touch.intersection(within))
