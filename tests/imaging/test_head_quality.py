"""Is a face good enough for landmarks? Dark skin in a fair exposure is; a dark photo is not."""

from __future__ import annotations

import numpy as np

from scalpmap.imaging.head import find_head
from scalpmap.imaging.head.quality import MIN_FACE_LUMA, too_dark
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo


def _dark_skin_face() -> np.ndarray:
    # A face of very dark skin (luma 30) with the eyes' whites and a highlight (luma 200).
    face = np.full((128, 128), 30, np.uint8)
    face[40:46, 30:50] = 200
    face[40:46, 78:98] = 200
    return face


def test_dark_skin_with_bright_eyes_is_not_too_dark():
    face = _dark_skin_face()
    assert np.median(face) < MIN_FACE_LUMA
    assert too_dark(face) is None


def test_the_same_face_in_an_underexposed_photo_is_too_dark():
    dim = (_dark_skin_face().astype(np.float32) * 0.15).astype(np.uint8)
    reason = too_dark(dim)
    assert reason is not None and "too dark" in reason


def test_a_type_vi_face_gets_its_landmarks():
    # Its median brightness is 23 of 255 (skipped as too dark before), its highlights 146.
    rgb, _ = generate_scalp_photo(
        SynthOptions(
            seed=4102, view="front", width_px=1200, height_px=1600, mm_per_px=0.15,
            fitzpatrick=6, ink="faded-grey", marker=False,
        )
    )  # fmt: skip
    head = find_head(rgb)
    assert head.has_face, head.notes
    assert "left_brow" in head.landmarks
