"""Whole-head coverage analysis: the scalp's pigmented region and hairline on a head photo.

At whole-head scales (coverage mode) single impressions are not resolved, and a 12 MP frame holds
far more pixels than the pigment's texture needs: the analysis runs on a working copy of at most
``WORK_MAX_PIXELS`` pixels and no finer than ``WORK_MM_PER_PX``. Everything below the brow line
and off the person is left out (:mod:`scalpmap.imaging.face_exclusion`); the pigment texture is
judged against this person's bare forehead (:mod:`scalpmap.imaging.pigment_texture`); the main
region is the pigment that reaches the top of the head (:mod:`scalpmap.imaging.main_region`); its
lower edge is the hairline, named in segments (:mod:`scalpmap.imaging.hairline_segments`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.imaging import region as region_mod
from scalpmap.imaging.bare_skin import estimate_brow_line, face_bare, fill_gaps
from scalpmap.imaging.face_exclusion import (
    PERSON_MARGIN_MM,
    BrowLine,
    brow_line_from_landmarks,
    person_mask_at,
    rasterise,
    up_from_person,
)
from scalpmap.imaging.hairline_edge import visible_edge
from scalpmap.imaging.hairline_segments import name_segments
from scalpmap.imaging.head import HeadModel
from scalpmap.imaging.main_region import select_main_region
from scalpmap.imaging.pigment_texture import (
    MIN_FOREHEAD_CELLS,
    SMOOTH_MM,
    Levels,
    TextureCells,
    bright_level,
    cell_heights_mm,
    forehead_cells,
    pigment_levels,
    refine_edge,
    smooth_texture,
    texture_cells,
)
from scalpmap.imaging.scalp import find_scalp
from scalpmap.imaging.whole_head_shapes import (
    drop_small_parts,
    full_field,
    mask_polygon,
    translate,
    translate_polygon,
)

WORK_MM_PER_PX = 0.25
WORK_MAX_PIXELS = 2_000_000
FIELD_CELL_MM = 0.5
MIN_REGION_CM2 = 0.25
MAX_GAP_MM = 2.5
CROP_MARGIN_MM = 10.0
RIM_MM = 1.5
RIM_REACH_MM = 5.0
VIEW_BELOW_BROWS_MM = 30.0
HIDDEN_GAP_MM = 25.0
MIN_STRETCH_MM = 10.0
JOIN_STRETCHES_MM = 50.0
MIN_PERSON_SHARE = 0.08


@dataclass(frozen=True)
class WholeHead:
    """What the whole-head analysis found; coordinates in photo pixels.

    Attributes
    ----------
    region : Polygon or MultiPolygon
        The scalp's pigmented region.
    patches : tuple of Polygon
        The separate parts the region was joined from (one for even work).
    islands : int
        Dark parts below the region's lower edge that were dropped (wrinkles, shine, brows).
    hairline_xy : ndarray of float, shape (M, 2)
        The hairline, left to right.
    hairline_segments : dict of str to ndarray
        The hairline cut into named segments (see :mod:`scalpmap.imaging.hairline_segments`).
    field : region.PigmentField
        The pigment texture (NaN outside the analysed area).
    threshold : float
        The field's level at the region's edge.
    analysed_area : Polygon or MultiPolygon
        Where the analysis looked.
    excluded_area : Polygon or MultiPolygon
        The part of the head left out: below the brow line.
    brow_line : BrowLine or None
        The brow line, from landmarks or estimated.
    coverage_percent : float
        Mean pigment texture inside the region, in percent of the skin's brightness.
    notes : tuple of str
        What was done, in words.
    """

    region: Polygon | MultiPolygon
    patches: tuple[Polygon, ...]
    islands: int
    hairline_xy: NDArray[np.float64]
    hairline_segments: dict[str, NDArray[np.float64]]
    field: region_mod.PigmentField
    threshold: float
    analysed_area: Polygon | MultiPolygon
    excluded_area: Polygon | MultiPolygon
    brow_line: BrowLine | None
    coverage_percent: float
    notes: tuple[str, ...] = ()


def working_factor(shape: tuple[int, int], mm_per_px: float) -> float:
    """How many photo pixels one working pixel spans (at least 1).

    Parameters
    ----------
    shape : tuple of int
        The ``(rows, cols)`` to analyse (the head's box).
    mm_per_px : float
        The photo's scale.

    Returns
    -------
    float
        The factor.

    Examples
    --------
    >>> working_factor((3000, 4000), 0.11) > 2.0
    True
    >>> working_factor((600, 800), 0.3)
    1.0
    """
    rows, cols = shape
    by_scale = WORK_MM_PER_PX / mm_per_px
    by_pixels = math.sqrt(rows * cols / WORK_MAX_PIXELS)
    return max(1.0, by_scale, by_pixels)


@dataclass(frozen=True)
class _Crop:
    """The working copy: the head's box of the photo, downscaled."""

    rgb: NDArray[np.uint8]
    factor: float
    origin: tuple[int, int]
    scalp: NDArray[np.bool_]
    person: NDArray[np.bool_] | None
    silhouette: NDArray[np.bool_]


def _working_crop(rgb: NDArray[np.uint8], mm_per_px: float, head: HeadModel | None) -> _Crop:
    """Crop the photo to the head (skin colour on the person) and downscale it."""
    rows, cols = rgb.shape[:2]
    scalp = find_scalp(rgb)
    small = scalp.small
    person = person_mask_at(head, small.shape, mm_per_px * scalp.scale)
    notes_person = person
    if person is not None:
        # A person mask that covers a sliver of the photo failed (a drawing, a poor light): the
        # skin alone then bounds the head.
        if person.mean() >= MIN_PERSON_SHARE:
            small = small & person
        else:
            notes_person = None
    found_rows, found_cols = np.nonzero(small)
    if found_rows.size == 0 or small.all():
        x0, y0, x1, y1 = 0, 0, cols, rows
    else:
        margin = CROP_MARGIN_MM / mm_per_px
        x0 = max(0, int((found_cols.min()) * scalp.scale - margin))
        y0 = max(0, int((found_rows.min()) * scalp.scale - margin))
        x1 = min(cols, int(math.ceil((found_cols.max() + 1) * scalp.scale + margin)))
        y1 = min(rows, int(math.ceil((found_rows.max() + 1) * scalp.scale + margin)))
    crop = rgb[y0:y1, x0:x1]
    factor = working_factor(crop.shape[:2], mm_per_px)
    size = (max(1, round(crop.shape[1] / factor)), max(1, round(crop.shape[0] / factor)))
    work = _reduce(crop, size)
    factor = crop.shape[1] / work.shape[1]
    mm_w = mm_per_px * factor
    # The skin mask of the whole photo (the head chosen there), cut to the box and resized.
    scale_y, scale_x = small.shape[0] / rows, small.shape[1] / cols
    r0, r1 = int(y0 * scale_y), max(int(math.ceil(y1 * scale_y)), int(y0 * scale_y) + 1)
    c0, c1 = int(x0 * scale_x), max(int(math.ceil(x1 * scale_x)), int(x0 * scale_x) + 1)
    skin = scalp.small[r0:r1, c0:c1].astype(np.uint8)
    # Cells of the coarse mask that straddle the box's edge are stretched by at most a cell.
    work_mask = cv2.resize(skin, size, interpolation=cv2.INTER_NEAREST).astype(bool)
    person_w = None
    rim = max(1, int(round(RIM_MM / mm_w)))
    silhouette = _dilate(work_mask, rim)
    if notes_person is not None and head is not None and head.person_mask is not None:
        part = np.ascontiguousarray(head.person_mask[y0:y1, x0:x1]).astype(np.uint8)
        resized = cv2.resize(part, size, interpolation=cv2.INTER_AREA) > 0
        person_w = _dilate(resized, max(1, int(round(PERSON_MARGIN_MM / mm_w))))
        silhouette &= resized
    return _Crop(np.ascontiguousarray(work), factor, (x0, y0), work_mask, person_w, silhouette)


def _dilate(mask: NDArray[np.bool_], radius: int) -> NDArray[np.bool_]:
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return np.asarray(cv2.dilate(mask.astype(np.uint8), kernel) > 0, dtype=bool)


def _reduce(image: NDArray[np.uint8], size: tuple[int, int]) -> NDArray[np.uint8]:
    """Area-average ``image`` down to ``size`` (width, height), the whole factor first (fast)."""
    width, height = size
    if (width, height) == (image.shape[1], image.shape[0]):
        return np.ascontiguousarray(image)
    whole = max(1, int(min(image.shape[1] / width, image.shape[0] / height)))
    if whole >= 2:
        rows, cols = image.shape[0] // whole * whole, image.shape[1] // whole * whole
        image = np.asarray(
            cv2.resize(
                image[:rows, :cols], (cols // whole, rows // whole), interpolation=cv2.INTER_AREA
            )
        )
    return np.asarray(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA))


def analyse_whole_head(
    rgb: NDArray[np.uint8],
    *,
    mm_per_px: float,
    head: HeadModel | None = None,
    roi: Polygon | None = None,
    sticker: Polygon | None = None,
) -> WholeHead:
    """Find the scalp's pigmented region and hairline on a whole-head photo.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    mm_per_px : float
        Its scale.
    head : HeadModel, optional
        The head model (landmarks, person mask); without landmarks the brow line is estimated.
    roi : shapely.Polygon, optional
        Limit the analysis to this area (photo pixels).
    sticker : shapely.Polygon, optional
        The calibration sticker, left out.

    Returns
    -------
    WholeHead
        The region, its hairline and what was left out; coordinates in photo pixels.
    """
    rows, cols = rgb.shape[:2]
    crop = _working_crop(rgb, mm_per_px, head)
    ox, oy = crop.origin
    factor = crop.factor
    mm_w = mm_per_px * factor
    work_rows, work_cols = crop.rgb.shape[:2]
    crop_shape = (int(round(work_rows * factor)), int(round(work_cols * factor)))
    head_mask = crop.scalp.copy()
    if crop.person is not None:
        head_mask &= crop.person
    if roi is not None:
        head_mask &= rasterise(translate(roi, -ox, -oy), (work_rows, work_cols), factor)
    if sticker is not None and not sticker.is_empty:
        head_mask &= ~rasterise(translate(sticker, -ox, -oy), (work_rows, work_cols), factor)
    cell_w = max(1, int(round(FIELD_CELL_MM / mm_w)))
    grid_scale = _GridScale(cell_w * factor, mm_per_px, crop_shape)
    by_measure = texture_cells(crop.rgb, head_mask, mm_w, cell_w, measures=MEASURES)
    on_head = next(iter(by_measure.values())).share > 0.5
    notes: list[str] = []
    brow = None
    if head is not None and head.has_face:
        found = brow_line_from_landmarks(head, mm_per_px)
        brow = found.moved(-ox, -oy) if found is not None else None
    up = brow.up_xy if brow is not None else up_from_person(head)
    glabella = head.landmark_xy("glabella") if head is not None and head.has_face else None
    centre = np.asarray(glabella) - (ox, oy) if glabella is not None else None
    forehead = (
        forehead_cells(on_head.shape, grid_scale.px_per_cell, brow, mm_per_px, centre)
        if brow is not None
        else None
    )
    heights = cell_heights_mm(on_head.shape, grid_scale.px_per_cell, up, mm_per_px)
    measure, cells, levels = _best_measure(by_measure, on_head, brow, grid_scale, forehead, heights)
    notes.append(f"pigment judged against {levels.reference}, by its {MEASURE_WORDS[measure]}")
    step = _field_step(cells, on_head, brow, grid_scale, levels.threshold)
    if brow is None and np.isfinite(levels.threshold):
        face = face_bare(step.bare, None, grid_scale.px_per_cell, mm_per_px)
        heights = cell_heights_mm(on_head.shape, grid_scale.px_per_cell, up, 1.0)
        head_top = float(heights[on_head].max()) if on_head.any() else 0.0
        brow = estimate_brow_line(face, grid_scale.px_per_cell, mm_per_px, up, head_top)
        if brow is not None:
            step = _field_step(cells, on_head, brow, grid_scale, levels.threshold)
            notes.append("no face landmarks: the brow line was estimated from the bare forehead")
    trace_values = step.values.copy()
    if np.isfinite(levels.threshold):
        face = face_bare(step.bare, step.below, grid_scale.px_per_cell, mm_per_px)
        unpigmented = step.area & ~step.pigment
        gaps = fill_gaps(step.pigment, unpigmented, face, grid_scale.px_per_cell, mm_per_px)
        trace_values[gaps] = max(levels.pigment, levels.threshold)
    analysed_area = mask_polygon(step.area, grid_scale.px_per_cell)
    parts = _trace(trace_values, levels.threshold, analysed_area, grid_scale)
    chosen = select_main_region(parts, analysed_area, up_xy=up, mm_per_px=mm_per_px)
    clearance_px = SMOOTH_MM / mm_per_px
    region = region_mod.reach_edges(chosen.region, analysed_area, clearance_px)
    region = _reach_silhouette(region, analysed_area, crop, step.below, grid_scale)
    region = drop_small_parts(region, MIN_REGION_CM2 * 100.0 / mm_per_px**2)
    hairline = _hairline(region, step, brow, head, (ox, oy), grid_scale, clearance_px)
    excluded = (
        mask_polygon(on_head & step.below, grid_scale.px_per_cell)
        if step.below is not None
        else Polygon()
    )
    values = step.values
    inside = values[step.pigment] if step.pigment.any() else values[:0]
    if chosen.islands:
        notes.append(f"{chosen.islands} dark part(s) below the region's lower edge left out")
    hairline = hairline + (ox, oy) if len(hairline) else hairline
    return WholeHead(
        region=translate(region, ox, oy),
        patches=tuple(translate_polygon(p, ox, oy) for p in chosen.patches),
        islands=chosen.islands,
        hairline_xy=hairline,
        hairline_segments=name_segments(hairline, head, up_xy=up, mm_per_px=mm_per_px),
        field=full_field(values, grid_scale.px_per_cell, (ox, oy), (rows, cols)),
        threshold=levels.threshold,
        analysed_area=translate(analysed_area, ox, oy),
        excluded_area=translate(excluded, ox, oy),
        brow_line=brow.moved(ox, oy) if brow is not None else None,
        coverage_percent=float(np.mean(inside)) * 100 if inside.size else 0.0,
        notes=tuple(notes),
    )


MEASURES = ("dots", "darkening")
FALLBACK_MEASURE = "darkening"
MEASURE_WORDS = {
    "dots": "dark dots (blind to wrinkles, hairs and shading)",
    "darkening": "darkening of the skin",
}


def _best_measure(
    by_measure: dict[str, TextureCells],
    on_head: NDArray[np.bool_],
    brow: BrowLine | None,
    grid: _GridScale,
    forehead: NDArray[np.bool_] | None,
    heights: NDArray[np.float64],
) -> tuple[str, TextureCells, Levels]:
    """Pick the texture measure that best separates this person's pigment from bare skin.

    Each measure's pigment and bare levels are found as :func:`pigment_levels` finds them; the
    measure whose pigment stands furthest above the forehead, in units of the forehead's own
    spread (:func:`_separation`), is used. Dots usually win on real skin, whose wrinkles, pores
    and shine darken it in lines and patches. Without a forehead to judge by (no landmarks), the
    darkening (``FALLBACK_MEASURE``) is used: the dots' bare level from their bright side is
    not reliable on dark skin with faded ink.
    """
    best: tuple[float, str, TextureCells, Levels] | None = None
    by_measure = dict(sorted(by_measure.items(), key=lambda item: item[0] != FALLBACK_MEASURE))
    for measure, cells in by_measure.items():
        step = _field_step(cells, on_head, brow, grid)
        levels = pigment_levels(
            step.coarse,
            step.fine,
            forehead=forehead,
            height_mm=heights,
            bright=bright_level(cells, step.area, grid.mm_per_cell),
            core_cells=SMOOTH_MM / grid.mm_per_cell,
            mm_per_cell=grid.mm_per_cell,
        )
        separation = _separation(step.coarse, forehead, levels)
        if measure != FALLBACK_MEASURE and not np.isfinite(separation):
            continue  # without a forehead to judge by, the established measure is kept
        if best is None or (np.isfinite(separation) and not separation <= best[0]):
            best = (separation, measure, cells, levels)
    assert best is not None
    return best[1], best[2], best[3]


def _separation(
    coarse: NDArray[np.float64], forehead: NDArray[np.bool_] | None, levels: Levels
) -> float:
    """How far the pigment stands above the forehead, in the forehead's spread (NaN unknown)."""
    if forehead is None or not np.isfinite(levels.threshold):
        return float("nan")
    sample = coarse[forehead & np.isfinite(coarse)]
    if sample.size < MIN_FOREHEAD_CELLS:
        return float("nan")
    spread = float(np.percentile(sample, 90) - np.percentile(sample, 50))
    return (levels.pigment - levels.bare) / max(spread, 1e-9)


@dataclass(frozen=True)
class _GridScale:
    """The pigment grid's cell size, in photo pixels and millimetres, over the crop."""

    px_per_cell: float
    mm_per_px: float
    crop_shape: tuple[int, int]

    @property
    def mm_per_cell(self) -> float:
        return self.px_per_cell * self.mm_per_px


@dataclass(frozen=True)
class _Step:
    """The field over the analysed cells, given a brow line, and its pigment and bare cells."""

    area: NDArray[np.bool_]
    below: NDArray[np.bool_] | None
    coarse: NDArray[np.float64]
    fine: NDArray[np.float64]
    values: NDArray[np.float64]
    pigment: NDArray[np.bool_]
    bare: NDArray[np.bool_]


def _field_step(
    cells: TextureCells,
    on_head: NDArray[np.bool_],
    brow: BrowLine | None,
    grid: _GridScale,
    threshold: float = float("inf"),
) -> _Step:
    """Smooth the texture over the head above the brow line and split it at ``threshold``."""
    below = (
        rasterise(brow.below(grid.crop_shape), on_head.shape, grid.px_per_cell)
        if brow is not None
        else None
    )
    area = on_head & ~below if below is not None else on_head
    coarse, fine = smooth_texture(cells, area, grid.mm_per_cell)
    values = refine_edge(coarse, fine, threshold, band_cells=2 * SMOOTH_MM / grid.mm_per_cell)
    finite = np.isfinite(values)
    pigment = finite & (values >= threshold)
    bare = area & finite & (values < threshold)
    return _Step(area, below, coarse, fine, values, pigment, bare)


def _trace(
    values: NDArray[np.float64],
    threshold: float,
    within: Polygon | MultiPolygon,
    grid: _GridScale,
) -> Polygon | MultiPolygon:
    """Every pigmented part of the field, in crop pixels."""
    if not np.isfinite(threshold):
        return Polygon()
    return region_mod.field_to_region(
        region_mod.PigmentField(values=values, cell_px=grid.px_per_cell),
        threshold,
        min_area_px=MIN_REGION_CM2 * 100.0 / grid.mm_per_px**2,
        max_gap_px=MAX_GAP_MM / grid.mm_per_px,
        within=within,
        unseen_is_pigment=False,
        min_component_share=0.0,
    )


def _hairline(
    region: Polygon | MultiPolygon,
    step: _Step,
    brow: BrowLine | None,
    head: HeadModel | None,
    origin: tuple[int, int],
    grid: _GridScale,
    clearance_px: float,
) -> NDArray[np.float64]:
    """Trace the region's edge seen from the face, or its longest free edge without a brow line."""
    blocked = ~step.area
    if brow is not None:
        up = brow.up_xy
        point = brow.point_xy
        glabella = head.landmark_xy("glabella") if head is not None and head.has_face else None
        if brow.source != "landmarks":
            # Without the face's landmarks the viewpoint is a guess (a profile's estimated brow
            # line can sit anywhere across the face): every edge against bare skin is hairline.
            return region_mod.trace_hairline(
                region,
                blocked,
                grid.px_per_cell,
                clearance_px=clearance_px,
                min_stretch_px=MIN_STRETCH_MM / grid.mm_per_px,
                join_px=JOIN_STRETCHES_MM / grid.mm_per_px,
            )
        if glabella is not None:
            g = np.asarray(glabella) - origin
            point = g + float((brow.point_xy - g) @ up) * up
        viewpoint = point - VIEW_BELOW_BROWS_MM / grid.mm_per_px * up
        found = visible_edge(
            region,
            viewpoint,
            blocked,
            grid.px_per_cell,
            clearance_px=clearance_px,
            up_xy=up,
            gap_px=HIDDEN_GAP_MM / grid.mm_per_px,
        )
        if len(found):
            return found
    return region_mod.trace_hairline(
        region,
        blocked,
        grid.px_per_cell,
        clearance_px=clearance_px,
        min_stretch_px=MIN_STRETCH_MM / grid.mm_per_px,
        join_px=JOIN_STRETCHES_MM / grid.mm_per_px,
    )


def _reach_silhouette(
    region: Polygon | MultiPolygon,
    analysed: Polygon | MultiPolygon,
    crop: _Crop,
    below: NDArray[np.bool_] | None,
    grid: _GridScale,
) -> Polygon | MultiPolygon:
    """Extend the region over the head's rim, which the skin's colour misses (it darkens there)."""
    if region.is_empty:
        return region
    silhouette = crop.silhouette
    if below is not None:
        rows, cols = silhouette.shape
        below_w = cv2.resize(below.astype(np.uint8), (cols, rows), interpolation=cv2.INTER_NEAREST)
        silhouette = silhouette & (below_w == 0)
    outline = mask_polygon(silhouette, crop.factor)
    rim = outline.difference(analysed)
    if rim.is_empty:
        return region
    grown = region.buffer(RIM_REACH_MM / grid.mm_per_px).intersection(rim)
    merged = region.union(grown).buffer(0)
    return merged if isinstance(merged, Polygon | MultiPolygon) else region
