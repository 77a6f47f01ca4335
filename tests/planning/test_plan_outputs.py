"""The plan's pictures: a touch-up that adds nothing is the laser's picture, encoded once."""

from __future__ import annotations

import datetime as dt

import cv2
import numpy as np
import pytest

from scalpmap import plan_outputs
from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.photo_io import load_photo
from scalpmap.planning.plan import PlanOptions, build_plan
from scalpmap.reports.images import downscale


@pytest.fixture(scope="module")
def planned(closeup_photo):
    path, _ = closeup_photo
    rgb = load_photo(path).rgb
    analysis = analyse_photo(rgb)
    plan = build_plan(
        rgb, analysis, PlanOptions(template="mature", age=45), today=dt.date(2026, 11, 27)
    )
    return rgb, plan


def decoded(png: bytes) -> np.ndarray:
    bgr = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def test_a_touch_up_that_adds_nothing_is_encoded_once(planned, monkeypatch):
    rgb, plan = planned
    encoded: list[int] = []
    real_picture = plan_outputs._picture

    def counting_picture(picture):
        encoded.append(id(picture))
        return real_picture(picture)

    monkeypatch.setattr(plan_outputs, "_picture", counting_picture)
    monkeypatch.setattr(
        plan_outputs, "simulate_after_touch_up", lambda photo, *_: (photo, np.zeros((0, 2)))
    )
    made = plan_outputs.make_plan_outputs(rgb, plan, source="closeup.jpg", pdf=False)
    assert made.pictures["after_touch_up"] == made.pictures["after_laser"]
    assert len(encoded) == 2  # the laser's picture and the side-by-side, not the touch-up's
    after_laser = plan_outputs.simulate_after_laser(rgb, plan.analysis, plan.zones)
    width = plan_outputs.whole_factor_width(rgb.shape[1], plan_outputs.PICTURE_WIDTH_PX)
    expected = downscale(after_laser, width)
    assert np.array_equal(decoded(made.pictures["after_touch_up"]), expected)
    assert "after_touch_up.png" in made.document["files"].values()
    html = made.reports["patient_html"].decode("utf-8")
    assert "Simulated result after the SMP touch-up" in html


def test_a_touch_up_that_adds_dots_has_its_own_picture(planned):
    rgb, mature = planned
    plan = build_plan(
        rgb,
        mature.analysis,
        PlanOptions(template="keep", desired_density_per_cm2=80.0),
        today=dt.date(2026, 11, 27),
    )
    made = plan_outputs.make_plan_outputs(rgb, plan, source="closeup.jpg", pdf=False)
    after_laser = plan_outputs.simulate_after_laser(rgb, plan.analysis, plan.zones)
    after_touch_up, added = plan_outputs.simulate_after_touch_up(
        after_laser, plan.analysis, plan.zones, plan.target
    )
    assert len(added) > 100
    width = plan_outputs.whole_factor_width(rgb.shape[1], plan_outputs.PICTURE_WIDTH_PX)
    assert np.array_equal(
        decoded(made.pictures["after_touch_up"]), downscale(after_touch_up, width)
    )
    assert made.pictures["after_touch_up"] != made.pictures["after_laser"]


@pytest.mark.parametrize(
    ("cols", "limit", "width"),
    [
        (4000, 2400, 2000),
        (4032, 2400, 2016),
        (6000, 2400, 2000),
        (2400, 2400, 2400),
        (4000, 1400, 1334),
    ],
)
def test_pictures_shrink_by_a_whole_factor_within_their_limit(cols, limit, width):
    assert plan_outputs.whole_factor_width(cols, limit) == width <= limit
    assert cols / width == pytest.approx(round(cols / width), abs=0.01)
