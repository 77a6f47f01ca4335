"""Clearance against known truth, the outside-loss flag and the recommendation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from shapely.geometry import Polygon

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import analyse_photo
from scalpmap.tracking.clearance import FADED_BELOW, compare_impressions, disk_mean, in_view
from scalpmap.tracking.recommend import TOUCH_UP_AT_PERCENT, recommend
from scalpmap.tracking.synth_followup import ERASED, FADED_CLEARED
from scalpmap.tracking.track import track_followup

FOLLOWUP_DATE = dt.date(2027, 4, 1)  # the tracker fixture's (conftest.py)


def test_clearance_is_within_three_points_of_the_truth(followup):
    clearance = followup.tracking.clearance
    truth = followup.truth
    assert clearance.measured and clearance.percent is not None
    assert truth.clearance_percent is not None
    assert clearance.percent == pytest.approx(truth.clearance_percent, abs=3.0)
    assert clearance.removal_impressions == int((truth.in_removal & truth.in_view).sum())
    assert clearance.cleared == clearance.gone + clearance.faded
    assert clearance.cleared + clearance.remaining == clearance.removal_impressions


def test_impressions_are_judged_one_by_one(followup):
    changes, truth = followup.tracking.changes, followup.truth
    assert changes is not None
    judged = changes.in_view & truth.in_view
    truly_cleared = np.isin(truth.status, (ERASED, FADED_CLEARED))
    agree = (changes.cleared == truly_cleared)[judged]
    assert agree.mean() > 0.97
    erased = judged & (truth.status == ERASED)
    assert np.median(changes.ratio[erased]) < 0.2 < FADED_BELOW
    kept = judged & (truth.fade == 1.0)
    assert np.median(changes.ratio[kept]) == pytest.approx(1.0, abs=0.1)


def test_unintended_loss_outside_the_removal_zone_is_flagged(followup):
    clearance, truth = followup.tracking.clearance, followup.truth
    assert truth.outside_lost_percent is not None and truth.outside_lost_percent > 5
    assert clearance.outside_flagged is True
    assert clearance.outside_lost_percent == pytest.approx(truth.outside_lost_percent, abs=2.0)


def test_the_baseline_itself_is_not_cleared(baseline, tracker):
    result = tracker(baseline.rgb)
    assert result.registration.ok
    assert result.clearance.percent == 0.0
    assert result.clearance.outside_lost == 0 and result.clearance.outside_flagged is False
    assert result.recommendation is not None
    assert result.recommendation.action == "another_laser_session"
    assert result.recommendation.date == FOLLOWUP_DATE + dt.timedelta(weeks=3)


def test_a_removal_zone_out_of_view_measures_nothing(baseline):
    far = Polygon([(-900, -900), (-800, -900), (-800, -800)])
    result = track_followup(
        baseline.rgb,
        baseline.analysis,
        baseline.rgb,
        far,
        followup_date=FOLLOWUP_DATE,
        interval_weeks=3,
    )
    assert result.registration.ok
    assert not result.clearance.measured and result.clearance.percent is None
    assert "no impression of the removal zone" in result.clearance.reason
    assert result.recommendation is None


def test_comparing_needs_a_registration(baseline, unregistered, other_person):
    failed = unregistered.registration
    with pytest.raises(ValueError, match="successful registration"):
        compare_impressions(
            baseline.rgb,
            other_person,
            baseline.analysis.impressions.xy,
            baseline.analysis.impressions.diameter_mm,
            baseline_mm_per_px=0.03,
            registration=failed,
            removal=baseline.removal,
        )


@pytest.mark.parametrize(
    ("percent", "action", "date"),
    [
        (40.0, "another_laser_session", dt.date(2027, 4, 29)),
        (TOUCH_UP_AT_PERCENT - 0.1, "another_laser_session", dt.date(2027, 4, 29)),
        (TOUCH_UP_AT_PERCENT, "touch_up", None),
        (100.0, "touch_up", None),
    ],
)
def test_recommendation(percent, action, date):
    advice = recommend(percent, followup_date=dt.date(2027, 4, 1), interval_weeks=4)
    assert advice.action == action and advice.date == date
    assert f"{percent:.0f}%" in advice.reason


def test_another_session_comes_one_interval_after_the_last_and_not_before_the_follow_up():
    """The plan's interval rule, counted from the laser session as the timeline counts it."""
    laser = dt.date(2027, 3, 1)
    early = recommend(60.0, followup_date=dt.date(2027, 3, 22), interval_weeks=6, laser_date=laser)
    assert early.date == laser + dt.timedelta(weeks=6)
    assert "(six weeks after the laser session of 2027-03-01)" in early.reason
    late = recommend(60.0, followup_date=dt.date(2027, 5, 3), interval_weeks=6, laser_date=laser)
    assert late.date == dt.date(2027, 5, 3)
    assert "more than six weeks after the laser session of 2027-03-01" in late.reason


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"interval_weeks": 0}, "interval"), ({"touch_up_at": 120.0}, "touch-up-at")],
)
def test_tracking_checks_its_options(baseline, kwargs, message):
    options = {"followup_date": FOLLOWUP_DATE, "interval_weeks": 3, **kwargs}
    with pytest.raises(InputError, match=message):
        track_followup(baseline.rgb, baseline.analysis, baseline.rgb, baseline.removal, **options)


def test_a_baseline_without_single_impressions_is_refused(baseline):
    coarse = analyse_photo(baseline.rgb, mm_per_px=0.15)
    assert coarse.mode == "coverage"
    with pytest.raises(InputError, match="coverage mode"):
        track_followup(
            baseline.rgb,
            coarse,
            baseline.rgb,
            baseline.removal,
            followup_date=FOLLOWUP_DATE,
            interval_weeks=3,
        )


def test_in_view_and_disk_mean():
    mask = np.ones((100, 100), bool)
    mask[40:60, 40:60] = False
    xy = np.array([[50.0, 50], [20, 20], [2, 50], [99, 99]])
    assert in_view(xy, (100, 100), mask, 0.03).tolist() == [False, True, False, False]
    image = np.zeros((40, 40), np.float32)
    image[10:20, 10:20] = 1.0
    means = disk_mean(image, np.array([[14.5, 14.5], [30, 30]]), np.array([3.0, 3.0]))
    np.testing.assert_allclose(means, [1.0, 0.0])
    assert disk_mean(image, np.zeros((0, 2)), np.zeros(0)).shape == (0,)
