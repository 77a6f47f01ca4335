"""The overlay file: downscaled by a whole factor, lossless PNG, every impression still circled."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.overlay import IMPRESSION_BGR
from scalpmap.imaging.overlay_file import encode_overlay_png, overlay_side, write_overlay_png
from scalpmap.imaging.photo_io import load_photo


@pytest.fixture(scope="module")
def analysed(closeup_photo):
    path, _ = closeup_photo
    rgb = load_photo(path).rgb
    return rgb, analyse_photo(rgb)


@pytest.mark.parametrize(
    ("shape", "limit", "side"),
    [
        ((3000, 4000), 2400, 2000),  # a 12 MP photo: half size
        ((3024, 4032), 2400, 2016),
        ((4000, 3000), 2400, 2000),  # portrait
        ((4500, 6000), 2400, 2000),  # a third
        ((1200, 1600), 2400, 1600),  # fits: the photo's own size
        ((1200, 1600), 800, 800),
    ],
)
def test_the_side_is_the_photo_divided_by_a_whole_factor(shape, limit, side):
    assert overlay_side(shape, limit) == side
    assert side <= limit
    assert max(shape) / side == pytest.approx(round(max(shape) / side), abs=0.01)


def test_a_limit_below_one_pixel_is_refused():
    with pytest.raises(ValueError, match="at least 1 pixel"):
        overlay_side((10, 10), 0)


def test_the_png_is_lossless():
    picture = np.random.default_rng(3).integers(0, 256, (37, 53, 3), dtype=np.uint8)
    decoded = cv2.imdecode(np.frombuffer(encode_overlay_png(picture), np.uint8), cv2.IMREAD_COLOR)
    assert np.array_equal(cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB), picture)


def test_the_downscaled_overlay_circles_every_impression(analysed, tmp_path):
    rgb, analysis = analysed
    path = tmp_path / "overlay.png"
    width, height = write_overlay_png(path, rgb, analysis, limit=rgb.shape[1] // 2)
    assert (width, height) == (rgb.shape[1] // 2, rgb.shape[0] // 2)
    assert not list(tmp_path.glob("*.partial"))
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert bgr.shape == (height, width, 3)
    green = np.all(np.abs(bgr.astype(int) - IMPRESSION_BGR) <= 60, axis=2)
    assert analysis.impressions.count > 100
    scale = width / rgb.shape[1]
    radius = analysis.impressions.diameter_mm / 2 / analysis.scale.mm_per_px * scale + 2
    circled = 0
    for (x, y), r in zip(analysis.impressions.xy * scale, radius, strict=True):
        reach = int(np.ceil(r)) + 3
        x0, y0 = max(0, round(x) - reach), max(0, round(y) - reach)
        circled += bool(green[y0 : round(y) + reach + 1, x0 : round(x) + reach + 1].any())
    assert circled == analysis.impressions.count
    # Away from the impressions there is no green: the circles mark them and nothing else.
    far = np.ones_like(green)
    for x, y in analysis.impressions.xy * scale:
        cv2.circle(far, (round(x), round(y)), 12, 0, -1)
    assert green[far.astype(bool)].mean() < 0.001


def test_a_picture_that_is_not_rgb_is_refused():
    with pytest.raises(ValueError, match=r"\(rows, cols, 3\) uint8"):
        encode_overlay_png(np.zeros((4, 4), np.uint8))
