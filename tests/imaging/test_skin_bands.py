"""The skin estimate's quick paths give the plain computation's result, bit for bit."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from scalpmap.imaging import skin


@pytest.mark.parametrize(("rows", "window"), [(1100, 19), (1500, 25), (1001, 3)])
def test_the_median_in_two_bands_is_opencvs_median(rows, window):
    grid = np.random.default_rng(rows).integers(0, 256, (rows, 1000, 3), dtype=np.uint8)
    assert grid.shape[0] * grid.shape[1] > skin.MEDIAN_BAND_PIXELS
    assert np.array_equal(skin._median_blur(grid, window), cv2.medianBlur(grid, window))


def plain_fill(small, mask, small_size, reach_cells):
    """The refill as first written: every cell blended, then rounded."""
    share = cv2.resize(mask.view(np.uint8), small_size, interpolation=cv2.INTER_AREA)
    inside = (share >= 1).astype(np.float32)
    if not inside.any():
        return small
    sigma = max(1.0, reach_cells)
    factor = max(1, int(sigma // 4))
    rows, cols = inside.shape
    coarse = (max(1, cols // factor), max(1, rows // factor))
    inside_c = cv2.resize(inside, coarse, interpolation=cv2.INTER_AREA)
    colour_c = cv2.resize(
        small.astype(np.float32) * inside[..., None], coarse, interpolation=cv2.INTER_AREA
    )
    weight = cv2.GaussianBlur(inside_c, (0, 0), sigma / factor)
    filled_c = cv2.GaussianBlur(colour_c, (0, 0), sigma / factor)
    filled_c = filled_c / np.maximum(weight, 1e-6)[..., None]
    far = weight < 1e-3
    if far.any():
        filled_c[far] = small[inside > 0].mean(axis=0)
    filled = cv2.resize(filled_c, (cols, rows), interpolation=cv2.INTER_LINEAR)
    out = np.where(inside[..., None] > 0, small.astype(np.float32), filled)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("radius", [0, 40, 150, 10_000])
@pytest.mark.parametrize("reach", [2.0, 30.0])
def test_refilling_only_the_outside_cells_changes_nothing_else(radius, reach):
    rng = np.random.default_rng(radius)
    small = rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)
    mask = np.zeros((480, 640), np.uint8)
    cv2.circle(mask, (300, 260), radius, 1, -1)
    mask = mask.astype(bool)
    expected = plain_fill(small, mask, (320, 240), reach)
    assert np.array_equal(skin._fill_outside(small, mask, (320, 240), reach), expected)
