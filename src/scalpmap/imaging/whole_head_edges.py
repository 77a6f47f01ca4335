"""The whole-head region's edges: its hairline, and its reach over the head's rim.

The hairline is the region's edge seen from below the brows (:func:`whole_head_hairline`); without
the face's landmarks it is every edge against bare skin, unless the estimated brow line lies at
one side of the head (a profile, :func:`profile_face_side`), where it is again the edge seen from
the face. The region is grown over the head's rim, which the skin's colour misses
(:func:`reach_silhouette`).
"""

from __future__ import annotations

from functools import partial
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.imaging import region as region_mod
from scalpmap.imaging.face_exclusion import BrowLine
from scalpmap.imaging.hairline_edge import visible_edge
from scalpmap.imaging.hairline_rim import rim_strip_points
from scalpmap.imaging.head import HeadModel
from scalpmap.imaging.whole_head_crop import WorkingCrop
from scalpmap.imaging.whole_head_field import FieldStep, GridScale
from scalpmap.imaging.whole_head_shapes import mask_polygon

RIM_REACH_MM = 5.0
VIEW_BELOW_BROWS_MM = 30.0
HIDDEN_GAP_MM = 25.0
MIN_STRETCH_MM = 10.0
JOIN_STRETCHES_MM = 70.0
PROFILE_OFFSET = 0.4
RIM_STRIP_MM = 6.0
"""An edge of the region this near the head's outline, with its bare side towards it, runs
along a bare-reading strip at the rim (:mod:`scalpmap.imaging.hairline_rim`); as thin as a bare
rim that is still a gap (``bare_skin.EDGE_LOBE_MM``)."""
RIM_STRIP_RUN_MM = 15.0
"""... when it does so for this long: a temple's edge meets the outline at an angle."""


def whole_head_hairline(
    region: Polygon | MultiPolygon,
    step: FieldStep,
    brow: BrowLine | None,
    head: HeadModel | None,
    origin: tuple[int, int],
    grid: GridScale,
    clearance_px: float,
    *,
    profile: Literal["left", "right"] | None = None,
    hidden: NDArray[np.bool_] | None = None,
) -> NDArray[np.float64]:
    """Trace the region's edge seen from the face, or its longest free edge without a brow line.

    Parameters
    ----------
    region : Polygon or MultiPolygon
        The region (crop pixels).
    step : FieldStep
        The field's cells; those outside its area block the edge.
    brow : BrowLine or None
        The brow line (crop pixels).
    head : HeadModel or None
        The head model (the glabella, in photo pixels).
    origin : tuple of int
        The crop's top-left corner in the photo.
    grid : GridScale
        The grid's cell size.
    clearance_px : float
        How far from the blocked cells an edge is free.
    profile : {"left", "right"}, optional
        For an estimated brow line, the side its profile's face is on
        (:func:`profile_face_side`): the edge is then seen from the face as with landmarks.
    hidden : ndarray of bool, optional
        Analysed cells whose edge with the region is not hairline either (the ears,
        :func:`scalpmap.imaging.bare_skin.edge_lobes`).

    Returns
    -------
    ndarray of float, shape (M, 2)
        The hairline (crop pixels).
    """
    blocked = ~step.area if hidden is None else ~step.area | hidden
    # The edge along a bare-reading strip at the rim is not hairline (faded ink where the scalp
    # turns away); the rim is the head's outline, not the ears' edges.
    skip = partial(
        rim_strip_points,
        blocked=~step.area,
        px_per_cell=grid.px_per_cell,
        width_px=RIM_STRIP_MM / grid.mm_per_px,
        min_run_px=RIM_STRIP_RUN_MM / grid.mm_per_px,
    )
    if brow is not None:
        up = brow.up_xy
        point = brow.point_xy
        glabella = head.landmark_xy("glabella") if head is not None and head.has_face else None
        if brow.source != "landmarks" and profile is None:
            # Without the face's landmarks, seen from the front or the top, the viewpoint is a
            # guess that would hide the temples' corners: every edge against bare skin is
            # hairline.
            return region_mod.trace_hairline(
                region,
                blocked,
                grid.px_per_cell,
                clearance_px=clearance_px,
                min_stretch_px=MIN_STRETCH_MM / grid.mm_per_px,
                join_px=JOIN_STRETCHES_MM / grid.mm_per_px,
                skip=skip,
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
            skip=skip,
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
        skip=skip,
    )


def profile_face_side(
    brow: BrowLine, area: NDArray[np.bool_], px_per_cell: float
) -> Literal["left", "right"] | None:
    """Tell on which side of the photo a profile's face is, from where its brow line lies.

    Seen from the side, the forehead is at the front of the head's outline; seen from the front
    or the top, it is across the middle. In a profile the region's edge behind the sideburn (over
    the ear, down the nape) is not hairline: it is hidden from the face by the sideburn.

    Parameters
    ----------
    brow : BrowLine
        The brow line (crop pixels).
    area : ndarray of bool
        The analysed cells (the head above the brow line).
    px_per_cell : float
        Crop pixels per cell.

    Returns
    -------
    {"left", "right"} or None
        The side of the photo (the head stood upright) that the face is on, when the brow line's
        point lies further than ``PROFILE_OFFSET`` of the head's half-width from the head's
        middle, across the head; None for a front or top view.
    """
    rows, cols = np.nonzero(area)
    if cols.size == 0:
        return None
    across = np.array([-brow.up_xy[1], brow.up_xy[0]])
    along = ((cols + 0.5) * px_per_cell) * across[0] + ((rows + 0.5) * px_per_cell) * across[1]
    low, high = float(along.min()), float(along.max())
    half = 0.5 * (high - low)
    if half <= 0:
        return None
    offset = (float(brow.point_xy @ across) - 0.5 * (low + high)) / half
    if abs(offset) < PROFILE_OFFSET:
        return None
    return "left" if offset < 0 else "right"


def reach_silhouette(
    region: Polygon | MultiPolygon,
    analysed: Polygon | MultiPolygon,
    crop: WorkingCrop,
    below: NDArray[np.bool_] | None,
    grid: GridScale,
) -> Polygon | MultiPolygon:
    """Extend the region over the head's rim, which the skin's colour misses (it darkens there).

    Parameters
    ----------
    region : Polygon or MultiPolygon
        The region (crop pixels).
    analysed : Polygon or MultiPolygon
        The analysed area (crop pixels).
    crop : WorkingCrop
        The working copy (its silhouette).
    below : ndarray of bool or None
        The field's cells below the brow line, left out.
    grid : GridScale
        The grid's cell size.

    Returns
    -------
    Polygon or MultiPolygon
        The region, grown by at most ``RIM_REACH_MM`` over the rim.
    """
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
