"""What the clinic's settings mean for typed days and for facility distances.

* **Days.** A clinic in the US (and the few countries that write the month first) types
  ``MM/DD/YYYY``; every other country ``DD/MM/YYYY``. Without a country the order is unknown
  and a day that reads both ways is refused (:mod:`scalpmap.dates`). Today is the clinic's
  (its time zone).
* **Distances.** A patient without an address is ranked from the clinic's city
  (:func:`clinic_place`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from scalpmap.clinic_identity import ClinicIdentity
from scalpmap.dates import DayOrder, use_day_order
from scalpmap.facilities.geocode import GeocodeError, Place, geocode_address, geocode_city
from scalpmap.services.clinic import get_clinic_settings

__all__ = [
    "MONTH_FIRST_COUNTRIES",
    "clinic_day_rules",
    "clinic_origin",
    "clinic_days",
    "clinic_place",
    "day_order_of",
]

MONTH_FIRST_COUNTRIES = frozenset({"US", "PH", "FM", "MH", "PW"})
"""Countries that write the month before the day (ISO 3166 alpha-2)."""


def day_order_of(clinic: ClinicIdentity) -> DayOrder | None:
    """Return how the clinic types days with slashes: by its country, ``None`` without one.

    Parameters
    ----------
    clinic : ClinicIdentity
        The clinic's settings.

    Returns
    -------
    {"dmy", "mdy"} or None
        Month first in :data:`MONTH_FIRST_COUNTRIES`, day first elsewhere.

    Examples
    --------
    >>> day_order_of(ClinicIdentity(country="US")), day_order_of(ClinicIdentity(country="GB"))
    ('mdy', 'dmy')
    >>> day_order_of(ClinicIdentity()) is None
    True
    """
    if not clinic.country:
        return None
    return "mdy" if clinic.country.upper() in MONTH_FIRST_COUNTRIES else "dmy"


def clinic_day_rules(session: Session) -> tuple[DayOrder | None, dt.date]:
    """Return the clinic's day order and today at the clinic.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).

    Returns
    -------
    tuple of ({"dmy", "mdy"} or None, datetime.date)
        The order and today; ``(None, the server's date)`` when the settings cannot be read
        (a database not migrated yet).
    """
    try:
        clinic = get_clinic_settings(session)
    except SQLAlchemyError:
        session.rollback()
        return None, dt.date.today()
    return day_order_of(clinic), clinic.today()


@contextmanager
def clinic_days(session: Session) -> Iterator[None]:
    """Read typed days the clinic's way inside the ``with`` block (a command).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).

    Yields
    ------
    None
        Inside, :func:`scalpmap.dates.read_day` uses the clinic's order and today.
    """
    order, today = clinic_day_rules(session)
    with use_day_order(order, today):
        yield


def clinic_place(clinic: ClinicIdentity) -> Place | None:
    """Find the clinic's city offline, from its city (or its address) and country.

    Parameters
    ----------
    clinic : ClinicIdentity
        The clinic's settings.

    Returns
    -------
    Place or None
        The city, or ``None`` when the settings name none that is known.
    """
    if clinic.city:
        try:
            return geocode_city(clinic.city, clinic.country or None)
        except GeocodeError:
            pass
    if clinic.address:
        found = geocode_address(clinic.address)
        if found is not None:
            return found[0]
    return None


def clinic_origin(
    session: Session, patient_address: str | None
) -> tuple[tuple[float, float] | None, str]:
    """Say where to measure distances from when the patient's address gives no city.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    patient_address : str or None
        The patient's address (it named no city found offline), or ``None``.

    Returns
    -------
    tuple of ((float, float) or None, str)
        The clinic's city as ``(lat, lon)``, or ``None`` when the settings name none, and the
        note that says so for the ranking.
    """
    why = (
        "no city of the patient's address was found offline"
        if patient_address
        else "the patient has no address on record"
    )
    place = clinic_place(get_clinic_settings(session))
    if place is not None:
        return (place.lat, place.lon), (
            f"{why}: distances from the clinic's city, {place.name}, {place.country} "
            "(approximate; add the patient's address for a better ranking)"
        )
    return None, (
        f"{why}, and the clinic's city is not set (clinic settings): facilities are ranked by "
        "their lasers and the skin types they treat only, not by distance"
    )
