"""Candidate dots: the local maxima of a contrast map and the footprint around each.

Both work in bounded memory on photos of any size: the maxima in bands of rows, the footprints
in batches of peaks with the same patch size.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.plateau_peaks import plateau_peaks, plateau_peaks_labelled

FOOTPRINT_BATCH_PX = 1 << 20
"""Patch pixels per batch of footprints: bounds the memory."""
MAXIMA_BAND_ROWS = 512
"""Rows per band of the maxima's dilation."""
SPARSE_PEAKS = 1 << 20
"""Up to this many peak pixels, the plateaus among them are found from their coordinates."""
_RING_3X3 = np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], np.float32)
_NEIGHBOURS = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))


def local_maxima(
    contrast: NDArray[np.float32], radius_px: int, threshold: np.float32
) -> NDArray[np.intp]:
    """Find the pixels that are the maximum within ``radius_px`` and above ``threshold``.

    A flat top (a plateau: pixels of equal value that touch) gives one peak, its pixel nearest
    the plateau's centroid: an all-black photo is one plateau, not one peak per pixel.

    Parameters
    ----------
    contrast : ndarray of float32, shape (rows, cols)
        The map.
    radius_px : int
        Radius of the disc a peak is the maximum of.
    threshold : float32
        Peaks must exceed it.

    Returns
    -------
    ndarray of int, shape (N, 2)
        Row and column of each peak, in raster order.
    """
    size = 2 * radius_px + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    peaks = np.empty(contrast.shape, dtype=bool)
    # In bands of rows, each dilated with a margin of the kernel's radius: the same maxima
    # without a second full-size float image.
    for top in range(0, contrast.shape[0], MAXIMA_BAND_ROWS):
        bottom = min(top + MAXIMA_BAND_ROWS, contrast.shape[0])
        start, stop = max(0, top - radius_px), min(contrast.shape[0], bottom + radius_px)
        band = contrast[start:stop]
        dilated = cv2.dilate(band, kernel)[top - start : bottom - start]
        np.greater_equal(band[top - start : bottom - start], dilated, out=peaks[top:bottom])
    peaks &= contrast > threshold
    count = cv2.countNonZero(peaks.view(np.uint8))
    if count == 0:
        return np.zeros((0, 2), dtype=np.intp)
    if count > SPARSE_PEAKS:  # a flat photo: one large plateau
        return _maxima_on_map(peaks)
    # The peaks are sparse: their coordinates (OpenCV's scan, in raster order, as np.argwhere)
    # and which of them touch another, looked up at each, cost far less than full-size maps.
    found = cv2.findNonZero(peaks.view(np.uint8))
    rc = np.asarray(np.reshape(found, (-1, 2))[:, ::-1], dtype=np.intp)
    # Strict maxima never touch: only the pixels of a plateau have a peak beside them, and
    # only those are labelled (scalpmap.imaging.plateau_peaks).
    plateau = _touching(peaks, rc)
    del peaks
    if not plateau.any():
        return rc
    flat = plateau_peaks(rc[plateau])
    if flat is None:  # plateaus too long to label sparsely: OpenCV's labelling
        flat = plateau_peaks_labelled(_on_map(contrast.shape, rc[plateau]))
    rc = np.concatenate([rc[~plateau], flat])
    return rc[np.lexsort((rc[:, 1], rc[:, 0]))]


def _touching(peaks: NDArray[np.bool_], rc: NDArray[np.intp]) -> NDArray[np.bool_]:
    """Return which of the peaks at ``rc`` have another peak among their 8 neighbours."""
    rows, cols = peaks.shape
    touching = np.zeros(len(rc), dtype=bool)
    for d_row, d_col in _NEIGHBOURS:
        row, col = rc[:, 0] + d_row, rc[:, 1] + d_col
        inside = np.flatnonzero((row >= 0) & (row < rows) & (col >= 0) & (col < cols))
        touching[inside] |= peaks[row[inside], col[inside]]
    return touching


def _on_map(shape: tuple[int, ...], rc: NDArray[np.intp]) -> NDArray[np.bool_]:
    """Return a map that is True at the pixels ``rc``."""
    marked = np.zeros(shape, dtype=bool)
    marked[rc[:, 0], rc[:, 1]] = True
    return marked


def _maxima_on_map(peaks: NDArray[np.bool_]) -> NDArray[np.intp]:
    """:func:`local_maxima`'s plateaus found on full-size maps: for a map of many peaks."""
    neighbours = cv2.filter2D(peaks.view(np.uint8), -1, _RING_3X3, borderType=cv2.BORDER_CONSTANT)
    plateau = peaks & (neighbours > 0)
    del neighbours
    if not plateau.any():
        return np.argwhere(peaks)
    peaks &= ~plateau
    single = np.argwhere(peaks)
    del peaks
    flat = plateau_peaks(np.argwhere(plateau))
    if flat is None:  # a plateau too large to label sparsely (an all-black photo): OpenCV's
        flat = plateau_peaks_labelled(plateau)
    rc = np.concatenate([single, flat])
    return rc[np.lexsort((rc[:, 1], rc[:, 0]))]


def footprints(
    contrast: NDArray[np.float32],
    peaks_rc: NDArray[np.intp],
    half: int,
    cut_px: NDArray[np.float64],
) -> tuple[NDArray[np.float64], ...]:
    """Measure each peak's footprint: centre offset, area, peak, elongation and summed contrast.

    The footprint is the pixels above half the peak contrast, within ``cut_px`` of the peak: half
    the distance to the nearest other peak, so that a neighbour's ink is never counted.

    Parameters
    ----------
    contrast : ndarray of float32, shape (rows, cols)
        The contrast map.
    peaks_rc : ndarray of int, shape (N, 2)
        Row and column of each peak.
    half : int
        Half-width of the patch around each peak.
    cut_px : ndarray of float, shape (N,)
        How far from its peak each footprint may reach.

    Returns
    -------
    tuple of ndarray of float, shape (N,)
        Offsets of the centre in x and y, area (pixels), peak contrast, elongation (ratio of the
        axes) and summed contrast of each footprint.
    """
    offsets = np.arange(-half, half + 1)
    rows, cols = contrast.shape  # patches reaching past the border repeat the edge pixels
    rr = np.clip(peaks_rc[:, 0, None, None] + offsets[None, :, None], 0, rows - 1)
    cc = np.clip(peaks_rc[:, 1, None, None] + offsets[None, None, :], 0, cols - 1)
    patches = contrast[rr, cc]
    peak = patches[:, half, half].astype(np.float64)
    radius_sq = (offsets[None, :, None] ** 2 + offsets[None, None, :] ** 2).astype(np.float32)
    inside = (patches >= 0.5 * peak[:, None, None]) & (radius_sq <= (cut_px**2)[:, None, None])
    weight = np.where(inside, patches, np.float32(0.0))
    total = np.maximum(weight.sum(axis=(1, 2), dtype=np.float64), 1e-9)
    mean_x = (weight * offsets[None, None, :]).sum(axis=(1, 2), dtype=np.float64) / total
    mean_y = (weight * offsets[None, :, None]).sum(axis=(1, 2), dtype=np.float64) / total
    area = inside.sum(axis=(1, 2)).astype(np.float64)
    dx = offsets[None, None, :] - mean_x[:, None, None]
    dy = offsets[None, :, None] - mean_y[:, None, None]
    cxx = (weight * dx * dx).sum(axis=(1, 2)) / total
    cyy = (weight * dy * dy).sum(axis=(1, 2)) / total
    cxy = (weight * dx * dy).sum(axis=(1, 2)) / total
    spread = np.sqrt((cxx - cyy) ** 2 / 4 + cxy**2)
    major = (cxx + cyy) / 2 + spread
    minor = np.maximum((cxx + cyy) / 2 - spread, 1.0 / 12.0)
    return mean_x, mean_y, area, peak, np.sqrt(major / minor), total


def all_footprints(
    contrast: NDArray[np.float32],
    peaks_rc: NDArray[np.intp],
    half: int,
    cut_px: NDArray[np.float64],
) -> tuple[NDArray[np.float64], ...]:
    """Run :func:`footprints` on every peak, in batches of peaks with the same patch size.

    A footprint never reaches past its cut (half the distance to the nearest other peak), so a
    patch needs only that half-width: crowded peaks get small patches, and the work stays
    proportional to the photo's area however many peaks it has. Each batch holds about
    ``FOOTPRINT_BATCH_PX`` patch pixels, which bounds the memory.

    Parameters
    ----------
    contrast : ndarray of float32, shape (rows, cols)
        The contrast map.
    peaks_rc : ndarray of int, shape (N, 2)
        Row and column of each peak.
    half : int
        The largest half-width of a patch.
    cut_px : ndarray of float, shape (N,)
        How far from its peak each footprint may reach.

    Returns
    -------
    tuple of ndarray of float, shape (N,)
        As :func:`footprints`.
    """
    reach = np.minimum(np.ceil(cut_px), half).astype(np.intp)
    out = [np.empty(len(peaks_rc)) for _ in range(6)]
    for size in np.unique(reach):
        members = np.flatnonzero(reach == size)
        step = max(1, FOOTPRINT_BATCH_PX // (2 * int(size) + 1) ** 2)
        for start in range(0, len(members), step):
            batch = members[start : start + step]
            values = footprints(contrast, peaks_rc[batch], int(size), cut_px[batch])
            for column, value in zip(out, values, strict=True):
                column[batch] = value
    return tuple(out)
