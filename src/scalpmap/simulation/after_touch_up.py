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

In coverage mode (a whole head: single impressions not resolved, no density known) the
unpigmented part of the touch-up zone is filled with dots that darken the skin as the kept
pigment does: as many as the region's coverage implies, each as dark as makes their mean
darkening the keep zone's (see ``_coverage_touch_up``).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon, box

from scalpmap.imaging.analysis import Analysis
from scalpmap.imaging.detect import COLOUR_MIN_RADIUS_PX, Impressions
from scalpmap.imaging.skin import LUMA_WEIGHTS
from scalpmap.planning.zones import Target, Zones, as_polygonal
from scalpmap.simulation._coverage import kept_darkening
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
# Coverage mode (whole heads): the equivalent density of the new dots, their darkness and size.
COVERAGE_DENSITY_PER_CM2 = (20.0, 120.0)
COVERAGE_STRENGTH = (0.25, 0.9)
MIN_COVERAGE_RADIUS_PX = 0.7


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
        density is unknown in impressions mode, or there is nothing to add). In coverage mode
        only the unpigmented part of the zone gets dots.
    new_xy : ndarray of float, shape (K, 2)
        Centres of the added impressions, in pixels.

    Raises
    ------
    InputError
        When the picture is not a uint8 RGB array of the analysed photo's size.
    """
    photo = check_photo(rgb_after_laser, analysis, "rgb_after_laser")
    if analysis.mode == "coverage":
        return _coverage_touch_up(photo, analysis, zones, target, np.random.default_rng(seed))
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


def coverage_density_per_cm2(coverage_percent: float, diameter_mm: float) -> float:
    """Impressions per cm² that darken the given share of the skin with dots this wide.

    Parameters
    ----------
    coverage_percent : float
        The pigmented region's coverage (analysis.json's ``coverage_percent``).
    diameter_mm : float
        The dots' diameter.

    Returns
    -------
    float
        ``coverage / (pi * (diameter / 2)**2)``, within ``COVERAGE_DENSITY_PER_CM2``.

    Examples
    --------
    >>> round(coverage_density_per_cm2(2.8, 0.25), 1)
    57.0
    """
    per_mm2 = coverage_percent / 100.0 / (math.pi * (diameter_mm / 2) ** 2)
    low, high = COVERAGE_DENSITY_PER_CM2
    return float(np.clip(per_mm2 * 100.0, low, high))


def _coverage_touch_up(
    photo: NDArray[np.uint8],
    analysis: Analysis,
    zones: Zones,
    target: Target,
    rng: np.random.Generator,
) -> tuple[NDArray[np.uint8], NDArray[np.float64]]:
    """Fill the unpigmented part of the touch-up zone with dots like the kept pigment's.

    On a whole-head photo single impressions are not resolved, so the new dots follow the
    kept pigment as a whole: as many as darken the skin by the region's coverage
    (:func:`coverage_density_per_cm2`, dots of ``DEFAULT_DIAMETER_MM``), each as dark as makes
    their mean darkening the keep zone's (:func:`~scalpmap.simulation._coverage.kept_darkening`),
    thinning out towards the new hairline across the feathered band. The pigmented part of the
    zone (the band inside the kept pigment) is left as it is.
    """
    mm = analysis.scale.mm_per_px
    area = touch_up_area(analysis, zones)
    fill = as_polygonal(area.difference(analysis.region)) if not area.is_empty else area
    if fill.is_empty:
        return photo, np.zeros((0, 2))
    density = coverage_density_per_cm2(analysis.coverage_percent, DEFAULT_DIAMETER_MM)
    count = int(round(density * float(fill.area) * mm**2 / 100.0))
    if count <= 0:
        return photo, np.zeros((0, 2))
    spacing = new_dot_spacing_px(density, DEFAULT_DIAMETER_MM, mm)
    pool = poisson_pool(fill, spacing, np.zeros((0, 2)), rng)
    weight = feather_ramp(pool, target.edge, target.feather_mm / mm)
    chosen = pool[draw_weighted(weight, count, rng)]
    radius_px = max(DEFAULT_DIAMETER_MM / 2 / mm, MIN_COVERAGE_RADIUS_PX)
    darkening = kept_darkening(photo, analysis, zones.keep.geometry)
    share = max(analysis.coverage_percent / 100.0, 1e-3)
    strength = DEFAULT_DARKNESS if darkening is None else darkening / share
    strength = float(np.clip(strength, *COVERAGE_STRENGTH))
    picture = photo.copy()
    n = len(chosen)
    paint_dots(picture, chosen, np.full(n, radius_px), np.full((n, 3), strength), rng)
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
