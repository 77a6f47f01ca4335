"""The pigmented region and the current hairline, from a pigment field on a coarse grid.

The pigment field is either the impression density (impressions mode) or the share of skin
darkened by pigment (coverage mode). Both are smoothed with *normalised convolution*: the field is
averaged over the analysed area only, so it does not fade towards the photo's edge or the head's
silhouette. The region's edge is the level half-way between bare skin and the pigmented interior,
traced with sub-cell accuracy by marching squares. For a feathered hairline that is the line where
the density has fallen to half: the same definition as the generator's truth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import cv2
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.imaging.hairline_stretches import join_near_stretches
from scalpmap.imaging.level_rings import contour_polygons, never_counts_below, rings_to_region
from scalpmap.imaging.li_threshold import li_threshold

# scikit-image is not annotated: the function used here, with the type it returns.


def _find_contours(values: NDArray[np.float64], level: float) -> list[NDArray[np.float64]]:
    """scikit-image's marching squares, imported on first use."""
    from skimage.measure import find_contours

    return cast(Callable[..., list[NDArray[np.float64]]], find_contours)(values, level)


MIN_COMPONENT_SHARE = 0.25
EDGE_CLEARANCE_MM = 1.0


@dataclass(frozen=True)
class PigmentField:
    """A field sampled on square cells laid over the photo.

    Attributes
    ----------
    values : ndarray of float, shape (r, c)
        The field; NaN outside the analysed area.
    cell_px : float
        Cell side in photo pixels; cell ``(i, j)`` is centred on photo pixel
        ``((j + 0.5) * cell_px - 0.5, (i + 0.5) * cell_px - 0.5)``.
    """

    values: NDArray[np.float64]
    cell_px: float


def smooth_field(
    raw: NDArray[np.float64], area: NDArray[np.bool_], sigma_cells: float
) -> NDArray[np.float64]:
    """Gaussian smoothing restricted to ``area`` (normalised convolution).

    Parameters
    ----------
    raw : ndarray of float, shape (r, c)
        Values per cell (zero outside ``area``).
    area : ndarray of bool, shape (r, c)
        Cells that belong to the analysed area.
    sigma_cells : float
        Gaussian sigma in cells.

    Returns
    -------
    ndarray of float
        Smoothed field, NaN outside ``area``.
    """
    weight = area.astype(np.float32)
    num = cv2.GaussianBlur((raw * area).astype(np.float32), (0, 0), sigma_cells)
    den = cv2.GaussianBlur(weight, (0, 0), sigma_cells)
    out = np.where(area & (den > 1e-3), num / np.maximum(den, 1e-6), np.nan)
    return out.astype(np.float64)


def pigment_threshold(values: NDArray[np.float64]) -> float:
    """Level half-way between bare skin and the pigmented interior.

    Parameters
    ----------
    values : ndarray of float
        Field values (NaN ignored).

    Returns
    -------
    float
        The threshold.
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0 or float(finite.max() - finite.min()) < 1e-12:
        return float("inf")
    # Clip the darkest tenth (eyebrows, a beard, moles) so that it cannot pull the split away
    # from the contrast between bare skin and pigment.
    finite = np.minimum(finite, np.percentile(finite, 90))
    if float(finite.max() - finite.min()) < 1e-12:
        return float("inf")
    # Li's minimum cross-entropy split stays between bare skin and pigment even when one of
    # the two is a small share of the head (Otsu then splits the larger class's own spread).
    split = li_threshold(finite)
    inside, outside = finite[finite > split], finite[finite <= split]
    high = float(np.median(inside)) if inside.size else split
    low = float(np.median(outside)) if outside.size else 0.0
    return 0.5 * (low + high)


def interior_threshold(
    fine: NDArray[np.float64], coarse: NDArray[np.float64], threshold: float, *, core_cells: float
) -> float:
    """Half-way level between bare skin and the region's core, measured on the finer field.

    A strongly smoothed field never reaches the full density inside a narrow band of pigment, so
    its own half-way level sits too low and the region comes out too wide. The core (cells deeper
    than ``core_cells`` inside the coarse region) and the bare skin give the true levels.

    Parameters
    ----------
    fine, coarse : ndarray of float, shape (r, c)
        The field at two smoothing scales.
    threshold : float
        The coarse field's edge level.
    core_cells : float
        Depth of the core, in cells.

    Returns
    -------
    float
        The edge level; ``threshold`` when the region has no core.
    """
    if not np.isfinite(threshold):
        return threshold
    inside = (np.nan_to_num(coarse, nan=-np.inf) >= threshold).astype(np.uint8)
    depth_in = cv2.distanceTransform(np.pad(inside, 1), cv2.DIST_L2, 3)[1:-1, 1:-1]
    depth_out = cv2.distanceTransform(np.pad(1 - inside, 1), cv2.DIST_L2, 3)[1:-1, 1:-1]
    core = (depth_in > core_cells) & np.isfinite(fine)
    bare = (depth_out > core_cells) & np.isfinite(fine) & (inside == 0)
    if core.sum() < 4 or bare.sum() < 4:
        return threshold
    return 0.5 * (float(np.median(fine[core])) + float(np.median(fine[bare])))


def refine_near_edge(
    coarse: NDArray[np.float64],
    fine: NDArray[np.float64],
    threshold: float,
    *,
    band_cells: float,
    hairline_only: bool = False,
) -> NDArray[np.float64]:
    """Use a finer field near the coarse field's edge, the coarse one elsewhere.

    The coarse field finds the region reliably; the fine one, noisier, places its edge (the
    hairline) more exactly once the search is limited to a band around the coarse edge.

    Parameters
    ----------
    coarse, fine : ndarray of float, shape (r, c)
        The same field smoothed at two scales (NaN outside the analysed area).
    threshold : float
        Level of the region's edge.
    band_cells : float
        Half-width of the band around the coarse edge, in cells.
    hairline_only : bool, optional
        Keep the band away from cells without a value (out of sight), so that it refines only
        the hairline.

    Returns
    -------
    ndarray of float
        The combined field.
    """
    if not np.isfinite(threshold):
        return coarse
    inside = (np.nan_to_num(coarse, nan=-np.inf) >= threshold).astype(np.uint8)
    to_outside = cv2.distanceTransform(inside, cv2.DIST_L2, 3)
    to_inside = cv2.distanceTransform(1 - inside, cv2.DIST_L2, 3)
    band = np.minimum(to_outside, to_inside) <= band_cells
    if not hairline_only:
        return np.where(band, fine, coarse)
    # Only along the hairline: where the pigment goes out of sight, there is no edge to place.
    analysed = np.pad(np.isfinite(coarse).astype(np.uint8), 1)
    to_unseen = cv2.distanceTransform(analysed, cv2.DIST_L2, 3)[1:-1, 1:-1]
    band &= to_unseen > band_cells
    return np.where(band, fine, coarse)


def field_to_region(
    field: PigmentField,
    threshold: float,
    *,
    min_area_px: float,
    max_gap_px: float = 0.0,
    within: Polygon | MultiPolygon | None = None,
    unseen_is_pigment: bool = True,
    min_component_share: float = MIN_COMPONENT_SHARE,
) -> Polygon | MultiPolygon:
    """Trace the region where the field exceeds ``threshold`` as polygons in photo pixels.

    Parameters
    ----------
    field : PigmentField
        The pigment field.
    threshold : float
        Level of the region's edge.
    min_area_px : float
        Smaller islands are dropped.
    max_gap_px : float, optional
        Thinner patches below the threshold, enclosed by the region or open only to the photo's
        edge or to the unanalysed area, are filled: uneven work is still pigmented area.
    within : Polygon or MultiPolygon, optional
        The analysed area; the region is clipped to it.
    unseen_is_pigment : bool, optional
        Treat cells without a value (NaN) as pigmented while tracing, so that gaps open to them
        can close. Use False when NaN also marks excluded texture inside the head (hair).
    min_component_share : float, optional
        Parts smaller than this share of the largest are dropped (0 keeps every part).

    Returns
    -------
    Polygon or MultiPolygon
        The region (possibly empty). By default parts smaller than a quarter of the largest are
        dropped: eyebrows and a beard are dark texture too, but they are not the scalp.
    """
    rows, cols = field.values.shape
    # Outside the analysed area and the photo count as "pigmented" so that gaps open to them close
    # into holes; the region is clipped to the analysed area afterwards.
    high = max(float(np.nanmax(field.values)), threshold) + 1.0
    values = np.nan_to_num(field.values, nan=high if unseen_is_pigment else -1.0)
    padded = np.pad(values, 1, constant_values=high)
    frame = shapely.box(-0.5, -0.5, cols * field.cell_px - 0.5, rows * field.cell_px - 0.5)
    # Depth 0: bare skin (holes of the frame); depth 1: pigment islands; ...
    rings = contour_polygons(
        _find_contours(padded, threshold),
        field.cell_px,
        min_area_px=never_counts_below(min_area_px, max_gap_px),
    )
    region = rings_to_region(rings, frame, min_area_px=min_area_px, max_gap_px=max_gap_px)
    # An opening of one cell removes slivers left where a contour ran along the photo's edge.
    region = region.buffer(-field.cell_px).buffer(field.cell_px).intersection(frame)
    if within is not None:
        region = region.intersection(within)
    parts = [p for p in getattr(region, "geoms", [region]) if isinstance(p, Polygon)]
    parts = [p for p in parts if p.area >= min_area_px]
    if not parts:
        return Polygon()
    largest = max(part.area for part in parts)
    kept = [p for p in parts if p.area >= min_component_share * largest]
    return kept[0] if len(kept) == 1 else MultiPolygon(kept)


def reach_edges(
    region: Polygon | MultiPolygon,
    analysed: Polygon | MultiPolygon,
    reach_px: float,
    *,
    left_out: Polygon | MultiPolygon | None = None,
) -> Polygon | MultiPolygon:
    """Extend the region to the edge of the analysed area where it stops just short of it.

    Smoothing pulls the region's outline slightly inwards along the photo's edge and the head's
    silhouette, where the pigment does not end but goes out of sight. The hairline is unchanged.
    An edge against a part left out by rule (a whole head's face below the brow line) is not
    such an edge: the pigment is in sight there and ends where it ends, so the region is not
    extended within ``reach_px`` of that part.

    Parameters
    ----------
    region : Polygon or MultiPolygon
        The pigmented region.
    analysed : Polygon or MultiPolygon
        Where the analysis looked.
    reach_px : float
        How far from the edge the region may stop and still be extended to it.
    left_out : Polygon or MultiPolygon, optional
        A part beside the analysed area that is left out by rule, not out of sight.

    Returns
    -------
    Polygon or MultiPolygon
        The extended region.
    """
    if region.is_empty or analysed.is_empty:
        return region
    border = analysed.difference(analysed.buffer(-reach_px))
    if left_out is not None and not left_out.is_empty:
        border = border.difference(left_out.buffer(reach_px))
    grown = region.union(region.buffer(reach_px).intersection(border)).intersection(analysed)
    # A buffer is always a Polygon or a MultiPolygon (an empty Polygon at worst).
    return grown.buffer(0)


def trace_hairline(
    region: Polygon | MultiPolygon,
    blocked: NDArray[np.bool_],
    blocked_scale: float,
    *,
    clearance_px: float,
    min_stretch_px: float | None = None,
    join_px: float | None = None,
    skip: Callable[[NDArray[np.float64]], NDArray[np.bool_]] | None = None,
) -> NDArray[np.float64]:
    """Trace the hairline: the region's outline, except where it follows an edge it cannot cross.

    Parameters
    ----------
    region : Polygon or MultiPolygon
        The pigmented region.
    blocked : ndarray of bool, shape (r, c)
        Coarse mask of where pigment cannot be seen: outside the photo or the head.
    blocked_scale : float
        Photo pixels per cell of ``blocked``.
    clearance_px : float
        Outline points nearer than this to a blocked cell are not hairline.
    min_stretch_px : float, optional
        Keep every stretch with at least this much outline deep in the analysed area, joined in
        their order along the outline (a side view's frontal and sideburn stretches, cut apart
        by the masked face) across gaps up to ``join_px``; by default only the deepest
        stretch is kept.
    join_px : float, optional
        See ``min_stretch_px``.
    skip : callable, optional
        Given an exterior ring's points (shape (N, 2)), flags those that are not hairline either.

    Returns
    -------
    ndarray of float, shape (M, 2)
        The stretch of outline that reaches deepest into the analysed area (the longest part
        more than three clearances from any blocked cell; a stretch that only hugs the head's
        silhouette scores nothing), ordered left to right; ``(0, 2)`` when there is none.
    """
    if region.is_empty:
        return np.zeros((0, 2))
    free = np.pad(~blocked, 1, constant_values=False).astype(np.uint8)
    distance = cv2.distanceTransform(free, cv2.DIST_L2, 3) * blocked_scale
    best = np.zeros((0, 2))
    best_score = (-1.0, -1.0)
    for part in getattr(region, "geoms", [region]):
        ring = np.asarray(shapely.segmentize(part.exterior, blocked_scale / 2).coords)[:-1]
        col = np.clip(((ring[:, 0] + 0.5) / blocked_scale).astype(int) + 1, 0, free.shape[1] - 1)
        row = np.clip(((ring[:, 1] + 0.5) / blocked_scale).astype(int) + 1, 0, free.shape[0] - 1)
        depth = distance[row, col]
        ok = depth > clearance_px
        if skip is not None:
            ok &= ~skip(ring)
        if ok.all():
            runs = [(ring, depth)]
        else:
            start = int(np.argmin(ok))  # rotate so that the ring starts on a blocked point
            ring, ok, depth = (
                np.roll(ring, -start, axis=0),
                np.roll(ok, -start),
                np.roll(depth, -start),
            )
            edges = np.flatnonzero(np.diff(ok.astype(int)))
            if ok[-1]:
                edges = np.append(edges, len(ok) - 1)
            runs = [
                (ring[a + 1 : b + 1], depth[a + 1 : b + 1])
                for a, b in zip(edges[::2], edges[1::2], strict=False)
            ]
        scored = []
        for run, run_depth in runs:
            if len(run) < 2:
                continue
            deep = run_depth[1:] > 3 * clearance_px
            steps = np.linalg.norm(np.diff(run, axis=0), axis=1)
            scored.append((run, (float(steps[deep].sum()), _length(run))))
        if min_stretch_px is not None and scored:
            top = max(score[0] for _, score in scored)
            kept = [(r, sc) for r, sc in scored if sc[0] >= min(min_stretch_px, top)]
            chain, total = join_near_stretches(
                [r for r, _ in kept], [sc[0] for _, sc in kept], join_px or 0.0
            )
            scored = [(chain, (total, _length(chain)))]
        for run, score in scored:
            if score > best_score:
                best, best_score = run, score
    if len(best) and best[0, 0] > best[-1, 0]:
        best = best[::-1]
    return np.asarray(best, dtype=np.float64)


def _length(xy: NDArray[np.float64]) -> float:
    """Length of a polyline."""
    return float(np.linalg.norm(np.diff(xy, axis=0), axis=1).sum()) if len(xy) > 1 else 0.0
