"""All-day calendar events and their ICS file: an RFC 5545 VCALENDAR written by hand.

Lines end in CRLF and are folded at 75 octets; texts are escaped and parameter values quoted
(:func:`to_ics`). What the events of a case are is :mod:`scalpmap.services.calendar`'s job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from scalpmap import __version__
from scalpmap.clinic_identity import ClinicIdentity
from scalpmap.store.models import utcnow

__all__ = ["CalendarEvent", "to_ics"]


@dataclass(frozen=True)
class CalendarEvent:
    """An all-day calendar event (``end`` is the last day, inclusive)."""

    uid: str
    start: dt.date
    end: dt.date
    summary: str
    description: str = ""
    category: str = ""
    location: str = ""


def _quote(text: str) -> str:
    """Quote a parameter value (RFC 5545 §3.2): no double quote or control character inside."""
    return '"' + "".join(c for c in text if c >= " " and c not in '"\x7f') + '"'


def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets (RFC 5545 §3.1)."""
    chunks: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            chunks.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    chunks.append(current)
    return "\r\n".join(chunks)


def to_ics(
    events: Iterable[CalendarEvent],
    *,
    name: str,
    now: dt.datetime | None = None,
    clinic: ClinicIdentity | None = None,
) -> str:
    """Write all-day events as an RFC 5545 VCALENDAR (CRLF line ends, folded lines).

    Parameters
    ----------
    events : iterable of CalendarEvent
        The events.
    name : str
        The calendar's name (``X-WR-CALNAME``).
    now : datetime.datetime, optional
        The time stamp (``DTSTAMP``); now by default.
    clinic : ClinicIdentity, optional
        The organizer of every event (``ORGANIZER``, by the clinic's email; left out without
        one), and the calendar's time zone (``X-WR-TIMEZONE``).

    Returns
    -------
    str
        The calendar file's text.
    """
    stamp = (now or utcnow()).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//scalpmap//scalpmap {__version__}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    organizer = ""
    if clinic is not None:
        lines.append(f"X-WR-TIMEZONE:{clinic.time_zone}")
        if clinic.email:
            named = f";CN={_quote(clinic.name)}" if clinic.name else ""
            organizer = f"ORGANIZER{named}:mailto:{clinic.email}"
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{event.start:%Y%m%d}",
            f"DTEND;VALUE=DATE:{event.end + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{_escape(event.description)}")
        if event.category:
            lines.append(f"CATEGORIES:{_escape(event.category.upper())}")
        if event.location:
            lines.append(f"LOCATION:{_escape(event.location)}")
        if organizer:
            lines.append(organizer)
        lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
