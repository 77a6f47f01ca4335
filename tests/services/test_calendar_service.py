"""Reminders: due dates from the session log and the plan, and the case's ICS calendar."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from scalpmap.planning.sessions import HEALING_WEEKS
from scalpmap.services import calendar, calendar_ics, due_dates, photos, plans
from scalpmap.services import treatment_sessions as ts
from scalpmap.services.errors import NotFoundError
from scalpmap.store.models import ClearanceCheck, PulseClass, utcnow

NOW = dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC)
FIRST = max(utcnow().date() - dt.timedelta(days=120), dt.date(2026, 5, 1))


def plan_document(likely: int = 2, touch_ups: int = 1) -> dict[str, Any]:
    return {
        "format": "scalpmap-plan/1",
        "sessions": {
            "laser": {"likely": likely, "range": [1, 3], "interval_weeks": [3, 4]},
            "touch_up": {"sessions": touch_ups, "healing_weeks": [4, 6]},
            "total_removal": touch_ups == 0,
        },
        "timeline": {
            "events": [
                {"kind": "laser", "label": "Laser session 1", "start": "2026-03-16", "end": None},
                {"kind": "healing", "label": "Healing", "start": "2026-03-16", "end": "2026-04-27"},
                {"kind": "laser", "label": "Laser session 2 (if needed)", "start": "2026-04-06"},
                {"kind": "touch_up", "label": "SMP touch-up", "start": "2026-04-27",
                 "note": "New impressions; inside the new hairline, frontal and temporal"},
            ]
        },
    }  # fmt: skip


def log_laser(db_session, case, practitioner, day: dt.date):
    data = ts.LaserSessionIn(
        session_date=day,
        device="PicoWay",
        wavelength_nm=1064,
        pulse=PulseClass.PS,
        fluence_j_cm2=2.0,
        spot_mm=4.0,
        passes=1,
    )
    return ts.log_laser_session(db_session, case.id, data, practitioner)


def test_nothing_is_due_before_the_first_laser_session(db_session, case, practitioner):
    plans.save_plan(db_session, case.id, plan_document(), practitioner)
    assert due_dates.due_dates(db_session, case.id) == []


def test_next_laser_then_touch_up_then_nothing(db_session, case, practitioner):
    plans.save_plan(db_session, case.id, plan_document(likely=2), practitioner)
    log_laser(db_session, case, practitioner, FIRST)
    [due] = due_dates.due_dates(db_session, case.id)
    assert due.kind == "laser" and due.due == FIRST + dt.timedelta(weeks=3)
    assert due.until == FIRST + dt.timedelta(weeks=4) and "2 of 2" in due.reason
    second = FIRST + dt.timedelta(weeks=5)
    log_laser(db_session, case, practitioner, second)
    [due] = due_dates.due_dates(db_session, case.id)
    assert due.kind == "touch_up" and due.due == second + dt.timedelta(weeks=4)
    assert due.until == second + dt.timedelta(weeks=6)
    data = ts.SmpSessionIn(
        session_date=second + dt.timedelta(weeks=5),
        practitioner_name="Alex",
        needle="0.25 mm",
        areas=["frontal"],
    )
    ts.log_smp_session(db_session, case.id, data, practitioner)
    assert due_dates.due_dates(db_session, case.id) == []


def test_total_removal_has_no_touch_up_and_no_plan_uses_defaults(db_session, case, practitioner):
    log_laser(db_session, case, practitioner, FIRST)
    [due] = due_dates.due_dates(db_session, case.id)  # no plan: one session, then healing
    assert due.kind == "touch_up" and due.due == FIRST + dt.timedelta(weeks=HEALING_WEEKS[0])
    assert "six to eight weeks after the laser session" in due.reason
    plans.save_plan(db_session, case.id, plan_document(likely=1, touch_ups=0), practitioner)
    assert due_dates.due_dates(db_session, case.id) == []


def uids_and_days(text: str) -> list[tuple[str, str, str]]:
    """Each event's UID (without the domain), first day and summary, in file order."""
    unfolded = text.replace("\r\n ", "")
    found = re.findall(r"UID:(.*?)@scalpmap\r\n.*?DTSTART;VALUE=DATE:(\d+)\r\n.*?SUMMARY:(.*?)\r\n",
                       unfolded, flags=re.DOTALL)  # fmt: skip
    return [(uid, day, summary) for uid, day, summary in found]


def test_ics_before_any_session_is_the_plan_s_timeline(db_session, case, practitioner):
    plans.save_plan(db_session, case.id, plan_document(), practitioner)
    text = calendar.case_calendar(db_session, case.id, now=NOW)
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert text.endswith("END:VCALENDAR\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    c = case.id
    assert [(uid, day) for uid, day, _ in uids_and_days(text)] == [
        (f"case-{c}-laser-1", "20260316"),
        (f"case-{c}-laser-2", "20260406"),
        (f"case-{c}-touch-up-1", "20260427"),
    ]
    assert "Healing" not in unfolded
    assert "DTSTART;VALUE=DATE:20260427\r\nDTEND;VALUE=DATE:20260428" in unfolded
    assert "DTSTAMP:20260105T093000Z" in unfolded
    assert "New impressions\\; inside the new hairline\\, frontal and temporal" in unfolded
    assert "Sam Example" not in unfolded
    # a new plan version keeps the planned events' UIDs
    plans.save_plan(db_session, case.id, plan_document(), practitioner)
    assert calendar.case_calendar(db_session, case.id, now=NOW) == text


def test_ics_after_a_laser_session_lists_it_done_and_one_touch_up_date(
    db_session, case, practitioner
):
    """Logged: the session is done, not planned; the rest follows it by the plan's own rules."""
    plans.save_plan(db_session, case.id, plan_document(likely=1), practitioner)
    log_laser(db_session, case, practitioner, FIRST)
    events = uids_and_days(calendar.case_calendar(db_session, case.id, now=NOW))
    c = case.id
    summaries = [summary for _, _, summary in events]
    assert f"Case {c}: Laser session 1 (done)" in summaries
    assert not any("Laser session 1" in s and "planned" in s for s in summaries)
    # Each step once: one UID each, and a single touch-up date, the log's due date.
    uids = [uid for uid, _, _ in events]
    assert len(uids) == len(set(uids))
    touch_ups = [(uid, day) for uid, day, summary in events if "touch-up" in summary.lower()]
    [due] = due_dates.due_dates(db_session, case.id)
    assert touch_ups == [(f"case-{c}-touch-up-1", f"{due.due:%Y%m%d}")]
    # the same rule as the plan's timeline: healing (the lower bound) after the last session
    assert due.due == FIRST + dt.timedelta(weeks=4)
    # the touch-up is next: a laser session comes back only when a follow-up asks for one
    assert [uid for uid, _, _ in events] == [
        f"case-{c}-laser-1",
        f"case-{c}-touch-up-1",
        f"case-{c}-review",
    ]


def test_ics_with_a_laser_session_due_dates_the_rest_from_it(db_session, case, practitioner):
    plans.save_plan(db_session, case.id, plan_document(likely=2), practitioner)
    log_laser(db_session, case, practitioner, FIRST)
    c, due_on = case.id, FIRST + dt.timedelta(weeks=3)
    events = uids_and_days(calendar.case_calendar(db_session, case.id, now=NOW))
    day = lambda weeks: f"{due_on + dt.timedelta(weeks=weeks):%Y%m%d}"  # noqa: E731
    assert [(uid, d) for uid, d, _ in events] == [
        (f"case-{c}-laser-1", f"{FIRST:%Y%m%d}"),
        (f"case-{c}-laser-2", day(0)),  # due: the log's next session
        (f"case-{c}-laser-3", day(3)),  # if needed
        (f"case-{c}-touch-up-1", day(4)),  # healing after the due session
        (f"case-{c}-review", day(8)),
    ]
    assert events[1][2] == f"Case {c}: Laser session 2 (due)"


def test_ics_escapes_and_folds_long_text():
    event = calendar_ics.CalendarEvent(
        uid="case-1-x@scalpmap",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 1, 3),
        summary="é" * 60,
        description="a\\b;c,d\ne",
    )
    text = calendar_ics.to_ics([event], name="n", now=NOW)
    lines = text.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "DTEND;VALUE=DATE:20260104" in text
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:" + "é" * 60 in unfolded and "DESCRIPTION:a\\\\b\\;c\\,d\\ne" in unfolded


def test_missing_case_is_not_found(db_session):
    with pytest.raises(NotFoundError):
        calendar.case_calendar(db_session, 999999)
    with pytest.raises(NotFoundError):
        due_dates.due_dates(db_session, 999999)


def add_check(db_session, photo_store, case, practitioner, laser, photo_bytes, **values):
    """A clearance check of a laser session (values as measure_clearance would save them)."""
    plan = plans.list_plan_versions(db_session, case.id)[-1]
    photo = photos.add_photo(db_session, photo_store, photo_bytes(laser.id), case_id=case.id,
                             actor=practitioner)  # fmt: skip
    check = ClearanceCheck(
        case_id=case.id,
        laser_session_id=laser.id,
        plan_id=plan.id,
        baseline_photo_id=photo.id,
        follow_up_photo_id=photo.id,
        measured=values.get("percent") is not None,
        reason="measured",
        document={},
        **values,
    )
    db_session.add(check)
    db_session.commit()
    return check


def test_a_measured_follow_up_decides_the_next_step(
    db_session, photo_store, case, practitioner, photo_bytes
):
    plans.save_plan(db_session, case.id, plan_document(likely=1), practitioner)
    first = log_laser(db_session, case, practitioner, FIRST)
    # the plan's one likely session is done, but only 60 % is clear: another laser session
    next_on = FIRST + dt.timedelta(weeks=7)
    add_check(db_session, photo_store, case, practitioner, first, photo_bytes, percent=60.0,
              recommendation="another_laser_session", next_laser_on=next_on)  # fmt: skip
    [due] = due_dates.due_dates(db_session, case.id)
    assert (due.kind, due.due, due.until) == ("laser", next_on, next_on + dt.timedelta(weeks=1))
    assert "60% of the removal zone clear" in due.reason
    second = log_laser(db_session, case, practitioner, FIRST + dt.timedelta(weeks=8))
    add_check(db_session, photo_store, case, practitioner, second, photo_bytes, percent=97.0,
              recommendation="touch_up")  # fmt: skip
    [due] = due_dates.due_dates(db_session, case.id)
    assert due.kind == "touch_up" and due.due == second.session_date + dt.timedelta(weeks=4)


def test_a_follow_up_that_was_not_measured_leaves_the_plan_s_count(
    db_session, photo_store, case, practitioner, photo_bytes
):
    plans.save_plan(db_session, case.id, plan_document(likely=2), practitioner)
    first = log_laser(db_session, case, practitioner, FIRST)
    add_check(db_session, photo_store, case, practitioner, first, photo_bytes, percent=None)
    [due] = due_dates.due_dates(db_session, case.id)
    assert due.kind == "laser" and due.due == FIRST + dt.timedelta(weeks=3)


def test_the_last_measured_clearance_stands_until_the_next_follow_up_is_measured(
    db_session, photo_store, case, practitioner, photo_bytes
):
    plans.save_plan(db_session, case.id, plan_document(likely=2), practitioner)
    first = log_laser(db_session, case, practitioner, FIRST)
    add_check(db_session, photo_store, case, practitioner, first, photo_bytes, percent=70.0,
              recommendation="another_laser_session", next_laser_on=FIRST)  # fmt: skip
    later = FIRST + dt.timedelta(weeks=5)
    second = log_laser(db_session, case, practitioner, later)
    add_check(db_session, photo_store, case, practitioner, second, photo_bytes, percent=None)
    # the plan's two sessions are done, but the only measure (70 %) asks for another one
    [due] = due_dates.due_dates(db_session, case.id)
    assert due.kind == "laser" and due.due == later + dt.timedelta(weeks=3)
    assert "measure the latest session's follow-up" in due.reason
