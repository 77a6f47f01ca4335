"""Side by side: captioned panels, shrunk to the width asked for."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from scalpmap.errors import InputError
from scalpmap.simulation import side_by_side


def _pictures(rows=600, cols=800):
    rng = np.random.default_rng(0)
    return [rng.integers(0, 256, (rows, cols, 3), dtype=np.uint8) for _ in range(3)]


def _layout(out, panels):
    """Strip height, panel width and gap, read back from the white strip and columns."""
    white = np.all(out == 255, axis=2)
    strip = int(np.argmax(white.mean(axis=1) < 0.5))  # the first row of the pictures
    gap_columns = white[strip:].all(axis=0)
    width = int(np.argmax(gap_columns)) if panels > 1 else out.shape[1]
    return strip, width, int(gap_columns.sum()) // (panels - 1)


def test_three_panels_fit_the_width_and_keep_the_aspect():
    before, laser, touch = _pictures()
    out = side_by_side(before, laser, touch, max_width=1200)
    assert out.dtype == np.uint8 and out.ndim == 3 and out.shape[1] <= 1200
    strip, width, gap = _layout(out, 3)
    assert out.shape[1] == 3 * width + 2 * gap
    height = out.shape[0] - strip
    assert height == pytest.approx(width * 600 / 800, abs=1)
    # Each panel is its picture, shrunk by area averaging.
    for i, picture in enumerate((before, laser, touch)):
        expected = cv2.resize(picture, (width, height), interpolation=cv2.INTER_AREA)
        x = i * (width + gap)
        assert np.array_equal(out[strip:, x : x + width], expected)


def test_captions_are_written_on_the_white_strip_above_each_panel():
    out = side_by_side(*_pictures(), max_width=1500)
    strip, width, gap = _layout(out, 3)
    assert strip >= 18
    for i in range(3):
        caption = out[:strip, i * (width + gap) : i * (width + gap) + width]
        dark = np.all(caption < 128, axis=2)
        assert dark.sum() > 30  # the text
        assert dark.mean() < 0.3  # on white
    # The captions differ: "Before", "After laser", "After touch-up".
    widths = [
        np.flatnonzero(np.any(np.all(out[:strip, i * (width + gap) :][:, :width] < 128, 2), 0))
        for i in range(3)
    ]
    spans = [w.max() - w.min() for w in widths]
    assert spans[0] < spans[1] < spans[2]


def test_small_pictures_are_never_enlarged_and_two_panels_work():
    before, laser, _ = _pictures(rows=90, cols=120)
    out = side_by_side(before, laser, max_width=2400)
    strip, width, gap = _layout(out, 2)
    assert width == 120 and out.shape[0] - strip == 90
    assert np.array_equal(out[strip:, :120], before)


@pytest.mark.parametrize(
    ("pictures", "kwargs", "message"),
    [
        ((np.zeros((60, 80, 3), np.float64),) * 3, {}, "uint8"),
        ((np.zeros((60, 80, 3), np.uint8), np.zeros((60, 81, 3), np.uint8)), {}, "one size"),
        ((np.zeros((60, 80), np.uint8),) * 3, {}, "shape"),
        ((np.zeros((60, 80, 3), np.uint8),) * 3, {"max_width": 100}, "max width"),
    ],
)
def test_bad_input_is_refused(pictures, kwargs, message):
    with pytest.raises(InputError, match=message):
        side_by_side(*pictures, **kwargs)
