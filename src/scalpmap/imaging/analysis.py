"""Analyse one scalp photo: scale, scalp area, impressions or coverage, region and hairline.

``analyse_photo`` is the library's main entry point; the CLI's ``analyse`` command and the web app
call it and serialise its :class:`Analysis` with :mod:`scalpmap.imaging.analysis_json`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.errors import ScaleError
from scalpmap.imaging import region as region_mod
from scalpmap.imaging.closeup_region import tidy_region
from scalpmap.imaging.detect import COLOUR_MIN_RADIUS_PX, Impressions, detect_impressions
from scalpmap.imaging.dot_scale import (
    WHOLE_HEAD_MM_PER_PX,
    DotScale,
    measure_dot_scale,
    refuse_unresolved,
)
from scalpmap.imaging.dot_scale import Mode as Mode  # re-exported: the analysis's modes
from scalpmap.imaging.dot_scale import choose_mode as choose_mode  # re-exported
from scalpmap.imaging.face_exclusion import BrowLineSource
from scalpmap.imaging.head import HeadModel, find_head
from scalpmap.imaging.marker import QUIET_ZONE_MODULES
from scalpmap.imaging.pigment_field import (
    DENSITY_CELL_MM,
    DensityGrid,
    density_grid,
    field_cells,
    impression_field,
)
from scalpmap.imaging.roi import roi_mask
from scalpmap.imaging.scale import Scale, resolve_scale
from scalpmap.imaging.scalp import find_scalp
from scalpmap.imaging.skin import estimate_local_skin
from scalpmap.imaging.validate import check_rgb
from scalpmap.imaging.whole_head import analyse_whole_head

InkTone = Literal["bluish", "neutral", "faded", "unknown"]

FIELD_CELL_MM = 0.5
MIN_REGION_CM2 = 0.25
MAX_GAP_MM = 2.5
BLUISH_SHIFT = 0.12
FADED_DARKNESS = 0.35

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Analysis:
    """Everything measured on one photo. Coordinates are pixels, origin top-left.

    Attributes
    ----------
    shape : tuple of int
        The photo's ``(rows, cols)``.
    scale : Scale
        Millimetres per pixel and their source.
    mode : {"impressions", "coverage"}
        Whether single impressions were resolved, or pigment coverage was measured instead.
    mode_reason : str
        Why that mode was chosen, in words.
    impressions : Impressions
        Impressions in the analysed area (empty in coverage mode).
    region : Polygon or MultiPolygon
        The pigmented region.
    hairline_xy : ndarray of float, shape (M, 2)
        The current hairline, left to right.
    density : DensityGrid
        Impressions per cm² (coverage share in coverage mode).
    coverage_percent : float
        Mean share of the region's skin darkened by pigment.
    analysed_area : Polygon or MultiPolygon
        Where the analysis looked: the scalp, within the ROI, without the marker.
    ink_tone : {"bluish", "neutral", "faded", "unknown"}
        The ink's tone judged from colour.
    pigment_field : PigmentField or None
        The field the region was traced from (impression density per mm², or pigment texture).
    head : HeadModel or None
        The head model (whole-head photos only): view, landmarks, the person's mask.
    hairline_segments : mapping of str to ndarray
        The hairline cut into the planning's named segments (whole-head photos; empty otherwise).
    patches : tuple of Polygon
        The separate parts the region was joined from (whole-head photos; one for even work).
    excluded_area : Polygon or MultiPolygon
        The part of the head never analysed for pigment: below the brow line.
    brow_line_xy : ndarray of float, shape (2, 2) or (0, 2)
        The brow line's ends across the photo.
    brow_line_source : {"landmarks", "estimated", "none"}
        Where the brow line came from.
    warnings : tuple of str
        Things the user should know about the photo or the analysis, in words.
    dot_scale : DotScale or None
        The impressions' typical size measured on the photo (close-ups; None on whole heads).
    """

    shape: tuple[int, int]
    scale: Scale
    mode: Mode
    mode_reason: str
    impressions: Impressions
    region: Polygon | MultiPolygon
    hairline_xy: NDArray[np.float64]
    density: DensityGrid
    coverage_percent: float
    analysed_area: Polygon | MultiPolygon
    ink_tone: InkTone
    pigment_field: region_mod.PigmentField | None = None
    head: HeadModel | None = None
    hairline_segments: Mapping[str, NDArray[np.float64]] = field(default_factory=dict)
    patches: tuple[Polygon, ...] = ()
    excluded_area: Polygon | MultiPolygon = field(default_factory=Polygon)
    brow_line_xy: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 2)))
    brow_line_source: BrowLineSource = "none"
    warnings: tuple[str, ...] = ()
    dot_scale: DotScale | None = None

    @property
    def region_area_cm2(self) -> float:
        """Area of the pigmented region in cm²."""
        return float(self.region.area) * self.scale.mm_per_px**2 / 100.0

    @property
    def impressions_in_region(self) -> int:
        """Number of impressions inside the region."""
        xy = self.impressions.xy
        return int(shapely.contains_xy(self.region, xy[:, 0], xy[:, 1]).sum()) if len(xy) else 0

    @property
    def mean_density_per_cm2(self) -> float | None:
        """Impressions per cm² inside the region; None in coverage mode or without a region."""
        if self.mode == "coverage" or self.region_area_cm2 <= 0:
            return None
        return self.impressions_in_region / self.region_area_cm2

    @property
    def hairline_length_mm(self) -> float:
        """Length of the hairline in millimetres."""
        steps = np.diff(self.hairline_xy, axis=0)
        return float(np.linalg.norm(steps, axis=1).sum()) * self.scale.mm_per_px


def _analysed_mask(
    rgb: NDArray[np.uint8], scale: Scale, roi: Polygon | None
) -> tuple[NDArray[np.bool_], NDArray[np.bool_], float]:
    """Scalp ∩ ROI − marker, at full and at the scalp mask's coarse resolution."""
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
    small = cv2.resize(mask.astype(np.uint8), small_size, interpolation=cv2.INTER_AREA) > 0
    return mask, small, scalp.scale


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


def _mask_polygon(mask_small: NDArray[np.bool_], scale: float) -> Polygon | MultiPolygon:
    """Return the coarse analysed-area mask as polygons in photo pixels."""
    contours, _ = cv2.findContours(
        mask_small.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
    )
    polygons = [
        Polygon((c[:, 0, :].astype(np.float64) + 0.5) * scale - 0.5).buffer(0)
        for c in contours
        if len(c) >= 3
    ]
    union = shapely.union_all(polygons) if polygons else Polygon()
    return union if isinstance(union, Polygon | MultiPolygon) else Polygon()


def analyse_photo(
    rgb: NDArray[np.uint8],
    *,
    mm_per_px: float | None = None,
    roi: Polygon | None = None,
    marker_side_mm: float | None = None,
    mode: Mode | None = None,
    progress: Progress | None = None,
    head: HeadModel | None = None,
) -> Analysis:
    """Analyse a scalp photo.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo (see :func:`scalpmap.imaging.photo_io.load_photo`).
    mm_per_px : float, optional
        Scale; measured from the printed marker when omitted.
    roi : shapely.Polygon, optional
        Limit the analysis to this area (pixels).
    marker_side_mm : float, optional
        Printed side of the marker's black square; read from the marker's id by default.
    mode : {"impressions", "coverage"}, optional
        Force a mode; chosen from the photo when omitted: impressions where the impressions
        found span at least 2 px (see :mod:`scalpmap.imaging.dot_scale`), coverage on
        whole-head photos and where they do not.
    progress : callable, optional
        Called with the name of each step as it starts.
    head : HeadModel, optional
        The head model to use; on whole-head photos (coverage mode) it is found with
        :func:`scalpmap.imaging.head.find_head` when omitted, and it gives the scale from the
        iris when there is neither a given scale nor a marker. Close-ups never use it.

    Returns
    -------
    Analysis
        The measurements.

    Raises
    ------
    ScaleError
        When there is neither a given scale, nor a marker, nor an iris to measure.
    InputError
        When the photo array or the ROI is malformed.
    UnresolvedImpressionsError
        When impressions mode is asked for but the impressions measure under 2 px.
    """
    check_rgb(rgb)
    step = progress or (lambda _name: None)
    step("scale")
    scale, head = _scale_and_head(rgb, mm_per_px, marker_side_mm, head, mode)
    step("scalp area")
    dots: DotScale | None = None
    if mode == "coverage":
        reason = "coverage mode was requested"
    elif mode is None and scale.mm_per_px >= WHOLE_HEAD_MM_PER_PX:
        reason = choose_mode(scale.mm_per_px)[1]
    elif mode is None and (head := _face_in_view(rgb, scale, head)) is not None:
        reason = (
            f"a face is in the photo, so it is a whole-head view: at {scale.mm_per_px:.3f} mm/px "
            "the pigment's coverage is measured, with the face masked out"
        )
    else:
        found = _analyse_closeup(rgb, scale, roi, mode, step)
        if isinstance(found, Analysis):
            return found
        dots, reason = found, choose_mode(scale.mm_per_px, found)[1]
    if head is None:
        head = find_head(rgb)
    whole = _analyse_whole_head(rgb, scale, roi, head, reason, step)
    return whole if dots is None else dataclasses.replace(whole, dot_scale=dots)


FACE_CHECK_MM_PER_PX = 0.06
"""Photos this coarse (mm/px) or coarser, yet finer than a whole head's, are checked for a face."""


def _scale_and_head(
    rgb: NDArray[np.uint8],
    mm_per_px: float | None,
    marker_side_mm: float | None,
    head: HeadModel | None,
    mode: Mode | None,
) -> tuple[Scale, HeadModel | None]:
    """Resolve the scale (given, marker, or a face's iris) and find the head when that needs it."""
    try:
        return resolve_scale(rgb, mm_per_px=mm_per_px, marker_side_mm=marker_side_mm), head
    except ScaleError:
        if mode == "impressions":
            raise
    if head is None:
        head = find_head(rgb)
    scale = resolve_scale(rgb, mm_per_px=mm_per_px, marker_side_mm=marker_side_mm, head=head)
    return scale, head


def _face_in_view(rgb: NDArray[np.uint8], scale: Scale, head: HeadModel | None) -> HeadModel | None:
    """Return the head model when a photo finer than the whole-head scale shows a face.

    A phone photo of a whole head can be finer than :data:`WHOLE_HEAD_MM_PER_PX` (down to about
    0.06 mm/px at 12 MP); with a face in it, it must be read as a whole head, face masked out,
    not as a close-up. Close-ups finer than that never hold a face, so no model runs for them.
    """
    if scale.mm_per_px < FACE_CHECK_MM_PER_PX:
        return None
    found = head if head is not None else find_head(rgb)
    return found if found.has_face else None


def _sticker(scale: Scale) -> Polygon | None:
    """Outline the printed sticker (marker, quiet zone and half a module of blur), or None."""
    if len(scale.marker_corners_xy) != 4:
        return None
    grow = 1 + 2 * (QUIET_ZONE_MODULES + 0.5) / 6
    centre = scale.marker_corners_xy.mean(axis=0)
    return Polygon(centre + (scale.marker_corners_xy - centre) * grow)


def _head_warnings(head: HeadModel | None) -> tuple[str, ...]:
    """Pick the head model's notes that the user should see as warnings."""
    if head is None:
        return ()
    words = ("upside down", "skipped", "faces", "sideways", "on its side")
    return tuple(note for note in head.notes if any(w in note for w in words))


def _analyse_whole_head(
    rgb: NDArray[np.uint8],
    scale: Scale,
    roi: Polygon | None,
    head: HeadModel | None,
    reason: str,
    step: Progress,
) -> Analysis:
    """Coverage mode on a whole-head photo (see :mod:`scalpmap.imaging.whole_head`)."""
    if roi is not None:
        roi_mask(roi, rgb.shape[:2])  # refuses an ROI outside the photo
    step("coverage")
    found = analyse_whole_head(
        rgb, mm_per_px=scale.mm_per_px, head=head, roi=roi, sticker=_sticker(scale)
    )
    step("region")
    step("hairline")
    rows, cols = rgb.shape[:2]
    density_cell = max(1, int(round(DENSITY_CELL_MM / scale.mm_per_px)))
    grid = np.full((-(-rows // density_cell), -(-cols // density_cell)), np.nan)
    brow = found.brow_line
    return Analysis(
        shape=(int(rows), int(cols)),
        scale=scale,
        mode="coverage",
        mode_reason=reason,
        impressions=Impressions.empty(),
        region=found.region,
        hairline_xy=found.hairline_xy,
        density=DensityGrid(
            cell_mm=density_cell * scale.mm_per_px, cell_px=float(density_cell), per_cm2=grid
        ),
        coverage_percent=found.coverage_percent,
        analysed_area=found.analysed_area,
        ink_tone="unknown",
        pigment_field=found.field,
        head=head,
        hairline_segments=found.hairline_segments,
        patches=found.patches,
        excluded_area=found.excluded_area,
        brow_line_xy=brow.ends_xy((rows, cols)) if brow is not None else np.zeros((0, 2)),
        brow_line_source=brow.source if brow is not None else "none",
        warnings=_head_warnings(head),
    )


def _analyse_closeup(
    rgb: NDArray[np.uint8],
    scale: Scale,
    roi: Polygon | None,
    requested: Mode | None,
    step: Progress,
) -> Analysis | DotScale:
    """Impressions mode: single impressions resolved, counted and their region traced.

    Returns the impressions' measured size instead when no mode was requested and they are too
    small to count (the caller then measures coverage).
    """
    mask, mask_small, mask_scale = _analysed_mask(rgb, scale, roi)
    cell_px = max(1, int(round(FIELD_CELL_MM / scale.mm_per_px)))
    px_per_cm2 = 100.0 / scale.mm_per_px**2
    step("impressions")
    skin = estimate_local_skin(rgb, mm_per_px=scale.mm_per_px, mask=mask, without_marks=True)
    impressions = detect_impressions(rgb, mm_per_px=scale.mm_per_px, mask=mask, skin=skin)
    dots = measure_dot_scale(rgb, impressions, scale.mm_per_px, skin)
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
    analysed_area = _mask_polygon(mask_small, mask_scale)
    region = field_to_region_safe(
        pigment, threshold, MIN_REGION_CM2 * px_per_cm2, MAX_GAP_MM / scale.mm_per_px, analysed_area
    )
    region = tidy_region(region, analysed_area, scale.mm_per_px)
    step("hairline")
    clearance_px = region_mod.EDGE_CLEARANCE_MM / scale.mm_per_px
    region = region_mod.reach_edges(region, analysed_area, clearance_px)
    hairline = region_mod.trace_hairline(region, ~mask_small, mask_scale, clearance_px=clearance_px)
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
