"""Faces seen from above, the mesh's checks against the detector, and the choice of the turn.

Real photos from tests/data/real-heads (CC BY 4.0; see its ATTRIBUTION.md) and a public-domain
portrait shipped with scikit-image (the astronaut Eileen Collins, NASA).
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from scalpmap.imaging.head import HeadModel, find_head
from scalpmap.imaging.head.crop import ImagePyramid, RotatedRect, cos_sin, crop
from scalpmap.imaging.head.eye_crop import EYES_V, EyeCrop, eye_crop_from_eyes
from scalpmap.imaging.head.face_detection import FaceDetection
from scalpmap.imaging.head.face_search import search_faces
from scalpmap.imaging.head.find import FROM_ABOVE_NOTE
from scalpmap.imaging.head.from_above import ABOVE, BELOW, PROBES, WIDTHS_EYES, _neighbours
from scalpmap.imaging.head.keypoints import (
    MAX_KEYPOINT_SHIFT,
    MAX_UPWARD_SHIFT,
    agrees_with_detection,
    lies_above_detection,
    mesh_eyes,
    upward_shift,
)
from scalpmap.imaging.head.landmarks import NOSE_TIP
from scalpmap.imaging.head.pose import canonical_face
from scalpmap.imaging.scale import IRIS_DIAMETER_MM, resolve_scale

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "real-heads"


def load(name: str) -> NDArray[np.uint8]:
    bgr = cv2.imread(str(PHOTOS / name), cv2.IMREAD_COLOR)
    assert bgr is not None, name
    return np.ascontiguousarray(bgr[:, :, ::-1])


@cache
def head_of(name: str, quarter_turns: int = 0) -> HeadModel:
    return find_head(np.ascontiguousarray(np.rot90(load(name), k=quarter_turns)))


def centre(head: HeadModel, name: str) -> NDArray[np.float64]:
    return np.asarray(head.landmarks[name].mean(axis=0), dtype=np.float64)


# --- the eye-anchored crop -------------------------------------------------------------------


def test_eye_crop_puts_the_eyes_at_its_anchor_and_scales_each_half() -> None:
    right, left = np.array([100.0, 200.0]), np.array([160.0, 200.0])  # 60 px apart, level
    crop_ = eye_crop_from_eyes(right, left, width_eyes=4.0, above=0.9, below=0.5)
    assert crop_.width_px == pytest.approx(240.0)
    points = crop_.to_image(np.array([[0.5, EYES_V], [0.0, EYES_V], [0.5, 0.0], [0.5, 1.0]]))
    assert np.allclose(points[0], [130.0, 200.0])  # the eyes' midpoint
    assert np.allclose(points[1], [10.0, 200.0])  # half the width to the patient's right
    assert np.allclose(points[2], [130.0, 200.0 - EYES_V * 0.9 * 240.0])  # above: 0.9 x
    assert np.allclose(points[3], [130.0, 200.0 + (1 - EYES_V) * 0.5 * 240.0])  # below: 0.5 x


def test_eye_crop_turns_with_the_eye_line() -> None:
    # Eyes one above the other: the face lies on its side, its top to the image's right.
    right, left = np.array([300.0, 100.0]), np.array([300.0, 160.0])
    crop_ = eye_crop_from_eyes(right, left, width_eyes=4.0, above=1.0, below=1.0)
    assert crop_.rotation == pytest.approx(math.pi / 2)
    forehead, chin = crop_.to_image(np.array([[0.5, 0.0], [0.5, 1.0]]))
    assert forehead[0] > 300.0 > chin[0]  # up in the crop is the image's right


@settings(max_examples=30, deadline=None)
@given(
    st.floats(-math.pi, math.pi),
    st.floats(0.4, 1.2),
    st.floats(0.25, 1.2),
    st.floats(0.05, 0.95),
    st.floats(0.05, 0.95),
)
def test_eye_crop_samples_where_it_maps(
    rotation: float, above: float, below: float, u: float, v: float
) -> None:
    # An image whose pixel values encode their own x and y.
    rows, cols = 240, 256
    ys, xs = np.mgrid[0:rows, 0:cols]
    image = np.stack([xs % 256, ys, np.zeros_like(xs)], axis=-1).astype(np.uint8)
    crop_ = EyeCrop(np.array([128.0, 120.0]), rotation, 80.0, above * 80.0, below * 80.0)
    out = crop_.sample(ImagePyramid(image), 64)
    j, i = int(u * 64), int(v * 64)
    x, y = crop_.to_image(np.array([[(j + 0.5) / 64, (i + 0.5) / 64]]))[0]
    assert abs(int(out[i, j, 0]) - (x - 0.5)) < 1.01
    assert abs(int(out[i, j, 1]) - (y - 0.5)) < 1.01


def test_a_stretched_crop_is_the_crop_of_the_stretched_photo() -> None:
    rng = np.random.default_rng(5)
    image = cv2.resize(rng.integers(0, 255, (40, 60, 3), dtype=np.uint8), (480, 320))
    stretch = np.array([1.0, 1.5])
    stretched = cv2.resize(image, (480, 480), interpolation=cv2.INTER_LINEAR)
    rect = RotatedRect(240.0, 250.0, 200.0, 200.0, 0.2)
    direct = crop(image, rect, 64, 64, replicate_border=True, stretch=stretch).astype(float)
    copied = crop(stretched, rect, 64, 64, replicate_border=True).astype(float)
    assert np.mean(np.abs(direct - copied)) < 6


def test_tiny_rotations_do_not_underflow() -> None:
    assert cos_sin(5e-324) == (1.0, 0.0)
    rect = RotatedRect(10.0, 10.0, 4.0, 4.0, 5e-324)
    assert np.allclose(rect.to_image(np.array([[1.0, 1.0]])), [[12.0, 12.0]])


def test_the_search_grid_stays_inside_itself() -> None:
    sizes = (len(WIDTHS_EYES), len(ABOVE), len(BELOW))
    for shape in PROBES:
        assert all(0 <= index < size for index, size in zip(shape, sizes, strict=True))
    corner_neighbours = list(_neighbours((0, 0, 0)))
    assert sorted(corner_neighbours) == [(0, 0, 1), (0, 1, 0), (1, 0, 0)]
    assert len(list(_neighbours((1, 1, 2)))) == 6


# --- the mesh against the detector's keypoints -----------------------------------------------


def _mesh_and_detection() -> tuple[NDArray[np.float64], FaceDetection]:
    """A front face (MediaPipe's canonical face, 10 px per cm) and the detection it implies."""
    points = canonical_face()[:, :2] * 10.0 + 300.0
    right, left = mesh_eyes(points)
    mouth = (points[13] + points[14]) / 2.0
    keypoints = np.stack([right, left, points[NOSE_TIP], mouth, points[234], points[454]])
    return points, FaceDetection(np.zeros((4, 2)), keypoints, 0.9)


def test_a_mesh_on_the_detectors_keypoints_agrees() -> None:
    points, face = _mesh_and_detection()
    assert agrees_with_detection(points, face)
    assert upward_shift(points, face) == pytest.approx(0.0, abs=1e-9)
    assert not lies_above_detection(points, face)


def test_a_mesh_moved_up_into_the_forehead_is_refused() -> None:
    points, face = _mesh_and_detection()
    right, left = mesh_eyes(points)
    eye_distance = float(np.linalg.norm(left - right))
    up = points - np.array([0.0, (MAX_UPWARD_SHIFT + 0.1) * eye_distance])
    assert lies_above_detection(up, face)
    assert upward_shift(up, face) == pytest.approx(MAX_UPWARD_SHIFT + 0.1)
    far = points - np.array([0.0, (MAX_KEYPOINT_SHIFT + 0.1) * eye_distance])
    assert not agrees_with_detection(far, face)


def test_a_mesh_below_the_detectors_keypoints_is_not_taken_for_a_forehead() -> None:
    # The detector errs there (it put the eyes on the forehead of generated heads).
    points, face = _mesh_and_detection()
    right, left = mesh_eyes(points)
    down = points + np.array([0.0, 0.5 * float(np.linalg.norm(left - right))])
    assert not lies_above_detection(down, face)
    assert not agrees_with_detection(down, face)


# --- real faces seen from above --------------------------------------------------------------


def test_a_face_seen_steeply_from_above_gets_its_eyes_and_brows() -> None:
    head = head_of("4-front.jpg")
    assert head.has_face and head.view == "front" and head.rotation_deg == 0
    assert FROM_ABOVE_NOTE in head.notes
    # By eye: the closed eyes' lash lines are centred near (210, 476) and (405, 490).
    by_eye = {"right_eye": np.array([210.0, 476.0]), "left_eye": np.array([405.0, 490.0])}
    eye_distance = float(np.linalg.norm(by_eye["left_eye"] - by_eye["right_eye"]))
    for name, expected in by_eye.items():
        assert np.linalg.norm(centre(head, name) - expected) < 0.2 * eye_distance
    for side in ("right", "left"):
        assert centre(head, f"{side}_brow")[1] < centre(head, f"{side}_eye")[1]
    glabella = head.landmarks["glabella"][0]
    assert by_eye["right_eye"][0] < glabella[0] < by_eye["left_eye"][0]


def test_a_face_seen_from_above_is_found_in_each_turn_of_the_photo() -> None:
    for quarter_turns in (1, 2, 3):
        head = head_of("4-front.jpg", quarter_turns)
        assert head.has_face and head.rotation_deg == 90 * quarter_turns


def test_no_face_is_placed_in_the_forehead() -> None:
    # The eyes hide under the brow ridge; the brows are the dark arc at y 500-530. The mesh can
    # see a face in the forehead above it, with its brows near y 430: better none than that.
    head = head_of("40-front.jpg")
    if head.has_face:
        for side in ("right", "left"):
            assert centre(head, f"{side}_brow")[1] > 480


# --- which way up ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["13-front.jpg", "36-front.jpg"])
def test_an_upside_down_face_is_not_taken_for_an_upright_one(name: str) -> None:
    head = head_of(name, 2)
    assert head.has_face and head.rotation_deg == 180
    assert any("upside down" in note for note in head.notes)


def test_a_search_that_finds_no_plausible_face_finds_none() -> None:
    seen: list[int] = []

    def nothing_is(face: object) -> bool:
        seen.append(getattr(face, "turn_deg", -1))
        return False

    search = search_faces(load("36-front.jpg"), plausible=nothing_is)
    assert search.faces == () and search.turn_deg == 0
    assert 0 in seen  # the upright face was found, asked about, and refused


# --- the iris scale on a public-domain portrait ----------------------------------------------


@pytest.mark.parametrize("quarter_turns", [0, 1, 2, 3])
def test_iris_scale_on_a_portrait_gives_an_adult_interpupillary_distance(
    quarter_turns: int,
) -> None:
    from skimage import data

    rgb = np.ascontiguousarray(np.rot90(data.astronaut(), k=quarter_turns), dtype=np.uint8)
    head = find_head(rgb)
    assert head.view == "front" and head.rotation_deg == 90 * quarter_turns
    scale = resolve_scale(rgb, head=head)
    assert scale.source == "iris"
    assert scale.mm_per_px == pytest.approx(IRIS_DIAMETER_MM / (head.iris_diameter_px or 0))
    right, left = head.landmarks["right_iris_center"][0], head.landmarks["left_iris_center"][0]
    assert 54.0 <= float(np.linalg.norm(left - right)) * scale.mm_per_px <= 74.0
