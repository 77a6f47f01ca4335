"""Dots beside hairs: found where the hair's own profile leaves a round blob, nowhere else."""

from __future__ import annotations

import cv2
import numpy as np

from scalpmap.imaging.detect import detect_impressions
from scalpmap.imaging.hair_side import find_dots_beside_hairs
from scalpmap.imaging.matching import match_points

MM = 0.05
FOOTPRINT_PX = 5.0


def _find(contrast: np.ndarray, at: list[tuple[float, float]], angle: float):
    n = len(at)
    return find_dots_beside_hairs(
        contrast, np.asarray(at, float), np.full(n, angle), np.full(n, 0.4), np.full(n, 0.01),
        mm_per_px=MM, footprint_px=FOOTPRINT_PX, min_darkness=0.1, noise_sigmas=4.5,
        max_elongation=1.6,
    )  # fmt: skip


def _blurred(contrast: np.ndarray) -> np.ndarray:
    return np.asarray(cv2.GaussianBlur(contrast, (0, 0), 0.8), np.float32)


def test_a_dot_touching_a_hair_from_the_side_is_found_where_it_is():
    contrast = np.zeros((80, 120), np.float32)
    cv2.line(contrast, (10, 40), (110, 40), 0.4, 2)
    cv2.circle(contrast, (60, 44), 2, 0.4, -1)
    found = _find(_blurred(contrast), [(57.0, 40.0), (64.0, 40.0)], 0.0)
    assert len(found.index) == 2  # from either hair candidate's scan, the same dot
    assert np.abs(found.xy - [60, 44]).max() <= 1.0


def test_a_plain_hair_a_bent_tip_and_hairs_meeting_hold_no_dot():
    contrast = np.zeros((120, 160), np.float32)
    cv2.line(contrast, (10, 20), (150, 20), 0.4, 2)  # a plain hair
    cv2.line(contrast, (10, 60), (70, 60), 0.4, 2)  # a hair whose tip bends off its line
    cv2.line(contrast, (70, 60), (78, 66), 0.4, 2)
    cv2.line(contrast, (90, 100), (150, 100), 0.4, 2)  # two hairs meeting at a narrow angle
    cv2.line(contrast, (90, 100), (150, 84), 0.4, 2)
    found = _find(_blurred(contrast), [(80.0, 20.0), (60.0, 60.0), (110.0, 100.0)], 0.0)
    assert len(found.index) == 0


def _photo_with_dots_beside_hairs(seed: int):
    """Faint dots on a grid; some hairs run past a dot of the grid, touching it from the side."""
    rng = np.random.default_rng(seed)
    factor, rows, cols = 8, 240, 320
    shade = np.ones((rows * factor, cols * factor), np.float32)
    dots, beside = [], []
    for k, y in enumerate(range(20, rows - 10, 20)):
        for j, x in enumerate(range(20, cols - 10, 20)):
            cx, cy = x + rng.uniform(-2, 2), y + rng.uniform(-2, 2)
            dots.append((cx, cy))
            centre = (int((cx + 0.5) * factor), int((cy + 0.5) * factor))
            cv2.circle(shade, centre, int(rng.uniform(1.6, 2.0) * factor), 1 - 0.3, -1)
            if (k + j) % 5 == 2:  # a hair 0.05 mm wide passing the dot's side, 1 mm long
                beside.append(len(dots) - 1)
                angle = rng.uniform(0, np.pi)
                u = np.array([np.cos(angle), np.sin(angle)])
                side = np.array([cx, cy]) + 2.6 * np.array([-u[1], u[0]])
                start, end = side - 10 * u, side + 10 * u
                cv2.line(shade, tuple(int((p + 0.5) * factor) for p in start),
                         tuple(int((p + 0.5) * factor) for p in end), 0.5, factor)  # fmt: skip
    small = cv2.resize(shade, (cols, rows), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), 0.7)
    rgb = small[..., None] * np.asarray((225, 190, 165), np.float32)
    rgb = rgb + rng.normal(0, 1.5, rgb.shape)
    return np.clip(rgb, 0, 255).astype(np.uint8), np.asarray(dots), np.asarray(beside)


def test_dots_that_hairs_touch_from_the_side_are_counted_and_nothing_else():
    rgb, dots, beside = _photo_with_dots_beside_hairs(3)
    found = detect_impressions(rgb, mm_per_px=MM)
    match = match_points(dots, found.xy, tolerance=0.1 / MM)
    matched = set(match.pairs[:, 0].tolist())
    assert len(beside) >= 20
    assert sum(int(i) in matched for i in beside) >= 0.9 * len(beside)
    assert match.precision == 1.0
