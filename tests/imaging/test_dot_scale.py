"""The mode is chosen from the impressions' size measured on the photo, not from a nominal size."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.analysis_from_json import analysis_from_json
from scalpmap.imaging.analysis_json import analysis_to_json
from scalpmap.imaging.dot_profile import measure_dot_sizes
from scalpmap.imaging.dot_scale import (
    DotScale,
    UnresolvedImpressionsError,
    choose_mode,
    refuse_unresolved,
)
from scalpmap.imaging.skin import estimate_local_skin
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo


def _dots(diameter_px: float, blur_px: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A grid of dark discs of one diameter, drawn 8x supersampled, blurred and noisy."""
    rng = np.random.default_rng(seed)
    factor = 8
    size = 240
    big = np.full((size * factor, size * factor), 1.0, np.float32)
    centres = []
    for y in range(20, size - 10, 20):
        for x in range(20, size - 10, 20):
            cx, cy = x + rng.uniform(-0.5, 0.5), y + rng.uniform(-0.5, 0.5)
            centres.append((cx, cy))
            centre = (int((cx + 0.5) * factor), int((cy + 0.5) * factor))
            cv2.circle(big, centre, int(diameter_px / 2 * factor), 0.3, -1)
    small = cv2.resize(big, (size, size), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), blur_px) + rng.normal(0, 0.01, small.shape)
    rgb = np.clip(np.stack([small * 200, small * 160, small * 130], axis=-1), 0, 255)
    return rgb.astype(np.uint8), np.asarray(centres)


@pytest.mark.parametrize("diameter_px", [2.5, 4.0, 8.0])
@pytest.mark.parametrize("blur_px", [0.5, 1.0])
def test_the_true_size_is_measured_through_the_blur(diameter_px, blur_px):
    rgb, centres = _dots(diameter_px, blur_px)
    skin = estimate_local_skin(rgb, mm_per_px=0.05)
    sizes = measure_dot_sizes(rgb, centres, np.full(len(centres), diameter_px + 1.0), skin)
    assert np.median(sizes.diameter_px) == pytest.approx(diameter_px, rel=0.15)
    # The footprint alone would carry the blur: the blur measured is about the one applied.
    assert sizes.blur_sigma_px == pytest.approx(np.hypot(blur_px, 0.5), abs=0.45)


def test_a_phone_close_up_is_counted_and_its_size_reported():
    options = SynthOptions(seed=41, width_px=1200, height_px=900, mm_per_px=0.075, marker=False)
    rgb, truth = generate_scalp_photo(options)
    analysis = analyse_photo(rgb, mm_per_px=0.075)
    assert analysis.mode == "impressions"
    dots = analysis.dot_scale
    assert dots is not None and dots.typical_diameter_px is not None
    true_px = float(np.median(truth.impressions[:, 2])) / 0.075
    assert dots.typical_diameter_px == pytest.approx(true_px, rel=0.2)
    assert dots.typical_diameter_mm == pytest.approx(dots.typical_diameter_px * 0.075)
    assert "px" in analysis.mode_reason and "mm" in analysis.mode_reason


def test_the_measured_size_survives_the_json_round_trip():
    options = SynthOptions(seed=42, width_px=900, height_px=700, mm_per_px=0.05, marker=False)
    analysis = analyse_photo(generate_scalp_photo(options)[0], mm_per_px=0.05)
    document = analysis_to_json(analysis)
    size = document["impression_size"]
    assert size["typical_diameter_px"] == pytest.approx(
        analysis.dot_scale.typical_diameter_px, abs=0.01
    )
    again = analysis_from_json(document)
    assert again.dot_scale is not None
    assert again.dot_scale.typical_diameter_mm == pytest.approx(
        analysis.dot_scale.typical_diameter_mm, abs=0.001
    )
    assert again.dot_scale.measured == analysis.dot_scale.measured
    del document["impression_size"]  # written before the size was measured
    assert analysis_from_json(document).dot_scale is None


def test_impressions_mode_on_a_whole_head_is_refused_with_the_measured_size():
    options = SynthOptions(seed=3, view="top", width_px=900, height_px=700, mm_per_px=0.15)
    rgb, _ = generate_scalp_photo(options)
    with pytest.raises(UnresolvedImpressionsError, match=r"measure about \d+\.\d px \("):
        analyse_photo(rgb, mm_per_px=0.15, mode="impressions")


def test_a_whole_head_goes_to_coverage_without_being_searched():
    options = SynthOptions(seed=4, view="front", width_px=900, height_px=700, mm_per_px=0.15)
    analysis = analyse_photo(generate_scalp_photo(options)[0], mm_per_px=0.15)
    assert analysis.mode == "coverage" and analysis.dot_scale is None
    assert "whole head" in analysis.mode_reason


@pytest.mark.parametrize(
    ("dots", "mode", "words"),
    [
        (DotScale(3.2, 0.06, 500, 97.0, 3.9, 0.9), "impressions", "enough to count each one"),
        (DotScale(1.4, 0.06, 500, 12.0, 2.6, 0.9), "coverage", "below 2 px"),
        (DotScale(2.4, 0.06, 500, 60.0, 3.1, 0.9), "impressions", "mixed"),
        (DotScale(None, 0.03, 4), "impressions", "too few impressions"),
        (DotScale(None, 0.07, 4), "coverage", "too few impressions"),
        (DotScale(3.0, 0.12, 500, 90.0), "coverage", "whole head"),
    ],
)
def test_the_mode_follows_the_measured_size(dots, mode, words):
    chosen, reason = choose_mode(dots.mm_per_px, dots)
    assert chosen == mode and words in reason


@pytest.mark.parametrize(
    "dots",
    [DotScale(1.5, 0.07, 300, 20.0), DotScale(2.6, 0.15, 300, 70.0)],
)
def test_unresolved_impressions_are_refused_with_their_size(dots):
    with pytest.raises(UnresolvedImpressionsError) as error:
        refuse_unresolved(dots)
    assert f"{dots.typical_diameter_px:.1f} px" in str(error.value)
    assert "\n" not in str(error.value)


def test_resolved_and_unmeasured_impressions_are_not_refused():
    refuse_unresolved(DotScale(2.5, 0.06, 300, 80.0))
    refuse_unresolved(DotScale(None, 0.04, 3))


def test_the_stored_disc_table_is_the_computed_one() -> None:
    from scalpmap.imaging.dot_profile import _disc_table, compute_disc_table

    rhos, radii = compute_disc_table()
    stored_rhos, stored = _disc_table()
    np.testing.assert_array_equal(stored_rhos, rhos)
    # To the last bits a CPU's maths library gives: another CPU's may differ by an ulp or two
    # (seen: 2e-15 on an AMD EPYC against the table written on an Intel Xeon).
    np.testing.assert_allclose(stored, radii, rtol=1e-13, atol=0.0)
