"""Registration of follow-ups: accuracy against the true camera change, and clear failures."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalpmap.errors import InputError
from scalpmap.tracking.features import apply_matrix, fit_similarity, matrix_scale, sticker_mask
from scalpmap.tracking.register import register_photos


def test_follow_up_registers_within_a_fraction_of_a_millimetre(baseline, followup):
    registration = followup.tracking.registration
    assert registration.ok, registration.reason
    assert registration.matrix is not None
    xy = baseline.analysis.impressions.xy[followup.truth.in_view]
    error_px = np.linalg.norm(
        apply_matrix(registration.matrix, xy) - apply_matrix(followup.truth.matrix, xy), axis=1
    )
    error_mm = float(np.sqrt(np.mean(error_px**2))) * baseline.analysis.scale.mm_per_px
    assert error_mm < 0.05
    assert registration.residual_mm is not None and registration.residual_mm < 0.05
    assert registration.residual_source == "impressions"
    assert registration.impression_pairs >= 50
    assert registration.scale == pytest.approx(matrix_scale(followup.truth.matrix), rel=0.002)
    assert registration.followup_scale_source == "marker"
    assert registration.sharpness_ratio is not None and registration.sharpness_ratio > 0.8


def test_without_a_marker_the_scale_comes_from_the_registration(baseline, followup):
    registration = register_photos(
        baseline.rgb,
        followup.rgb,
        baseline_mm_per_px=baseline.analysis.scale.mm_per_px,
        baseline_xy=baseline.analysis.impressions.xy,
        baseline_marker_xy=baseline.analysis.scale.marker_corners_xy,
    )
    assert registration.ok, registration.reason
    assert registration.followup_scale_source == "registration"
    true_mm = baseline.analysis.scale.mm_per_px / matrix_scale(followup.truth.matrix)
    assert registration.followup_mm_per_px == pytest.approx(true_mm, rel=0.005)


@pytest.mark.parametrize(
    ("photo", "words"),
    [
        ("other_person", "another view or another person"),
        ("blurred", "too blurred"),
        ("blank_skin", "too few skin features"),
    ],
)
def test_an_unregistrable_follow_up_says_why_and_measures_nothing(tracker, request, photo, words):
    name = "unregistered" if photo == "other_person" else None
    result = request.getfixturevalue(name) if name else tracker(request.getfixturevalue(photo))
    assert not result.registration.ok
    assert result.registration.reason.startswith("not registered:")
    assert words in result.registration.reason
    assert result.clearance.measured is False and result.clearance.percent is None
    assert result.clearance.outside_lost_percent is None
    assert result.recommendation is None and result.changes is None


def test_registration_checks_its_inputs(baseline):
    with pytest.raises(InputError, match="RGB"):
        register_photos(
            baseline.rgb,
            baseline.rgb[..., 0],
            baseline_mm_per_px=0.03,
            baseline_xy=np.zeros((0, 2)),
        )


@settings(max_examples=40, deadline=None)
@given(
    centidegrees=st.integers(-18000, 18000),
    zoom=st.floats(0.5, 2.0),
    shift=st.tuples(st.integers(-500, 500), st.integers(-500, 500)),
)
def test_fit_similarity_recovers_a_known_similarity(centidegrees, zoom, shift):
    a = zoom * np.exp(1j * np.radians(centidegrees / 100))
    truth = np.array([[a.real, -a.imag, shift[0]], [a.imag, a.real, shift[1]], [0, 0, 1]])
    src = np.random.default_rng(0).uniform(0, 1000, (30, 2))
    fitted = fit_similarity(src, apply_matrix(truth, src))
    np.testing.assert_allclose(fitted, truth, atol=1e-6)
    assert matrix_scale(fitted) == pytest.approx(zoom)
    back = apply_matrix(np.linalg.inv(fitted), apply_matrix(fitted, src))
    np.testing.assert_allclose(back, src, atol=1e-6)


def test_the_sticker_is_left_out():
    corners = np.array([[100.0, 100], [200, 100], [200, 200], [100, 200]])
    mask = sticker_mask((300, 400), corners)
    assert not mask[150, 150] and not mask[95, 95] and mask[20, 20] and mask[150, 350]
    assert sticker_mask((30, 40), np.zeros((0, 2))).all()
