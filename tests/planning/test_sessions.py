"""Session estimates: Kirby-Desai factors, the SMP laser estimate, the touch-up and skin type."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalpmap.errors import InputError
from scalpmap.imaging.synth_render import FITZPATRICK_SKIN_RGB, paint_skin
from scalpmap.planning.kirby_desai import (
    KD_MAX,
    KD_MIN,
    KirbyDesai,
    KirbyDesaiFactor,
    ink_amount,
    kirby_desai,
)
from scalpmap.planning.sessions import LaserEstimate, estimate_laser_sessions, touch_up_sessions
from scalpmap.planning.skin_tone import estimate_fitzpatrick, ita_degrees, ita_to_fitzpatrick
from scalpmap.planning.words import number_words

NAMES = ["skin_type", "location", "colour", "ink_amount", "scarring", "layering"]


def kd(fitzpatrick: int = 3, density: float | None = 40.0, darkness: float | None = 0.75, **kw):
    return kirby_desai(
        fitzpatrick=fitzpatrick,
        fitzpatrick_source=kw.pop("source", "given"),
        density_per_cm2=density,
        median_darkness=darkness,
        **kw,
    )


def laser(
    fitzpatrick: int = 3,
    density: float | None = 40.0,
    darkness: float | None = 0.75,
    tone: str = "neutral",
    picosecond: bool = True,
    **kw: Any,
) -> LaserEstimate:
    return estimate_laser_sessions(
        fitzpatrick=fitzpatrick,
        median_darkness=darkness,
        ink_tone=tone,  # type: ignore[arg-type]
        density_per_cm2=density,
        kirby_desai=kd(fitzpatrick, density, darkness, **kw),
        picosecond=picosecond,
    )


def assert_plain(value: Any) -> None:
    """Only dicts with str keys, lists, str, int, float, bool and None."""
    if isinstance(value, dict):
        assert all(isinstance(k, str) for k in value)
        for v in value.values():
            assert_plain(v)
    elif isinstance(value, list):
        for v in value:
            assert_plain(v)
    else:
        assert value is None or isinstance(value, str | int | float | bool), type(value)


# --- Kirby-Desai ---------------------------------------------------------------------------


def test_kirby_desai_factors_sum_and_sources() -> None:
    score = kd(4, 40.0, 0.75)
    assert [f.name for f in score.factors] == NAMES
    assert score.score == sum(f.points for f in score.factors) == 4 + 1 + 1 + 3 + 0 + 0
    sources = {f.name: f.source for f in score.factors}
    assert sources == {
        "skin_type": "given",
        "location": "default",
        "colour": "default",
        "ink_amount": "measured",
        "scarring": "default",
        "layering": "default",
    }
    assert score.factor("location").value == "head/neck"
    assert score.factor("colour").value == "black only"
    assert "bluish" in score.factor("colour").explanation
    assert "amateur" in score.factor("ink_amount").explanation


def test_kirby_desai_given_and_estimated_values() -> None:
    score = kd(6, 70.0, 0.9, source="estimated", scarring="significant", layering="cover-up")
    assert score.factor("skin_type").source == "estimated"
    assert "estimated" in score.factor("skin_type").explanation
    assert (score.factor("scarring").points, score.factor("scarring").source) == (5, "given")
    assert (score.factor("layering").points, score.factor("layering").source) == (2, "given")
    assert score.factor("ink_amount").value == "significant"
    assert score.score == 6 + 1 + 1 + 4 + 5 + 2 == 19  # the most SMP can score (scale: 26)
    explicit = kd(scarring="none", layering=False)
    assert explicit.factor("scarring").source == explicit.factor("layering").source == "given"
    assert kd(layering=True).factor("layering").points == 2


@pytest.mark.parametrize(
    ("density", "darkness", "level"),
    [(20.0, 0.5, "minimal"), (40.0, 0.75, "moderate"), (80.0, 0.7, "significant")],
)
def test_ink_amount_levels(density: float, darkness: float, level: str) -> None:
    assert ink_amount(density, darkness)[0] == level
    assert kd(3, density, darkness).factor("ink_amount").value == level


def test_ink_amount_not_measured_is_a_default() -> None:
    factor = kd(3, None, None).factor("ink_amount")
    assert (factor.value, factor.points, factor.source) == ("moderate", 3, "default")


@settings(max_examples=200, deadline=None)
@given(
    fitzpatrick=st.integers(1, 6),
    source=st.sampled_from(["given", "estimated"]),
    density=st.none() | st.floats(0, 500),
    darkness=st.none() | st.floats(0, 1),
    scarring=st.sampled_from([None, "none", "minimal", "moderate", "significant"]),
    layering=st.sampled_from([None, True, False, "none", "cover-up"]),
)
def test_kirby_desai_always_within_4_to_26(
    fitzpatrick, source, density, darkness, scarring, layering
) -> None:
    score = kirby_desai(
        fitzpatrick=fitzpatrick,
        fitzpatrick_source=source,
        density_per_cm2=density,
        median_darkness=darkness,
        scarring=scarring,
        layering=layering,
    )
    assert KD_MIN <= score.score <= KD_MAX
    assert 5 <= score.score <= 19  # SMP: head, black only, never amateur ink
    assert score.score == sum(f.points for f in score.factors)
    assert len(score.factors) == 6
    assert score.factor("ink_amount").value != "amateur"  # SMP is professional work
    assert_plain(json.loads(json.dumps(score.to_json())))


def test_kirby_desai_rejects_out_of_range_scores() -> None:
    factor = KirbyDesaiFactor("skin_type", "I", 1, "given", "")
    with pytest.raises(ValueError, match="outside 4..26"):
        KirbyDesai((factor,))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"fitzpatrick": 0},
        {"fitzpatrick": 7},
        {"fitzpatrick": True},
        {"fitzpatrick": "3"},
        {"source": "guessed"},
        {"density": -1.0},
        {"density": math.nan},
        {"darkness": 1.5},
        {"scarring": "heavy"},
        {"layering": "yes"},
    ],
)
def test_kirby_desai_bad_input(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InputError) as info:
        kd(**kwargs)
    assert "\n" not in str(info.value)


# --- SMP laser estimate --------------------------------------------------------------------


def test_light_skin_typical_ink() -> None:
    est = laser(2)
    assert (est.likely, est.range) == (1, (1, 2))
    assert est.interval_weeks == (6, 8)  # clinics wait about six weeks before re-treating
    assert est.laser == "1064 nm Nd:YAG, picosecond preferred"
    assert any("hair thinning" in w for w in est.warnings)
    assert not any("hypopigmentation" in w for w in est.warnings)


@pytest.mark.parametrize("fitzpatrick", [5, 6])
def test_dark_skin_is_treated_more_conservatively(fitzpatrick: int) -> None:
    light, dark = laser(3), laser(fitzpatrick)
    assert dark.likely == light.likely + 1
    assert dark.range[1] == light.range[1] + 1 == 3
    roman = {5: "V", 6: "VI"}[fitzpatrick]
    assert f"darker skin (Fitzpatrick {roman}): one more session planned for lower fluence" in (
        dark.reasons
    )
    warning = next(w for w in dark.warnings if "hypopigmentation" in w)
    assert "test patch" in warning and "1064 nm only" in warning and "lower fluence" in warning
    assert "only" in dark.laser and "test patch" in dark.laser


def test_faded_ink_needs_fewer_than_dark_ink() -> None:
    dark = laser(5, 80.0, 0.85)  # significant ink load, darker skin
    faded = laser(5, 40.0, 0.25, tone="faded")
    assert dark.likely == 3 and dark.range == (2, 3)
    assert faded.likely == 1 and faded.range == (1, 2)
    assert any(r.startswith("faded ink") for r in faded.reasons)
    assert any(r.startswith("a high ink load") for r in dark.reasons)
    assert any("capped at three" in r for r in dark.reasons)
    # A faded tone alone counts, even when the darkness is not measured.
    assert laser(5, None, None, tone="faded").likely == 1


def test_one_interval_rule_for_picosecond_and_nanosecond() -> None:
    pico, nano = laser(3, picosecond=True), laser(3, picosecond=False)
    assert pico.interval_weeks == nano.interval_weeks == (6, 8)
    # The interval is its own rule, not a reason for the count, and is said nowhere else.
    assert not any("weeks" in r for r in pico.reasons + nano.reasons)
    assert nano.range[1] == pico.range[1] + 1
    assert nano.likely == pico.likely
    assert any("quarter more sessions" in r for r in nano.reasons)
    assert "nanosecond" in nano.laser and "picosecond preferred" in nano.laser


def test_layering_scarring_and_tone_notes() -> None:
    assert laser(3, layering="cover-up").likely == laser(3).likely + 1
    scarred = laser(3, scarring="moderate")
    assert scarred.range[1] == 3 and any("Scarring" in w for w in scarred.warnings)
    assert any("iron-oxide" in w for w in laser(3, tone="unknown").warnings)
    assert any(r.startswith("bluish cast") for r in laser(3, tone="bluish").reasons)


@settings(max_examples=200, deadline=None)
@given(
    fitzpatrick=st.integers(1, 6),
    density=st.none() | st.floats(0, 2000),
    darkness=st.none() | st.floats(0, 1),
    tone=st.sampled_from(["bluish", "neutral", "faded", "unknown"]),
    picosecond=st.booleans(),
    scarring=st.sampled_from([None, "none", "minimal", "moderate", "significant"]),
    layering=st.sampled_from([None, True, False]),
)
def test_laser_estimate_invariants(
    fitzpatrick, density, darkness, tone, picosecond, scarring, layering
) -> None:
    est = laser(
        fitzpatrick, density, darkness, tone, picosecond, scarring=scarring, layering=layering
    )
    low, high = est.range
    assert 1 <= low <= est.likely <= high <= 3
    assert high >= 2  # clinics plan for two
    for reason in est.reasons:  # every number in words
        assert not any(ch.isdigit() for ch in reason), reason
    assert any("hair thinning" in w for w in est.warnings)
    assert ("hypopigmentation" in " ".join(est.warnings)) == (fitzpatrick >= 5)
    assert_plain(json.loads(json.dumps(est.to_json())))


def test_laser_estimate_bad_input() -> None:
    with pytest.raises(InputError, match="ink tone"):
        laser(3, tone="green")
    with pytest.raises(InputError, match="skin type"):
        estimate_laser_sessions(
            fitzpatrick=9,
            median_darkness=0.5,
            ink_tone="neutral",
            density_per_cm2=40.0,
            kirby_desai=kd(),
        )


def test_touch_up_plan() -> None:
    plan = touch_up_sessions()
    assert (plan.sessions, plan.optional_second) == (1, True)
    assert plan.healing_weeks == (6, 8) and plan.gap_days == (10, 30)
    assert plan.notes == (
        "The touch-up comes six to eight weeks after the last laser session, once the skin "
        "has healed.",
        "An optional second touch-up ten to thirty days later adds density.",
    )
    assert touch_up_sessions(second_touch_up=False).optional_second is False
    removal = touch_up_sessions(needed=False)
    assert (removal.sessions, removal.optional_second) == (0, False)
    assert_plain(json.loads(json.dumps(plan.to_json())))


def test_number_words() -> None:
    assert [number_words(n) for n in (0, 1, 13, 20, 21, 99, 100, 305)] == [
        "zero",
        "one",
        "thirteen",
        "twenty",
        "twenty-one",
        "ninety-nine",
        "one hundred",
        "three hundred and five",
    ]


# --- Skin type from the photo (ITA°) -------------------------------------------------------

# What the flat generator colours map to. Type II's colour (ITA 56.6°) lies just inside "very
# light" (> 55°), so it reads as I: one type off. All others match.
FLAT_EXPECTED = {1: 1, 2: 1, 3: 3, 4: 4, 5: 5, 6: 6}


@pytest.mark.parametrize("fitzpatrick", sorted(FITZPATRICK_SKIN_RGB))
def test_ita_on_flat_generator_colours(fitzpatrick: int) -> None:
    rgb = np.round(np.array(FITZPATRICK_SKIN_RGB[fitzpatrick]) * 255).astype(np.uint8)
    photo = np.broadcast_to(rgb, (64, 80, 3)).copy()
    estimate = estimate_fitzpatrick(photo)
    assert estimate.estimated is True
    assert abs(estimate.fitzpatrick - fitzpatrick) <= 1
    assert estimate.fitzpatrick == FLAT_EXPECTED[fitzpatrick]
    assert_plain(json.loads(json.dumps(estimate.to_json())))


@pytest.mark.parametrize("fitzpatrick", sorted(FITZPATRICK_SKIN_RGB))
def test_ita_ignores_impressions_and_follows_painted_skin(fitzpatrick: int) -> None:
    rng = np.random.default_rng(fitzpatrick)
    skin = paint_skin((300, 400), fitzpatrick, 20.0, rng)
    photo = np.clip(np.round(skin * 255), 0, 255).astype(np.uint8)
    dots = rng.random((300, 400)) < 0.3
    photo[dots] = (25, 25, 30)  # dark marks on 30 % of the pixels, under the 40th percentile
    estimate = estimate_fitzpatrick(photo)
    assert abs(estimate.fitzpatrick - fitzpatrick) <= 1


def test_ita_with_mask_and_large_photo() -> None:
    photo = np.zeros((1200, 1600, 3), np.uint8)
    photo[:, 800:] = (204, 161, 128)  # intermediate skin on the right, black background left
    mask = np.zeros(photo.shape[:2], bool)
    mask[:, 820:] = True
    estimate = estimate_fitzpatrick(photo, mask=mask)
    assert (estimate.fitzpatrick, estimate.category) == (3, "intermediate")
    assert "estimated" in estimate.label


def test_ita_categories_and_angle() -> None:
    assert ita_degrees(50.0, 10.0) == 0.0
    cases = [(56, 1), (55, 2), (42, 2), (41, 3), (29, 3), (28, 4), (11, 4), (10, 5), (-30, 6)]
    for ita, expected in cases:
        assert ita_to_fitzpatrick(float(ita))[0] == expected, ita


def test_ita_bad_input() -> None:
    with pytest.raises(InputError, match="RGB"):
        estimate_fitzpatrick(np.zeros((64, 64), np.uint8))
    photo = np.full((64, 64, 3), 200, np.uint8)
    with pytest.raises(InputError, match="mask"):
        estimate_fitzpatrick(photo, mask=np.ones((10, 10), bool))
    with pytest.raises(InputError, match="too little skin"):
        estimate_fitzpatrick(photo, mask=np.zeros((64, 64), bool))
