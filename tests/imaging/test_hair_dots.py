"""Pieces of hair are not impressions; dots under hairs are found again only where a hair passes."""

import cv2
import numpy as np

from scalpmap.imaging.hair_crossing import find_dots_under_hairs
from scalpmap.imaging.hair_dots import faint_beside_lines
from scalpmap.imaging.hair_lines import line_excess

MM = 0.07


def _disc(contrast, x, y, radius, level):
    cv2.circle(contrast, (x, y), radius, float(level), -1)


def _map_with_dots():
    """Twelve dark dots (the photo's typical impression is 0.6) and room between them."""
    contrast = np.zeros((200, 260), np.float32)
    xy, radius, peak = [], [], []
    for k in range(12):
        x, y = 20 + 40 * (k % 6), 20 + 160 * (k // 6)
        _disc(contrast, x, y, 2, 0.6)
        xy.append((x, y))
        radius.append(2.0)
        peak.append(0.6)
    return contrast, xy, radius, peak


def test_a_faint_mark_with_a_line_leaving_it_is_a_piece_of_hair():
    contrast, xy, radius, peak = _map_with_dots()
    cv2.line(contrast, (60, 100), (90, 104), 0.1, 1)  # a faint hair ending in a faint mark
    _disc(contrast, 60, 100, 1, 0.12)
    _disc(contrast, 160, 100, 1, 0.12)  # the same faint mark on its own
    cv2.line(contrast, (200, 60), (230, 64), 0.3, 1)  # a hair touching a dark dot
    _disc(contrast, 200, 60, 2, 0.6)
    xy += [(60, 100), (160, 100), (200, 60)]
    radius += [1.0, 1.0, 2.0]
    peak += [0.12, 0.12, 0.6]
    n = len(xy)
    beside = faint_beside_lines(
        contrast,
        np.asarray(xy, float),
        np.asarray(radius),
        np.asarray(peak),
        np.ones(n, bool),
        np.arange(n),
        MM,
    )
    assert np.flatnonzero(beside).tolist() == [12]


def test_too_few_impressions_give_no_yardstick_and_nothing_is_taken_for_hair():
    contrast = np.zeros((60, 60), np.float32)
    cv2.line(contrast, (20, 30), (50, 32), 0.1, 1)
    _disc(contrast, 20, 30, 1, 0.12)
    beside = faint_beside_lines(
        contrast, np.array([[20.0, 30.0]]), np.ones(1), np.array([0.12]), np.ones(1, bool),
        np.arange(1), MM,
    )  # fmt: skip
    assert not beside.any()


def test_packed_dots_are_no_line():
    contrast = np.zeros((60, 80), np.float32)
    row = [(10 + 5 * k, 30) for k in range(12)]  # dots 5 px apart in a row
    for x, y in row:
        _disc(contrast, x, y, 1, 0.5)
    xy = np.asarray(row, float)
    alone = line_excess(
        contrast, xy, np.ones(12), np.full(12, 0.5), mm_per_px=MM,
        dots_xy=np.zeros((0, 2)), dots_radius_px=np.zeros(0),
    )  # fmt: skip
    seen = line_excess(
        contrast, xy, np.ones(12), np.full(12, 0.5), mm_per_px=MM,
        dots_xy=xy, dots_radius_px=np.ones(12),
    )  # fmt: skip
    assert alone[5] > 0.5  # looked at alone, the row is a line through the dot
    assert seen[5] < 0.2  # the neighbours left out, the dot stands alone


def test_a_bulge_is_reported_as_passed_only_where_the_hair_goes_on_both_sides():
    contrast = np.zeros((120, 200), np.float32)
    cv2.line(contrast, (10, 40), (190, 40), 0.3, 1)  # a hair passing over a dot
    _disc(contrast, 100, 40, 3, 0.6)
    cv2.line(contrast, (100, 90), (190, 90), 0.3, 1)  # a hair ending in a dark blob
    _disc(contrast, 100, 90, 3, 0.6)
    found = find_dots_under_hairs(
        contrast, np.array([[100.0, 40.0], [100.0, 90.0]]), np.zeros(2), np.full(2, 0.6),
        mm_per_px=0.03,
    )  # fmt: skip
    assert found.index.tolist() == [0, 1]  # both bulge: a dot, or a hair's thick end
    assert found.passes.tolist() == [True, False]


def test_a_faded_dot_on_a_dark_hair_counts_by_the_ink_it_adds():
    contrast = np.zeros((60, 200), np.float32)
    cv2.line(contrast, (10, 30), (190, 30), 0.5, 1)  # a dark hair
    _disc(contrast, 100, 30, 3, 0.6)  # a faded dot on it: 1.2 times the hair, not 1.3
    xy, angle, peak = np.array([[100.0, 30.0]]), np.zeros(1), np.full(1, 0.6)
    alone = find_dots_under_hairs(contrast, xy, angle, peak, mm_per_px=0.03)
    assert len(alone.index) == 0
    # The photo's faintest impression adds 0.15 to bare skin, 0.075 through this hair.
    inked = find_dots_under_hairs(contrast, xy, angle, peak, mm_per_px=0.03, ink=0.15)
    assert inked.index.tolist() == [0]
    fainter = find_dots_under_hairs(contrast, xy, angle, peak, mm_per_px=0.03, ink=0.3)
    assert len(fainter.index) == 0
