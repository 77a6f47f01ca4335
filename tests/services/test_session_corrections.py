"""A second session the same day asks first; sessions are corrected or voided, keeping history."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from scalpmap.facilities.schemas import FacilityCreate
from scalpmap.services import audit, facilities, plans, referrals
from scalpmap.services import treatment_sessions as ts
from scalpmap.services.calendar import case_calendar
from scalpmap.services.due_dates import due_dates
from scalpmap.services.errors import InputError, NotFoundError
from scalpmap.services.session_checks import same_day_sessions
from scalpmap.services.session_corrections import (
    correct_laser_session,
    correct_smp_session,
    history_of,
    laser_values,
    smp_values,
    void_entry,
    void_session,
)
from scalpmap.store.models import AuditEvent, PulseClass, utcnow

TODAY = utcnow().date()
REFERRED = TODAY - dt.timedelta(days=60)
FIRST = REFERRED + dt.timedelta(days=7)
PLAN: dict[str, Any] = {
    "format": "scalpmap-plan/1",
    "sessions": {
        "laser": {"likely": 2, "range": [1, 3], "interval_weeks": [3, 4]},
        "touch_up": {"sessions": 1, "healing_weeks": [4, 6]},
        "total_removal": False,
    },
    "timeline": {"events": []},
}


@pytest.fixture
def referred(db_session, case, practitioner):
    data = FacilityCreate(name="Laser One", city="Leeds", country="GB", lat=53.8, lon=-1.55)
    facility = facilities.create_facility(db_session, data)
    plans.save_plan(db_session, case.id, PLAN, practitioner)
    referrals.create_referral(db_session, case.id, facility.id, practitioner, referred_on=REFERRED)
    return case


def laser(**changes: Any) -> ts.LaserSessionIn:
    values: dict[str, Any] = {
        "session_date": FIRST,
        "device": "PicoWay",
        "wavelength_nm": 1064,
        "pulse": PulseClass.PS,
        "fluence_j_cm2": 2.5,
        "spot_mm": 4.0,
        "passes": 2,
    }
    return ts.LaserSessionIn(**(values | changes))


def smp(**changes: Any) -> ts.SmpSessionIn:
    values: dict[str, Any] = {
        "session_date": FIRST + dt.timedelta(days=40),
        "practitioner_name": "Alex P.",
        "needle": "0.25 mm 3RL",
        "areas": ["frontal"],
    }
    return ts.SmpSessionIn(**(values | changes))


def test_a_second_session_on_the_same_day_needs_confirming(db_session, referred, practitioner):
    first = ts.log_laser_session(db_session, referred.id, laser(), practitioner)
    with pytest.raises(ts.DuplicateSessionError) as refused:
        ts.log_laser_session(db_session, referred.id, laser(passes=3), practitioner)
    assert refused.value.existing_id == first.id and refused.value.day == FIRST
    assert f"already has a laser session on {FIRST.isoformat()} (session {first.id})" in str(
        refused.value
    )
    assert len(ts.list_laser_sessions(db_session, referred.id)) == 1  # nothing logged
    second = ts.log_laser_session(
        db_session, referred.id, laser(passes=3), practitioner, confirm_duplicate=True
    )
    assert [row.id for row in ts.list_laser_sessions(db_session, referred.id)] == [
        first.id,
        second.id,
    ]
    ts.log_smp_session(db_session, referred.id, smp(), practitioner)
    with pytest.raises(ts.DuplicateSessionError, match="already has an SMP session"):
        ts.log_smp_session(db_session, referred.id, smp(needle="1RL"), practitioner)
    other_day = smp(session_date=FIRST + dt.timedelta(days=41))
    ts.log_smp_session(db_session, referred.id, other_day, practitioner)  # another day: fine


def test_a_correction_keeps_the_old_values_and_is_audited(db_session, referred, practitioner):
    row = ts.log_laser_session(db_session, referred.id, laser(), practitioner)
    wanted = laser_values(row).model_copy(update={"fluence_j_cm2": 3.0, "notes": "frontal"})
    correct_laser_session(
        db_session, row.id, wanted, practitioner, reason="the facility's report said 3.0"
    )
    db_session.refresh(row)
    assert row.fluence_j_cm2 == 3.0 and row.notes == "frontal" and row.passes == 2
    (entry,) = history_of(row)
    assert entry.action == "correct" and entry.by == practitioner.id
    assert entry.reason == "the facility's report said 3.0"
    assert entry.changes == {"fluence_j_cm2": (2.5, 3.0), "notes": (None, "frontal")}
    events = audit.list_events(db_session, patient_id=referred.patient_id)
    update = next(e for e in events if e.entity == "laser_session" and e.action == "update")
    assert update.details == {"fields": ["fluence_j_cm2", "notes"], "correction": 1}
    assert "3.0" not in str(update.details)  # the values stay with the session, not in the log

    with pytest.raises(InputError, match="nothing to correct"):
        correct_laser_session(db_session, row.id, laser_values(row), practitioner)
    with pytest.raises(InputError, match="Fluence must be 0.1-20 J/cm²; got 25"):
        bad = laser_values(row).model_copy(update={"fluence_j_cm2": 25.0})
        correct_laser_session(db_session, row.id, bad, practitioner)
    db_session.refresh(row)
    assert row.fluence_j_cm2 == 3.0 and len(history_of(row)) == 1  # a refusal changes nothing


def test_a_correction_onto_a_day_with_a_session_asks_first(db_session, referred, practitioner):
    first = ts.log_laser_session(db_session, referred.id, laser(), practitioner)
    later = ts.log_laser_session(
        db_session, referred.id, laser(session_date=FIRST + dt.timedelta(days=30)), practitioner
    )
    moved = laser_values(later).model_copy(update={"session_date": FIRST})
    with pytest.raises(ts.DuplicateSessionError) as refused:
        correct_laser_session(db_session, later.id, moved, practitioner)
    assert refused.value.existing_id == first.id
    correct_laser_session(db_session, later.id, moved, practitioner, confirm_duplicate=True)
    db_session.refresh(later)
    assert later.session_date == FIRST
    # correcting a session on its own day is not a duplicate of itself
    again = laser_values(first).model_copy(update={"passes": 3})
    correct_laser_session(db_session, first.id, again, practitioner)


def test_an_smp_correction_changes_the_areas(db_session, referred, practitioner):
    row = ts.log_smp_session(db_session, referred.id, smp(), practitioner)
    wanted = smp_values(row).model_copy(update={"areas": ["frontal", "crown"]})
    correct_smp_session(db_session, row.id, wanted, practitioner)
    db_session.refresh(row)
    assert row.areas == ["frontal", "crown"]
    assert history_of(row)[0].changes == {"areas": (["frontal"], ["frontal", "crown"])}


def test_a_void_session_counts_nowhere(db_session, referred, practitioner):
    first = ts.log_laser_session(db_session, referred.id, laser(), practitioner)
    twice = ts.log_laser_session(
        db_session, referred.id, laser(), practitioner, confirm_duplicate=True
    )
    done = re.compile(r"SUMMARY:Case \d+: Laser session \d+ \(done\)")
    assert len(done.findall(case_calendar(db_session, referred.id))) == 2

    with pytest.raises(InputError, match="Why it is void is empty"):
        void_session(db_session, "laser", twice.id, "  ", practitioner)
    void_session(db_session, "laser", twice.id, "logged twice", practitioner)
    db_session.refresh(twice)
    assert twice.voided_at is not None and void_entry(twice).reason == "logged twice"
    assert ts.list_laser_sessions(db_session, referred.id) == [first]
    assert ts.list_laser_sessions(db_session, referred.id, include_voided=True) == [first, twice]
    assert len(done.findall(case_calendar(db_session, referred.id))) == 1
    assert [item.kind for item in due_dates(db_session, referred.id)] == ["laser"]

    assert same_day_sessions(db_session, "laser", referred.id, FIRST) == [first]  # not the void
    with pytest.raises(InputError, match="is void already"):
        void_session(db_session, "laser", twice.id, "again", practitioner)
    with pytest.raises(InputError, match="a void session is not corrected"):
        correct_laser_session(db_session, twice.id, laser(passes=1), practitioner)
    with pytest.raises(InputError, match="is void"):
        ts.attach_follow_up_photo(db_session, "laser", twice.id, None, practitioner)
    with pytest.raises(NotFoundError):
        void_session(db_session, "smp", 2_147_483_000, "x", practitioner)
    voids = [
        e
        for e in db_session.query(AuditEvent).filter(AuditEvent.entity_id == twice.id)
        if e.entity == "laser_session" and (e.details or {}).get("voided")
    ]
    assert len(voids) == 1 and voids[0].user_id == practitioner.id
