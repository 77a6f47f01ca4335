"""The dashboard's follow-ups: the planned sessions of each open case's latest plan."""

from __future__ import annotations

import datetime as dt

from scalpmap.services import cases, plans
from scalpmap.store.models import CaseStage
from scalpmap.web.dashboard.service import follow_ups_due


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
