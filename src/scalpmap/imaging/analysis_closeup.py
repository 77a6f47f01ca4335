"""Impressions mode: a close-up's single impressions counted, their region and hairline traced.

:func:`analyse_closeup` is the close-up branch of :func:`scalpmap.imaging.analysis.analyse_photo`:
the analysed area (scalp within the ROI, without the printed sticker), the impressions and their
measured size, the pigment field and the region traced from it, the hairline, the density, the
coverage and the ink's tone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import cv2
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from scalpmap.imaging import region as region_mod
from scalpmap.imaging.analysis_result import Analysis, InkTone, Progress
from scalpmap.imaging.closeup_region import tidy_region
from scalpmap.imaging.detect import COLOUR_MIN_RADIUS_PX, Impressions
from scalpmap.imaging.dot_scale import (
    DotScale,
    Mode,
    choose_mode,
    refuse_unresolved,
)
from scalpmap.imaging.frame_edge import detect_to_the_edge
from scalpmap.imaging.marker import QUIET_ZONE_MODULES
from scalpmap.imaging.pigment_field import (
    density_grid,
    field_cells,
    field_scale_mm,
    impression_field,
)
from scalpmap.imaging.roi import roi_mask
from scalpmap.imaging.scale import Scale
from scalpmap.imaging.scalp import find_scalp

FIELD_CELL_MM = 0.5
MIN_REGION_CM2 = 0.25
MAX_GAP_MM = 2.5
BLUISH_SHIFT = 0.12
FADED_DARKNESS = 0.35


def analyse_closeup(
    rgb: NDArray[np.uint8],
    scale: Scale,
    roi: Polygon | None,
    requested: Mode | None,
    step: Progress,
) -> Analysis | DotScale:
    """Impressions mode: single impressions resolved, counted and their region traced.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    scale : Scale
        The photo's scale.
    roi : shapely.Polygon or None
        Limit the analysis to this area (pixels).
    requested : {"impressions", "coverage"} or None
        The mode asked for; None lets the impressions' measured size choose.
    step : callable
        Called with the name of each step as it starts.

    Returns
    -------
    Analysis or DotScale
        The analysis; or, when no mode was requested and the impressions are too small to
        count, their measured size (the caller then measures coverage).

    Raises
    ------
    UnresolvedImpressionsError
        When impressions mode is requested but the impressions measure under 2 px.
    """
    mask, cell_share, mask_scale = _analysed_mask(rgb, scale, roi)
    cell_px = max(1, int(round(FIELD_CELL_MM / scale.mm_per_px)))
    px_per_cm2 = 100.0 / scale.mm_per_px**2
    step("impressions")
    impressions, dots = detect_to_the_edge(rgb, scale.mm_per_px, mask)
    if requested == "impressions":
        refuse_unresolved(dots)
        reason = f"impressions mode was requested; the impressions measure {dots.words()}"
    else:
        chosen, reason = choose_mode(scale.mm_per_px, dots)
        if chosen == "coverage":
            return dots
    step("region")
    share, real_cell = field_cells(mask, cell_px)
    values, threshold = impression_field(impressions, share, real_cell, scale.mm_per_px)
    pigment = region_mod.PigmentField(values=values, cell_px=real_cell)
    analysed_area = _mask_polygon(cell_share, rgb.shape[:2])
    region = field_to_region_safe(
        pigment, threshold, MIN_REGION_CM2 * px_per_cm2, MAX_GAP_MM / scale.mm_per_px, analysed_area
    )
    close_mm = field_scale_mm(impressions, scale.mm_per_px)
    region = tidy_region(region, analysed_area, scale.mm_per_px, close_mm=close_mm)
    step("hairline")
    clearance_px = region_mod.EDGE_CLEARANCE_MM / scale.mm_per_px
    region = region_mod.reach_edges(region, analysed_area, clearance_px)
    hairline = region_mod.trace_hairline(
        region, ~(cell_share > 0), mask_scale, clearance_px=clearance_px
    )
    coverage = 0.0
    tone: InkTone = "unknown"
    if impressions.count:
        radius_px = impressions.diameter_mm / 2 / scale.mm_per_px
        tone = judge_ink_tone(impressions.select(radius_px >= COLOUR_MIN_RADIUS_PX / 2))
        dot_area = np.pi * (impressions.diameter_mm / 2) ** 2
        area_mm2 = max(float(region.area) * scale.mm_per_px**2, 1e-9)
        in_region = shapely.contains_xy(region, impressions.xy[:, 0], impressions.xy[:, 1])
        coverage = float(dot_area[in_region].sum()) / area_mm2 * 100
    return Analysis(
        shape=(int(rgb.shape[0]), int(rgb.shape[1])),
        scale=scale,
        mode="impressions",
        mode_reason=reason,
        impressions=impressions,
        region=region,
        hairline_xy=hairline,
        density=density_grid(impressions, mask, scale.mm_per_px),
        coverage_percent=coverage,
        analysed_area=analysed_area,
        ink_tone=tone,
        pigment_field=pigment,
        dot_scale=dots,
    )


def _analysed_mask(
    rgb: NDArray[np.uint8], scale: Scale, roi: Polygon | None
) -> tuple[NDArray[np.bool_], NDArray[np.float32], float]:
    """Scalp ∩ ROI − marker: at full resolution, and as the share of each coarse cell it covers.

    The coarse grid is the scalp mask's (:func:`scalpmap.imaging.scalp.find_scalp`).
    """
    rows, cols = rgb.shape[:2]
    scalp = find_scalp(rgb)
    mask = scalp.full()
    if roi is not None:
        mask &= roi_mask(roi, (rows, cols))
    if len(scale.marker_corners_xy) == 4:
        # The sticker (marker and quiet zone) and half a module more for its blurred edge.
        grow = 1 + 2 * (QUIET_ZONE_MODULES + 0.5) / 6
        centre = scale.marker_corners_xy.mean(axis=0)
        sticker = centre + (scale.marker_corners_xy - centre) * grow
        sticker_mask = np.zeros((rows, cols), np.uint8)
        cv2.fillPoly(sticker_mask, [np.round(sticker).astype(np.int32)], 1)
        mask &= sticker_mask == 0
    small_size = scalp.small.shape[::-1]
    share = cv2.resize(mask.view(np.uint8), small_size, interpolation=cv2.INTER_AREA)
    return mask, np.asarray(share, dtype=np.float32), scalp.scale


def _mask_polygon(share: NDArray[np.float32], shape: tuple[int, int]) -> Polygon | MultiPolygon:
    """Return the analysed area as polygons in photo pixels, from its share of each coarse cell.

    The outline is the share's half-way level (marching squares), so it runs where the
    full-resolution mask's edge does, to within the interpolation: along the cells' edges where
    whole cells are in or out (the head's outline, whose cells the skin test keeps or drops
    whole), and across the cells where the edge cuts them (the sticker, the ROI). Where the
    analysed area runs out of the photo it goes to the photo's edge (-0.5 and width - 0.5, the
    outermost pixels' outer edges).
    """
    rows, cols = shape
    # Edge cells are repeated beyond the photo, so the level leaves it straight; a ring of zeros
    # around them closes every contour outside the photo, which then cuts them.
    padded = np.pad(np.pad(share.astype(np.float64), 1, mode="edge"), 1)
    small_rows, small_cols = share.shape
    step = np.array([cols / small_cols, rows / small_rows])
    rings = []
    for contour in _find_contours(padded, 0.5):
        if len(contour) < 4:
            continue
        cells = contour[:, ::-1] - 2
        ring = Polygon((cells + 0.5) * step - 0.5).buffer(0)
        if not ring.is_empty:
            rings.append(ring)
    # Nested contours of one level alternate between the area's outlines and its holes.
    area: BaseGeometry = Polygon()
    for ring in rings:
        area = area.symmetric_difference(ring)
    frame = shapely.box(-0.5, -0.5, cols - 0.5, rows - 0.5)
    area = area.intersection(frame).buffer(0)
    return area if isinstance(area, Polygon | MultiPolygon) else Polygon()


def _find_contours(values: NDArray[np.float64], level: float) -> list[NDArray[np.float64]]:
    """scikit-image's marching squares, imported on first use (it is not annotated)."""
    from skimage.measure import find_contours

    return cast(Callable[..., list[NDArray[np.float64]]], find_contours)(values, level)


def judge_ink_tone(impressions: Impressions) -> InkTone:
    """Judge the ink's tone from the colour of the larger impressions.

    Parameters
    ----------
    impressions : Impressions
        Detected impressions.

    Returns
    -------
    {"bluish", "neutral", "faded", "unknown"}
        Bluish when red is absorbed clearly more than blue; faded when the ink is light grey.
    """
    if impressions.count == 0:
        return "unknown"
    c = impressions.contrast_rgb
    mean = np.maximum(c.mean(axis=1), 1e-3)
    shift = float(np.median((c[:, 0] - c[:, 2]) / mean))
    if float(np.median(impressions.darkness)) < FADED_DARKNESS:
        return "faded"
    return "bluish" if shift > BLUISH_SHIFT else "neutral"


def field_to_region_safe(
    field: region_mod.PigmentField,
    threshold: float,
    min_area_px: float,
    max_gap_px: float,
    within: Polygon | MultiPolygon | None = None,
    *,
    unseen_is_pigment: bool = True,
) -> Polygon | MultiPolygon:
    """Trace the region, or return an empty one when the field has no pigmented level.

    Parameters
    ----------
    field : PigmentField
        The pigment field.
    threshold : float
        Level of the region's edge (``inf`` when there is none).
    min_area_px : float
        Smallest part kept.
    max_gap_px : float
        Gaps thinner than this (half-width) inside the region are filled.
    within : Polygon or MultiPolygon, optional
        The analysed area; the region is clipped to it.
    unseen_is_pigment : bool, optional
        See :func:`scalpmap.imaging.region.field_to_region`.

    Returns
    -------
    Polygon or MultiPolygon
        The region.
    """
    if not np.isfinite(threshold):
        return Polygon()
    return region_mod.field_to_region(
        field,
        threshold,
        min_area_px=min_area_px,
        max_gap_px=max_gap_px,
        within=within,
        unseen_is_pigment=unseen_is_pigment,
    )
