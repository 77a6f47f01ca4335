"""The face's bare skin on the pigment grid: gaps in the work, and the brow line without landmarks.

Bare skin (analysed cells below the pigment level) is of two kinds. The face's bare skin (the
forehead running down to the brows, the cheeks) is the largest bare area and the one that meets
the excluded face below the brow line: the hairline is its border with the pigment. Every other
bare area lies within the pigmented scalp: a gap in patchy work, a shine spot that hides the
pigment, the sticker's surround. Those gaps belong to the region, except a small bare area that
opens onto the head's outline and reaches well in from it: an ear beside the pigment in a top or
back view (:func:`edge_lobes`), whose edge is not hairline either.

Without face landmarks the brow line is estimated from the face's bare skin: the hairline is its
upper edge (its upper quartile over the head's width), and the brows lie a typical forehead's
height below it.
Only the face's side of the head is cut there (as wide as the bare forehead above the line), so
the back of the head in a side view keeps its pigment down to the neck.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.face_exclusion import SIDEBURN_MM, BrowLine

FOREHEAD_MM = 55.0
HAIRLINE_PERCENTILE = 75.0
SCALP_ABOVE_BROWS_MM = 90.0
FACE_SIDE_MARGIN_MM = 30.0
MAX_GAP_FILL_CM2 = 40.0
EDGE_LOBE_MM = 6.0
"""A small bare area reaching this far in from the head's outline is skin at the head's edge (an
ear seen from above or behind), not a gap in the work (:func:`edge_lobes`)."""
MIN_FACE_CM2 = 15.0
FACE_REACH_MM = 130.0
FACE_DEPTH_MM = 110.0
RIM_MM = 3.0
FOREHEAD_GAP_MM = 5.0
"""Bare skin across the brow line parted by this much non-bare skin (the sideburn's pigment in a
profile) is two stretches of skin: the forehead's and, behind the sideburn, the ear's."""


def _height_along(
    shape: tuple[int, int], px_per_cell: float, up_xy: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Each cell centre's coordinate along the head (left to right) and up, in photo pixels."""
    rows, cols = shape
    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float64)
    x = (xx + 0.5) * px_per_cell - 0.5
    y = (yy + 0.5) * px_per_cell - 0.5
    up = np.asarray(up_xy, dtype=np.float64)
    along = np.array([-up[1], up[0]])
    return x * along[0] + y * along[1], x * up[0] + y * up[1]


def face_bare(
    bare: NDArray[np.bool_],
    below: NDArray[np.bool_] | None,
    px_per_cell: float,
    mm_per_px: float,
) -> NDArray[np.bool_]:
    """Find the face's bare skin: the largest bare area and every one meeting the excluded face.

    Parameters
    ----------
    bare : ndarray of bool, shape (r, c)
        Analysed cells below the pigment level.
    below : ndarray of bool or None
        Cells excluded below the brow line.
    px_per_cell : float
        Photo pixels per cell.
    mm_per_px : float
        Photo scale.

    Returns
    -------
    ndarray of bool
        True on the face's bare cells (none when the largest bare area is smaller than
        ``MIN_FACE_CM2`` and nothing meets the excluded face).
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        bare.astype(np.uint8), connectivity=8
    )
    if count <= 1:
        return np.zeros_like(bare)
    areas = stats[1:, cv2.CC_STAT_AREA]
    cell_cm2 = (px_per_cell * mm_per_px) ** 2 / 100.0
    keep = set()
    largest = int(np.argmax(areas))
    if areas[largest] * cell_cm2 >= MIN_FACE_CM2:
        keep.add(largest + 1)
    if below is not None and below.any():
        frontier = cv2.dilate(below.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        keep.update(int(v) for v in np.unique(labels[frontier & bare]) if v > 0)
    if not keep:
        return np.zeros_like(bare)
    return np.isin(labels, sorted(keep))


def face_bare_unlandmarked(
    bare: NDArray[np.bool_],
    area: NDArray[np.bool_],
    px_per_cell: float,
    mm_per_px: float,
    up_xy: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """Find the face's bare skin without landmarks: the bare area that reaches highest.

    In a side or three-quarter view that the face model misses, the neck's bare skin is often
    larger than the face's, and a beard parts the two. The face's bare skin (forehead, temple,
    cheek) runs up to the hairline, within ``FACE_REACH_MM`` of the top of the head, and down
    past the brows, more than ``FACE_DEPTH_MM`` below that top; the neck's stops at the jaw and
    the ear, further down, and a bare crown does not reach so low. Of the bare areas of at least
    ``MIN_FACE_CM2`` that open onto the head's outline (a gap in patchy work is closed by pigment
    all round) and reach that high, the one reaching highest among those that also reach that
    low (or among all of them, when none does) is taken.

    Parameters
    ----------
    bare : ndarray of bool, shape (r, c)
        Analysed cells below the pigment level.
    area : ndarray of bool, shape (r, c)
        The analysed cells (the head).
    px_per_cell : float
        Photo pixels per cell.
    mm_per_px : float
        Photo scale.
    up_xy : ndarray of float, shape (2,)
        The head's up direction.

    Returns
    -------
    ndarray of bool
        True on the face's bare cells; as :func:`face_bare` (the largest bare area) when no
        bare area qualifies.
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        bare.astype(np.uint8), connectivity=8
    )
    if count <= 1 or not area.any():
        return face_bare(bare, None, px_per_cell, mm_per_px)
    cell_cm2 = (px_per_cell * mm_per_px) ** 2 / 100.0
    outside = cv2.dilate((~area).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    open_labels = set(np.unique(labels[outside & bare]).tolist()) - {0}
    _, height = _height_along(bare.shape, px_per_cell, up_xy)
    lowest_top = float(height[area].max()) - FACE_REACH_MM / mm_per_px
    # How high an area reaches is judged away from the head's outline: along the silhouette a
    # thin rim reads as bare (the texture meets the background there) and would carry the
    # neck's bare skin up to the top of the head.
    rim = max(1, int(round(RIM_MM / (px_per_cell * mm_per_px))))
    kernel = np.ones((2 * rim + 1, 2 * rim + 1), np.uint8)
    inner = bare & (cv2.erode(np.pad(area, rim).astype(np.uint8), kernel)[rim:-rim, rim:-rim] > 0)
    tops = np.full(count, -np.inf)
    np.maximum.at(tops, np.asarray(labels[inner], dtype=np.intp), height[inner])
    candidates = [
        label
        for label in sorted(open_labels)
        if stats[label, cv2.CC_STAT_AREA] * cell_cm2 >= MIN_FACE_CM2 and tops[label] >= lowest_top
    ]
    if not candidates:
        return face_bare(bare, None, px_per_cell, mm_per_px)
    bottoms = np.full(count, np.inf)
    np.minimum.at(bottoms, np.asarray(labels[bare], dtype=np.intp), height[bare])
    below_brows = float(height[area].max()) - FACE_DEPTH_MM / mm_per_px
    whole_faces = [label for label in candidates if bottoms[label] <= below_brows]
    # The face's skin runs from the hairline down past the brows; of such areas the face's
    # reaches highest (the neck's stops at the ear). A bare crown does not reach that low.
    highest = max(whole_faces or candidates, key=lambda label: float(tops[label]))
    return np.asarray(labels == highest, dtype=bool)


def _gap_candidates(
    unpigmented: NDArray[np.bool_],
    face: NDArray[np.bool_],
    px_per_cell: float,
    mm_per_px: float,
) -> tuple[NDArray[np.int32], NDArray[np.bool_]]:
    """Label the unpigmented areas; flag those small enough to be gaps and apart from the face."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        (unpigmented | face).astype(np.uint8), connectivity=8
    )
    cell_cm2 = (px_per_cell * mm_per_px) ** 2 / 100.0
    small = stats[:, cv2.CC_STAT_AREA] * cell_cm2 <= MAX_GAP_FILL_CM2
    small[0] = False
    small[np.unique(labels[face])] = False
    return np.asarray(labels, dtype=np.int32), small


def edge_lobes(
    unpigmented: NDArray[np.bool_],
    face: NDArray[np.bool_],
    area: NDArray[np.bool_],
    px_per_cell: float,
    mm_per_px: float,
) -> NDArray[np.bool_]:
    """Find the small bare areas at the head's edge that are not the face: ears, not gaps.

    A gap in the work is closed by pigment all round. A bare area of up to ``MAX_GAP_FILL_CM2``
    apart from the face's bare skin that opens onto the analysed area's outline and reaches
    ``EDGE_LOBE_MM`` or more in from it is skin at the head's edge instead: an ear standing out
    beside the pigment in a top or back view. A thinner bare rim along the outline (the skin
    darkens or shines at the silhouette, hiding the pigment) is still a gap.

    Parameters
    ----------
    unpigmented : ndarray of bool, shape (r, c)
        Analysed cells that are not pigmented.
    face : ndarray of bool, shape (r, c)
        The face's bare cells (:func:`face_bare`).
    area : ndarray of bool, shape (r, c)
        The analysed cells.
    px_per_cell : float
        Photo pixels per cell.
    mm_per_px : float
        Photo scale.

    Returns
    -------
    ndarray of bool
        The lobes' cells.
    """
    labels, small = _gap_candidates(unpigmented, face, px_per_cell, mm_per_px)
    if not small.any():
        return np.zeros_like(unpigmented)
    count = len(small)
    inside = np.pad(area, 1).astype(np.uint8)
    depth = cv2.distanceTransform(inside, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)[1:-1, 1:-1]
    depth_mm = depth * (px_per_cell * mm_per_px)
    deepest = np.zeros(count)
    np.maximum.at(deepest, labels.ravel(), depth_mm.ravel())
    nearest = np.full(count, np.inf)
    np.minimum.at(nearest, labels.ravel(), np.where(area, depth_mm, np.inf).ravel())
    at_edge = nearest <= 1.5 * px_per_cell * mm_per_px
    lobe = small & at_edge & (deepest >= EDGE_LOBE_MM)
    return np.asarray(lobe[labels], dtype=bool)


def fill_gaps(
    pigment: NDArray[np.bool_],
    unpigmented: NDArray[np.bool_],
    face: NDArray[np.bool_],
    px_per_cell: float,
    mm_per_px: float,
    lobes: NDArray[np.bool_] | None = None,
) -> NDArray[np.bool_]:
    """Find the unpigmented cells that are gaps in the pigmented scalp (not the face, not large).

    Parameters
    ----------
    pigment : ndarray of bool, shape (r, c)
        Pigmented cells.
    unpigmented : ndarray of bool, shape (r, c)
        Analysed cells that are not pigmented: bare skin, and hair-like texture that has no
        level (stubble over the pigment).
    face : ndarray of bool, shape (r, c)
        The face's bare cells (:func:`face_bare`); areas that reach them are not gaps.
    px_per_cell : float
        Photo pixels per cell.
    mm_per_px : float
        Photo scale.
    lobes : ndarray of bool, shape (r, c), optional
        Bare areas at the head's edge (:func:`edge_lobes`), not gaps.

    Returns
    -------
    ndarray of bool
        Gap cells; none when there is no pigment.
    """
    if not pigment.any():
        return np.zeros_like(unpigmented)
    labels, small = _gap_candidates(unpigmented, face, px_per_cell, mm_per_px)
    if lobes is not None:
        small[np.unique(labels[lobes])] = False
    return np.asarray(small[labels], dtype=bool)


def _forehead_stretch(
    s: NDArray[np.float64],
    h: NDArray[np.float64],
    band: NDArray[np.bool_],
    px_per_cell: float,
    mm_per_px: float,
) -> NDArray[np.bool_]:
    """Keep the stretch of the band's bare skin (across the head) that holds the forehead.

    In a profile the face's bare skin runs from the forehead over the cheek to the ear; just
    above the brow line the sideburn's pigment parts the forehead from the ear's bare skin. Of
    the stretches parted by ``FOREHEAD_GAP_MM`` or more, the forehead's is the one whose bare skin
    reaches highest (up to the hairline; the ear's stops at the ear's top).
    """
    cells = np.floor((s - s.min()) / max(px_per_cell, 1e-9)).astype(int)
    occupied = np.zeros(int(cells.max()) + 1, dtype=bool)
    occupied[cells[band]] = True
    gap = max(1, int(np.ceil(FOREHEAD_GAP_MM / (px_per_cell * mm_per_px))))
    # Runs of occupied cells, joined across gaps shorter than ``gap``.
    stretch = np.full(occupied.size, -1)
    current, last = -1, -(10**9)
    for index in np.flatnonzero(occupied).tolist():
        if index - last > gap:
            current += 1
        stretch[last + 1 if index - last <= gap else index : index + 1] = current
        last = index
    if current <= 0:
        return np.ones_like(band)
    tops = np.full(current + 1, -np.inf)
    labelled = stretch[cells] >= 0
    np.maximum.at(tops, stretch[cells][labelled], h[labelled])
    return np.asarray(stretch[cells] == int(np.argmax(tops)), dtype=bool)


def estimate_brow_line(
    face: NDArray[np.bool_],
    px_per_cell: float,
    mm_per_px: float,
    up_xy: NDArray[np.float64],
    head_top_px: float,
) -> BrowLine | None:
    """Estimate the brow line from the face's bare skin, without landmarks.

    Parameters
    ----------
    face : ndarray of bool, shape (r, c)
        The face's bare cells (:func:`face_bare`).
    px_per_cell : float
        Photo pixels per cell.
    mm_per_px : float
        Photo scale.
    up_xy : ndarray of float, shape (2,)
        The head's up direction.
    head_top_px : float
        Height of the top of the head (along ``up_xy``, photo pixels): the line stays at least
        ``SCALP_ABOVE_BROWS_MM`` below it, since a scalp is taller than that above the brows.

    Returns
    -------
    BrowLine or None
        A line ``FOREHEAD_MM`` below the bare skin's upper edge, cut only across the face's
        width (and ``FACE_SIDE_MARGIN_MM`` either side, for the sideburns); None without a face.
    """
    if not face.any():
        return None
    along, height = _height_along(face.shape, px_per_cell, up_xy)
    s, h = along[face], height[face]
    # The bare skin's upper edge, column by column across the head: the hairline over the
    # forehead (front view) or over the forehead and the temple (side view).
    bins = np.floor((s - s.min()) / max(px_per_cell, 1e-9)).astype(int)
    tops = np.full(int(bins.max()) + 1, -np.inf)
    np.maximum.at(tops, bins, h)
    hairline_h = float(np.percentile(tops[np.isfinite(tops)], HAIRLINE_PERCENTILE))
    brow_h = min(
        hairline_h - FOREHEAD_MM / mm_per_px, head_top_px - SCALP_ABOVE_BROWS_MM / mm_per_px
    )
    if brow_h <= float(h.min()):
        return None  # the bare skin does not reach that far down: not a face
    up = np.asarray(up_xy, dtype=np.float64)
    across = np.array([-up[1], up[0]])
    # The line's point: under the middle of the forehead just above it (where the hairline is
    # seen from).
    band = (h >= brow_h) & (h <= brow_h + FOREHEAD_MM / 2 / mm_per_px)
    if band.any():
        band &= _forehead_stretch(s, h, band, px_per_cell, mm_per_px)
    mid = float(np.mean(s[band])) if band.any() else 0.5 * (float(s.min()) + float(s.max()))
    margin = FACE_SIDE_MARGIN_MM / mm_per_px
    # The face is as wide as the bare forehead just above the line: below it, the bare cheeks,
    # ears and neck of a side view run across the whole head, where the back keeps its pigment.
    across_forehead = s[band] if band.any() else s
    low, high = float(across_forehead.min()), float(across_forehead.max())
    return BrowLine(
        point_xy=mid * across + brow_h * up,
        up_xy=up,
        source="estimated",
        span=(low - margin, high + margin),
        face_span=(low, high),
        sideburn_px=SIDEBURN_MM / mm_per_px,
    )
