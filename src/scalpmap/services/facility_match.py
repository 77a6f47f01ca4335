"""Match a case to the directory's facilities: ranked for its patient, the look audited.

The ranking itself is :func:`scalpmap.facilities.matching.rank_facilities`; this use case
finds where the patient is (a given point, the city of their address, else the clinic's city)
and records that the case was looked at (entity ``"case"``, purpose ``facility_match``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from scalpmap.facilities.fields import Laser
from scalpmap.facilities.geocode import geocode_address
from scalpmap.facilities.matching import (
    NO_ORIGIN_NOTE,
    FacilityProfile,
    MatchResult,
    rank_facilities,
)
from scalpmap.services import audit
from scalpmap.services._tx import commit, get_or_raise
from scalpmap.services.clinic_locale import clinic_origin
from scalpmap.services.facilities import list_facilities
from scalpmap.store.models import Case, Facility, User

__all__ = ["facility_profile", "match_for_case"]


def facility_profile(facility: Facility) -> FacilityProfile:
    """Return what matching needs to know of a stored facility.

    Parameters
    ----------
    facility : Facility
        The stored facility.

    Returns
    -------
    FacilityProfile
        Its place, lasers, SMP and skin types.
    """
    fitzpatrick = None
    if facility.fitzpatrick_min is not None and facility.fitzpatrick_max is not None:
        fitzpatrick = (facility.fitzpatrick_min, facility.fitzpatrick_max)
    return FacilityProfile(
        id=facility.id,
        name=facility.name,
        city=facility.city,
        country=facility.country,
        lat=facility.lat,
        lon=facility.lon,
        geocoded=facility.geocoded,
        lasers=tuple(Laser.from_json(item) for item in facility.lasers),
        treats_smp=facility.treats_smp,
        fitzpatrick=fitzpatrick,
    )


def match_for_case(
    session: Session,
    case_id: int,
    actor: User | None = None,
    *,
    origin_latlon: tuple[float, float] | None = None,
) -> MatchResult:
    """Rank the directory's facilities for a case's patient; the look at the case is audited.

    The patient's Fitzpatrick type comes from their record. Distances are measured from
    ``origin_latlon`` when given, else from the city of the patient's address, found offline,
    else from the clinic's city (its settings); when none is known the facilities are ranked
    without distance. The first note says where the distances are measured from.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed (the audit row).
    case_id : int
        The case.
    actor : User, optional
        Who asks; ``None`` for the system (the command line).
    origin_latlon : tuple of (float, float), optional
        Where the patient is, ``(lat, lon)`` in degrees, overriding the address.

    Returns
    -------
    MatchResult
        The ranking, the exclusions and notes, all in words.

    Raises
    ------
    NotFoundError
        When there is no such case.
    """
    case = get_or_raise(session, Case, case_id, "case")
    patient = case.patient
    origin_note = None
    origin_name = "the patient"
    if origin_latlon is not None:
        origin_note = (
            f"distances from the given point {origin_latlon[0]:.4f}, {origin_latlon[1]:.4f}"
        )
    elif patient.address and (found := geocode_address(patient.address)) is not None:
        place, _part = found
        origin_latlon = (place.lat, place.lon)
        origin_note = (
            f"distances from the centre of {place.name}, {place.country}, the city of the "
            "patient's address (approximate)"
        )
    else:
        origin_latlon, origin_note = clinic_origin(session, patient.address)
        origin_name = "the clinic"
    result = rank_facilities(
        [facility_profile(f) for f in list_facilities(session)],
        fitzpatrick=patient.fitzpatrick_type,
        origin_latlon=origin_latlon,
        origin_name=origin_name,
    )
    audit.record(
        session, actor, audit.Action.VIEW, "case", case.id, patient_id=case.patient_id,
        details={"purpose": "facility_match"},
    )  # fmt: skip
    commit(session)
    notes = [note for note in result.notes if note != NO_ORIGIN_NOTE]  # said by origin_note
    return MatchResult(result.ranked, result.excluded, (origin_note, *notes))
