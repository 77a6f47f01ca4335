"""Scale from the iris: used only without a marker or a given scale, with its uncertainty."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re

import jsonschema
import numpy as np
import pytest

from scalpmap.errors import ScaleError
from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.analysis_from_json import analysis_from_json
from scalpmap.imaging.analysis_json import analysis_to_json, validate_analysis_json
from scalpmap.imaging.head import HeadModel
from scalpmap.imaging.photo_io import load_photo
from scalpmap.imaging.scale import (
    IRIS_DIAMETER_MM,
    NO_SCALE_MESSAGE,
    iris_scale,
    iris_uncertainty_percent,
    resolve_scale,
    scale_source_words,
)
from scalpmap.planning.plan import PlanOptions, build_plan
from scalpmap.planning.plan_json import plan_to_json, validate_plan_json
from scalpmap.reports.context import common


def head_with_iris(*diameters_px: float) -> HeadModel:
    return HeadModel(
        view="front",
        yaw_deg=0.0,
        roll_deg=0.0,
        rotation_deg=0,
        face_box=(10.0, 10.0, 100.0, 120.0),
        iris_diameter_px=float(np.mean(diameters_px)) if diameters_px else None,
        iris_diameters_px=tuple(diameters_px),
    )


def test_iris_gives_the_scale_when_there_is_nothing_else(unmarked_photo) -> None:
    path, _truth = unmarked_photo
    scale = resolve_scale(load_photo(path).rgb, head=head_with_iris(100.0, 102.0))
    assert scale.source == "iris" and scale.is_estimate
    assert scale.mm_per_px == pytest.approx(IRIS_DIAMETER_MM / 101.0)
    assert scale.iris_diameter_px == pytest.approx(101.0)
    assert scale.uncertainty_percent == pytest.approx(
        iris_uncertainty_percent([100, 102]), abs=0.05
    )
    assert len(scale.marker_corners_xy) == 0


def test_a_given_scale_and_a_marker_win_over_the_iris(closeup_photo, unmarked_photo) -> None:
    head = head_with_iris(40.0, 40.0)
    given = resolve_scale(load_photo(unmarked_photo[0]).rgb, mm_per_px=0.05, head=head)
    assert given.source == "given" and given.uncertainty_percent is None
    marker = resolve_scale(load_photo(closeup_photo[0]).rgb, head=head)
    assert marker.source == "marker" and marker.uncertainty_percent is None


def test_without_face_marker_or_given_scale_the_error_stays(unmarked_photo) -> None:
    rgb = load_photo(unmarked_photo[0]).rgb
    no_iris = HeadModel(view="unknown", yaw_deg=None, roll_deg=None, rotation_deg=0, face_box=None)
    for head in (None, no_iris):
        with pytest.raises(ScaleError, match=f"^{re.escape(NO_SCALE_MESSAGE)}$"):
            resolve_scale(rgb, head=head)


def test_uncertainty_adds_anatomy_measurement_and_pixels_in_quadrature() -> None:
    anatomy = 0.4 / 11.7
    # Two eyes that agree: the per-eye floor (5% / sqrt 2) dominates the measurement part.
    agreeing = iris_uncertainty_percent([50.0, 50.0])
    pixels = math.sqrt(2 / 12) / (math.sqrt(2) * 50.0)
    assert agreeing == pytest.approx(100 * math.hypot(anatomy, 0.05 / math.sqrt(2), pixels))
    # Eyes that disagree by 20% of their sum: that spread takes over.
    assert iris_uncertainty_percent([45.0, 55.0]) == pytest.approx(
        100 * math.sqrt(anatomy**2 + 0.1**2 + (math.sqrt(2 / 12) / (math.sqrt(2) * 50)) ** 2)
    )
    # One eye is less certain than two; a tiny iris less certain than a large one.
    assert iris_uncertainty_percent([50.0]) > agreeing
    assert iris_uncertainty_percent([5.0, 5.0]) > agreeing
    # Never below the anatomical spread.
    assert iris_uncertainty_percent([1000.0, 1000.0]) > 100 * anatomy


def test_uncertainty_needs_positive_diameters() -> None:
    with pytest.raises(ValueError, match="positive"):
        iris_uncertainty_percent([])
    assert iris_scale(head_with_iris()) is None


def test_iris_scale_round_trips_through_analysis_json(unmarked_photo) -> None:
    path, truth = unmarked_photo
    analysis = analyse_photo(load_photo(path).rgb, mm_per_px=truth.mm_per_px)
    estimate = iris_scale(head_with_iris(60.0, 61.0))
    assert estimate is not None
    document = analysis_to_json(dataclasses.replace(analysis, scale=estimate))
    validate_analysis_json(document)
    assert document["scale"]["source"] == "iris" and document["scale"]["marker"] is None
    assert document["scale"]["uncertainty_percent"] == estimate.uncertainty_percent
    rebuilt = analysis_from_json(document).scale
    assert rebuilt.source == "iris" and rebuilt.is_estimate
    assert rebuilt.uncertainty_percent == estimate.uncertainty_percent
    assert rebuilt.iris_diameter_px == pytest.approx(60.5)
    # Files written before the iris fields existed still read, as measurements.
    del document["scale"]["uncertainty_percent"], document["scale"]["iris_diameter_px"]
    document["scale"]["source"] = "given"
    validate_analysis_json(document)
    old = analysis_from_json(document).scale
    assert old.uncertainty_percent is None and old.iris_diameter_px is None


def test_schema_refuses_a_marker_object_on_an_iris_scale(unmarked_photo) -> None:
    path, truth = unmarked_photo
    analysis = analyse_photo(load_photo(path).rgb, mm_per_px=truth.mm_per_px)
    estimate = iris_scale(head_with_iris(60.0, 61.0))
    assert estimate is not None
    document = analysis_to_json(dataclasses.replace(analysis, scale=estimate))
    document["scale"]["marker"] = {"id": 0, "side_mm": 10.0, "residual_px": 0.1, "corners": []}
    with pytest.raises(jsonschema.ValidationError):
        validate_analysis_json(document)


def test_plan_and_reports_say_the_scale_is_an_estimate(closeup_photo) -> None:
    path, _truth = closeup_photo
    rgb = load_photo(path).rgb
    estimate = iris_scale(head_with_iris(60.0, 61.0))
    assert estimate is not None
    analysis = dataclasses.replace(analyse_photo(rgb), scale=estimate)
    plan = build_plan(rgb, analysis, PlanOptions(template="keep"), today=dt.date(2027, 1, 4))
    document = plan_to_json(plan, source="closeup.jpg", created=dt.date(2027, 1, 4))
    validate_plan_json(document)
    assert document["scale"]["source"] == "iris"
    assert document["scale"]["uncertainty_percent"] == estimate.uncertainty_percent
    context = common(document, {}, audience="patient", clinic_name="Clinic", patient_label=None)
    words = context["scale"]
    assert f"estimated from the iris, ± {estimate.uncertainty_percent:.1f} %" in words
    assert scale_source_words("marker") == "printed marker"
