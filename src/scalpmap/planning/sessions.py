"""Session estimates: the Kirby-Desai score, an SMP-calibrated laser estimate and the touch-up.

Rules, sources and limits: docs/session-model.md. Kirby-Desai (Kirby, Desai et al., J Clin
Aesthet Dermatol 2009;2(3):32–37) is shown with each factor's source, for reference: it
over-predicts for modern lasers (J Cosmet Dermatol 2024;23:818). The SMP estimate starts from Wu
(Lasers Surg Med 2020: 1–3 sessions, 1064 nm picosecond Nd:YAG) and clinic practice (quote one
session, plan for two); its rules, each worded for the clinician and for the patient, and the one
interval rule are in :mod:`scalpmap.planning.laser_rules`. Its reasons contain no digits, so a
report can quote them. This is planning guidance for clinicians, not a prescription.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Literal

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import InkTone
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
from scalpmap.planning.words import number_words

__all__ = [
    "HEALING_WEEKS",
    "LASER_INTERVAL_WEEKS",
    "MAX_LASER_SESSIONS",
    "PLANNED_LASER_SESSIONS",
    "ROMAN",
    "KirbyDesai",
    "KirbyDesaiFactor",
    "LaserEstimate",
    "TouchUpPlan",
    "estimate_laser_sessions",
    "ink_amount",
    "kirby_desai",
    "number_words",
    "to_plain",
    "touch_up_sessions",
]

Source = Literal["given", "measured", "estimated", "default"]
Scarring = Literal["none", "minimal", "moderate", "significant"]
Layering = bool | Literal["none", "cover-up"]

SCARRING_POINTS: dict[str, int] = {"none": 0, "minimal": 1, "moderate": 3, "significant": 5}
INK_AMOUNT_POINTS: dict[str, int] = {"amateur": 1, "minimal": 2, "moderate": 3, "significant": 4}
INK_LOAD_MINIMAL = 20.0
"""Ink load (impressions per cm² × median darkness) below which the ink amount is minimal."""
INK_LOAD_SIGNIFICANT = 50.0
"""Ink load at or above which the ink amount is significant; in between it is moderate."""
KD_MIN, KD_MAX = 4, 26
TOUCH_UP_GAP_DAYS = (10, 30)
"""SMP sessions are 10–30 days apart; the optional second touch-up is planned at 21 days."""
SOURCES = (
    "Kirby, Desai et al., J Clin Aesthet Dermatol 2009;2(3):32-37 (Kirby-Desai scale)",
    "J Cosmet Dermatol 2024;23:818 (Kirby-Desai over-predicts for modern lasers)",
    "Wu, Lasers Surg Med 2020 (SMP removal, 1064 nm picosecond Nd:YAG, 1-3 sessions)",
)
KD_NOTE = (
    "The Kirby-Desai scale was built for ordinary tattoos and older lasers. It over-predicts for "
    "modern lasers (5.09 sessions measured against 9.9 predicted, J Cosmet Dermatol "
    "2024;23:818); picosecond lasers need about 25% fewer sessions. For SMP use the "
    "SMP-calibrated estimate; the score is shown for reference."
)


def to_plain(value: Any) -> Any:
    """Turn dataclasses, tuples and dates into plain JSON values (dicts, lists, strings).

    Examples
    --------
    >>> to_plain((1, dt.date(2027, 3, 1)))
    [1, '2027-03-01']
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [to_plain(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


@dataclass(frozen=True)
class KirbyDesaiFactor:
    """One of the six Kirby-Desai factors.

    Attributes
    ----------
    name : str
        skin_type, location, colour, ink_amount, scarring or layering.
    value : str
        The level, e.g. ``"III"``, ``"head/neck"``, ``"moderate"``.
    points : int
        Its points on the scale.
    source : {"given", "measured", "estimated", "default"}
        Where the value came from.
    explanation : str
        Why this value, in words.
    """

    name: str
    value: str
    points: int
    source: Source
    explanation: str

    def to_json(self) -> dict[str, Any]:
        """Return plain JSON values: every attribute under its own name."""
        return dict(to_plain(self))


@dataclass(frozen=True)
class KirbyDesai:
    """A Kirby-Desai score with its six factors.

    Attributes
    ----------
    factors : tuple of KirbyDesaiFactor
        The six factors, in the scale's order.
    """

    factors: tuple[KirbyDesaiFactor, ...]

    def __post_init__(self) -> None:
        if not KD_MIN <= self.score <= KD_MAX:
            raise ValueError(f"Kirby-Desai score {self.score} is outside {KD_MIN}..{KD_MAX}")

    @property
    def score(self) -> int:
        """The sum of the factors' points, 4..26."""
        return sum(f.points for f in self.factors)

    def factor(self, name: str) -> KirbyDesaiFactor:
        """Return the factor called ``name`` (KeyError if there is none)."""
        for f in self.factors:
            if f.name == name:
                return f
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        """Return plain JSON values: ``score``, ``factors`` (a list of dicts) and ``note``."""
        return {"score": self.score, "factors": to_plain(self.factors), "note": KD_NOTE}


def ink_amount(density_per_cm2: float | None, median_darkness: float | None) -> tuple[str, float]:
    """Classify the amount of ink from the measured density and darkness.

    The ink load is density × median darkness: impressions per cm² weighted by how much light
    they absorb (0..1). Below 20 the amount is minimal, from 50 significant, else moderate
    (a typical 40 impressions per cm² at darkness 0.75, load 30, is moderate).
    Kirby-Desai's lowest level, amateur, is for hand-made tattoos with little, shallow ink; SMP
    is placed professionally with a machine at a controlled depth, so it is not used.

    Parameters
    ----------
    density_per_cm2 : float
        Measured impressions per cm² in the pigmented region.
    median_darkness : float
        Median darkness of the impressions, 0..1.

    Returns
    -------
    level : str
        minimal, moderate or significant.
    load : float
        The ink load.

    Examples
    --------
    >>> ink_amount(20.0, 0.5), ink_amount(60.0, 0.5), ink_amount(70.0, 0.8)
    (('minimal', 10.0), ('moderate', 30.0), ('significant', 56.0))
    """
    load = float(density_per_cm2 or 0.0) * float(median_darkness or 0.0)
    if load < INK_LOAD_MINIMAL:
        return "minimal", load
    return ("significant" if load >= INK_LOAD_SIGNIFICANT else "moderate"), load


def _check_skin(fitzpatrick: Any) -> int:
    if isinstance(fitzpatrick, bool) or not isinstance(fitzpatrick, int):
        raise InputError(f"skin type must be a whole number 1-6, got {fitzpatrick!r}")
    if not 1 <= fitzpatrick <= 6:
        raise InputError(f"skin type must be 1-6 (Fitzpatrick I-VI), got {fitzpatrick}")
    return fitzpatrick


def _check_measure(name: str, value: Any, upper: float) -> float | None:
    if value is None:
        return None
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or not 0 <= value <= upper:
        raise InputError(f"{name} must be a number in 0..{upper:g}, got {value!r}")
    return float(value)


def kirby_desai(
    *,
    fitzpatrick: int,
    fitzpatrick_source: Literal["given", "estimated"],
    density_per_cm2: float | None,
    median_darkness: float | None,
    scarring: Scarring | None = None,
    layering: Layering | None = None,
) -> KirbyDesai:
    """Score the SMP on the Kirby-Desai scale, with each factor's value and source.

    Parameters
    ----------
    fitzpatrick : int
        Skin type 1..6 (I–VI), 1..6 points.
    fitzpatrick_source : {"given", "estimated"}
        Whether the clinician gave it or it was estimated from the photo.
    density_per_cm2 : float or None
        Measured impressions per cm²; None when not measured (coverage mode).
    median_darkness : float or None
        Median darkness of the impressions, 0..1; None when not measured.
    scarring : {"none", "minimal", "moderate", "significant"}, optional
        Given by the clinician: 0, 1, 3 or 5 points. Default: none (source "default").
    layering : bool or {"none", "cover-up"}, optional
        True or "cover-up" when the SMP was laid over older work (2 points). Default: none.

    Returns
    -------
    KirbyDesai
        The six factors and their sum.

    Raises
    ------
    InputError
        When a value is out of range.

    Examples
    --------
    >>> kd = kirby_desai(fitzpatrick=3, fitzpatrick_source="given",
    ...                  density_per_cm2=60.0, median_darkness=0.5)
    >>> kd.score, [f.points for f in kd.factors]
    (8, [3, 1, 1, 3, 0, 0])
    """
    fitzpatrick = _check_skin(fitzpatrick)
    if fitzpatrick_source not in ("given", "estimated"):
        raise InputError(f"skin type source must be given or estimated, got {fitzpatrick_source!r}")
    density = _check_measure("density per cm²", density_per_cm2, 10_000.0)
    darkness = _check_measure("median darkness", median_darkness, 1.0)
    if scarring is not None and scarring not in SCARRING_POINTS:
        raise InputError(f"scarring must be one of {', '.join(SCARRING_POINTS)}, got {scarring!r}")
    if layering is not None and layering not in (True, False, "none", "cover-up"):
        raise InputError(f"layering must be none or cover-up, got {layering!r}")
    roman = ROMAN[fitzpatrick]
    confirm = " (estimated from the photo's skin colour; confirm it)"
    skin_why = f"Fitzpatrick {roman} scores {fitzpatrick}" + (
        confirm if fitzpatrick_source == "estimated" else ""
    )
    skin = KirbyDesaiFactor("skin_type", roman, fitzpatrick, fitzpatrick_source, skin_why)
    location = KirbyDesaiFactor(
        "location", "head/neck", 1, "default", "the scalp is on the head (head/neck scores 1)"
    )
    colour_why = (
        "SMP uses carbon black pigment; a bluish cast is black seen through skin or a blue-black "
        "carbon ink, still black only for the 1064 nm laser"
    )
    colour = KirbyDesaiFactor("colour", "black only", 1, "default", colour_why)
    if density is None or darkness is None:
        why = "density or darkness not measured (impressions not resolved): moderate assumed"
        ink = KirbyDesaiFactor("ink_amount", "moderate", 3, "default", why)
    else:
        level, load = ink_amount(density, darkness)
        why = (
            f"ink load {load:.0f} = {density:.0f} impressions/cm² × median darkness "
            f"{darkness:.2f} (minimal < {INK_LOAD_MINIMAL:g}, significant >= "
            f"{INK_LOAD_SIGNIFICANT:g}); 'amateur' is not used, SMP is professional work"
        )
        ink = KirbyDesaiFactor("ink_amount", level, INK_AMOUNT_POINTS[level], "measured", why)
    scar_level = scarring or "none"
    scar_source: Source = "default" if scarring is None else "given"
    why = "no scarring recorded" if scarring is None else f"{scar_level} scarring, as given"
    scar = KirbyDesaiFactor("scarring", scar_level, SCARRING_POINTS[scar_level], scar_source, why)
    cover_up = layering is True or layering == "cover-up"
    layer_source: Source = "default" if layering is None else "given"
    why = "SMP laid over older work (cover-up)" if cover_up else "no earlier work under the SMP"
    if layering is None:
        why = "no earlier SMP recorded"
    level = "cover-up" if cover_up else "none"
    layer = KirbyDesaiFactor("layering", level, 2 if cover_up else 0, layer_source, why)
    return KirbyDesai((skin, location, colour, ink, scar, layer))


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
    fitzpatrick = _check_skin(fitzpatrick)
    darkness = _check_measure("median darkness", median_darkness, 1.0)
    density = _check_measure("density per cm²", density_per_cm2, 10_000.0)
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
