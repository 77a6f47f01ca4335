"""Whole-head coverage analysis: the scalp's pigmented region and hairline on a head photo.

At whole-head scales (coverage mode) single impressions are not resolved: the analysis runs on a
downscaled working copy of the head (:mod:`scalpmap.imaging.whole_head_crop`). Everything below the
brow line and off the person is left out (:mod:`scalpmap.imaging.face_exclusion`); the pigment
texture (:mod:`scalpmap.imaging.pigment_texture`) is judged against this person's bare forehead
(:mod:`scalpmap.imaging.texture_levels`, :mod:`scalpmap.imaging.whole_head_field`); the main region
is the pigment that reaches the top of the head (:mod:`scalpmap.imaging.main_region`); its lower
edge is the hairline (:mod:`scalpmap.imaging.whole_head_edges`), named in segments
(:mod:`scalpmap.imaging.hairline_segments`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.imaging import region as region_mod
from scalpmap.imaging.bare_skin import (
    edge_lobes,
    estimate_brow_line,
    face_bare,
    face_bare_unlandmarked,
    fill_gaps,
)
from scalpmap.imaging.face_exclusion import (
    BrowLine,
    brow_line_from_landmarks,
)
from scalpmap.imaging.hairline_segments import name_segments
from scalpmap.imaging.head import HeadModel
from scalpmap.imaging.head.profile import profile_facing
from scalpmap.imaging.main_region import select_main_region
from scalpmap.imaging.person_frame import up_from_person
from scalpmap.imaging.pigment_texture import SMOOTH_MM, texture_cells
from scalpmap.imaging.texture_levels import cell_heights_mm, forehead_cells
from scalpmap.imaging.whole_head_crop import working_crop
from scalpmap.imaging.whole_head_edges import (
    profile_face_side,
    reach_silhouette,
    whole_head_hairline,
)
from scalpmap.imaging.whole_head_field import (
    MEASURE_WORDS,
    MEASURES,
    GridScale,
    best_measure,
    field_step,
)
from scalpmap.imaging.whole_head_shapes import (
    drop_small_parts,
    full_field,
    mask_polygon,
    on_grid,
    rasterise,
    translate,
    translate_polygon,
)

FIELD_CELL_MM = 0.5
MIN_REGION_CM2 = 0.25
MAX_GAP_MM = 2.5
MASK_RIM_MM = 1.5
OUTLINE_GRID_PX = 0.01
"""The region's outline is kept on the grid its document is written at (``analysis.json`` rounds
to 0.01 px): joined outlines hold vertices closer than that, which rounding would fold into
rings that read back differently."""
"""The head mask's rim, left out of the texture the region is traced on."""
MIN_REJUDGED_SEPARATION = 3.0
# In a front view with the face's landmarks, pigment must stand at least this many of the
# forehead's own spreads above the forehead (:func:`whole_head_field.separation`). SMP stood
# 3.2-17.8 in every front view measured (generated, composite on real photos, accuracy
# benchmark); the shading and fine stubble of a real bare bald head, 1.5. Not applied to
# three-quarter and side views, whose forehead band can take in the temples' pigment (a clear
# black SMP three-quarter view stood at 1.2).
MIN_FRONT_SEPARATION = 2.0


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
    warnings : tuple of str
        What the user should know about the result, in words.
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
    warnings: tuple[str, ...] = ()


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
    crop = working_crop(rgb, mm_per_px, head)
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
    grid_scale = GridScale(cell_w * factor, mm_per_px, crop_shape)
    by_measure = texture_cells(
        crop.rgb, head_mask, mm_w, cell_w, measures=MEASURES, rim_mm=MASK_RIM_MM
    )
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
    measure, cells, levels, standing = best_measure(
        by_measure, on_head, brow, grid_scale, forehead, heights
    )
    notes.append(f"pigment judged against {levels.reference}, by its {MEASURE_WORDS[measure]}")
    warnings: list[str] = []
    if _front_view(head, brow) and standing < MIN_FRONT_SEPARATION:
        levels = replace(levels, threshold=float("inf"))
        warnings.append(
            f"no pigment stands clearly above this person's forehead skin ({standing:.1f} of "
            f"its spreads; SMP stands {MIN_FRONT_SEPARATION:.0f} or more), so no region was "
            "drawn: if the scalp has faded SMP, photograph it in even light without shine, or "
            "take close-ups"
        )
    step = field_step(cells, on_head, brow, grid_scale, levels.threshold)
    if brow is None and np.isfinite(levels.threshold):
        face = face_bare_unlandmarked(step.bare, step.area, grid_scale.px_per_cell, mm_per_px, up)
        heights_px = cell_heights_mm(on_head.shape, grid_scale.px_per_cell, up, 1.0)
        head_top = float(heights_px[on_head].max()) if on_head.any() else 0.0
        brow = estimate_brow_line(face, grid_scale.px_per_cell, mm_per_px, up, head_top)
        if brow is not None:
            # Judge the pigment again, against this person's own bare forehead above that line.
            # Kept only when that forehead tells the pigment clearly from bare skin: on a head
            # without pigment it would make pigment of the least dark texture.
            forehead = face & forehead_cells(on_head.shape, grid_scale.px_per_cell, brow, mm_per_px)
            again = best_measure(by_measure, on_head, brow, grid_scale, forehead, heights)
            if again[3] >= MIN_REJUDGED_SEPARATION:
                measure, cells, levels, _ = again
                notes[-1] = (
                    f"pigment judged against {levels.reference}, by its {MEASURE_WORDS[measure]}"
                )
            step = field_step(cells, on_head, brow, grid_scale, levels.threshold)
            notes.append("no face landmarks: the brow line was estimated from the bare forehead")
    # The levels and the brow line above come from the whole mask; the region is traced without
    # its rim, where the texture reads the background's step (the rim takes the field inside).
    step = field_step(cells, on_head, brow, grid_scale, levels.threshold, inner=True)
    trace_values = step.values.copy()
    lobes = np.zeros_like(step.area)
    if np.isfinite(levels.threshold):
        face = face_bare(step.bare, step.below, grid_scale.px_per_cell, mm_per_px)
        unpigmented = step.area & ~step.pigment
        lobes = edge_lobes(unpigmented, face, step.area, grid_scale.px_per_cell, mm_per_px)
        gaps = fill_gaps(step.pigment, unpigmented, face, grid_scale.px_per_cell, mm_per_px, lobes)
        trace_values[gaps] = max(levels.pigment, levels.threshold)
    analysed_area = mask_polygon(step.area, grid_scale.px_per_cell)
    parts = _trace(trace_values, levels.threshold, analysed_area, grid_scale)
    chosen = select_main_region(parts, analysed_area, up_xy=up, mm_per_px=mm_per_px)
    clearance_px = SMOOTH_MM / mm_per_px
    excluded = (
        mask_polygon(on_head & step.below, grid_scale.px_per_cell)
        if step.below is not None
        else Polygon()
    )
    # The brow line's cut is no edge where the pigment goes out of sight: it ends where it ends.
    region = region_mod.reach_edges(chosen.region, analysed_area, clearance_px, left_out=excluded)
    region = reach_silhouette(region, analysed_area, crop, step.below, grid_scale)
    region = drop_small_parts(region, MIN_REGION_CM2 * 100.0 / mm_per_px**2)
    region = on_grid(region, OUTLINE_GRID_PX)
    estimated = brow is not None and brow.source == "estimated"
    profile = (
        profile_facing(crop.rgb, up) or profile_face_side(brow, step.area, grid_scale.px_per_cell)
        if brow is not None and estimated
        else None
    )
    hidden = lobes
    if profile is not None and brow is not None:
        hidden = lobes | _behind_the_cut(brow, profile, step.area.shape, grid_scale.px_per_cell)
    hairline = whole_head_hairline(
        region, step, brow, head, (ox, oy), grid_scale, clearance_px, profile=profile, hidden=hidden
    )
    values = step.values
    inside = values[step.pigment] if step.pigment.any() else values[:0]
    if chosen.islands:
        notes.append(f"{chosen.islands} dark part(s) below the region's lower edge left out")
    hairline = hairline + (ox, oy) if len(hairline) else hairline
    photo_brow = brow.moved(ox, oy) if brow is not None else None
    face_ends = photo_brow.face_ends_xy if photo_brow is not None and estimated else None
    return WholeHead(
        region=translate(region, ox, oy),
        patches=tuple(translate_polygon(p, ox, oy) for p in chosen.patches),
        islands=chosen.islands,
        hairline_xy=hairline,
        hairline_segments=name_segments(
            hairline,
            head,
            up_xy=up,
            mm_per_px=mm_per_px,
            face_ends_xy=face_ends,
            profile_face=profile,
        ),
        field=full_field(values, grid_scale.px_per_cell, (ox, oy), (rows, cols)),
        threshold=levels.threshold,
        analysed_area=translate(analysed_area, ox, oy),
        excluded_area=translate(excluded, ox, oy),
        brow_line=photo_brow,
        coverage_percent=float(np.mean(inside)) * 100 if inside.size else 0.0,
        notes=tuple(notes),
        warnings=tuple(warnings),
    )


def _behind_the_cut(
    brow: BrowLine, profile: str, shape: tuple[int, int], px_per_cell: float
) -> NDArray[np.bool_]:
    """Find the cells behind an estimated profile's cut across the face: the ear's, the nape's.

    In a profile the hairline is what the face sees: the frontal line, the temple and the
    sideburn. Behind the cut's back end (the sideburn's allowance beyond the forehead) lie the
    ear and the nape, whose edges against the pigment are hidden from the face by the sideburn.
    """
    if brow.span is None:
        return np.zeros(shape, dtype=bool)
    rows, cols = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float64)
    across = brow.along_xy
    along = ((cols + 0.5) * px_per_cell - 0.5) * across[0] + (
        (rows + 0.5) * px_per_cell - 0.5
    ) * across[1]
    low, high = brow.span
    return np.asarray(along < low if profile == "right" else along > high, dtype=bool)


def _front_view(head: HeadModel | None, brow: BrowLine | None) -> bool:
    """Whether the photo is a front view whose brow line comes from the face's landmarks."""
    return (
        head is not None
        and head.view == "front"
        and brow is not None
        and brow.source == "landmarks"
    )


def _trace(
    values: NDArray[np.float64],
    threshold: float,
    within: Polygon | MultiPolygon,
    grid: GridScale,
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
