"""The dashboard lists the planned sessions due, and highlights the overdue ones."""

from __future__ import annotations

import datetime as dt

from scalpmap.services import cases, plans
from scalpmap.store.models import CaseStage, User


def test_overdue_sessions_are_highlighted(app, client, signed_in, token_headers, parse):
    headers = token_headers()
    patient_id = client.post(
        "/api/patients", json={"name": "Due Soon", "date_of_birth": "1975-05-05"}, headers=headers
    ).json()["id"]
    case_id = client.post(
        "/api/cases", json={"patient_id": patient_id, "reason": "reposition"}, headers=headers
    ).json()["id"]
    today = dt.date.today()
    events = [
        {"kind": "laser", "label": "Laser session 1", "start": str(today - dt.timedelta(days=3))},
        {"kind": "laser", "label": "Laser session 2", "start": str(today + dt.timedelta(days=5))},
    ]
    document = {"format": "scalpmap-plan/1", "timeline": {"events": events}}
    user, _ = signed_in()
    with app.state.scalpmap.session_factory() as session:
        plans.save_plan(session, case_id, document, session.get(User, user.id))
    try:
        tree = parse(client.get("/"))
        overdue = tree.find_all("li", class_="overdue")
        assert len(overdue) == 1 and "Laser session 1" in overdue[0].text
        assert any("Laser session 2" in li.text for li in tree.find_all("li"))
    finally:  # the web tests share one database: leave no follow-ups for the other tests
        with app.state.scalpmap.session_factory() as session:
            actor = session.get(User, user.id)
            cases.set_stage(session, case_id, CaseStage.COMPLETE, actor)
