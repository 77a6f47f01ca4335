"""Rank the laser facilities that can treat a patient's SMP, and say why, in words.

A facility can treat the patient when it treats SMP, has a 1064 nm laser (black carbon pigment
responds to 1064 nm) and treats the patient's Fitzpatrick skin type. The others are excluded,
each with every reason that applies (``"excluded: no 1064 nm laser"``).

The eligible facilities are ordered by distance from the patient (haversine, on a sphere of the
Earth's mean radius). Two things move a facility down as if it were farther away, and its
reasons say by how much: having only nanosecond 1064 nm lasers (picosecond is preferred:
about 25% fewer sessions) and not stating which skin types it treats. The score is
``100 * exp(-effective_km / 500)``: 100 for a picosecond facility next door, about 37 at 500 km.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from scalpmap.errors import InputError
from scalpmap.facilities.fields import ROMAN, Laser, Pulse, format_fitzpatrick

__all__ = [
    "EARTH_RADIUS_KM",
    "NO_ORIGIN_NOTE",
    "NANOSECOND_PENALTY_KM",
    "SCORE_SCALE_KM",
    "SMP_WAVELENGTH_NM",
    "UNSTATED_SKIN_PENALTY_KM",
    "ExcludedFacility",
    "FacilityProfile",
    "MatchResult",
    "RankedFacility",
    "haversine_km",
    "rank_facilities",
]

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG)."""
SMP_WAVELENGTH_NM = 1064
"""The wavelength for SMP's black carbon pigment."""
NANOSECOND_PENALTY_KM = 50.0
"""A facility with only nanosecond 1064 nm lasers ranks as if this much farther away."""
UNSTATED_SKIN_PENALTY_KM = 25.0
"""A facility that does not state the skin types it treats ranks as if this much farther away."""
SCORE_SCALE_KM = 500.0
"""The score falls to 1/e (about 37) at this effective distance."""
NO_ORIGIN_NOTE = "no patient location: facilities ranked without distance"
"""The note of a ranking without an origin."""


@dataclass(frozen=True)
class FacilityProfile:
    """What matching needs to know of a facility.

    Attributes
    ----------
    id : int or None
        Its database id.
    name, city, country : str
        Name, city and ISO country code.
    lat, lon : float
        Location in degrees.
    geocoded : bool
        Whether the location is the city centre rather than the address.
    lasers : tuple of Laser
        Its lasers.
    treats_smp : bool
        Whether it removes SMP.
    fitzpatrick : tuple of (int, int) or None
        Lowest and highest skin type treated; ``None`` when not stated.
    """

    id: int | None
    name: str
    city: str
    country: str
    lat: float
    lon: float
    geocoded: bool
    lasers: tuple[Laser, ...]
    treats_smp: bool
    fitzpatrick: tuple[int, int] | None


@dataclass(frozen=True)
class RankedFacility:
    """A facility that can treat the patient, with its place in the ranking and why."""

    rank: int
    facility: FacilityProfile
    distance_km: float | None
    score: float
    picosecond: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ExcludedFacility:
    """A facility that cannot treat the patient; each reason starts with ``excluded:``."""

    facility: FacilityProfile
    distance_km: float | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class MatchResult:
    """The ranking, best first, the excluded facilities and notes about the whole ranking."""

    ranked: tuple[RankedFacility, ...]
    excluded: tuple[ExcludedFacility, ...]
    notes: tuple[str, ...]


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the great-circle distance between two points, in km.

    Parameters
    ----------
    a, b : tuple of (float, float)
        ``(lat, lon)`` in degrees.

    Returns
    -------
    float
        The distance along the Earth's surface (a sphere of radius :data:`EARTH_RADIUS_KM`).

    Examples
    --------
    >>> round(haversine_km((51.5074, -0.1278), (48.8566, 2.3522)))  # London - Paris
    344
    """
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2
    h += math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _check_inputs(fitzpatrick: int | None, origin: tuple[float, float] | None) -> None:
    if fitzpatrick is not None and not 1 <= fitzpatrick <= 6:
        raise InputError(f"Fitzpatrick type must be 1..6; got {fitzpatrick}")
    if origin is not None:
        lat, lon = origin
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputError(f"origin must be (lat, lon) in degrees; got {origin}")


def _lasers_text(lasers: Iterable[Laser]) -> str:
    return "; ".join(str(laser) for laser in lasers)


def _skin(facility: FacilityProfile, fitzpatrick: int | None) -> tuple[str | None, str, float]:
    """Return (exclusion or None, reason, penalty in km) for the skin-type check."""
    stated = facility.fitzpatrick
    if fitzpatrick is None:
        covers = f"Fitzpatrick {format_fitzpatrick(*stated)}" if stated else "not stated"
        return None, f"skin types treated: {covers}; the patient's type is not recorded", 0.0
    roman = ROMAN[fitzpatrick - 1]
    if stated is None:
        reason = (
            f"skin types treated not stated: confirm type {roman} with the facility; "
            f"ranked as if {UNSTATED_SKIN_PENALTY_KM:g} km farther"
        )
        return None, reason, UNSTATED_SKIN_PENALTY_KM
    text = format_fitzpatrick(*stated)
    if not stated[0] <= fitzpatrick <= stated[1]:
        return f"excluded: treats Fitzpatrick {text}, not type {roman}", "", 0.0
    return None, f"treats Fitzpatrick {text}, which covers type {roman}", 0.0


def _assess(
    facility: FacilityProfile,
    fitzpatrick: int | None,
    distance_km: float | None,
    origin_name: str = "the patient",
) -> tuple[list[str], list[str], float, bool]:
    """Return (exclusions, reasons, penalty in km, picosecond) for one facility."""
    exclusions: list[str] = []
    reasons: list[str] = []
    if not facility.treats_smp:
        exclusions.append("excluded: does not treat SMP")
    at_1064 = [laser for laser in facility.lasers if SMP_WAVELENGTH_NM in laser.wavelengths_nm]
    pico = [laser for laser in at_1064 if laser.pulse is Pulse.PS]
    penalty = 0.0
    if not facility.lasers:
        exclusions.append("excluded: no laser listed")
    elif not at_1064:
        exclusions.append(
            f"excluded: no 1064 nm laser ({_lasers_text(facility.lasers)}), "
            "and SMP's carbon pigment needs 1064 nm"
        )
    elif pico:
        reasons.append(f"1064 nm picosecond ({_lasers_text(pico)}): preferred for SMP's carbon")
    else:
        penalty += NANOSECOND_PENALTY_KM
        reasons.append(
            f"1064 nm nanosecond only ({_lasers_text(at_1064)}): picosecond usually needs "
            f"about 25% fewer sessions; ranked as if {NANOSECOND_PENALTY_KM:g} km farther"
        )
    exclusion, reason, skin_penalty = _skin(facility, fitzpatrick)
    if exclusion:
        exclusions.append(exclusion)
    else:
        reasons.append(reason)
        penalty += skin_penalty
    if distance_km is not None:
        where = f"{distance_km:.0f} km from {origin_name}"
        if facility.geocoded:
            where += f" (approximate: the facility is placed at the centre of {facility.city})"
        reasons.append(where)
    return exclusions, reasons, penalty, bool(pico)


def rank_facilities(
    facilities: Iterable[FacilityProfile],
    *,
    fitzpatrick: int | None,
    origin_latlon: tuple[float, float] | None,
    origin_name: str = "the patient",
) -> MatchResult:
    """Rank the facilities that can treat a patient's SMP; explain each ranking and exclusion.

    Parameters
    ----------
    facilities : iterable of FacilityProfile
        The directory.
    fitzpatrick : int or None
        The patient's Fitzpatrick skin type, 1-6; ``None`` when not recorded (then skin-type
        coverage is not checked, and a note says so).
    origin_latlon : tuple of (float, float) or None
        Where the patient is, ``(lat, lon)`` in degrees; ``None`` ranks without distance (and a
        note says so).
    origin_name : str, optional
        What the origin is, in the reasons (``"120 km from the clinic"``).

    Returns
    -------
    MatchResult
        Eligible facilities best first (``rank`` from 1), the excluded ones (nearest first),
        and notes.

    Raises
    ------
    InputError
        When the skin type is not 1-6 or the origin is not in degrees.

    Examples
    --------
    >>> from scalpmap.facilities.fields import parse_lasers
    >>> near = FacilityProfile(1, "Near", "Leeds", "GB", 53.8, -1.55, False,
    ...                        parse_lasers("Nd:YAG 1064 ps"), True, (1, 6))
    >>> alex = FacilityProfile(2, "Alex", "York", "GB", 53.96, -1.08, False,
    ...                        parse_lasers("Alexandrite 755 ps"), True, (1, 6))
    >>> result = rank_facilities([alex, near], fitzpatrick=3, origin_latlon=(53.8, -1.5))
    >>> [entry.facility.name for entry in result.ranked], result.excluded[0].reasons[0][:30]
    (['Near'], 'excluded: no 1064 nm laser (Al')
    """
    _check_inputs(fitzpatrick, origin_latlon)
    ranked: list[tuple[float, float, str, RankedFacility]] = []
    excluded: list[tuple[float, str, ExcludedFacility]] = []
    for facility in facilities:
        distance = None
        if origin_latlon is not None:
            distance = haversine_km(origin_latlon, (facility.lat, facility.lon))
        exclusions, reasons, penalty, pico = _assess(facility, fitzpatrick, distance, origin_name)
        if exclusions:
            entry = ExcludedFacility(facility, distance, tuple(exclusions))
            excluded.append((distance or 0.0, facility.name.casefold(), entry))
            continue
        effective = (distance or 0.0) + penalty
        score = round(100 * math.exp(-effective / SCORE_SCALE_KM), 1)
        reasons.insert(0, "treats SMP")
        candidate = RankedFacility(0, facility, distance, score, pico, tuple(reasons))
        ranked.append((effective, distance or 0.0, facility.name.casefold(), candidate))
    ranked.sort(key=lambda item: item[:3])
    excluded.sort(key=lambda item: item[:2])
    notes = []
    if origin_latlon is None:
        notes.append(NO_ORIGIN_NOTE)
    if fitzpatrick is None:
        notes.append("the patient's skin type is not recorded: record it before referring")
    elif fitzpatrick >= 5:
        notes.append(
            f"Fitzpatrick type {ROMAN[fitzpatrick - 1]}: risk of hypopigmentation; "
            "ask for 1064 nm, lower fluence and a test patch"
        )
    if not ranked:
        notes.append("no facility in the directory can treat this patient")
    return MatchResult(
        ranked=tuple(
            RankedFacility(n, e.facility, e.distance_km, e.score, e.picosecond, e.reasons)
            for n, (*_, e) in enumerate(ranked, start=1)
        ),
        excluded=tuple(entry for *_, entry in excluded),
        notes=tuple(notes),
    )
