"""The case's calendar as ICS: its planned, logged and due sessions, one event per step.

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

Due dates come from :mod:`scalpmap.services.due_dates`; the ICS file is written by
:mod:`scalpmap.services.calendar_ics`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from scalpmap.clinic_identity import ClinicIdentity
from scalpmap.planning.timeline import TimelineEvent
from scalpmap.planning.timeline_rest import steps_ahead
from scalpmap.services._tx import get_or_raise
from scalpmap.services.calendar_ics import CalendarEvent, to_ics
from scalpmap.services.clinic import get_clinic_settings
from scalpmap.services.disclosure import DocumentKind, document_identity
from scalpmap.services.due_dates import DueDate, due_dates, latest_plan_document
from scalpmap.services.referrals import latest_referral
from scalpmap.services.treatment_sessions import list_laser_sessions, list_smp_sessions
from scalpmap.store.models import Case

# DueDate, due_dates, CalendarEvent and to_ics are re-exported: the web app imports them here.
__all__ = [
    "CalendarEvent",
    "DueDate",
    "case_calendar",
    "case_events",
    "due_dates",
    "located_events",
    "to_ics",
]

PLANNED_KINDS = ("laser", "touch_up", "touch_up_optional", "review")
UID_DOMAIN = "scalpmap"


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
    document = latest_plan_document(session, case.id)
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
