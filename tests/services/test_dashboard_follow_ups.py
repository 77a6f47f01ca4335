"""The dashboard's follow-ups: the planned sessions of each open case's latest plan."""

from __future__ import annotations

import datetime as dt

from scalpmap.planning.sessions import HEALING_WEEKS
from scalpmap.services import cases, plans
from scalpmap.services import treatment_sessions as ts
from scalpmap.store.models import CaseStage, PulseClass
from scalpmap.web.dashboard.orchestration import follow_ups_due


def plan_document(*events: tuple[str, str, str]) -> dict:
    return {
        "format": "scalpmap-plan/1",
        "timeline": {
            "start": events[0][1],
            "events": [
                {"kind": kind, "label": label, "start": day, "end": None}
                for kind, day, label in events
            ],
        },
    }


def test_the_latest_plan_gives_the_sessions_due_around_today(db_session, case, practitioner):
    old = plan_document(("laser", "2027-01-05", "old plan laser"))
    plans.save_plan(db_session, case.id, old, practitioner)
    latest = plan_document(
        ("laser", "2027-01-02", "Laser session 1"),
        ("healing", "2027-01-02", "Healing"),
        ("laser", "2027-01-20", "Laser session 2"),
        ("touch_up", "2027-03-01", "SMP touch-up"),
    )
    plans.save_plan(db_session, case.id, latest, practitioner)
    due = follow_ups_due(db_session, on=dt.date(2027, 1, 10))
    assert [(item.case_id, item.due_on.isoformat()) for item in due] == [
        (case.id, "2027-01-02"),
        (case.id, "2027-01-20"),
    ]
    assert "past its date" in due[0].what and due[1].what == "Laser session 2"
    assert [item.overdue for item in due] == [True, False]


def test_complete_cases_have_no_follow_ups(db_session, case, practitioner):
    plans.save_plan(
        db_session, case.id, plan_document(("review", "2027-01-10", "Review")), practitioner
    )
    assert len(follow_ups_due(db_session, on=dt.date(2027, 1, 10))) == 1
    cases.set_stage(db_session, case.id, CaseStage.COMPLETE, practitioner)
    assert follow_ups_due(db_session, on=dt.date(2027, 1, 10)) == []


def test_a_case_with_logged_sessions_shows_its_next_due_session(db_session, case, practitioner):
    document = plan_document(("laser", "2026-01-05", "Laser session 1"))
    document["sessions"] = {
        "laser": {"likely": 2, "interval_weeks": [4, 6]},
        "touch_up": {"sessions": 1, "healing_weeks": [4, 6]},
    }
    plans.save_plan(db_session, case.id, document, practitioner)
    first = dt.date(2026, 1, 5)
    settings = {"wavelength_nm": 1064, "fluence_j_cm2": 2.0, "spot_mm": 4.0, "passes": 1}
    data = ts.LaserSessionIn(session_date=first, device="PicoWay", pulse=PulseClass.PS, **settings)
    ts.log_laser_session(db_session, case.id, data, practitioner)
    # the plan's own timeline entry (2026-01-05) gives way to the log's next laser session
    [soon] = follow_ups_due(db_session, on=dt.date(2026, 1, 25))
    assert soon.due_on == first + dt.timedelta(weeks=4) and not soon.overdue
    assert soon.what.startswith("Laser session 2 of 2 likely")
    [late] = follow_ups_due(db_session, on=dt.date(2026, 4, 1))
    assert late.due_on == soon.due_on and late.overdue and "to be booked by" in late.what


def test_a_case_with_sessions_but_no_plan_still_shows_what_is_due(db_session, case, practitioner):
    settings = {"wavelength_nm": 1064, "fluence_j_cm2": 2.0, "spot_mm": 4.0, "passes": 1}
    first = dt.date(2026, 2, 2)
    data = ts.LaserSessionIn(session_date=first, device="PicoWay", pulse=PulseClass.NS, **settings)
    ts.log_laser_session(db_session, case.id, data, practitioner)
    # no plan: one laser session, then the touch-up by the session model's rule
    [due] = follow_ups_due(db_session, on=dt.date(2026, 3, 20))
    assert due.case_id == case.id and due.due_on == first + dt.timedelta(weeks=HEALING_WEEKS[0])
    assert due.what.startswith("SMP touch-up")
