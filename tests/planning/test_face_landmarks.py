"""The plan's facial landmarks: detected by the head model, given by the user, and the rules."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import shapely

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.head import HeadModel, find_head
from scalpmap.imaging.photo_io import load_photo
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.planning.face_landmarks import (
    combine_landmarks,
    detected_landmarks,
    given_from_json,
    guide_lines,
)
from scalpmap.planning.hairline import arc_length
from scalpmap.planning.landmarks import LandmarkRuleError, Landmarks
from scalpmap.planning.plan import PlanOptions, build_plan
from scalpmap.planning.plan_json import plan_to_json, validate_plan_json
from scalpmap.planning.templates import make_target

REAL = Path(__file__).resolve().parents[1] / "data" / "real-heads"
MM = 0.035
TODAY = dt.date(2027, 1, 4)


def head_with(points: dict[str, tuple[float, float]], **fields) -> HeadModel:
    """A head model with a face whose named points (anatomical names) are given."""
    marks = {name: np.array([xy], dtype=np.float64) for name, xy in points.items()}
    values = {"view": "front", "yaw_deg": 0.0, "roll_deg": 0.0, "rotation_deg": 0}
    values.update(fields)
    return HeadModel(face_box=(0.0, 0.0, 10.0, 10.0), landmarks=marks, **values)


@pytest.fixture(scope="module")
def rounded():
    options = SynthOptions(
        seed=2, width_px=1200, height_px=900, mm_per_px=MM, marker=False, hairline="rounded"
    )
    photo, _truth = generate_scalp_photo(options)
    return photo, analyse_photo(photo, mm_per_px=MM)


@pytest.fixture(scope="module")
def face_below(rounded):
    """A front-view face whose glabella lies 7 cm below the current hairline's middle."""
    _photo, analysis = rounded
    frontal = make_target(analysis, "keep").hairline.segments["frontal"]
    s = arc_length(frontal)
    x, y = frontal[int(np.argmin(np.abs(s - s[-1] / 2)))]
    g_y = y + 70.0 / MM
    return head_with(
        {
            "glabella": (x, g_y),
            "right_eye_outer_canthus": (x - 32 / MM, g_y + 8 / MM),  # the photo's left
            "left_eye_outer_canthus": (x + 32 / MM, g_y + 8 / MM),
        }
    )


# --- anatomical names to the photo's left and right ----------------------------------------


def test_a_real_front_face_gives_the_photo_left_canthus_from_the_patients_right_eye():
    rgb = load_photo(REAL / "36-front.jpg").rgb
    head = find_head(rgb)
    assert head.view == "front" and head.rotation_deg == 0
    detected, reason = detected_landmarks(head)
    assert reason is None
    # The patient's right eye is on the photo's left: it is the plan's left canthus.
    assert detected["left_canthus"] == head.landmark_xy("right_eye_outer_canthus")
    assert detected["right_canthus"] == head.landmark_xy("left_eye_outer_canthus")
    (lx, ly), (gx, gy), (rx, ry) = (
        detected[k] for k in ("left_canthus", "glabella", "right_canthus")
    )
    assert lx < gx < rx
    assert gy < min(ly, ry)  # the glabella sits above the eye corners
    # Each canthus is the outer corner of the eye on its side: beyond that eye's iris.
    assert lx < head.landmark_xy("right_iris_center")[0]
    assert rx > head.landmark_xy("left_iris_center")[0]
    Landmarks(detected["glabella"], detected["left_canthus"], detected["right_canthus"])


def test_an_upside_down_face_takes_the_patients_left_eye_as_the_photo_left():
    rgb = np.ascontiguousarray(np.rot90(load_photo(REAL / "36-front.jpg").rgb, 2))
    head = find_head(rgb)
    assert head.has_face and head.rotation_deg == 180
    detected, reason = detected_landmarks(head)
    assert reason is None
    assert detected["left_canthus"] == head.landmark_xy("left_eye_outer_canthus")
    assert detected["left_canthus"][0] < detected["glabella"][0] < detected["right_canthus"][0]
    assert detected["glabella"][1] > detected["left_canthus"][1]  # the head's top is down


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"view": "left-side"}, "seen from the side"),
        ({"rotation_deg": 90}, "on its side in the pixels"),
        ({"rotation_deg": 270}, "on its side in the pixels"),
    ],
)
def test_faces_from_the_side_or_lying_on_their_side_give_no_landmarks(fields, reason):
    points = {
        "glabella": (50.0, 40.0),
        "right_eye_outer_canthus": (20.0, 60.0),
        "left_eye_outer_canthus": (80.0, 60.0),
    }
    detected, why = detected_landmarks(head_with(points, **fields))
    assert detected == {} and reason in why


def test_no_face_gives_no_landmarks_and_says_why():
    empty = HeadModel(view="unknown", yaw_deg=None, roll_deg=None, rotation_deg=0, face_box=None)
    assert detected_landmarks(empty)[0] == {}
    assert "no face" in detected_landmarks(empty)[1]
    assert detected_landmarks(None) == ({}, None)  # close-ups: no head model was run


# --- given landmarks replace detected ones, each on its own ---------------------------------

DETECTED = {"glabella": (50.0, 40.0), "left_canthus": (20.0, 60.0), "right_canthus": (80.0, 60.0)}


@pytest.mark.parametrize("name", ["glabella", "left_canthus", "right_canthus"])
def test_each_given_landmark_replaces_only_its_detected_point(name):
    moved = (DETECTED[name][0] + 3.0, DETECTED[name][1] - 2.0)
    marks = combine_landmarks(DETECTED, {name: moved})
    assert marks is not None
    assert marks.points()[name] == moved
    assert marks.source_of() == {
        n: ("given" if n == name else "detected")
        for n in ("glabella", "left_canthus", "right_canthus")
    }
    for other in set(DETECTED) - {name}:
        assert marks.points()[other] == DETECTED[other]


def test_without_a_face_all_three_must_be_given():
    assert combine_landmarks({}, {}) is None
    with pytest.raises(InputError, match="no face was found .* missing --left-canthus, --right"):
        combine_landmarks({}, {"glabella": (1.0, 2.0)})
    marks = combine_landmarks({}, DETECTED)
    assert marks is not None and marks.sources == ("given", "given", "given")
    with pytest.raises(InputError, match="unknown landmark 'nose'"):
        combine_landmarks(DETECTED, {"nose": (1.0, 1.0)})
    with pytest.raises(InputError, match="between the two lateral canthi"):
        combine_landmarks(DETECTED, {"glabella": (500.0, 40.0)})


def test_a_saved_plan_gives_back_only_its_given_landmarks():
    document = {
        **{k: list(v) for k, v in DETECTED.items()},
        "sources": {"glabella": "given", "left_canthus": "detected", "right_canthus": "detected"},
    }
    assert given_from_json(document) == {"glabella": DETECTED["glabella"]}
    older = {k: list(v) for k, v in DETECTED.items()}  # before sources: all were given
    assert given_from_json(older) == DETECTED
    assert given_from_json(None) == {}


# --- the guide lines of the published rules ---------------------------------------------------


def test_guides_stand_8_cm_above_the_glabella_across_a_tilted_eye_line():
    angle = np.radians(12.0)
    lateral = np.array([np.cos(angle), np.sin(angle)])
    up = np.array([lateral[1], -lateral[0]])
    g = np.array([600.0, 700.0])
    left, right = g - 150 * lateral - 40 * up, g + 150 * lateral - 40 * up
    marks = Landmarks(tuple(g), tuple(left), tuple(right))
    mm = 0.2
    guides = guide_lines(marks, mm, (1000, 1200))
    top = np.asarray(guides["midfrontal_xy"])
    assert np.linalg.norm(top - g) * mm == pytest.approx(80.0, abs=0.05)
    assert np.allclose(guides["up"], up, atol=1e-6)
    (a, b) = np.asarray(guides["midfrontal"])
    assert abs(float(np.dot(b - a, up))) < 0.5  # parallel to the eye line
    d, e = b - a, top - a
    assert abs(float(d[0] * e[1] - d[1] * e[0])) / np.linalg.norm(d) < 0.5  # through the point
    for name, canthus in (("left_vertical", left), ("right_vertical", right)):
        start, end = np.asarray(guides[name])
        assert np.allclose(start, canthus, atol=0.1)
        direction = (end - start) / np.linalg.norm(end - start)
        assert np.allclose(direction, up, atol=1e-3)
        assert -0.6 < end[1] <= 0.0  # clipped at the photo's top edge (pixel edges at -0.5)
    assert np.allclose(np.asarray(guides["midline"]), [g, top], atol=0.1)


def test_guides_of_an_upside_down_face_point_down_the_photo():
    marks = Landmarks((500.0, 300.0), (400.0, 260.0), (600.0, 260.0))  # glabella below the eyes
    guides = guide_lines(marks, 0.5, (1000, 1000))
    assert guides["up"][1] > 0.99 and guides["midfrontal_xy"] == [500.0, 460.0]


# --- the mature template and the plan ---------------------------------------------------------


def test_mature_follows_detected_landmarks_without_an_age(rounded, face_below):
    photo, analysis = rounded
    analysis = dataclasses.replace(analysis, head=face_below)
    detected, _ = detected_landmarks(analysis.head)
    marks = combine_landmarks(detected, {})
    assert marks is not None and marks.all_detected
    plan = build_plan(photo, analysis, PlanOptions(template="mature", landmarks=marks), today=TODAY)
    assert plan.target.height_above_glabella_cm == pytest.approx(8.0, abs=0.15)
    assert any("mid-frontal point 8 cm above the glabella" in n for n in plan.notes)
    assert any("detected by the head model" in n for n in plan.notes)
    document = plan_to_json(plan, created=TODAY)
    validate_plan_json(document)
    recorded = document["options"]["landmarks"]
    assert recorded["sources"] == dict.fromkeys(
        ("glabella", "left_canthus", "right_canthus"), "detected"
    )
    assert recorded["left_canthus"] == pytest.approx(list(detected["left_canthus"]), abs=0.01)


def test_a_given_glabella_moves_the_mature_line_and_is_recorded_as_given(rounded, face_below):
    photo, analysis = rounded
    detected, _ = detected_landmarks(face_below)
    gx, gy = detected["glabella"]
    marks = combine_landmarks(detected, {"glabella": (gx, gy - 10.0 / MM)})  # 1 cm higher
    plan = build_plan(photo, analysis, PlanOptions(template="mature", landmarks=marks), today=TODAY)
    # 8 cm above a glabella 1 cm higher: the line 1 cm higher than with the detected one.
    assert plan.target.height_above_glabella_cm == pytest.approx(8.0, abs=0.15)
    before = make_target(analysis, "mature", landmarks=combine_landmarks(detected, {}))

    def midline_y(target):
        vertical = shapely.LineString([(gx, -1e4), (gx, 1e4)])
        return shapely.LineString(target.hairline.polyline(MM)).intersection(vertical).centroid.y

    assert (midline_y(before) - midline_y(plan.target)) * MM == pytest.approx(10.0, abs=1.0)
    document = plan_to_json(plan, created=TODAY)
    validate_plan_json(document)
    assert document["options"]["landmarks"]["sources"] == {
        "glabella": "given",
        "left_canthus": "detected",
        "right_canthus": "detected",
    }
    assert any("glabella given" in n for n in plan.notes)


def test_detected_landmarks_that_miss_the_hairline_fall_back_to_the_age(rounded):
    _photo, analysis = rounded
    cols = analysis.shape[1]
    # A face far to the right of the photo: the glabella's vertical misses the hairline.
    far = Landmarks(
        (cols + 400.0, 800.0),
        (cols + 200.0, 830.0),
        (cols + 600.0, 830.0),
        sources=("detected", "detected", "detected"),
    )
    target = make_target(analysis, "mature", age=40, landmarks=far)
    assert target.notes[0].startswith("the detected landmarks were not used")
    assert any("mature (age 40)" in n for n in target.notes)
    with pytest.raises(LandmarkRuleError, match="check the landmarks"):
        make_target(analysis, "mature", landmarks=far)  # no age to fall back on
    given = dataclasses.replace(far, sources=("given", "detected", "detected"))
    with pytest.raises(LandmarkRuleError, match="does not cross the vertical above the glabella"):
        make_target(analysis, "mature", age=40, landmarks=given)  # the user's point: say so


def test_landmark_sources_are_checked():
    with pytest.raises(InputError, match="'detected' or 'given'"):
        Landmarks((5.0, 0.0), (0.0, 1.0), (10.0, 1.0), sources=("found", "given", "given"))
