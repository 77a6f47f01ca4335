"""The head model's maths: MediaPipe's anchors and crops, pose and view rules, working copies."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalpmap.imaging.head.crop import ImagePyramid, RotatedRect, crop
from scalpmap.imaging.head.face_detection import SHORT_RANGE, decode, ssd_anchors, weighted_nms
from scalpmap.imaging.head.find import WORKING_MAX_PX, working_copy
from scalpmap.imaging.head.landmarks import FACE_OVAL, JAW, named_landmarks
from scalpmap.imaging.head.pose import (
    canonical_face,
    rotation_and_roll,
    view_from_yaw,
    yaw_from_mesh,
)


def test_short_range_anchors_match_mediapipe_layout() -> None:
    anchors = ssd_anchors(SHORT_RANGE)
    # 16 x 16 cells x 2 anchors at stride 8, then 8 x 8 cells x 6 anchors for the three 16s.
    assert anchors.shape == (896, 2)
    assert np.allclose(anchors[0], [0.5 / 16, 0.5 / 16]) and np.allclose(anchors[1], anchors[0])
    assert np.allclose(anchors[512], [0.5 / 8, 0.5 / 8])
    assert np.allclose(anchors[512:518], anchors[512])


def test_decoding_puts_a_box_around_its_anchor() -> None:
    raw = np.zeros((896, 16), dtype=np.float32)
    raw[600, 2:4] = 32.0  # a 32 px box (in the 128 px input) on anchor 600
    raw[600, 4:6] = [-8.0, -4.0]  # the first keypoint 8 px left, 4 px up
    scores = np.full(896, -10.0, dtype=np.float32)
    scores[600] = 3.0
    boxes, keypoints, kept = decode(raw, scores, SHORT_RANGE)
    anchor = ssd_anchors(SHORT_RANGE)[600]
    assert len(boxes) == 1 and kept[0] == pytest.approx(1 / (1 + math.exp(-3)))
    assert np.allclose((boxes[0, :2] + boxes[0, 2:]) / 2, anchor)
    assert np.allclose(boxes[0, 2:] - boxes[0, :2], 0.25)
    assert np.allclose(keypoints[0, 0], anchor + [-8 / 128, -4 / 128])


def test_weighted_nms_merges_overlaps_by_score() -> None:
    boxes = np.array([[0.0, 0.0, 1.0, 1.0], [0.1, 0.0, 1.1, 1.0], [3.0, 3.0, 4.0, 4.0]])
    keypoints = np.zeros((3, 6, 2))
    scores = np.array([0.9, 0.3, 0.6])
    merged = weighted_nms(boxes, keypoints, scores)
    assert len(merged) == 2 and merged[0][2] == 0.9 and merged[1][2] == 0.6
    assert merged[0][0][0] == pytest.approx(0.1 * 0.3 / 1.2)


@settings(max_examples=30, deadline=None)
@given(
    st.floats(-math.pi, math.pi),
    st.floats(20, 120),
    st.floats(0.05, 0.95),
    st.floats(0.05, 0.95),
)
def test_crop_samples_where_the_rect_maps(rotation: float, side: float, u: float, v: float) -> None:
    # An image whose pixel values encode their own x and y.
    rows, cols = 200, 300
    ys, xs = np.mgrid[0:rows, 0:cols]
    image = np.stack([xs % 256, ys, np.zeros_like(xs)], axis=-1).astype(np.uint8)
    rect = RotatedRect(150.0, 100.0, side, side, rotation)
    out = crop(image, rect, 64, 64, replicate_border=True)
    j, i = int(u * 64), int(v * 64)
    x, y = rect.to_image(np.array([[(j + 0.5) / 64, (i + 0.5) / 64]]))[0]
    assert abs(int(out[i, j, 1]) - (y - 0.5)) < 1.01
    assert abs(int(out[i, j, 0]) - (x - 0.5)) < 1.01


def test_pyramid_crop_agrees_with_plain_crop() -> None:
    rng = np.random.default_rng(3)
    image = np.repeat(np.repeat(rng.integers(0, 255, (60, 80, 3), dtype=np.uint8), 8, 0), 8, 1)
    rect = RotatedRect(330.0, 240.0, 400.0, 400.0, 0.3)
    plain = crop(image, rect, 64, 64, replicate_border=True).astype(float)
    pyramid = crop(ImagePyramid(image), rect, 64, 64, replicate_border=True).astype(float)
    assert np.mean(np.abs(plain - pyramid)) < 12


@pytest.mark.parametrize(
    ("eye_line_deg", "rotation", "roll"),
    [(0.0, 0, 0.0), (10.0, 0, 10.0), (-90.0, 90, 0.0), (95.0, 270, 5.0), (178.0, 180, -2.0)],
)
def test_eye_line_splits_into_quarter_turns_and_roll(
    eye_line_deg: float, rotation: int, roll: float
) -> None:
    assert rotation_and_roll(eye_line_deg) == (rotation, pytest.approx(roll))


@pytest.mark.parametrize(
    ("yaw", "view"),
    [
        (0.0, "front"),
        (-19.0, "front"),
        (30.0, "right-three-quarter"),
        (-40.0, "left-three-quarter"),
        (60.0, "right-side"),
        (-80.0, "left-side"),
    ],
)
def test_view_from_yaw(yaw: float, view: str) -> None:
    assert view_from_yaw(yaw) == view


@pytest.mark.parametrize("yaw_deg", [-60.0, -30.0, 0.0, 25.0, 50.0])
@pytest.mark.parametrize("roll_turn", [0, 90, 180])
def test_yaw_is_read_back_from_a_turned_canonical_face(yaw_deg: float, roll_turn: int) -> None:
    face = canonical_face()
    yaw = math.radians(yaw_deg)
    # Turn the face about the vertical axis: positive yaw sends the nose to the image's right.
    turn = np.array(
        [[math.cos(yaw), 0, -math.sin(yaw)], [0, 1, 0], [math.sin(yaw), 0, math.cos(yaw)]]
    )
    points = face @ turn.T * 20.0
    roll = math.radians(roll_turn)
    in_plane = np.array([[math.cos(roll), -math.sin(roll)], [math.sin(roll), math.cos(roll)]])
    xy = points[:, :2] @ in_plane.T + 300.0
    assert yaw_from_mesh(xy, points[:, 2]) == pytest.approx(yaw_deg, abs=1.0)


def test_named_landmarks_shapes_and_order() -> None:
    points = canonical_face()[:, :2] * 10 + 200
    named = named_landmarks(points)
    assert named["face_oval"].shape == (len(FACE_OVAL), 2) == (36, 2)
    assert named["glabella"].shape == (1, 2) and named["right_brow"].shape[0] >= 5
    # The jaw runs from the right ear (image left) through the chin (lowest) to the left ear.
    jaw = named["jaw"]
    assert len(jaw) == len(JAW) and jaw[0, 0] < jaw[-1, 0]
    assert np.argmax(jaw[:, 1]) not in (0, len(jaw) - 1)
    assert named["right_eye_outer_canthus"][0, 0] < named["left_eye_outer_canthus"][0, 0]


@pytest.mark.parametrize(("cols", "rows"), [(640, 480), (4000, 3000), (4032, 3024), (1025, 100)])
def test_working_copy_is_small_and_maps_back(cols: int, rows: int) -> None:
    rgb = np.zeros((rows, cols, 3), dtype=np.uint8)
    working, to_photo = working_copy(rgb)
    assert max(working.shape[:2]) <= WORKING_MAX_PX
    assert working.shape[1] * to_photo[0] == pytest.approx(cols)
    assert working.shape[0] * to_photo[1] == pytest.approx(rows)
    if max(cols, rows) <= WORKING_MAX_PX:
        assert working is rgb
