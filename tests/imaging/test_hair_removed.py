"""Impressions that a hair touches, found again once the hairs are taken away."""

from __future__ import annotations

import cv2
import numpy as np

from scalpmap.imaging.detect import detect_impressions
from scalpmap.imaging.hair_removed import hair_level

MM_PER_PX = 0.06
SKIN = (196, 150, 128)
INK = (120, 110, 112)


def _photo_with_hairs(seed: int = 3) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Dots on a grid, a hair ending in one of them and a lone hair; blurred and noisy."""
    rng = np.random.default_rng(seed)
    photo = np.zeros((240, 320, 3), np.float32)
    photo[:] = SKIN
    dots = [(float(x), float(y)) for x in range(30, 300, 24) for y in range(30, 220, 24)]
    dots = [(x, y) for x, y in dots if not (120 <= x <= 220 and 100 <= y <= 160)]
    touched = (160.0, 130.0)
    for x, y in [*dots, touched]:
        cv2.circle(photo, (int(x), int(y)), 2, INK, -1, lineType=cv2.LINE_AA)
    hair = (90, 80, 78)
    cv2.line(photo, (163, 131), (205, 150), hair, 1, lineType=cv2.LINE_AA)  # ends in the dot
    cv2.line(photo, (125, 108), (150, 155), hair, 1, lineType=cv2.LINE_AA)  # on its own
    photo = np.asarray(cv2.GaussianBlur(photo, (0, 0), 0.7), dtype=np.float32)
    photo += rng.normal(0.0, 1.5, photo.shape).astype(np.float32)
    return np.clip(photo, 0, 255).astype(np.uint8), [*dots, touched]


def test_the_hairs_are_kept_up_to_their_ends_and_the_dots_are_not() -> None:
    image = np.zeros((40, 40), np.float32)
    image[20, 5:30] = 0.3
    image[10:13, 30:33] = 0.5
    level = hair_level(image, 7)
    assert abs(float(level[20, 6]) - 0.3) < 0.01 and abs(float(level[20, 29]) - 0.3) < 0.01
    assert float(level[11, 31]) == 0.0


def test_a_dot_at_a_hairs_end_is_found_and_a_lone_hair_is_not_a_dot() -> None:
    photo, truth = _photo_with_hairs()
    found = detect_impressions(photo, mm_per_px=MM_PER_PX)
    distance = np.hypot(*(found.xy[:, None, :] - np.array(truth)[None, :, :]).transpose(2, 0, 1))
    assert (distance.min(axis=0) <= 2.0).all()  # every dot, the one at the hair's end too
    assert (distance.min(axis=1) <= 2.0).all()  # nothing on the lone hair


def test_the_hair_level_never_exceeds_the_contrast() -> None:
    rng = np.random.default_rng(5)
    noise = rng.random((60, 80)).astype(np.float32)
    contrast = np.asarray(cv2.GaussianBlur(noise, (0, 0), 1.5), dtype=np.float32)
    level = hair_level(contrast, 9)
    assert (level <= contrast + 1e-6).all()


def test_bulge_where_hairs_cross_leaves_nothing_in_the_residual() -> None:
    """A crossing of two hairs is on both lines (residual flat); a dot on a hair stands out."""
    from scalpmap.imaging.hair_removed import hair_residual, in_residual

    image = np.zeros((40, 40), np.float32)
    image[12, 2:38] = 0.4
    image[2:38, 8] = 0.4
    image[10:15, 24:29] = 0.5
    flat = hair_residual(image, 4.0)
    shows = in_residual(flat, np.array([[8.0, 12.0], [26.0, 12.0]]), np.full(2, 0.05), 1)
    assert shows.tolist() == [False, True]


def test_the_residual_on_windows_is_the_whole_photos_within_reach_of_the_points() -> None:
    """Hairs taken away on windows: the same values as on the whole photo, there."""
    from scalpmap.imaging.hair_removed import hair_residual
    from scalpmap.imaging.hair_windows import windows_near

    rng = np.random.default_rng(8)
    noise = rng.random((300, 420)).astype(np.float32)
    contrast = np.asarray(cv2.GaussianBlur(noise, (0, 0), 1.2), dtype=np.float32) - 0.45
    points = np.array([[0, 0], [5, 200], [150, 419], [299, 100], [160, 170], [-4, 500]])
    whole = hair_residual(contrast, 5.0)
    near = hair_residual(contrast, 5.0, points, 20)
    windowed = np.zeros(contrast.shape, bool)
    for top, bottom, left, right in windows_near(contrast.shape, points, 20):
        windowed[top:bottom, left:right] = True
    assert 0.1 < windowed.mean() < 0.9
    np.testing.assert_array_equal(near[windowed], whole[windowed])
    np.testing.assert_array_equal(near[~windowed], contrast[~windowed])
    for row, col in np.clip(points, 0, [299, 419]):  # every pixel within reach is windowed
        assert windowed[max(0, row - 20) : row + 21, max(0, col - 20) : col + 21].all()
