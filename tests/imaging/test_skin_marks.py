"""The skin estimate without the marks: dense dots do not darken it, an outline does not move."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from scalpmap.imaging.skin import estimate_local_skin

MM_PER_PX = 0.04
SKIN = (200.0, 158.0, 130.0)


def _skin_with_dots(ink: float | None) -> np.ndarray:
    """Textured skin, with dots 0.2 mm across every 0.64 mm (about 8 % of it) of ``ink``
    darkness, or none."""
    rng = np.random.default_rng(2)
    photo = np.empty((400, 400, 3))
    photo[:] = SKIN
    photo *= 1 + cv2.GaussianBlur(rng.normal(0, 0.03, (400, 400)), (0, 0), 1.5)[..., None]
    photo += rng.normal(0, 2.0, photo.shape)
    for y, x in np.ndindex(25, 25):
        if ink is not None:
            cx, cy = 8 + 16 * x, 8 + 16 * y
            cv2.circle(photo, (cx, cy), 2, tuple((photo[cy, cx] * (1 - ink)).tolist()), -1)
    return np.clip(photo, 0, 255).astype(np.uint8)


def _luma(photo: np.ndarray, without_marks: bool) -> np.ndarray:
    skin = estimate_local_skin(photo, mm_per_px=MM_PER_PX, without_marks=without_marks)
    return skin.luma[100:300, 100:300]


@pytest.mark.parametrize("ink", [0.5, 0.3])
def test_dense_dots_do_not_darken_the_skin(ink):
    bare, dotted = _skin_with_dots(None), _skin_with_dots(ink)
    darker = {
        without: float(np.median(_luma(bare, without) - _luma(dotted, without)))
        for without in (False, True)
    }
    assert darker[False] > 0.3  # the plain median is pulled down by the dots (luminance 0..255)
    assert abs(darker[True]) < 0.15


def test_the_head_s_outline_is_not_moved():
    """Skin beside a wall: no dots, so the estimate is the plain median's, edge and all."""
    rng = np.random.default_rng(4)
    photo = np.empty((400, 400, 3))
    photo[:] = SKIN
    photo[:, 200:] = (90.0, 110.0, 150.0)
    photo = np.clip(photo + rng.normal(0, 2.0, photo.shape), 0, 255).astype(np.uint8)
    plain = estimate_local_skin(photo, mm_per_px=MM_PER_PX).luma
    clean = estimate_local_skin(photo, mm_per_px=MM_PER_PX, without_marks=True).luma
    assert np.abs(clean - plain).max() < 1.0
