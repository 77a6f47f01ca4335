"""The laser facility directory: create, change, remove, get and list facilities.

Facilities are not patient records, but every change is audited all the same (entity
``"facility"``). The CSV import and export are in :mod:`scalpmap.services.facility_csv`, the
match of a case in :mod:`scalpmap.services.facility_match`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap.facilities.geocode import geocode_city, resolve_country
from scalpmap.facilities.schemas import FIELDS, FacilityCreate, FacilityUpdate, LaserIn
from scalpmap.services import audit
from scalpmap.services._tx import atomic, get_or_raise
from scalpmap.services.errors import InputError
from scalpmap.store.models import Facility, User

__all__ = [
    "FacilityCreate",
    "FacilityUpdate",
    "LaserIn",
    "create_facility",
    "delete_facility",
    "get_facility",
    "list_facilities",
    "update_facility",
]


_PLACE = ("city", "country")


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
