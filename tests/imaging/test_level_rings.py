"""The region from nested contours: the same as nesting them pairwise, and fast on noise."""

import time

import cv2
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon
from skimage.measure import find_contours

from scalpmap.imaging.level_rings import contour_polygons, never_counts_below, rings_to_region
from scalpmap.imaging.region import PigmentField, field_to_region


def _pairwise_region(field, threshold, min_area_px, max_gap_px):
    """The definition, contour by contour: depth from every larger contour, applied in order."""
    rows, cols = field.shape
    padded = np.pad(field, 1, constant_values=field.max() + 1.0)
    frame = shapely.box(-0.5, -0.5, cols - 0.5, rows - 0.5)
    rings = []
    for contour in find_contours(padded, threshold):
        if len(contour) >= 4:
            ring = Polygon(np.column_stack([contour[:, 1] - 1, contour[:, 0] - 1])).buffer(0)
            if not ring.is_empty:
                rings.append(ring)
    rings.sort(key=lambda ring: ring.area, reverse=True)
    region = frame
    for ring in rings:
        depth = sum(
            1
            for other in rings
            if other is not ring
            and other.area > ring.area
            and other.contains(ring.representative_point())
        )
        if depth % 2 == 0:
            if not ring.buffer(-max_gap_px).is_empty:
                region = region.difference(ring)
        elif ring.area >= min_area_px:
            region = region.union(ring)
    return region


def _blobs(seed, shape=(60, 80), sigma=2.5):
    rng = np.random.default_rng(seed)
    return cv2.GaussianBlur(rng.normal(0, 1, shape), (0, 0), sigma)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("level", [-0.05, 0.0, 0.08])
def test_the_region_is_the_one_nesting_the_contours_pairwise_gives(seed, level):
    field = _blobs(seed)
    min_area, max_gap = 12.0, 1.5
    expected = _pairwise_region(field, level, min_area, max_gap)
    rows, cols = field.shape
    padded = np.pad(field, 1, constant_values=field.max() + 1.0)
    rings = contour_polygons(
        find_contours(padded, level), 1.0, min_area_px=never_counts_below(min_area, max_gap)
    )
    frame = shapely.box(-0.5, -0.5, cols - 0.5, rows - 0.5)
    found = rings_to_region(rings, frame, min_area_px=min_area, max_gap_px=max_gap)
    assert found.symmetric_difference(expected).area < 1e-6 * frame.area
    assert 0 < found.area < frame.area  # the case is not trivial


def test_small_contours_are_left_out_before_any_polygon_is_made():
    square = np.array([[1.0, 1.0], [1.0, 3.0], [3.0, 3.0], [3.0, 1.0], [1.0, 1.0]])  # 4 cells²
    assert len(contour_polygons([square], 1.0, min_area_px=4.0)) == 1
    assert contour_polygons([square], 1.0, min_area_px=4.1) == []
    assert contour_polygons([square[:3]], 1.0) == []  # too short to enclose anything


def test_a_noisy_field_of_a_quarter_million_cells_is_traced_in_seconds():
    values = _blobs(3, shape=(500, 500), sigma=1.5)  # about 1000 contours
    field = PigmentField(values=values, cell_px=5.0)
    start = time.perf_counter()
    region = field_to_region(field, 0.0, min_area_px=1000.0, max_gap_px=12.0)
    # Nesting the contours pairwise took 19 s here, on an idle machine (now 3 s).
    assert time.perf_counter() - start < 15.0
    assert region.is_valid and 0 < region.area < 2500 * 2500
