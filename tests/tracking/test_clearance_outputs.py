"""clearance.json against its schema, the overlay, the progress chart and the doctests."""

from __future__ import annotations

import doctest
import io
import json

import jsonschema
import numpy as np
import pytest
from PIL import Image

from scalpmap.errors import InputError
from scalpmap.tracking import chart, clearance, features, overlay, recommend
from scalpmap.tracking.clearance_json import tracking_to_json, validate_clearance_json
from scalpmap.tracking.plan_facts import PlanFacts


@pytest.fixture(scope="module")
def facts(baseline):
    rows, cols = baseline.rgb.shape[:2]
    mm = baseline.analysis.scale.mm_per_px
    area = float(baseline.removal.area) * mm**2 / 100
    return PlanFacts(cols, rows, mm, baseline.removal, area, (3, 4), "2027-01-10")


def document(result, facts, baseline):
    doc = tracking_to_json(
        result,
        facts,
        baseline_source="base.jpg",
        followup_source="follow.jpg",
        plan_source="plan.json",
        baseline_impressions=baseline.analysis.impressions.count,
        followup_shape=(900, 1200),
        touch_up_at=95.0,
        files={"overlay": "overlay.png"},
    )
    return json.loads(json.dumps(doc))  # plain JSON types, as written


def test_clearance_json_is_valid_and_says_what_was_measured(followup, facts, baseline):
    doc = document(followup.tracking, facts, baseline)
    validate_clearance_json(doc)
    assert doc["registration"]["ok"] is True and doc["registration"]["residual_mm"] < 0.05
    assert doc["clearance"]["percent"] == pytest.approx(followup.tracking.clearance.percent, 0.01)
    assert doc["outside"]["flagged"] is True
    assert doc["recommendation"]["action"] == "another_laser_session"
    assert doc["recommendation"]["date"] == "2027-04-22"
    statuses = {entry["status"] for entry in doc["impressions"]}
    assert {"gone", "remaining", "kept", "lost"} <= statuses
    assert len(doc["impressions"]) == baseline.analysis.impressions.count


def test_an_unregistered_follow_up_reports_no_clearance(unregistered, facts, baseline):
    doc = document(unregistered, facts, baseline)
    validate_clearance_json(doc)
    assert doc["registration"]["ok"] is False
    assert doc["clearance"]["percent"] is None and doc["clearance"]["measured"] is False
    assert doc["recommendation"] is None and doc["impressions"] == []
    assert "not registered" in doc["notes"][0]
    doc["clearance"]["percent"] = 50.0  # the schema refuses an unmeasured clearance
    with pytest.raises(jsonschema.ValidationError):
        validate_clearance_json(doc)


def test_overlay_shows_the_follow_up_with_a_band(followup, baseline, unregistered, other_person):
    picture = overlay.render_tracking_overlay(
        baseline.rgb, followup.rgb, followup.tracking, baseline.removal
    )
    assert picture.dtype == np.uint8 and picture.shape[2] == 3
    assert 500 <= picture.shape[1] <= overlay.MAX_WIDTH_PX
    colours = picture.reshape(-1, 3)
    for colour in (overlay.GONE_RGB, overlay.REMAINING_RGB, overlay.LOST_RGB):
        assert (np.abs(colours.astype(int) - colour).sum(axis=1) < 30).any(), colour
    failed = overlay.render_tracking_overlay(
        baseline.rgb, other_person, unregistered, baseline.removal
    )
    assert failed.shape[1] > 1.5 * failed.shape[0]  # baseline and follow-up side by side


def test_progress_chart_is_a_png():
    png = chart.render_clearance_chart([("session 1", 58.5), ("session 2", None), ("3", 97.0)])
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width > image.height
    with pytest.raises(InputError, match="at least one"):
        chart.render_clearance_chart([])
    with pytest.raises(InputError, match="0..100"):
        chart.render_clearance_chart([("x", 130.0)])


@pytest.mark.parametrize("module", [chart, clearance, features, recommend])
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
