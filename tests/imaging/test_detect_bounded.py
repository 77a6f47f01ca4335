"""Impression detection stays proportional to the photo on flat and crowded pictures."""

import cv2
import numpy as np
import pytest

from scalpmap.imaging import dot_peaks, hair_dots
from scalpmap.imaging.detect import detect_impressions
from scalpmap.imaging.hair_crossing import find_dots_under_hairs
from scalpmap.imaging.matching import match_points
from scalpmap.imaging.skin import _blur_in_place
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo


def test_a_flat_top_is_one_peak_not_one_per_pixel():
    contrast = np.zeros((50, 60), np.float32)
    contrast[10:20, 10:30] = 0.8  # a plateau
    contrast[40, 50] = 0.5  # a strict maximum
    peaks = dot_peaks.local_maxima(contrast, 3, np.float32(0.1))
    assert len(peaks) == 2 and peaks[1].tolist() == [40, 50]
    assert np.abs(peaks[0] - [14.5, 19.5]).max() == 0.5  # a pixel nearest the plateau's centre


def test_an_all_black_photo_has_one_candidate_and_no_impression():
    found = detect_impressions(np.zeros((400, 500, 3), np.uint8), mm_per_px=0.03)
    assert found.count == 0
    assert sum(found.rejected.values()) == 1


def test_a_dot_with_a_flat_dark_centre_is_found_once():
    photo = np.full((120, 120, 3), (200, 160, 130), np.uint8)
    photo[55:65, 55:65] = (30, 30, 30)  # a saturated square dot, 0.3 mm across
    found = detect_impressions(photo, mm_per_px=0.03)
    assert found.count == 1
    assert np.allclose(found.xy[0], [59.5, 59.5], atol=0.5)


def test_batched_footprints_equal_footprints_at_the_full_patch_size():
    rng = np.random.default_rng(5)
    contrast = rng.random((200, 300)).astype(np.float32)
    peaks = np.column_stack([rng.integers(0, 200, 500), rng.integers(0, 300, 500)])
    cut = rng.uniform(1.0, 9.0, 500)
    whole = dot_peaks.footprints(contrast, peaks, 9, cut)
    batched = dot_peaks.all_footprints(contrast, peaks, 9, cut)
    for a, b in zip(whole, batched, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("batch", [1, 7, 100_000])
def test_the_hair_scan_gives_the_same_dots_in_any_batch_size(monkeypatch, batch):
    photo, _truth = generate_scalp_photo(
        SynthOptions(seed=3, width_px=900, height_px=700, mm_per_px=0.03, marker=False)
    )
    contrast = (1.0 - photo.mean(axis=2) / 200.0).astype(np.float32)
    rng = np.random.default_rng(2)
    xy = rng.uniform(20, 680, (300, 2))
    angle = rng.uniform(0, np.pi, 300)
    peak = rng.uniform(0.1, 0.5, 300)
    reference = find_dots_under_hairs(contrast, xy, angle, peak, mm_per_px=0.03)
    monkeypatch.setattr("scalpmap.imaging.hair_crossing.CHUNK_SAMPLES", batch)
    again = find_dots_under_hairs(contrast, xy, angle, peak, mm_per_px=0.03)
    assert again.index.tolist() == reference.index.tolist()
    np.testing.assert_array_equal(again.xy, reference.xy)
    np.testing.assert_array_equal(again.diameter_mm, reference.diameter_mm)


def test_dots_under_hairs_keep_their_spacing():
    points = np.array([[0.0, 0.0], [3.0, 0.0], [10.0, 0.0], [12.0, 0.0], [30.0, 0.0]])
    known = np.array([[30.0, 4.0]])
    # 3 is too near 0, 12 too near 10, 30 too near the known point.
    assert hair_dots.spaced(points, known, 5.0) == [0, 2]
    assert hair_dots.spaced(points, np.zeros((0, 2)), 5.0) == [0, 2, 4]


def test_a_photo_finer_than_the_cap_is_detected_on_a_reduced_copy_in_its_own_pixels():
    options = SynthOptions(seed=11, width_px=600, height_px=450, mm_per_px=0.024, marker=False)
    photo, truth = generate_scalp_photo(options)
    fine = cv2.resize(photo, (2400, 1800), interpolation=cv2.INTER_CUBIC)  # 0.006 mm/px
    found = detect_impressions(fine, mm_per_px=0.006)
    true_xy = (truth.impressions[:, :2] + 0.5) * 4 - 0.5
    match = match_points(true_xy, found.xy, tolerance=0.1 / 0.006)
    assert match.f1 >= 0.9, (match.precision, match.recall)
    assert match.distances.mean() * 0.006 < 0.02  # centres in the fine photo's pixels
    drawn = truth.impressions[match.pairs[:, 0], 2]
    assert np.median(np.abs(found.diameter_mm[match.pairs[:, 1]] - drawn)) < 0.05


@pytest.mark.parametrize("shape", [(1000, 700), (300, 40), (7, 500)])
@pytest.mark.parametrize("sigma", [0.5, 0.6, 2.5])
def test_the_blur_in_bands_equals_opencvs_blur_exactly(shape, sigma):
    image = np.random.default_rng(1).random(shape).astype(np.float32)
    expected = cv2.GaussianBlur(image, (0, 0), sigma)
    _blur_in_place(image, sigma, band_rows=64)
    np.testing.assert_array_equal(image, expected)
