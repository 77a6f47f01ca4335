"""The head model on real phone photos (tests/data/real-heads, CC BY 4.0; see ATTRIBUTION.md)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from scalpmap.imaging.head import HeadModel, find_head
from scalpmap.imaging.scale import IRIS_DIAMETER_MM, resolve_scale

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "real-heads"
UPRIGHT_FRONTS = ["36-front.jpg", "18-front.jpg", "13-front.jpg", "55-front.jpg"]
NO_FACE = ["4-top.jpg", "29-top.jpg", "13-back.jpg", "7-back.jpg"]


def load(name: str) -> NDArray[np.uint8]:
    bgr = cv2.imread(str(PHOTOS / name), cv2.IMREAD_COLOR)
    assert bgr is not None, name
    return np.ascontiguousarray(bgr[:, :, ::-1])


@cache
def head_of(name: str) -> HeadModel:
    return find_head(load(name))


def point(head: HeadModel, name: str) -> NDArray[np.float64]:
    return head.landmarks[name][0]


@pytest.mark.parametrize("name", UPRIGHT_FRONTS)
def test_upright_front_has_landmarks_in_anatomical_order(name: str) -> None:
    head = head_of(name)
    assert head.has_face and head.view == "front" and head.rotation_deg == 0
    assert abs(head.yaw_deg or 99) < 20 and abs(head.roll_deg or 99) < 15
    # The patient's right eye is on the image's left; each eye's outer corner is outside its inner.
    right_outer, right_inner = (point(head, f"right_eye_{c}_canthus") for c in ("outer", "inner"))
    left_inner, left_outer = (point(head, f"left_eye_{c}_canthus") for c in ("inner", "outer"))
    xs = [right_outer[0], right_inner[0], left_inner[0], left_outer[0]]
    assert xs == sorted(xs)
    # The glabella sits between the brows' inner ends, above the eyes and the brows' lower edges.
    glabella = point(head, "glabella")
    assert right_inner[0] < glabella[0] < left_inner[0]
    eye_line_y = np.mean([right_outer[1], right_inner[1], left_inner[1], left_outer[1]])
    assert glabella[1] < eye_line_y
    assert glabella[1] < head.landmarks["right_brow"][:, 1].max()
    # Brows above their eyes, nose below the eyes, mouth below the nose, chin at the bottom.
    for side in ("right", "left"):
        assert (
            head.landmarks[f"{side}_brow"][:, 1].mean() < head.landmarks[f"{side}_eye"][:, 1].mean()
        )
    assert point(head, "nose_tip")[1] > eye_line_y
    assert head.landmarks["mouth"][:, 1].mean() > point(head, "nose_tip")[1]
    assert head.landmarks["jaw"][:, 1].max() > head.landmarks["mouth"][:, 1].max()


@pytest.mark.parametrize("name", UPRIGHT_FRONTS)
def test_person_mask_covers_the_face(name: str) -> None:
    head = head_of(name)
    assert head.person_mask is not None and head.face_box is not None
    assert head.person_mask.shape == load(name).shape[:2]
    x, y, width, height = (int(round(v)) for v in head.face_box)
    inside = head.person_mask[y : y + height, x : x + width]
    assert inside.mean() > 0.9
    # ... and is not everything: the wall behind shows somewhere.
    assert head.person_mask.mean() < 0.95


@pytest.mark.parametrize("name", NO_FACE)
def test_top_and_back_views_get_no_invented_face(name: str) -> None:
    head = head_of(name)
    assert not head.has_face
    assert head.landmarks == {} and head.face_box is None and head.faces_found == 0
    assert head.view == "unknown" and any("no face" in note for note in head.notes)
    assert head.person_mask is not None and head.person_mask.any()


def test_face_on_its_side_in_the_pixels_is_found_and_reported() -> None:
    head = head_of("25-front.jpg")  # the top of the head points to the image's right
    assert head.has_face and head.rotation_deg == 270
    assert any("on its side" in note for note in head.notes)
    # Landmarks stay in the photo's own pixels: the eyes lie one above the other.
    right_eye, left_eye = (
        point(head, "right_eye_outer_canthus"),
        point(head, "left_eye_outer_canthus"),
    )
    assert abs(right_eye[1] - left_eye[1]) > 3 * abs(right_eye[0] - left_eye[0])


def test_upside_down_face_is_found_and_reported() -> None:
    head = head_of("33-left.jpg")
    assert head.has_face and head.rotation_deg == 180
    assert any("upside down" in note for note in head.notes)
    assert head.view == "left-side"


def test_turning_a_photo_turns_the_answer() -> None:
    rgb = load("36-front.jpg")
    upright = head_of("36-front.jpg")
    turned = find_head(np.ascontiguousarray(np.rot90(rgb, k=1)))  # a quarter anticlockwise
    assert turned.has_face and turned.rotation_deg == 90
    # np.rot90 maps (x, y) to (y, cols - 1 - x).
    x, y = point(upright, "glabella")
    expected = np.array([y, rgb.shape[1] - 1 - x])
    assert np.linalg.norm(point(turned, "glabella") - expected) < 0.05 * rgb.shape[1]


@pytest.mark.parametrize(
    ("name", "view"), [("1-left.jpg", "left-side"), ("57-right.jpg", "right-side")]
)
def test_side_views_are_named_by_the_cheek_facing_the_camera(name: str, view: str) -> None:
    head = head_of(name)
    assert head.view == view
    assert head.iris_diameter_px is None  # no scale from a turned face


@pytest.mark.parametrize("name", ["36-front.jpg", "18-front.jpg"])
def test_iris_scale_gives_an_adult_interpupillary_distance(name: str) -> None:
    head = head_of(name)
    scale = resolve_scale(load(name), head=head)
    assert scale.source == "iris" and scale.is_estimate
    assert scale.uncertainty_percent is not None and 3.4 < scale.uncertainty_percent < 15
    distance_px = np.linalg.norm(point(head, "left_iris_center") - point(head, "right_iris_center"))
    assert 54.0 <= distance_px * scale.mm_per_px <= 74.0
    assert scale.mm_per_px == pytest.approx(IRIS_DIAMETER_MM / (head.iris_diameter_px or 0))


def test_eyes_looking_down_give_no_iris_scale() -> None:
    head = head_of("13-front.jpg")
    assert head.has_face and head.iris_diameter_px is None
    assert any("iris" in note for note in head.notes)


def test_a_blurred_or_dark_face_keeps_its_box_but_skips_the_landmarks() -> None:
    rgb = load("36-front.jpg")
    blurred = find_head(cv2.GaussianBlur(rgb, (0, 0), 20))
    dark = find_head((rgb * 0.12).astype(np.uint8))
    for head, word in ((blurred, "blurred"), (dark, "dark")):
        assert head.landmarks == {}
        assert any(word in note and "landmarks skipped" in note for note in head.notes)


def test_a_tiny_face_keeps_its_box_but_skips_the_landmarks() -> None:
    # The whole face 40 px across in a 120 px photo: the detector and the mesh still find it, but
    # its eye corners are closer than the 24 px the landmarks need.
    canvas = np.full((120, 120, 3), 188, dtype=np.uint8)
    canvas[40:80, 40:80] = cv2.resize(load("36-front.jpg"), (40, 40), interpolation=cv2.INTER_AREA)
    head = find_head(canvas)
    assert head.landmarks == {} and head.view == "unknown"
    assert head.faces_found == 1 and head.face_box is not None
    x, y, width, height = head.face_box
    assert 30 <= x and x + width <= 90 and 30 <= y and y + height <= 90
    assert any("too small" in note and "landmarks skipped" in note for note in head.notes)


def test_two_faces_use_the_largest_and_say_so() -> None:
    big = load("36-front.jpg")
    small = cv2.resize(load("18-front.jpg"), (400, 400), interpolation=cv2.INTER_AREA)
    canvas = np.full((640, 1100, 3), 200, dtype=np.uint8)
    canvas[:, :640] = big
    canvas[120:520, 680:1080] = small
    head = find_head(canvas)
    assert head.faces_found == 2 and any("2 faces" in note for note in head.notes)
    assert head.face_box is not None and head.face_box[0] < 320  # the larger face, on the left


def test_json_of_a_found_face_lists_named_landmarks_in_pixels() -> None:
    doc = head_of("36-front.jpg").to_json()
    assert doc["view"] == "front" and doc["rotation_deg"] == 0
    assert len(doc["landmarks"]["face_oval"]) == 36 and len(doc["landmarks"]["glabella"]) == 1
    assert all(len(p) == 2 for p in doc["landmarks"]["jaw"])
    assert "mediapipe 0.10.21" in doc["source"]
