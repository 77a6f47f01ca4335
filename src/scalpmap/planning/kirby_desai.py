"""The Kirby-Desai score of an SMP: six factors, each with its value, points and source.

Kirby-Desai (Kirby, Desai et al., J Clin Aesthet Dermatol 2009;2(3):32–37) is shown with each
factor's source, for reference: it over-predicts for modern lasers (J Cosmet Dermatol
2024;23:818), so the laser estimate (:mod:`scalpmap.planning.sessions`) uses only its ink
amount, scarring and layering factors. Rules and sources: docs/session-model.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from scalpmap.errors import InputError
from scalpmap.planning.laser_rules import ROMAN
from scalpmap.planning.plain import to_plain

__all__ = [
    "KD_MAX",
    "KD_MIN",
    "KirbyDesai",
    "KirbyDesaiFactor",
    "Layering",
    "Scarring",
    "check_measure",
    "check_skin_type",
    "ink_amount",
    "kirby_desai",
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
KD_NOTE = (
    "The Kirby-Desai scale was built for ordinary tattoos and older lasers. It over-predicts for "
    "modern lasers (5.09 sessions measured against 9.9 predicted, J Cosmet Dermatol "
    "2024;23:818); picosecond lasers need about 25% fewer sessions. For SMP use the "
    "SMP-calibrated estimate; the score is shown for reference."
)


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


def check_skin_type(fitzpatrick: Any) -> int:
    """Return the Fitzpatrick skin type, checked to be a whole number 1..6.

    Parameters
    ----------
    fitzpatrick : Any
        The value given.

    Returns
    -------
    int
        The skin type.

    Raises
    ------
    InputError
        When it is not a whole number 1..6.
    """
    if isinstance(fitzpatrick, bool) or not isinstance(fitzpatrick, int):
        raise InputError(f"skin type must be a whole number 1-6, got {fitzpatrick!r}")
    if not 1 <= fitzpatrick <= 6:
        raise InputError(f"skin type must be 1-6 (Fitzpatrick I-VI), got {fitzpatrick}")
    return fitzpatrick


def check_measure(name: str, value: Any, upper: float) -> float | None:
    """Return a measured value as a float, checked to be a number in ``0..upper``.

    Parameters
    ----------
    name : str
        What it is, for the message.
    value : Any
        The value given, or None when not measured.
    upper : float
        The largest value allowed.

    Returns
    -------
    float or None
        The value; None when none was given.

    Raises
    ------
    InputError
        When it is not a finite number in ``0..upper``.
    """
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
    fitzpatrick = check_skin_type(fitzpatrick)
    if fitzpatrick_source not in ("given", "estimated"):
        raise InputError(f"skin type source must be given or estimated, got {fitzpatrick_source!r}")
    density = check_measure("density per cm²", density_per_cm2, 10_000.0)
    darkness = check_measure("median darkness", median_darkness, 1.0)
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
