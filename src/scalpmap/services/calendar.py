"""Reminders: the due dates of a case's next session, and the case's calendar as ICS.

Due dates (:func:`due_dates`) come from the session log and the latest plan version, by the
session model's one interval rule (:func:`scalpmap.planning.laser_rules.interval_rule`: six to
eight weeks from a laser session to the next step):

* after a laser session, while fewer laser sessions are logged than the plan's likely count,
  the next laser session is due one interval later (``sessions.laser.interval_weeks``, from
  the lower to the upper bound);
* when a laser session's follow-up has been measured (a clearance check), the latest measured
  check's recommendation decides instead of the count: another laser session (from the check's
  date, the follow-up's date plus the interval; or, when a later session's follow-up is not
  measured yet, one interval after that later session), or the touch-up after healing;
* once the likely count is reached, the touch-up is due after healing
  (``sessions.touch_up.healing_weeks`` after the last laser session), unless the plan is a
  total removal or an SMP session has been logged since.

Without a plan the defaults are the session model's: one laser session, and the touch-up six to
eight weeks after it.

The calendar (:func:`case_calendar`) is an RFC 5545 VCALENDAR written by hand, with one all-day
event per step of the treatment: before any laser session, the plan's timeline (laser sessions,
touch-ups and review); after one, the logged sessions (done), the step that is due, and the
plan's steps still ahead dated from them (:func:`scalpmap.planning.timeline_rest.steps_ahead`),
so a logged session is no longer listed as planned and the touch-up has one date. A step keeps
its UID whether it is planned, due or done (``case-7-laser-2``, ``case-7-touch-up-1``,
``case-7-review``, all ``@scalpmap``), so a calendar that imports the file again updates its
events instead of adding copies. The events name only the case; the calendar's name carries
the patient's name only with their consent recorded
(:func:`scalpmap.services.disclosure.document_identity`). The clinic (its settings) organizes
every event, by its email; laser sessions take place at the referred facility and everything
else at the clinic (``LOCATION``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap import __version__
from scalpmap.clinic_identity import ClinicIdentity
from scalpmap.planning.laser_rules import HEALING_WEEKS, LASER_INTERVAL_WEEKS
from scalpmap.planning.timeline import TimelineEvent
from scalpmap.planning.timeline_rest import plan_weeks, steps_ahead
from scalpmap.planning.words import weeks_words
from scalpmap.services._tx import get_or_raise
from scalpmap.services.clinic import get_clinic_settings
from scalpmap.services.disclosure import DocumentKind, document_identity
from scalpmap.services.referrals import latest_referral
from scalpmap.services.treatment_sessions import list_laser_sessions, list_smp_sessions
from scalpmap.store.models import Case, ClearanceCheck, PlanVersion, utcnow

__all__ = [
    "CalendarEvent",
    "DueDate",
    "case_calendar",
    "due_dates",
    "located_events",
    "to_ics",
]

PLANNED_KINDS = ("laser", "touch_up", "touch_up_optional", "review")
UID_DOMAIN = "scalpmap"


@dataclass(frozen=True)
class DueDate:
    """When the next session of a case is due.

    Attributes
    ----------
    kind : {"laser", "touch_up"}
        Which session.
    due : datetime.date
        The first day it is due.
    until : datetime.date
        The last day of the recommended window.
    reason : str
        Why, in words.
    """

    kind: Literal["laser", "touch_up"]
    due: dt.date
    until: dt.date
    reason: str


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


def _latest_document(session: Session, case_id: int) -> Mapping[str, Any]:
    query = select(PlanVersion.document).where(PlanVersion.case_id == case_id)
    document = session.scalar(query.order_by(PlanVersion.version.desc()).limit(1))
    return document if isinstance(document, Mapping) else {}


def due_dates(session: Session, case_id: int) -> list[DueDate]:
    """Return the case's next due session (an empty list when nothing is due).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    case_id : int
        The case.

    Returns
    -------
    list of DueDate
        The next laser session or the touch-up, when one is due (see the module's rules).

    Raises
    ------
    NotFoundError
        When there is no such case.
    """
    case = get_or_raise(session, Case, case_id, "case")
    lasers = list_laser_sessions(session, case.id)
    if not lasers:
        return []
    last = lasers[-1].session_date
    if any(smp.session_date >= last for smp in list_smp_sessions(session, case.id)):
        return []
    sessions = _latest_document(session, case.id).get("sessions") or {}
    laser = sessions.get("laser") or {}
    touch_up = sessions.get("touch_up") or {}
    planned = laser.get("likely")
    likely = planned if isinstance(planned, int) and planned >= 1 else 1
    low, high = plan_weeks(laser.get("interval_weeks"), LASER_INTERVAL_WEEKS)
    check = _latest_measured(session, [row.id for row in lasers])
    if check is not None and check.percent is not None:
        if check.recommendation == "another_laser_session":
            if check.laser_session_id == lasers[-1].id:
                due = check.next_laser_on or last + dt.timedelta(weeks=low)
                after = f"after the session of {last.isoformat()}"
            else:  # a later session's follow-up is not measured yet: the last measure stands
                due = last + dt.timedelta(weeks=low)
                after = "at the last measured follow-up (measure the latest session's follow-up)"
            reason = (
                f"{check.percent:.0f}% of the removal zone clear {after}: another laser session"
            )
            return [DueDate("laser", due, due + dt.timedelta(weeks=high - low), reason)]
        return _touch_up_due(sessions, touch_up, last, f"{check.percent:.0f}% clear: ")
    if len(lasers) < likely:
        reason = (
            f"laser session {len(lasers) + 1} of {likely} likely, {weeks_words((low, high))} "
            f"after the session of {last.isoformat()}"
        )
        return [
            DueDate(
                "laser", last + dt.timedelta(weeks=low), last + dt.timedelta(weeks=high), reason
            )
        ]
    return _touch_up_due(sessions, touch_up, last, "")


def _latest_measured(session: Session, laser_ids: list[int]) -> ClearanceCheck | None:
    """Return the measured clearance check of the latest of these laser sessions that has one."""
    query = select(ClearanceCheck).where(
        ClearanceCheck.laser_session_id.in_(laser_ids), ClearanceCheck.measured.is_(True)
    )
    checks = {check.laser_session_id: check for check in session.scalars(query)}
    return next((checks[i] for i in reversed(laser_ids) if i in checks), None)


def _touch_up_due(
    sessions: Mapping[str, Any], touch_up: Mapping[str, Any], last: dt.date, why: str
) -> list[DueDate]:
    """Return the touch-up due after healing from the last laser session (none if total)."""
    if sessions.get("total_removal") or touch_up.get("sessions") == 0:
        return []
    low, high = plan_weeks(touch_up.get("healing_weeks"), HEALING_WEEKS)
    reason = (
        f"{why}SMP touch-up {weeks_words((low, high))} after the laser session of {last}, once "
        "the skin has healed"
    )
    start, until = last + dt.timedelta(weeks=low), last + dt.timedelta(weeks=high)
    return [DueDate("touch_up", start, until, reason)]


def _uid(case_id: int, kind: str, number: int) -> str:
    """Return the UID of a step, the same whether it is planned, due or done."""
    if kind == "review":
        return f"case-{case_id}-review@{UID_DOMAIN}"
    step = "laser" if kind == "laser" else "touch-up"
    return f"case-{case_id}-{step}-{number}@{UID_DOMAIN}"


def _planned(
    case_id: int, steps: Iterable[Mapping[str, Any]], *, lasers_before: int, touch_ups_before: int
) -> list[CalendarEvent]:
    """Return the planned steps as events, numbered after the sessions done or due before them."""
    counts = {"laser": lasers_before, "touch_up": touch_ups_before, "review": 0}
    result = []
    for event in sorted(steps, key=lambda e: str(e.get("start"))):
        kind = str(event.get("kind"))
        if kind not in PLANNED_KINDS or not event.get("start"):
            continue
        group = "touch_up" if kind == "touch_up_optional" else kind
        counts[group] += 1
        start = dt.date.fromisoformat(str(event["start"]))
        end = dt.date.fromisoformat(str(event["end"])) if event.get("end") else start
        label = str(event.get("label") or kind.replace("_", " "))
        result.append(
            CalendarEvent(
                uid=_uid(case_id, kind, counts[group]),
                start=start,
                end=max(start, end),
                summary=f"Case {case_id}: {label} (planned)",
                description=str(event.get("note") or ""),
                category="planned",
            )
        )
    return result


def case_events(session: Session, case_id: int) -> list[CalendarEvent]:
    """Return the case's calendar events by date: done, due and planned, one per step.

    Before any laser session the plan's timeline is listed; after one, the logged sessions, the
    due step and the plan's steps still ahead, dated from what happened
    (:func:`scalpmap.planning.timeline_rest.steps_ahead`).
    """
    case = get_or_raise(session, Case, case_id, "case")
    document = _latest_document(session, case.id)
    lasers = list_laser_sessions(session, case.id)
    smps = list_smp_sessions(session, case.id)
    dues = due_dates(session, case.id)
    due = (dues[0].kind, dues[0].due) if dues else None
    steps: list[Mapping[str, Any]] = list((document.get("timeline") or {}).get("events") or [])
    if lasers:
        last = lasers[-1].session_date
        ahead: list[TimelineEvent] = steps_ahead(
            document,
            lasers=[row.session_date for row in lasers],
            touch_ups_since=[row.session_date for row in smps if row.session_date >= last],
            due=due,
        )
        steps = [event.to_json() for event in ahead]
    events = _planned(
        case.id,
        steps,
        lasers_before=len(lasers) + (due is not None and due[0] == "laser"),
        touch_ups_before=len(smps) + (due is not None and due[0] == "touch_up"),
    )
    for number, laser in enumerate(lasers, start=1):
        setting = f"{laser.device}, {laser.wavelength_nm} nm {laser.pulse}"
        events.append(
            CalendarEvent(
                uid=_uid(case.id, "laser", number),
                start=laser.session_date,
                end=laser.session_date,
                summary=f"Case {case.id}: Laser session {number} (done)",
                description=f"{setting}, {laser.fluence_j_cm2:g} J/cm², spot "
                f"{laser.spot_mm:g} mm, {laser.passes} pass(es)",
                category="logged",
            )
        )
    for number, smp in enumerate(smps, start=1):
        events.append(
            CalendarEvent(
                uid=_uid(case.id, "touch_up", number),
                start=smp.session_date,
                end=smp.session_date,
                summary=f"Case {case.id}: SMP session (done)",
                description=f"needle {smp.needle}; areas: {', '.join(smp.areas)}",
                category="logged",
            )
        )
    for item in dues:
        laser_due = item.kind == "laser"
        number = len(lasers) + 1 if laser_due else len(smps) + 1
        words = f"Laser session {number}" if laser_due else "SMP touch-up"
        events.append(
            CalendarEvent(
                uid=_uid(case.id, item.kind, number),
                start=item.due,
                end=item.due,
                summary=f"Case {case.id}: {words} (due)",
                description=f"{item.reason}; book by {item.until.isoformat()}",
                category="due",
            )
        )
    return sorted(events, key=lambda e: (e.start, e.uid))


def _facility_place(session: Session, case_id: int) -> str:
    """Where the case's laser sessions take place: the referred facility, on one line."""
    referral = latest_referral(session, case_id)
    if referral is None:
        return ""
    facility = referral.facility
    street = ", ".join(line.strip() for line in (facility.address or "").splitlines() if line)
    parts = (facility.name, street, facility.city, facility.country)
    return ", ".join(part.strip() for part in parts if part and part.strip())


def located_events(session: Session, case_id: int, clinic: ClinicIdentity) -> list[CalendarEvent]:
    """Return the case's events (:func:`case_events`), each with where it takes place.

    Laser sessions are at the referred facility (at the clinic while the case has no
    referral); touch-ups and the review at the clinic.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    case_id : int
        The case.
    clinic : ClinicIdentity
        The clinic's settings.

    Returns
    -------
    list of CalendarEvent
        The events, with ``location`` set (empty when neither place is known).
    """
    at_clinic = ", ".join(part for part in (clinic.name, clinic.one_line_address) if part)
    at_facility = _facility_place(session, case_id) or at_clinic
    laser = f"case-{case_id}-laser-"
    return [
        dataclasses.replace(
            event, location=at_facility if event.uid.startswith(laser) else at_clinic
        )
        for event in case_events(session, case_id)
    ]


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


def case_calendar(session: Session, case_id: int, *, now: dt.datetime | None = None) -> str:
    """Return the case's calendar as ICS text (see the module's docstring).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    case_id : int
        The case.
    now : datetime.datetime, optional
        The events' time stamp.

    Returns
    -------
    str
        The ICS file's text.

    Raises
    ------
    NotFoundError
        When there is no such case.
    """
    case = get_or_raise(session, Case, case_id, "case")
    identity = document_identity(case.patient, DocumentKind.CALENDAR, case_id=case.id)
    clinic = get_clinic_settings(session)
    events = located_events(session, case.id, clinic)
    return to_ics(
        events, name=f"{clinic.name or 'scalpmap'} {identity.label}", now=now, clinic=clinic
    )
