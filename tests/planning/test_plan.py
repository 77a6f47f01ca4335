"""The plan end to end in the library: choices, skin type, sessions, timeline and plan.json."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from jsonschema import ValidationError

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.photo_io import load_photo
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.planning.designer import target_from_hairline
from scalpmap.planning.hairline import HairlineModel
from scalpmap.planning.plan import PlanOptions, build_plan
from scalpmap.planning.plan_json import plan_to_json, validate_plan_json

TODAY = dt.date(2027, 1, 4)


@pytest.fixture(scope="module")
def photo_and_analysis(closeup_photo):
    path, truth = closeup_photo
    rgb = load_photo(path).rgb
    return rgb, analyse_photo(rgb), truth


def test_mature_plan_removes_and_touches_up_and_validates(photo_and_analysis):
    rgb, analysis, _ = photo_and_analysis
    plan = build_plan(rgb, analysis, PlanOptions(template="mature", age=30), today=TODAY)
    zones = plan.zones
    assert zones.removal.area_cm2 > 0.1 and zones.removal.impressions > 20
    assert zones.keep.area_cm2 > 0
    # The touch-up zone is the feathered band along the new line (and any thin part): it adds
    # what its impressions fall short of the desired density, which may be none where the band
    # is as dense as the kept work (the count then differs from it by counting noise only).
    touch = zones.touch_up
    assert touch.area_cm2 > 0 and zones.desired_density_per_cm2 > 0
    shortfall = zones.desired_density_per_cm2 * touch.area_cm2 - touch.impressions
    assert touch.impressions_to_add == max(0, round(shortfall))
    assert any("feathered band" in note for note in zones.notes)
    total = zones.removal.area_cm2 + zones.keep.area_cm2
    assert total <= analysis.region_area_cm2 * 1.001
    assert plan.fitzpatrick_source == "estimated" and plan.skin is not None
    assert plan.kirby_desai.factor("skin_type").source == "estimated"
    assert 1 <= plan.laser.range[0] <= plan.laser.likely <= plan.laser.range[1] <= 3
    kinds = [e.kind for e in plan.timeline.events]
    assert kinds[0] == "laser" and "touch_up" in kinds
    document = plan_to_json(plan, source="closeup.jpg", created=TODAY)
    validate_plan_json(document)
    assert document["timeline"]["start_given"] is False
    assert document["timeline"]["start"] == (TODAY + dt.timedelta(days=14)).isoformat()
    assert json.loads(json.dumps(document)) == document  # plain JSON, no NaN


def test_fitzpatrick_truth_is_estimated_within_one_type(photo_and_analysis):
    rgb, analysis, truth = photo_and_analysis
    plan = build_plan(rgb, analysis, PlanOptions(template="keep"), today=TODAY)
    assert abs(plan.fitzpatrick - 3) <= 1  # the fixture paints Fitzpatrick III skin


def test_given_skin_type_and_start_date_are_used(photo_and_analysis):
    rgb, analysis, _ = photo_and_analysis
    start = dt.date(2027, 2, 1)
    options = PlanOptions(template="soften", skin_type=6, start_date=start)
    plan = build_plan(rgb, analysis, options, today=TODAY)
    assert plan.fitzpatrick == 6 and plan.fitzpatrick_source == "given" and plan.skin is None
    assert plan.timeline.start == start and plan.start_date_given
    assert any("test patch" in w.lower() for w in plan.laser.warnings)
    document = plan_to_json(plan, created=TODAY)
    validate_plan_json(document)
    assert document["skin"] == {"fitzpatrick": 6, "source": "given", "estimate": None}


def test_remove_all_has_no_target_and_no_touch_up(photo_and_analysis):
    rgb, analysis, _ = photo_and_analysis
    plan = build_plan(rgb, analysis, PlanOptions(template="remove-all"), today=TODAY)
    assert plan.total_removal and plan.touch_up.sessions == 0
    assert plan.zones.removal.area_cm2 == pytest.approx(analysis.region_area_cm2, rel=1e-6)
    assert plan.zones.removal.impressions == analysis.impressions_in_region
    assert plan.zones.keep.area_cm2 == 0 and plan.zones.touch_up.area_cm2 == 0
    assert not [e for e in plan.timeline.events if e.kind.startswith("touch_up")]
    document = plan_to_json(plan, created=TODAY)
    validate_plan_json(document)
    assert document["sessions"]["total_removal"] is True


def test_an_edited_hairline_moves_the_removal(photo_and_analysis):
    rgb, analysis, _ = photo_and_analysis
    plan = build_plan(rgb, analysis, PlanOptions(template="soften"), today=TODAY)
    model = plan.target.hairline
    assert model is not None
    # Move every control point 3 mm further into the pigment: more removal.
    shift = 3.0 / analysis.scale.mm_per_px
    up = np.array([0.0, -shift])  # the pigment lies above the hairline in these photos
    moved = HairlineModel(
        {name: xy + up if len(xy) else xy for name, xy in model.segments.items()},
        irregularity_mm=model.irregularity_mm,
        feather_mm=model.feather_mm,
        seed=model.seed,
    )
    target = target_from_hairline(analysis, moved)
    edited = build_plan(rgb, analysis, PlanOptions(template="soften"), target=target, today=TODAY)
    assert edited.zones.removal.area_cm2 > plan.zones.removal.area_cm2 + 0.05
    assert edited.zones.removal.impressions > plan.zones.removal.impressions
    assert edited.target.template == "custom"


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"template": "sideways"}, "unknown template"),
        ({"template": "custom"}, "needs --target"),
        ({"skin_type": 7}, "skin type must be 1..6"),
        ({"skin_type": 0}, "skin type must be 1..6"),
        ({"age": 3}, "age must be 14..100"),
        ({"age": 250}, "age must be 14..100"),
        ({"desired_density_per_cm2": -1.0}, "desired density"),
    ],
)
def test_bad_choices_are_refused_with_a_clear_message(options, fragment):
    with pytest.raises(InputError, match=fragment):
        PlanOptions(**options)


def test_mature_without_age_or_landmarks_is_refused(photo_and_analysis):
    rgb, analysis, _ = photo_and_analysis
    with pytest.raises(InputError, match="age .* or facial landmarks"):
        build_plan(rgb, analysis, PlanOptions(template="mature"), today=TODAY)


def test_an_impossible_start_date_is_refused(photo_and_analysis):
    rgb, analysis, _ = photo_and_analysis
    options = PlanOptions(template="keep", start_date=dt.date(1999, 5, 1))
    with pytest.raises(InputError, match="before 2000"):
        build_plan(rgb, analysis, options, today=TODAY)


def test_schema_rejects_a_document_missing_its_zones(photo_and_analysis):
    rgb, analysis, _ = photo_and_analysis
    document = plan_to_json(
        build_plan(rgb, analysis, PlanOptions(template="keep"), today=TODAY), created=TODAY
    )
    del document["zones"]["removal"]
    with pytest.raises(ValidationError):
        validate_plan_json(document)


def test_a_mature_plan_on_a_phone_close_up_says_why_nothing_is_added():
    """Seed 21 drawn as a phone sees it: the band along the new line holds the density already."""
    rgb, _ = generate_scalp_photo(
        SynthOptions(
            seed=21, width_px=1600, height_px=1200, mm_per_px=0.036, fitzpatrick=3, phone=True
        )
    )
    plan = build_plan(rgb, analyse_photo(rgb), PlanOptions(template="mature", age=30), today=TODAY)
    touch, desired = plan.zones.touch_up, plan.zones.desired_density_per_cm2
    assert touch.area_cm2 > 0.3 and touch.impressions >= desired * touch.area_cm2
    assert touch.impressions_to_add == 0
    notes = plan_to_json(plan, created=TODAY)["zones"]["notes"]
    assert any("none to add" in note for note in notes)
