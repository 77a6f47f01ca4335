"""The hairline model and the templates that design a target from the current hairline."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.planning.hairline import (
    SEGMENT_NAMES,
    HairlineModel,
    arc_length,
    resample,
    turning_angles_deg,
)
from scalpmap.planning.landmarks import Landmarks
from scalpmap.planning.mature_template import mature_rise_mm
from scalpmap.planning.templates import make_target
from scalpmap.planning.zones import compute_zones

MM = 0.035


@pytest.fixture(scope="module")
def aggressive():
    options = SynthOptions(
        seed=1, width_px=1200, height_px=900, mm_per_px=MM, marker=False, hairline="aggressive"
    )
    photo, _truth = generate_scalp_photo(options)
    return analyse_photo(photo, mm_per_px=MM)


@pytest.fixture(scope="module")
def rounded():
    options = SynthOptions(
        seed=2, width_px=1200, height_px=900, mm_per_px=MM, marker=False, hairline="rounded"
    )
    photo, _truth = generate_scalp_photo(options)
    return analyse_photo(photo, mm_per_px=MM)


def arch(n=9):
    x = np.linspace(0.0, 800.0, n)
    return np.column_stack([x, 300.0 + 0.0004 * (x - 400.0) ** 2])


# --- the model ------------------------------------------------------------------------------


def test_polyline_passes_through_the_control_points_without_irregularity():
    model = HairlineModel({"frontal": arch()}, irregularity_mm=0.0)
    line = model.polyline(0.1)
    distance = shapely.distance(LineString(line), shapely.points(arch()))
    assert distance.max() * 0.1 < 0.2  # within 0.2 mm
    steps = np.linalg.norm(np.diff(line, axis=0), axis=1) * 0.1
    assert np.allclose(steps, 0.5, atol=0.05)  # 2 samples per mm
    assert line[0, 0] < line[-1, 0]


def test_irregularity_is_a_bounded_seeded_wobble():
    smooth = LineString(HairlineModel({"frontal": arch()}, irregularity_mm=0.0).polyline(0.1))
    model = HairlineModel({"frontal": arch()}, irregularity_mm=1.0, seed=4)
    line = model.polyline(0.1)
    offset_mm = shapely.distance(smooth, shapely.points(line)) * 0.1
    assert 0.3 < offset_mm.max() <= 1.0 + 0.05  # never ruler-straight, never beyond 1 mm
    assert np.array_equal(line, model.polyline(0.1))
    other = dataclasses.replace(model, seed=5).polyline(0.1)
    assert not np.allclose(line, other)


def test_segments_are_named_in_order_and_read_only():
    left, right = arch()[:4], arch()[3:]
    model = HairlineModel({"temporal_left": left, "frontal": right})
    assert list(model.segments) == list(SEGMENT_NAMES)
    assert model.segments["side_left"].shape == (0, 2)
    assert len(model.control_points()) == 9  # the shared point is not repeated
    with pytest.raises(ValueError):
        model.segments["frontal"][0, 0] = 1.0


def test_json_round_trip_in_pixels_and_millimetres():
    model = HairlineModel({"frontal": arch()}, irregularity_mm=0.7, feather_mm=2.0, seed=3)
    doc = model.to_json(0.05)
    frontal = doc["segments"]["frontal"]
    assert np.allclose(np.array(frontal["points_mm"]), np.array(frontal["points_px"]) * 0.05)
    again = HairlineModel.from_json(doc)
    assert np.allclose(again.control_points(), model.control_points(), atol=0.01)
    assert (again.irregularity_mm, again.feather_mm, again.seed) == (0.7, 2.0, 3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"segments": {"forehead": arch()}}, "unknown hairline segment"),
        ({"segments": {"frontal": [[1, 2, 3]]}}, "list of [x, y] points"),
        ({"segments": {"frontal": [[0, 0], [1, math.nan]]}}, "not a finite number"),
        ({"segments": {"frontal": [[5, 5], [5, 5]]}}, "at least 2 distinct"),
        ({"segments": {"frontal": arch()}, "irregularity_mm": -1.0}, "irregularity"),
        ({"segments": {"frontal": arch()}, "irregularity_mm": 9.0}, "irregularity"),
        ({"segments": {"frontal": arch()}, "feather_mm": 11.0}, "feather"),
        ({"segments": {"frontal": arch()}, "seed": -1}, "seed"),
    ],
)
def test_bad_models_are_refused_in_one_line(kwargs, message):
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")) as err:
        HairlineModel(**kwargs)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "doc",
    [[], {"segments": []}, {"segments": {"frontal": "x"}}, {"segments": {}, "feather_mm": "2"}],
)
def test_bad_json_is_refused(doc):
    with pytest.raises(InputError):
        HairlineModel.from_json(doc)


def test_polyline_checks_its_scale():
    with pytest.raises(InputError, match="mm per px"):
        HairlineModel({"frontal": arch()}).polyline(0.0)


def test_line_helpers():
    assert np.allclose(arc_length(np.array([[0, 0], [3, 4], [3, 5]])), [0, 5, 6])
    assert len(resample(np.array([[0.0, 0.0], [0.0, 0.0]]), 1.0)) == 1
    corner = np.array([[x, 0.0] for x in range(10)] + [[9.0, y] for y in range(1, 10)])
    assert turning_angles_deg(corner, 4.0).max() == pytest.approx(90.0)


# --- the templates --------------------------------------------------------------------------


def test_keep_follows_the_current_hairline_and_region(aggressive):
    target = make_target(aggressive, "keep")
    assert target.region.equals(aggressive.region)
    assert target.hairline is not None and target.hairline.irregularity_mm == 0.0
    line = LineString(target.hairline.polyline(MM))
    gap_mm = line.hausdorff_distance(LineString(aggressive.hairline_xy)) * MM
    assert gap_mm < 0.8
    segments = target.hairline.segments
    assert len(segments["frontal"]) and len(segments["temporal_left"])
    assert len(segments["temporal_right"]) and not len(segments["side_left"])
    zones = compute_zones(aggressive, target)
    assert zones.removal.area_cm2 == pytest.approx(0.0, abs=1e-6)


def _max_turn_near(xy, points, radius_px):
    xy = resample(xy, 0.25 / MM)
    turn = np.abs(turning_angles_deg(xy, 5.0 / MM))
    near = shapely.distance(shapely.points(xy), shapely.MultiPoint(points)) < radius_px
    return float(turn[near].max())


def test_soften_rounds_the_temple_corners(aggressive):
    keep = make_target(aggressive, "keep").hairline
    soft = make_target(aggressive, "soften", corner_radius_mm=8.0)
    assert soft.hairline is not None
    corners = [keep.segments["frontal"][0], keep.segments["frontal"][-1]]
    for corner in corners:
        before = _max_turn_near(aggressive.hairline_xy, [corner], 4.0 / MM)
        after = _max_turn_near(soft.hairline.polyline(MM), [corner], 4.0 / MM)
        assert after < 0.7 * before, (before, after)
    # An arc of 8 mm turns by 36 degrees over 5 mm; with the 0.5 mm wobble a little more.
    assert np.abs(turning_angles_deg(resample(soft.hairline.polyline(MM), 7), 5 / MM)).max() < 55
    assert 0.9 < soft.region.area / aggressive.region.area <= 1.02
    assert any("soften" in note for note in soft.notes)


def _rise_mm(old_xy, new_xy, at):
    """Distance from a point of the old line to the new one along the pigmented "up"."""
    chord = old_xy[-1] - old_xy[0]
    up = np.array([chord[1], -chord[0]]) / np.hypot(*chord)  # towards smaller y
    ray = LineString([at, at + up * 5000])
    hit = ray.intersection(LineString(new_xy))
    return min(Point(at).distance(p) for p in shapely.get_parts(hit)) * MM


def test_mature_raises_the_midline_by_the_age_default_and_the_corners_more(rounded):
    age = 27
    mid_mm, corner_mm = mature_rise_mm(age)
    assert (mid_mm, corner_mm) == (4.0, 6.0)
    frontal = make_target(rounded, "keep").hairline.segments["frontal"]
    s = arc_length(frontal)
    midline = frontal[int(np.argmin(np.abs(s - s[-1] / 2)))]
    target = make_target(rounded, "mature", age=age)
    new = target.hairline.polyline(MM)
    current = rounded.hairline_xy
    assert _rise_mm(current, new, midline) == pytest.approx(mid_mm, abs=1.0)
    for corner in (frontal[0], frontal[-1]):
        rise = _rise_mm(current, new, corner)
        assert rise == pytest.approx(corner_mm, abs=1.0)
        assert rise > _rise_mm(current, new, midline) + 1.0
    assert target.region.area < rounded.region.area
    assert shapely.difference(target.region, rounded.region).area < 1.0
    assert any("age 27" in note and "V" in note for note in target.notes)


def test_mature_with_landmarks_follows_the_published_rules(rounded):
    frontal = make_target(rounded, "keep").hairline.segments["frontal"]
    s = arc_length(frontal)
    x_mid, y_mid = frontal[int(np.argmin(np.abs(s - s[-1] / 2)))]
    glabella_y = y_mid + 70.0 / MM  # the current line sits 7 cm above the glabella
    landmarks = Landmarks(
        glabella_xy=(x_mid, glabella_y),
        left_canthus_xy=(x_mid - 32 / MM, glabella_y + 8 / MM),
        right_canthus_xy=(x_mid + 32 / MM, glabella_y + 8 / MM),
    )
    target = make_target(rounded, "mature", landmarks=landmarks, irregularity_mm=0.0)
    assert target.height_above_glabella_cm == pytest.approx(8.0, abs=0.1)
    assert any("glabella" in note for note in target.notes)
    assert any("foreshortens" in note for note in target.notes)
    # Keep reports the current height too.
    keep = make_target(rounded, "keep", landmarks=landmarks)
    assert keep.height_above_glabella_cm == pytest.approx(7.0, abs=0.1)


def test_remove_all_has_no_target(aggressive):
    target = make_target(aggressive, "remove-all")
    assert target.hairline is None and target.region.is_empty
    zones = compute_zones(aggressive, target)
    assert shapely.symmetric_difference(zones.removal.geometry, aggressive.region).area < 1e-6
    assert zones.keep.geometry.is_empty and zones.touch_up.geometry.is_empty
    assert zones.removal.impressions == aggressive.impressions_in_region
    assert zones.touch_up.impressions_to_add == 0


def test_templates_are_deterministic(aggressive):
    a = make_target(aggressive, "soften", seed=3).hairline.polyline(MM)
    b = make_target(aggressive, "soften", seed=3).hairline.polyline(MM)
    assert np.array_equal(a, b)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"template": "mature"}, "template mature needs the patient's age"),
        ({"template": "soften", "require_landmarks": True}, "template soften needs facial"),
        ({"template": "mature", "age": 13}, "age must be 14..100"),
        ({"template": "mature", "age": 101}, "age must be 14..100"),
        ({"template": "mature", "age": 30.5}, "age must be 14..100"),
        ({"template": "keep", "age": True}, "age must be 14..100"),
        ({"template": "custom"}, "unknown template"),
        ({"template": "soften", "corner_radius_mm": 0.0}, "corner radius"),
        ({"template": "keep", "feather_mm": -1.0}, "feather"),
    ],
)
def test_bad_template_requests_are_refused_in_one_line(aggressive, kwargs, message):
    with pytest.raises(InputError, match=message) as err:
        make_target(aggressive, **kwargs)
    assert "\n" not in str(err.value)


def test_templates_need_a_hairline_but_keep_does_not(aggressive):
    bare = dataclasses.replace(aggressive, hairline_xy=np.zeros((0, 2)))
    for template in ("soften", "mature"):
        with pytest.raises(InputError, match=f"template {template} needs a hairline"):
            make_target(bare, template, age=40)
    keep = make_target(bare, "keep")
    assert keep.region.equals(aggressive.region) and keep.hairline is None
    assert keep.edge.is_empty


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (((0, 0), (0, 0), (0, 0)), "different points"),
        (((500, 0), (0, 0), (100, 0)), "between the two lateral canthi"),
        (((0, 0), (math.inf, 0), (100, 0)), "finite"),
    ],
)
def test_bad_landmarks_are_refused(points, message):
    with pytest.raises(InputError, match=message):
        Landmarks(*points)
