"""The self-check: the simulated pictures analysed again."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
import shapely

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.planning.templates import make_target
from scalpmap.planning.zones import compute_zones
from scalpmap.simulation import check_simulation, simulate_after_laser
from scalpmap.simulation.after_touch_up import touch_up_area


def test_good_simulations_pass(mature_case, lowered_case):
    removal = check_simulation(
        mature_case.analysis, mature_case.zones, mature_case.after_laser, mature_case.after_touch_up
    )
    assert removal.passed is True and removal.removal_passed and removal.new_passed
    assert removal.removal_impressions > 100
    assert removal.removal_remaining_percent < 2.0 and removal.removal_leftover_percent < 2.0
    assert removal.new_outside_removal <= removal.new_allowed
    touch = check_simulation(
        lowered_case.analysis,
        lowered_case.zones,
        lowered_case.after_laser,
        lowered_case.after_touch_up,
    )
    assert touch.passed is True and touch.touch_up_passed is True
    assert abs(touch.touch_up_density_error_percent) < 10.0
    assert touch.touch_up_expected_per_cm2 == pytest.approx(touch.desired_density_per_cm2)
    document = touch.to_json()
    assert json.loads(json.dumps(document)) == document
    assert {"passed", "removal_remaining_percent", "new_outside_removal"} <= set(document)
    assert {"touch_up_density_per_cm2", "touch_up_density_error_percent"} <= set(document)


def test_an_untouched_photo_fails_the_removal_check(mature_case):
    check = check_simulation(
        mature_case.analysis, mature_case.zones, mature_case.rgb, mature_case.after_touch_up
    )
    assert check.removal_passed is False and check.passed is False
    assert check.removal_remaining_percent > 90.0


def test_dots_painted_outside_the_removal_zone_are_caught(mature_case):
    after = mature_case.after_laser.copy()
    rows, cols = after.shape[:2]
    grown = mature_case.analysis.region.buffer(40)
    rng = np.random.default_rng(5)
    painted = 0
    while painted < 8:
        x, y = rng.uniform(30, cols - 30), rng.uniform(30, rows - 30)
        if not shapely.contains_xy(grown, x, y):
            cv2.circle(after, (int(x), int(y)), 3, (40, 40, 45), -1, cv2.LINE_AA)
            painted += 1
    check = check_simulation(mature_case.analysis, mature_case.zones, after, after)
    assert check.new_outside_removal >= 8 and check.new_passed is False
    assert check.passed is False


def test_a_missing_touch_up_fails_the_density_check(lowered_case):
    case = lowered_case
    check = check_simulation(case.analysis, case.zones, case.after_laser, case.after_laser)
    assert check.touch_up_passed is False and check.passed is False
    assert check.touch_up_density_error_percent < -50.0
    assert touch_up_area(case.analysis, case.zones).area > 0


def test_without_a_touch_up_picture_only_the_removal_is_checked(mature_case):
    check = check_simulation(mature_case.analysis, mature_case.zones, mature_case.after_laser, None)
    assert check.passed is True and check.touch_up_passed is None
    assert "no touch-up" in check.reason


def test_coverage_mode_is_skipped():
    rgb, truth = generate_scalp_photo(
        SynthOptions(seed=6, view="front", width_px=640, height_px=480)
    )
    analysis = analyse_photo(rgb, mm_per_px=truth.mm_per_px)
    assert analysis.mode == "coverage"
    zones = compute_zones(analysis, make_target(analysis, "keep"))
    after = simulate_after_laser(rgb, analysis, zones)
    check = check_simulation(analysis, zones, after, after)
    assert check.passed is None and "coverage" in check.reason
    document = check.to_json()
    assert document["removal_remaining_percent"] is None
    assert document["touch_up_density_per_cm2"] is None


def test_pictures_of_another_size_are_refused(mature_case):
    with pytest.raises(InputError, match="after_laser_rgb is 40x30 px"):
        check_simulation(
            mature_case.analysis,
            mature_case.zones,
            np.zeros((30, 40, 3), np.uint8),
            mature_case.after_touch_up,
        )
