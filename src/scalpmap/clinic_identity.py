"""The clinic's identity as documents show it: name, contact, logo, time zone, report language.

:class:`ClinicIdentity` is a plain frozen value, made by
:func:`scalpmap.services.clinic.get_clinic_settings` from the database (or left at its defaults
when nothing is set), and handed to the reports, the referral letter, the calendar and the web
pages. It knows no database, so the report modules can take it as it is.

Times are stored in UTC; :meth:`ClinicIdentity.local` and :func:`format_local` show them in the
clinic's time zone (an IANA name such as ``Europe/London``, checked with :mod:`zoneinfo`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import zoneinfo
from dataclasses import dataclass, field
from functools import lru_cache

from scalpmap.errors import InputError

__all__ = [
    "DEFAULT_TIME_ZONE",
    "REPORT_LANGUAGES",
    "ClinicIdentity",
    "check_language",
    "check_time_zone",
    "format_local",
    "time_zone",
    "time_zone_names",
]

DEFAULT_TIME_ZONE = "UTC"
REPORT_LANGUAGES: dict[str, str] = {"en": "English"}
"""The languages the reports are written in, by BCP 47 tag (the reports' texts exist in these)."""


@lru_cache(maxsize=64)
def time_zone(name: str) -> dt.tzinfo:
    """Return the time zone of an IANA name (``UTC`` for an empty or unknown one).

    Parameters
    ----------
    name : str
        E.g. ``"Europe/London"``.

    Returns
    -------
    datetime.tzinfo
        The zone.
    """
    try:
        return zoneinfo.ZoneInfo(name) if name else dt.UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def check_time_zone(text: str) -> str:
    """Check a time zone typed by people and return its IANA name.

    Parameters
    ----------
    text : str
        E.g. ``"Europe/Berlin"``, ``"America/New_York"`` or ``"UTC"``.

    Returns
    -------
    str
        The name, as the time zone database spells it.

    Raises
    ------
    InputError
        When it is not a time zone of the IANA database.

    Examples
    --------
    >>> check_time_zone(" Europe/Paris ")
    'Europe/Paris'
    >>> check_time_zone("CET+1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    scalpmap.errors.InputError: time zone 'CET+1' is unknown: give an IANA name such as ...
    """
    value = text.strip()
    hint = "give an IANA name such as Europe/London or America/New_York"
    if not value:
        raise InputError(f"the time zone is empty: {hint}")
    available = _zone_names()
    if value not in available:
        folded = {name.lower(): name for name in available}
        if value.lower() not in folded:
            raise InputError(f"time zone {value!r} is unknown: {hint}")
        value = folded[value.lower()]
    return value


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def time_zone_names() -> list[str]:
    """Return the IANA time zones people choose from (``Area/City`` and ``UTC``), sorted.

    Returns
    -------
    list of str
        E.g. ``["Africa/Abidjan", ..., "UTC"]``.
    """
    return sorted(
        name
        for name in _zone_names()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "posix/", "right/"))
    ) + ["UTC"]


def check_language(text: str) -> str:
    """Check a report language and return its tag.

    Parameters
    ----------
    text : str
        A tag (``en``) or a name (``English``).

    Returns
    -------
    str
        The tag.

    Raises
    ------
    InputError
        When the reports are not written in that language.

    Examples
    --------
    >>> check_language("English")
    'en'
    """
    value = text.strip().lower()
    for tag, name in REPORT_LANGUAGES.items():
        if value in (tag, name.lower()):
            return tag
    known = ", ".join(f"{tag} ({name})" for tag, name in REPORT_LANGUAGES.items())
    raise InputError(f"report language {text.strip()!r} is not available; choose {known}")


def format_local(value: dt.datetime, zone: str, *, seconds: bool = False) -> str:
    """Show a stored (UTC) time in a time zone, with the zone's abbreviation.

    Parameters
    ----------
    value : datetime.datetime
        A timezone-aware time (a naive one is taken as UTC).
    zone : str
        The IANA time zone.
    seconds : bool, optional
        Show the seconds too.

    Returns
    -------
    str
        E.g. ``"2027-03-01 14:05 GMT"``.

    Examples
    --------
    >>> noon = dt.datetime(2027, 7, 1, 12, 0, tzinfo=dt.UTC)
    >>> format_local(noon, "Europe/Berlin"), format_local(noon, "UTC")
    ('2027-07-01 14:00 CEST', '2027-07-01 12:00 UTC')
    """
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    local = aware.astimezone(time_zone(zone))
    shown = local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    abbreviation = local.tzname() or zone
    if abbreviation[:1] in "+-":  # zones without an abbreviation: "+04" reads as an offset
        abbreviation = f"UTC{abbreviation}"
    return f"{shown} {abbreviation}"


@dataclass(frozen=True)
class ClinicIdentity:
    """The clinic as its documents name it; every field may be empty until an admin sets it.

    Attributes
    ----------
    name : str
        The clinic's name.
    address : str
        Street and house (one or more lines).
    city : str
        The city (facility ranking falls back to it when a patient has none).
    postcode : str
        The postcode.
    country : str
        ISO 3166 alpha-2 code, e.g. ``GB``.
    country_name : str
        The country's English name, as the address shows it.
    phone, email, website : str
        How to reach the clinic.
    logo : bytes or None
        The logo, a checked PNG or sanitised SVG (:mod:`scalpmap.clinic_logo`).
    logo_media_type : str or None
        ``image/png`` or ``image/svg+xml``.
    time_zone : str
        IANA time zone; dates and times are shown in it.
    report_language : str
        Language tag of the reports (:data:`REPORT_LANGUAGES`).
    """

    name: str = ""
    address: str = ""
    city: str = ""
    postcode: str = ""
    country: str = ""
    country_name: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    logo: bytes | None = field(default=None, repr=False)
    logo_media_type: str | None = None
    time_zone: str = DEFAULT_TIME_ZONE
    report_language: str = "en"

    @property
    def is_named(self) -> bool:
        """Whether the clinic has a name."""
        return bool(self.name.strip())

    @property
    def address_lines(self) -> list[str]:
        """The postal address, one line each: street lines, postcode and city, country."""
        lines = [line.strip() for line in self.address.splitlines() if line.strip()]
        place = " ".join(part for part in (self.postcode.strip(), self.city.strip()) if part)
        lines += [text for text in (place, self.country_name or self.country) if text]
        return lines

    @property
    def contact_lines(self) -> list[str]:
        """Phone, email and website, each labelled, for a document's header or a letter."""
        site = self.website.strip().removeprefix("https://").removeprefix("http://").rstrip("/")
        labelled = (("Tel.", self.phone), ("Email", self.email), ("Web", site))
        return [f"{label} {value.strip()}" for label, value in labelled if value.strip()]

    @property
    def one_line_address(self) -> str:
        """The address on one line (a calendar's location), e.g. ``1 High St, NW1 London``."""
        return ", ".join(self.address_lines)

    @property
    def logo_data_uri(self) -> str | None:
        """The logo as a ``data:`` URI for a self-contained document, or ``None``."""
        if not self.logo or not self.logo_media_type:
            return None
        return f"data:{self.logo_media_type};base64,{base64.b64encode(self.logo).decode('ascii')}"

    def local(self, value: dt.datetime) -> dt.datetime:
        """Return a stored time in the clinic's time zone."""
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(time_zone(self.time_zone))

    def today(self, now: dt.datetime | None = None) -> dt.date:
        """Return today's date at the clinic (not the server's, nor UTC's)."""
        return self.local(now or dt.datetime.now(dt.UTC)).date()

    def format_time(self, value: dt.datetime) -> str:
        """Show a stored time in the clinic's time zone (see :func:`format_local`)."""
        return format_local(value, self.time_zone)

    @property
    def fingerprint(self) -> str:
        """A short hash of everything a document shows of the clinic (to spot stale documents)."""
        shown = {
            "name": self.name,
            "address": self.address_lines,
            "contact": self.contact_lines,
            "logo": hashlib.sha256(self.logo).hexdigest() if self.logo else None,
            "language": self.report_language,
            "zone": self.time_zone,
        }
        text = json.dumps(shown, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
