"""The laser estimate's rules and cautions, each worded for the clinician and for the patient.

The session model (:func:`scalpmap.planning.sessions.estimate_laser_sessions`) adds up the rules
that apply; a report rebuilds the same list from a plan.json document
(:func:`scalpmap.reports.patient_words.patient_sessions`), so the patient's reasons always match
the clinician's. Patient wording has no digits, no statistics and no internal names.

**One interval rule.** After a laser session the skin heals for six to eight weeks; a follow-up
photo then shows what is left, and the next step follows: another laser session, or the touch-up.
The timeline plans each next step at the lower bound, and a due date's window runs to the upper
one. The six weeks are the clinics' practice before re-treating a patch; the published SMP series
(Wu, Lasers Surg Med 2020) re-treated after three to four weeks with a picosecond laser, so the
plan is on the safe side. Rules, sources and limits: docs/session-model.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scalpmap.imaging.analysis import FADED_DARKNESS
from scalpmap.planning.words import number_words, weeks_words

LASER_INTERVAL_WEEKS = (6, 8)
"""Weeks from a laser session to the next step, lowest and highest (the rule above)."""
HEALING_WEEKS = LASER_INTERVAL_WEEKS
"""Weeks from the last laser session to the touch-up: the same rule, the same weeks."""
PLANNED_LASER_SESSIONS = 2
"""Clinics quote one session and plan for two: the range never ends below two."""
MAX_LASER_SESSIONS = 3
"""The most sessions in the published SMP series (Wu 2020: one to three)."""
ROMAN = ("", "I", "II", "III", "IV", "V", "VI")
INTERVAL_EVIDENCE = (
    "clinics wait about six weeks before re-treating a patch; the published SMP series "
    "re-treated after three to four weeks with a picosecond laser (Wu, Lasers Surg Med 2020)"
)
"""Where the interval comes from, for the facility."""


def interval_rule(weeks: Sequence[int] = LASER_INTERVAL_WEEKS) -> str:
    """Say the interval rule in one sentence, the same in every document.

    Examples
    --------
    >>> interval_rule()
    'Laser sessions are six to eight weeks apart: the skin heals, and a follow-up photo shows \
what is left, before the same patch is treated again.'
    """
    return (
        f"Laser sessions are {weeks_words(weeks)} apart: the skin heals, and a follow-up photo "
        "shows what is left, before the same patch is treated again."
    )


def touch_up_rule(weeks: Sequence[int] = HEALING_WEEKS) -> str:
    """Say when the touch-up comes, in one sentence.

    Examples
    --------
    >>> touch_up_rule()
    'The touch-up comes six to eight weeks after the last laser session, once the skin has healed.'
    """
    return (
        f"The touch-up comes {weeks_words(weeks)} after the last laser session, once the skin "
        "has healed."
    )


@dataclass(frozen=True)
class Rule:
    """One rule of the laser estimate.

    Attributes
    ----------
    key : str
        A stable name, e.g. ``"darker_skin"``.
    likely, upper : int
        What it adds to the likely count and to the range's upper end.
    clinician : str
        The reason for the clinician (numbers in words).
    patient : str
        The reason for the patient: a sentence with no digit and no internal name.
    """

    key: str
    likely: int
    upper: int
    clinician: str
    patient: str


@dataclass(frozen=True)
class Caution:
    """A safety warning, for the clinician and for the patient."""

    key: str
    clinician: str
    patient: str


CAPPED = Rule(
    "capped",
    0,
    0,
    "capped at three sessions, the most in the published SMP series; if pigment remains, the "
    "follow-up photos decide",
    "Published experience with SMP removal needed at most three sessions; if some pigment is "
    "still left after that, your follow-up photos show what to do next.",
)


def laser_rules(
    *,
    fitzpatrick: int,
    ink_tone: str,
    median_darkness: float | None,
    density_per_cm2: float | None,
    ink_amount: str,
    layering: str,
    scarring_points: int,
    picosecond: bool,
) -> list[Rule]:
    """Return the rules of the laser estimate that apply, in order (the first always does).

    Parameters
    ----------
    fitzpatrick : int
        Skin type 1..6.
    ink_tone : str
        ``bluish``, ``neutral``, ``faded`` or ``unknown``.
    median_darkness : float or None
        Median impression darkness, 0..1 (faded below ``FADED_DARKNESS``).
    density_per_cm2 : float or None
        Measured impressions per cm², for the clinician's wording.
    ink_amount : str
        The Kirby-Desai ink amount (``significant`` adds a session).
    layering : str
        The Kirby-Desai layering (``cover-up`` adds a session).
    scarring_points : int
        The Kirby-Desai scarring points (3 or more widen the range).
    picosecond : bool
        Whether a picosecond laser is planned.

    Returns
    -------
    list of Rule
        The rules that apply, and :data:`CAPPED` last when they add up to more than
        ``MAX_LASER_SESSIONS``.

    Examples
    --------
    >>> rules = laser_rules(fitzpatrick=5, ink_tone="neutral", median_darkness=0.7,
    ...                     density_per_cm2=40.0, ink_amount="moderate", layering="none",
    ...                     scarring_points=0, picosecond=True)
    >>> [r.key for r in rules], sum(r.likely for r in rules), sum(r.upper for r in rules)
    (['start', 'darker_skin'], 2, 3)
    """
    roman = ROMAN[fitzpatrick] if 1 <= fitzpatrick <= 6 else str(fitzpatrick)
    faded = ink_tone == "faded" or (
        median_darkness is not None and median_darkness < FADED_DARKNESS
    )
    pct = "" if median_darkness is None else number_words(round(100 * median_darkness))
    pct = f", median darkness {pct} per cent" if pct else ""
    dens = "" if density_per_cm2 is None else number_words(min(999, round(density_per_cm2)))
    dens = f", about {dens} per square centimetre" if dens else ""
    rules = [
        (True, Rule("start", 1, PLANNED_LASER_SESSIONS,
         "carbon SMP pigment responds well to the laser and usually clears in one session; "
         "clinics plan for a second, and the published SMP series needed one to three",
         "The black pigment of SMP responds well to the laser and usually clears in one "
         "session; clinics plan for a second in case some is left.")),
        (fitzpatrick >= 5, Rule("darker_skin", 1, 1,
         f"darker skin (Fitzpatrick {roman}): one more session planned for lower fluence",
         "For darker skin the laser is set more gently, so one more session is planned.")),
        (ink_amount == "significant", Rule("high_ink_load", 1, 1,
         f"a high ink load (dense, dark impressions{dens}): one more session likely",
         "Your SMP holds a lot of dense, dark pigment, so one more session is likely.")),
        (layering == "cover-up", Rule("cover_up", 1, 1,
         "layered pigment from a cover-up over older work: one more session likely",
         "Your SMP was laid over earlier work, so there are layers of pigment to clear: one "
         "more session is likely.")),
        (faded, Rule("faded", -1, -1,
         f"faded ink{pct}: less pigment to clear, one session fewer (never below one)",
         "Your pigment has faded, so there is less to clear: one session fewer.")),
        (scarring_points >= 3, Rule("scarring", 0, 1,
         "scarred skin clears less predictably: one more session allowed for",
         "Scarred skin clears less predictably, so the plan allows for one more session.")),
        (not picosecond, Rule("nanosecond", 0, 1,
         "nanosecond laser: about a quarter more sessions than picosecond, so one more session "
         "allowed for",
         "The laser planned is an older type that usually needs more sessions, so the plan "
         "allows for one more.")),
        (ink_tone == "bluish", Rule("bluish", 0, 0,
         "bluish cast: still carbon black for the laser, no change",
         "The slight bluish look of your dots makes no difference to the laser: it is still "
         "black pigment.")),
    ]  # fmt: skip
    applied = [rule for applies, rule in rules if applies]
    likely, upper = sum(r.likely for r in applied), sum(r.upper for r in applied)
    return applied + ([CAPPED] if max(likely, upper) > MAX_LASER_SESSIONS else [])


def laser_cautions(*, fitzpatrick: int, scarring_points: int, ink_tone: str) -> list[Caution]:
    """Return the safety warnings that apply, hair thinning first.

    Examples
    --------
    >>> [c.key for c in laser_cautions(fitzpatrick=6, scarring_points=0, ink_tone="unknown")]
    ['hair_thinning', 'light_patches', 'ink_unknown']
    """
    roman = ROMAN[fitzpatrick] if 1 <= fitzpatrick <= 6 else str(fitzpatrick)
    cautions = [
        (True, Caution("hair_thinning",
         "Transient hair thinning can follow laser treatment of the scalp; it usually recovers.",
         "Hair in the treated area can thin for a while after the laser; it usually grows "
         "back.")),
        (fitzpatrick >= 5, Caution("light_patches",
         f"Fitzpatrick {roman}: risk of hypopigmentation (light patches). Use 1064 nm only, "
         "lower fluence, and a test patch before the first full session.",
         "Darker skin can lose some of its colour in small patches after laser treatment, so "
         "the laser clinic uses gentler settings and tests a small patch first.")),
        (scarring_points >= 3, Caution("scarring",
         "Scarring: treat conservatively and review after each session.",
         "Because of the scarring, the laser clinic treats carefully and checks your skin "
         "after each session.")),
        (ink_tone == "unknown", Caution("ink_unknown",
         "The ink's tone could not be judged: iron-oxide (brown) pigments may not clear; "
         "check the pigment's history and use a test patch.",
         "We could not tell the colour of your ink from the photo. Some brown inks do not "
         "clear with a laser, so the clinic will ask which ink was used and may test a small "
         "patch first.")),
    ]  # fmt: skip
    return [caution for applies, caution in cautions if applies]
