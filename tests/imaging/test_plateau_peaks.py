"""Plateau peaks labelled from their coordinates match OpenCV's labelling of the whole box."""

from __future__ import annotations

import numpy as np
import pytest

from scalpmap.imaging.dot_peaks import local_maxima
from scalpmap.imaging.plateau_peaks import plateau_peaks, plateau_peaks_labelled


def in_raster_order(rc: np.ndarray) -> list[list[int]]:
    return rc[np.lexsort((rc[:, 1], rc[:, 0]))].tolist()


@pytest.mark.parametrize("seed", range(6))
def test_sparse_labelling_matches_opencv(seed: int) -> None:
    rng = np.random.default_rng(seed)
    compared = 0
    for _ in range(60):
        rows, cols = rng.integers(5, 90, 2)
        plateau = rng.random((rows, cols)) < rng.uniform(0.02, 0.35)
        plateau[rng.integers(0, rows), :] = seed % 2 == 0  # a long thin plateau now and then
        if not plateau.any():
            continue
        sparse = plateau_peaks(np.argwhere(plateau))
        if sparse is None:  # too long to settle: the caller labels with OpenCV
            continue
        assert in_raster_order(sparse) == in_raster_order(plateau_peaks_labelled(plateau))
        compared += 1
    assert compared >= 40


def test_a_flat_photo_is_one_peak_and_a_ring_takes_its_nearest_pixel() -> None:
    flat = np.full((300, 400), 0.5, np.float32)
    assert local_maxima(flat, 2, np.float32(0.1)).tolist() == [[150, 200]]
    ring = np.zeros((40, 40), np.float32)
    ring[10, 10:31] = ring[30, 10:31] = ring[10:31, 10] = ring[10:31, 30] = 1.0
    (peak,) = local_maxima(ring, 1, np.float32(0.5)).tolist()
    assert ring[peak[0], peak[1]] == 1.0  # on the ring, not at its empty centre
