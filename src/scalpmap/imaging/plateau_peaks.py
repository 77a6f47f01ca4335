"""One peak per plateau of a local-maximum map: the plateau's pixel nearest its centroid.

A flat top (pixels of equal value that touch) must give one peak, not one per pixel: an
all-black photo is one plateau. :func:`plateau_peaks` labels the plateaus from their pixels'
coordinates; :func:`plateau_peaks_labelled` with OpenCV, over the box around them all.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

__all__ = ["plateau_peaks", "plateau_peaks_labelled"]

PLATEAU_SPARSE_PIXELS = 200_000
"""Plateaus of up to this many pixels in all are labelled from their coordinates alone."""
PLATEAU_SPARSE_ROUNDS = 40


def plateau_peaks(pixels: NDArray[np.intp]) -> NDArray[np.intp] | None:
    """One peak per plateau from its pixels' coordinates, as :func:`plateau_peaks_labelled`.

    Plateaus are a few pixels each, scattered over the photo: labelling the 8-connected groups
    from the coordinates (minimum labels spread over neighbour pairs, with pointer jumping)
    costs nothing, where OpenCV labelled the box around all of them, the whole 12 MP photo.
    The coordinates count from the box's corner, as there, so centroids round alike. Returns
    None when there are too many pixels or the groups do not settle (very long plateaus).
    """
    count = len(pixels)
    if count > PLATEAU_SPARSE_PIXELS:
        return None
    corner = pixels.min(axis=0)
    local = pixels - corner
    width = int(local[:, 1].max()) + 2
    linear = local[:, 0] * width + local[:, 1]  # increasing: argwhere gives raster order
    first, second = [], []
    for d_row, d_col in ((0, 1), (1, -1), (1, 0), (1, 1)):
        target = linear + d_row * width + d_col
        at = np.minimum(np.searchsorted(linear, target), count - 1)
        hit = (linear[at] == target) & (local[:, 1] + d_col >= 0)
        first.append(np.flatnonzero(hit))
        second.append(at[hit])
    a, b = np.concatenate(first), np.concatenate(second)
    label = np.arange(count)
    for _ in range(PLATEAU_SPARSE_ROUNDS):
        before = label.copy()
        low = np.minimum(label[a], label[b])
        np.minimum.at(label, a, low)
        np.minimum.at(label, b, low)
        label = label[label]  # pointer jumping
        if np.array_equal(label, before):
            break
    else:
        return None
    _, group = np.unique(label, return_inverse=True)
    group = group.reshape(-1)
    area = np.bincount(group).astype(np.float64)
    centre_row = np.bincount(group, weights=local[:, 0].astype(np.float64)) / area
    centre_col = np.bincount(group, weights=local[:, 1].astype(np.float64)) / area
    peak = np.column_stack([np.round(centre_row), np.round(centre_col)]).astype(np.intp)
    # A convex plateau holds its own centroid (most do); the others take their pixel nearest
    # it, the first in raster order among equals.
    at = np.minimum(np.searchsorted(linear, peak[:, 0] * width + peak[:, 1]), count - 1)
    inside = (linear[at] == peak[:, 0] * width + peak[:, 1]) & (group[at] == np.arange(len(area)))
    inside &= (peak[:, 1] >= 0) & (peak[:, 1] < width)
    if not inside.all():
        concave = ~inside[group]
        members = np.flatnonzero(concave)
        owner = group[members]
        distance = (local[members, 0] - centre_row[owner]) ** 2 + (
            local[members, 1] - centre_col[owner]
        ) ** 2
        best = np.full(len(area), np.inf)
        np.minimum.at(best, owner, distance)
        nearest = distance == best[owner]
        chosen = np.full(len(area), count, dtype=np.intp)
        np.minimum.at(chosen, owner[nearest], members[nearest])
        fix = np.flatnonzero(~inside)
        peak[fix] = local[chosen[fix]]
    return np.asarray(peak + corner, dtype=np.intp)


def plateau_peaks_labelled(plateau: NDArray[np.bool_]) -> NDArray[np.intp]:
    """One peak per plateau with OpenCV's labelling of the box around them all."""
    rows, cols = np.flatnonzero(plateau.any(axis=1)), np.flatnonzero(plateau.any(axis=0))
    top, left = int(rows[0]), int(cols[0])
    box = plateau[top : rows[-1] + 1, left : cols[-1] + 1]
    found = cv2.connectedComponentsWithStats(box.view(np.uint8), connectivity=8, ltype=cv2.CV_32S)
    labels = np.asarray(found[1], dtype=np.int32)
    stats = np.asarray(found[2], dtype=np.int32)
    centroids = np.asarray(found[3], dtype=np.float64)
    # A convex plateau holds its own centroid (most do): only the others are searched.
    ids = np.arange(1, int(found[0]))
    flat = np.column_stack(
        [np.round(centroids[ids, 1]).astype(np.intp), np.round(centroids[ids, 0]).astype(np.intp)]
    )
    for k in np.flatnonzero(labels[flat[:, 0], flat[:, 1]] != ids):
        flat[k] = _nearest_pixel(labels, int(ids[k]), stats[ids[k]], centroids[ids[k]])
    return np.asarray(flat + [top, left], dtype=np.intp)


def _nearest_pixel(
    labels: NDArray[np.int32],
    label: int,
    stats: NDArray[np.int32],
    centroid_xy: NDArray[np.float64],
) -> tuple[int, int]:
    """Row, col of the pixel of a labelled component nearest its centroid."""
    row, col = int(round(centroid_xy[1])), int(round(centroid_xy[0]))
    if labels[row, col] == label:  # a convex plateau holds its own centroid
        return row, col
    top, left = int(stats[cv2.CC_STAT_TOP]), int(stats[cv2.CC_STAT_LEFT])
    box = labels[
        top : top + int(stats[cv2.CC_STAT_HEIGHT]), left : left + int(stats[cv2.CC_STAT_WIDTH])
    ]
    inside = np.argwhere(box == label)
    d_row = inside[:, 0] + top - centroid_xy[1]
    d_col = inside[:, 1] + left - centroid_xy[0]
    nearest = inside[int(np.argmin(d_row**2 + d_col**2))]
    return int(nearest[0]) + top, int(nearest[1]) + left
