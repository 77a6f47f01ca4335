"""Correcting and voiding logged sessions on their page and through the API; voids count nowhere."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from scalpmap.store.models import LaserSession, Role, SmpSession, utcnow

TODAY = utcnow().date()
REFERRED = TODAY - dt.timedelta(days=40)
FIRST = REFERRED + dt.timedelta(days=5)
DONE = re.compile(r"SUMMARY:Case \d+: Laser session \d+ \(done\)")


def laser_form(**changes: str) -> dict[str, str]:
    values = {
        "session_date": FIRST.isoformat(),
        "facility_id": "",
        "device": "PicoWay",
        "wavelength_nm": "1064",
        "pulse": "ps",
        "fluence_j_cm2": "2.5",
        "spot_mm": "4",
        "passes": "2",
        "notes": "",
        "adverse_effects": "",
    }
    return values | changes


def post(client: TestClient, url: str, csrf: str, **kwargs: Any):
    data = kwargs.pop("data", {})
    return client.post(url, data=data | {"csrf_token": csrf}, follow_redirects=False, **kwargs)


def lasers(app, case_id: int) -> list[LaserSession]:
    with app.state.scalpmap.session_factory() as session:
        query = select(LaserSession).where(LaserSession.case_id == case_id)
        return list(session.scalars(query.order_by(LaserSession.id)))


def text_of(element) -> str:
    return " ".join(element.text.split())


def error_line(response) -> str:
    found = re.findall(r'<p class="alert alert-error"[^>]*>(.*?)</p>', response.text, re.S)
    assert len(found) == 1, found
    return " ".join(found[0].split()).replace("&#39;", "'").replace("&#34;", '"')


def test_correct_and_void_on_the_session_page(app, client, signed_in, parse, make_case, followups):
    user, csrf = signed_in(Role.PRACTITIONER)
    made = make_case(user, referred_on=REFERRED)
    case_url = f"/cases/{made.case_id}"
    photo = {"follow_up": ("after-1.png", followups["forty"], "image/png")}
    assert (
        post(client, f"{case_url}/laser-sessions", csrf, data=laser_form(), files=photo).status_code
        == 303
    )
    twice = laser_form(confirm_duplicate="1")  # the same session logged twice by mistake
    assert post(client, f"{case_url}/laser-sessions", csrf, data=twice).status_code == 303
    first, second = lasers(app, made.case_id)
    shown = parse(client.get(case_url))
    assert f"/laser-sessions/{second.id}/edit" in shown.links()
    assert client.get(f"{case_url}/clearance-chart.png").status_code == 200

    page = parse(client.get(f"/laser-sessions/{second.id}/edit"))
    assert page.find("input", id="laser-fluence").get("value") == "2.5"  # its values, to change
    assert page.find("form", id="void-form").get("action") == f"/laser-sessions/{second.id}/void"

    edit = f"/laser-sessions/{second.id}/edit"
    wrong = post(client, edit, csrf, data=laser_form(fluence_j_cm2="25"))
    assert wrong.status_code == 422
    assert error_line(wrong) == "Fluence must be 0.1-20 J/cm²; got 25"
    assert parse(wrong).find("input", id="laser-fluence").get("value") == "25"  # as typed
    same = post(client, edit, csrf, data=laser_form())
    assert same.status_code == 422 and "nothing to correct" in error_line(same)
    fixed = post(client, edit, csrf, data=laser_form(fluence_j_cm2="3", reason="facility report"))
    assert fixed.status_code == 303 and fixed.headers["location"] == f"{case_url}#sessions"
    row = text_of(parse(client.get(case_url)).find("tr", id=f"laser-session-{second.id}"))
    assert "3 J/cm²" in row and "corrected" in row
    later = (FIRST + dt.timedelta(days=3)).isoformat()
    history = text_of(parse(client.get(edit)).find("ul", class_="list session-history"))
    assert "Corrected" in history and "facility report" in history and "Fluence: 2.5 → 3" in history

    moved = post(client, edit, csrf, data=laser_form(fluence_j_cm2="3", session_date=later))
    assert moved.status_code == 303  # to a day without another session: no question
    back = post(client, edit, csrf, data=laser_form(fluence_j_cm2="3"))
    assert back.status_code == 409  # onto the first session's day again: asked first
    assert error_line(back).endswith(
        'tick "Yes, there were two laser sessions on this day" above the button, then save it again'
    )
    assert parse(back).find("input", name="confirm_duplicate").get("type") == "checkbox"
    sure = laser_form(fluence_j_cm2="3", confirm_duplicate="1")
    assert post(client, edit, csrf, data=sure).status_code == 303

    void = f"/laser-sessions/{second.id}/void"
    no_reason = post(client, void, csrf, data={"reason": " "})
    assert no_reason.status_code == 422
    assert error_line(no_reason) == "Why it is void is empty: say why, e.g. logged twice"
    assert post(client, void, csrf, data={"reason": "logged twice"}).status_code == 303
    shown = parse(client.get(case_url))
    table = text_of(shown.find("table", class_="table compact laser-sessions"))
    assert str(first.session_date) in table and "3 J/cm²" not in table  # gone from the log
    voided = text_of(shown.find("li", id=f"laser-session-{second.id}"))
    assert "logged twice" in voided and "void since" in voided
    assert len(DONE.findall(client.get(f"{case_url}/calendar.ics").text)) == 1
    again = post(client, edit, csrf, data=laser_form(fluence_j_cm2="4"))
    assert again.status_code == 422 and "a void session is not corrected" in error_line(again)
    twice_voided = post(client, void, csrf, data={"reason": "again"})
    assert twice_voided.status_code == 422 and "void already" in error_line(twice_voided)

    # the measured session voided: no clearance counts any more
    assert post(client, f"/laser-sessions/{first.id}/void", csrf, data={"reason": "wrong case"})
    assert client.get(f"{case_url}/clearance-chart.png").status_code == 404
    report = client.get(f"{case_url}/progress.html").text
    assert "% clear" not in report and not DONE.findall(client.get(f"{case_url}/calendar.ics").text)
    measure = post(client, f"/laser-sessions/{first.id}/measure", csrf)
    assert measure.status_code == 422 and "is void" in error_line(measure)
    missing = client.get("/laser-sessions/2147483000/edit")
    assert missing.status_code == 404


def test_correct_and_void_through_the_api(app, client, token_headers, make_case):
    headers = token_headers()
    made = make_case(plan="minimal", referred_on=REFERRED)
    base = f"/api/cases/{made.case_id}"
    body = {
        "session_date": FIRST.isoformat(),
        "device": "PicoWay",
        "wavelength_nm": 1064,
        "pulse": "ps",
        "fluence_j_cm2": 2.5,
        "spot_mm": 4,
        "passes": 2,
    }
    laser_id = client.post(f"{base}/laser-sessions", json=body, headers=headers).json()["id"]
    later = body | {"session_date": (FIRST + dt.timedelta(days=28)).isoformat()}
    later_id = client.post(f"{base}/laser-sessions", json=later, headers=headers).json()["id"]

    url = f"/api/laser-sessions/{later_id}"
    changed = client.patch(url, json={"passes": 3, "reason": "typo"}, headers=headers)
    assert changed.status_code == 200, changed.text
    answer = changed.json()
    assert answer["passes"] == 3 and answer["fluence_j_cm2"] == 2.5
    (entry,) = answer["history"]
    assert entry["action"] == "correct" and entry["reason"] == "typo"
    assert entry["changes"] == {"passes": {"from": 2, "to": 3}}

    moved = client.patch(url, json={"session_date": FIRST.isoformat()}, headers=headers)
    assert moved.status_code == 409 and moved.json()["code"] == "same_day_session"
    assert moved.json()["existing_session_id"] == laser_id
    assert "confirm_duplicate=true" in moved.json()["detail"]
    wrong = client.patch(url, json={"fluence_j_cm2": 40}, headers=headers)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "fluence_j_cm2"
    assert wrong.json()["detail"] == "Fluence must be 0.1-20 J/cm²; got 40"
    unknown = client.patch(url, json={"colour": "red"}, headers=headers)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "colour"

    no_reason = client.post(f"{url}/void", json={"reason": ""}, headers=headers)
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    voided = client.post(
        f"{url}/void", json={"reason": "logged on the wrong case"}, headers=headers
    )
    assert voided.status_code == 200 and voided.json()["voided_at"]
    listed = client.get(f"{base}/laser-sessions", headers=headers).json()
    assert [row["id"] for row in listed] == [laser_id]
    everything = client.get(
        f"{base}/laser-sessions", params={"include_voided": "true"}, headers=headers
    ).json()
    assert [row["id"] for row in everything] == [laser_id, later_id]
    assert client.patch(url, json={"passes": 1}, headers=headers).status_code == 422

    smp = {
        "session_date": (FIRST + dt.timedelta(days=30)).isoformat(),
        "practitioner_name": "A",
        "needle": "3RL",
        "areas": ["frontal"],
    }
    smp_id = client.post(f"{base}/smp-sessions", json=smp, headers=headers).json()["id"]
    areas = client.patch(f"/api/smp-sessions/{smp_id}", json={"areas": ["crown"]}, headers=headers)
    assert areas.status_code == 200 and areas.json()["areas"] == ["crown"]
    gone = client.post(f"/api/smp-sessions/{smp_id}/void", json={"reason": "x"}, headers=headers)
    assert gone.status_code == 200
    with app.state.scalpmap.session_factory() as session:
        row = session.get(SmpSession, smp_id)
        assert row is not None and row.voided_at is not None and len(row.history or []) == 2
    assert (
        client.patch("/api/laser-sessions/2147483000", json={}, headers=headers).status_code == 404
    )
