"""Session estimates: the Kirby-Desai score, an SMP-calibrated laser estimate and the touch-up.

Rules, sources and limits: docs/session-model.md. Kirby-Desai (Kirby, Desai et al., J Clin
Aesthet Dermatol 2009;2(3):32–37) is shown with each factor's source, for reference: it
over-predicts for modern lasers (J Cosmet Dermatol 2024;23:818). The SMP estimate starts from Wu
(Lasers Surg Med 2020: 1–3 sessions, 1064 nm picosecond Nd:YAG) and clinic practice (quote one
session, plan for two); its rules, each worded for the clinician and for the patient, and the one
interval rule are in :mod:`scalpmap.planning.laser_rules`. Its reasons contain no digits, so a
report can quote them. This is planning guidance for clinicians, not a prescription.

The Kirby-Desai score is in :mod:`scalpmap.planning.kirby_desai`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import InkTone
from scalpmap.planning.kirby_desai import (
    KD_MAX,
    KD_MIN,
    KirbyDesai,
    KirbyDesaiFactor,
    Layering,
    Scarring,
    check_measure,
    check_skin_type,
    ink_amount,
    kirby_desai,
)
from scalpmap.planning.laser_rules import (
    HEALING_WEEKS,
    LASER_INTERVAL_WEEKS,
    MAX_LASER_SESSIONS,
    PLANNED_LASER_SESSIONS,
    ROMAN,
    laser_cautions,
    laser_rules,
    touch_up_rule,
)
from scalpmap.planning.plain import to_plain
from scalpmap.planning.words import number_words

# The Kirby-Desai names, the laser rules' constants, to_plain and number_words are re-exported:
# the plan, the reports and the documentation import them from here.
__all__ = [
    "HEALING_WEEKS",
    "KD_MAX",
    "KD_MIN",
    "LASER_INTERVAL_WEEKS",
    "MAX_LASER_SESSIONS",
    "PLANNED_LASER_SESSIONS",
    "ROMAN",
    "TOUCH_UP_GAP_DAYS",
    "KirbyDesai",
    "KirbyDesaiFactor",
    "LaserEstimate",
    "Layering",
    "Scarring",
    "TouchUpPlan",
    "estimate_laser_sessions",
    "ink_amount",
    "kirby_desai",
    "number_words",
    "to_plain",
    "touch_up_sessions",
]

TOUCH_UP_GAP_DAYS = (10, 30)
"""SMP sessions are 10–30 days apart; the optional second touch-up is planned at 21 days."""
SOURCES = (
    "Kirby, Desai et al., J Clin Aesthet Dermatol 2009;2(3):32-37 (Kirby-Desai scale)",
    "J Cosmet Dermatol 2024;23:818 (Kirby-Desai over-predicts for modern lasers)",
    "Wu, Lasers Surg Med 2020 (SMP removal, 1064 nm picosecond Nd:YAG, 1-3 sessions)",
)


@dataclass(frozen=True)
class LaserEstimate:
    """The SMP-calibrated laser estimate.

    Attributes
    ----------
    likely : int
        The most likely number of sessions.
    range : tuple of int
        Lowest and highest plausible numbers of sessions, within 1..3.
    reasons : tuple of str
        Why, in words (no digits, so they read well to a patient).
    interval_weeks : tuple of int
        Weeks between laser sessions, lowest and highest: the one interval rule
        (:data:`~scalpmap.planning.laser_rules.LASER_INTERVAL_WEEKS`), whatever the laser.
    laser : str
        The suggested laser.
    warnings : tuple of str
        Safety warnings.
    picosecond : bool
        Whether the plan assumes a picosecond laser.
    sources : tuple of str
        The literature behind the rules.
    """

    likely: int
    range: tuple[int, int]
    reasons: tuple[str, ...]
    interval_weeks: tuple[int, int]
    laser: str
    warnings: tuple[str, ...]
    picosecond: bool = True
    sources: tuple[str, ...] = SOURCES

    def to_json(self) -> dict[str, Any]:
        """Return plain JSON values: every attribute under its own name, tuples as lists."""
        return dict(to_plain(self))


def estimate_laser_sessions(
    *,
    fitzpatrick: int,
    median_darkness: float | None,
    ink_tone: InkTone,
    density_per_cm2: float | None,
    kirby_desai: KirbyDesai,
    picosecond: bool = True,
) -> LaserEstimate:
    """Estimate the laser sessions to clear carbon SMP, with reasons, interval and warnings.

    The rules (:func:`~scalpmap.planning.laser_rules.laser_rules`): start at one likely
    session in a range of one to two. Darker skin (V–VI) adds one to both (lower fluence); a
    cover-up or a significant ink load adds one to both; faded ink takes one from both; moderate
    or significant scarring and a nanosecond laser add one to the range's upper end. The upper
    end is then kept within two to three (clinics plan for two; the SMP series needed at most
    three) and the likely count within one and the upper end. The range starts one below the
    likely count. The interval is the one rule, whatever the laser.

    Parameters
    ----------
    fitzpatrick : int
        Skin type 1..6.
    median_darkness : float or None
        Median impression darkness, 0..1; faded below 0.35.
    ink_tone : {"bluish", "neutral", "faded", "unknown"}
        The ink's tone from the analysis.
    density_per_cm2 : float or None
        Measured impressions per cm² (for the reasons).
    kirby_desai : KirbyDesai
        Its ink amount, scarring and layering factors feed the estimate.
    picosecond : bool, optional
        Whether a picosecond laser is available (default True).

    Returns
    -------
    LaserEstimate
        The estimate.

    Examples
    --------
    >>> kd = kirby_desai(fitzpatrick=5, fitzpatrick_source="given",
    ...                  density_per_cm2=40.0, median_darkness=0.7)
    >>> est = estimate_laser_sessions(fitzpatrick=5, median_darkness=0.7, ink_tone="neutral",
    ...                               density_per_cm2=40.0, kirby_desai=kd)
    >>> est.likely, est.range, est.interval_weeks
    (2, (1, 3), (6, 8))
    """
    fitzpatrick = check_skin_type(fitzpatrick)
    darkness = check_measure("median darkness", median_darkness, 1.0)
    density = check_measure("density per cm²", density_per_cm2, 10_000.0)
    if ink_tone not in ("bluish", "neutral", "faded", "unknown"):
        raise InputError(f"ink tone must be bluish, neutral, faded or unknown, got {ink_tone!r}")
    scarring = kirby_desai.factor("scarring").points
    rules = laser_rules(
        fitzpatrick=fitzpatrick,
        ink_tone=ink_tone,
        median_darkness=darkness,
        density_per_cm2=density,
        ink_amount=kirby_desai.factor("ink_amount").value,
        layering=kirby_desai.factor("layering").value,
        scarring_points=scarring,
        picosecond=picosecond,
    )
    likely, upper = sum(r.likely for r in rules), sum(r.upper for r in rules)
    reasons = [r.clinician for r in rules]
    cautions = laser_cautions(fitzpatrick=fitzpatrick, scarring_points=scarring, ink_tone=ink_tone)
    clipped = min(MAX_LASER_SESSIONS, max(PLANNED_LASER_SESSIONS, upper))
    likely = min(max(1, likely), clipped)
    low = max(1, likely - 1)
    reasons.append(
        f"the Kirby-Desai score of {number_words(kirby_desai.score)} is shown for reference only: "
        "it was built for ordinary tattoos and over-predicts for modern lasers"
    )
    pulse = "picosecond preferred" if picosecond else "Q-switched nanosecond (picosecond preferred)"
    laser = f"1064 nm Nd:YAG{' only' if fitzpatrick >= 5 else ''}, {pulse}"
    if fitzpatrick >= 5:
        laser += "; lower fluence and a test patch"
    return LaserEstimate(
        likely=likely,
        range=(low, clipped),
        reasons=tuple(reasons),
        interval_weeks=LASER_INTERVAL_WEEKS,
        laser=laser,
        warnings=tuple(c.clinician for c in cautions),
        picosecond=picosecond,
    )


@dataclass(frozen=True)
class TouchUpPlan:
    """The SMP touch-up after the laser.

    Attributes
    ----------
    sessions : int
        Planned touch-up sessions: 1, or 0 for a total removal.
    optional_second : bool
        Whether an optional second touch-up is offered.
    healing_weeks : tuple of int
        Weeks to wait after the last laser session (the timeline uses the lower bound).
    gap_days : tuple of int
        Days between the touch-up and the optional second one.
    notes : tuple of str
        What to expect, in words.
    """

    sessions: int
    optional_second: bool
    notes: tuple[str, ...]
    healing_weeks: tuple[int, int] = HEALING_WEEKS
    gap_days: tuple[int, int] = TOUCH_UP_GAP_DAYS

    def to_json(self) -> dict[str, Any]:
        """Return plain JSON values: every attribute under its own name."""
        return dict(to_plain(self))


def touch_up_sessions(*, needed: bool = True, second_touch_up: bool = True) -> TouchUpPlan:
    """Plan the SMP touch-up after the laser.

    Parameters
    ----------
    needed : bool, optional
        False for a total removal (no touch-up).
    second_touch_up : bool, optional
        Offer an optional second touch-up.

    Returns
    -------
    TouchUpPlan
        The plan.

    Examples
    --------
    >>> touch_up_sessions().sessions, touch_up_sessions(needed=False).sessions
    (1, 0)
    """
    first, last = (number_words(days) for days in TOUCH_UP_GAP_DAYS)
    if not needed:
        return TouchUpPlan(0, False, ("Total removal: no SMP touch-up is planned.",))
    notes = [touch_up_rule(HEALING_WEEKS)]
    if second_touch_up:
        notes.append(f"An optional second touch-up {first} to {last} days later adds density.")
    return TouchUpPlan(1, second_touch_up, tuple(notes))
