"""The treatment API: referrals, letters, laser and SMP sessions, follow-ups, clearance, due dates.

The cases are made by ``make_case`` (``conftest.py``): the web tests share one database, so every
case is marked complete at the end and every facility gets a unique name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from scalpmap.store.models import CaseStage, ClearanceCheck, Photo, Role, utcnow
from scalpmap.tracking.clearance_json import validate_clearance_json

TODAY = utcnow().date()
REFERRED = TODAY - dt.timedelta(days=70)


def laser(day: dt.date, **changes: Any) -> dict[str, Any]:
    body = {
        "session_date": day.isoformat(),
        "device": "PicoWay",
        "wavelength_nm": 1064,
        "pulse": "ps",
        "fluence_j_cm2": 2.5,
        "spot_mm": 4.0,
        "passes": 2,
    }
    return body | changes


def one_line(answer) -> str:
    detail = answer.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail, detail
    return detail


def test_refer_log_follow_up_and_clearance(
    client, token_headers, make_case, followups, stage_of, sample_png
):
    headers = token_headers(Role.PRACTITIONER)
    made = make_case()
    base = f"/api/cases/{made.case_id}"
    assert client.get(f"{base}/referrals", headers=headers).json() == []

    body = {"facility_id": made.facility_id, "referred_on": REFERRED.isoformat(), "note": "n"}
    created = client.post(f"{base}/referrals", json=body, headers=headers)
    assert created.status_code == 201, created.text
    referral = created.json()
    assert referral["status"] == "drafted" and referral["referred_on"] == REFERRED.isoformat()
    assert referral["patient_details"] is False and referral["facility_id"] == made.facility_id
    assert stage_of(made.case_id) == CaseStage.REFERRED
    listed = client.get(f"{base}/referrals", headers=headers).json()
    assert [r["id"] for r in listed] == [referral["id"]]

    status = f"/api/referrals/{referral['id']}/status"
    sent = client.post(status, json={"status": "sent"}, headers=headers)
    assert sent.status_code == 200 and sent.json()["status"] == "sent" and sent.json()["sent_at"]
    back = client.post(status, json={"status": "drafted"}, headers=headers)
    assert back.status_code == 422 and "cannot go back" in one_line(back)
    bad = client.post(status, json={"status": "lost"}, headers=headers)
    assert bad.status_code == 422 and "Status must be one of: drafted, sent" in one_line(bad)
    assert bad.json()["errors"][0]["field"] == "status"
    pdf = client.get(referral["letter_pdf_url"], headers=headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    first = client.post(
        f"{base}/laser-sessions",
        json=laser(REFERRED + dt.timedelta(days=7), facility_id=made.facility_id),
        headers=headers,
    )
    assert first.status_code == 201, first.text
    session_id = first.json()["id"]
    assert first.json()["referral_id"] == referral["id"] and first.json()["clearance"] is None
    assert stage_of(made.case_id) == CaseStage.LASER
    clearance_url = f"/api/laser-sessions/{session_id}/clearance"
    none_yet = client.get(clearance_url, headers=headers)
    assert none_yet.status_code == 404 and "no clearance check yet" in one_line(none_yet)

    files = {"file": ("after.png", followups["forty"], "image/png")}
    measured = client.post(
        f"/api/laser-sessions/{session_id}/follow-up", files=files, headers=headers
    )
    assert measured.status_code == 202, measured.text  # a job, done at once here (inline)
    job = measured.json()
    assert job["kind"] == "follow_up" and job["status"] == "done" and job["error"] is None
    assert client.get(job["status_url"], headers=headers).json() == job
    assert job["result"]["measured"] is True and job["result"]["laser_session_id"] == session_id
    document = client.get(clearance_url, headers=headers).json()
    validate_clearance_json(document)
    assert document["clearance"]["measured"] is True
    assert 37 <= document["clearance"]["percent"] <= 43
    assert document["recommendation"]["action"] == "another_laser_session"
    assert client.get(clearance_url, headers=headers).json() == document
    row = client.get(f"{base}/laser-sessions", headers=headers).json()[0]
    assert row["clearance"]["percent"] == document["clearance"]["percent"]
    assert row["follow_up_photo_id"] is not None
    due = client.get(f"{base}/due", headers=headers).json()
    assert due[0]["kind"] == "laser"
    assert due[0]["due"] == document["recommendation"]["date"]

    second = client.post(
        f"{base}/laser-sessions", json=laser(REFERRED + dt.timedelta(days=35)), headers=headers
    ).json()
    files = {"file": ("someone-else.png", followups["stranger"], "image/png")}
    refused = client.post(
        f"/api/laser-sessions/{second['id']}/follow-up", files=files, headers=headers
    )
    assert refused.status_code == 202 and refused.json()["status"] == "done", refused.text
    result = refused.json()["result"]
    assert result["measured"] is False and "not registered" in result["reason"]
    kept = client.get(f"/api/laser-sessions/{second['id']}/clearance", headers=headers).json()
    assert kept["clearance"]["measured"] is False and kept["clearance"]["percent"] is None
    assert kept["clearance"]["reason"] == result["reason"]
    rows = client.get(f"{base}/laser-sessions", headers=headers).json()
    assert rows[1]["follow_up_photo_id"] is not None
    assert rows[1]["clearance"]["measured"] is False and rows[1]["clearance"]["percent"] is None

    baseline = {"file": ("before.png", sample_png, "image/png")}  # the plan's own photo again
    again = client.post(
        f"/api/laser-sessions/{second['id']}/follow-up", files=baseline, headers=headers
    )
    assert again.status_code == 422 and "baseline photo of the case's plan" in one_line(again)
    assert client.get(f"{base}/laser-sessions", headers=headers).json()[1] == rows[1]  # unchanged

    smp = {
        "session_date": TODAY.isoformat(),
        "practitioner_name": "Dr Needle",
        "needle": "0.25 mm 3RL",
        "areas": ["frontal", "temporal_left"],
    }
    made_smp = client.post(f"{base}/smp-sessions", json=smp, headers=headers)
    assert made_smp.status_code == 201 and made_smp.json()["areas"] == smp["areas"]
    healed = {"file": ("healed.png", followups["all"], "image/png")}
    smp_url = f"/api/smp-sessions/{made_smp.json()['id']}/follow-up"
    attached = client.post(smp_url, files=healed, headers=headers)
    assert attached.status_code == 200 and attached.json()["follow_up_photo_id"] is not None
    missing_smp = client.post(
        "/api/smp-sessions/2147483000/follow-up", files=healed, headers=headers
    )
    assert missing_smp.status_code == 404 and "no SMP session" in one_line(missing_smp)
    assert client.get(f"{base}/smp-sessions", headers=headers).json()[0]["needle"] == "0.25 mm 3RL"
    assert stage_of(made.case_id) == CaseStage.TOUCH_UP
    assert client.get(f"{base}/due", headers=headers).json() == []


def test_errors_roles_and_rejected_uploads(
    app, client, token_headers, signed_in, make_case, other_jpeg
):
    headers = token_headers(Role.PRACTITIONER)
    unplanned = make_case(plan="none")
    no_plan = client.post(
        f"/api/cases/{unplanned.case_id}/referrals",
        json={"facility_id": unplanned.facility_id},
        headers=headers,
    )
    assert no_plan.status_code == 409 and "has no plan yet" in one_line(no_plan)

    made = make_case(plan="minimal")
    base = f"/api/cases/{made.case_id}"
    reception = token_headers(Role.RECEPTION)
    body = {"facility_id": made.facility_id, "referred_on": REFERRED.isoformat()}
    refused = client.post(f"{base}/referrals", json=body, headers=reception)
    assert refused.status_code == 403 and "reception cannot do this" in one_line(refused)
    unknown = client.post(
        f"{base}/referrals", json=body | {"facility_id": 2147483000}, headers=headers
    )
    assert unknown.status_code == 404 and "facility" in one_line(unknown)
    assert client.post(f"{base}/referrals", json=body, headers=headers).status_code == 201

    url = f"{base}/laser-sessions"
    before = REFERRED - dt.timedelta(days=1)
    for changes, words in (
        ({"fluence_j_cm2": 25}, "Fluence must be 0.1-20 J/cm²; got 25"),
        ({"passes": 9}, "Passes must be 1-5; got 9"),
        ({"session_date": before.isoformat()}, f"before the referral of {REFERRED.isoformat()}"),
        ({"session_date": (TODAY + dt.timedelta(days=1)).isoformat()}, "in the future"),
        ({"pulse": "fs"}, "Pulse must be one of: ns or ps: choose ns (Q-switched)"),
        ({"colour": "red"}, "colour is not a field here: remove it"),
        ({"facility_id": 2**31}, "Facility must be 2147483647 or less"),  # beyond the keys
        ({"notes": "x" * 20_001}, "Notes is too long: at most 20000 characters"),
    ):
        answer = client.post(url, json=laser(TODAY, **changes), headers=headers)
        assert answer.status_code == 422, (changes, answer.text)
        assert words in one_line(answer), changes
        (field,) = changes  # the wrong field, named for programs too
        assert answer.json()["errors"][0]["field"] == field, answer.json()
    assert client.get(url, headers=headers).json() == []

    logged = client.post(url, json=laser(TODAY), headers=reception)  # reception may log
    assert logged.status_code == 201
    session_id = logged.json()["id"]
    follow_up = f"/api/laser-sessions/{session_id}/follow-up"
    text = client.post(
        follow_up, files={"file": ("a.png", b"not an image", "image/png")}, headers=headers
    )
    assert text.status_code == 415 and "not a photo" in one_line(text)
    with app.state.scalpmap.session_factory() as session:
        count = select(func.count()).select_from(Photo).where(Photo.case_id == made.case_id)
        assert session.scalar(count) == 0
        checks = select(func.count()).select_from(ClearanceCheck)
        assert session.scalar(checks.where(ClearanceCheck.case_id == made.case_id)) == 0
    assert client.get(url, headers=headers).json()[0]["follow_up_photo_id"] is None
    image = {"file": ("later.jpg", other_jpeg, "image/jpeg")}
    unmeasurable = client.post(follow_up, files=image, headers=reception)
    assert unmeasurable.status_code == 409 and "no finished analysis" in one_line(unmeasurable)
    assert client.get(url, headers=headers).json()[0]["follow_up_photo_id"] is not None  # kept

    referral_id = client.get(f"{base}/referrals", headers=headers).json()[0]["id"]
    sent = client.post(
        f"/api/referrals/{referral_id}/status", json={"status": "sent"}, headers=reception
    )
    assert sent.status_code == 200 and sent.json()["status"] == "sent"  # reception may send

    smp = client.post(
        f"{base}/smp-sessions",
        json={
            "session_date": TODAY.isoformat(),
            "practitioner_name": "A",
            "needle": "3RL",
            "areas": [" "],
        },
        headers=headers,
    )
    assert smp.status_code == 422 and "area" in one_line(smp)

    missing = 2147483000
    for method, path in (
        ("GET", f"/api/cases/{missing}/referrals"),
        ("POST", f"/api/cases/{missing}/referrals"),
        ("POST", f"/api/referrals/{missing}/status"),
        ("GET", f"/api/referrals/{missing}/letter.pdf"),
        ("GET", f"/api/cases/{missing}/laser-sessions"),
        ("POST", f"/api/cases/{missing}/laser-sessions"),
        ("GET", f"/api/cases/{missing}/smp-sessions"),
        ("GET", f"/api/laser-sessions/{missing}/clearance"),
        ("GET", f"/api/cases/{missing}/due"),
    ):
        json = {"status": "sent"} if "status" in path else laser(TODAY)
        if path.endswith("/referrals"):
            json = {"facility_id": made.facility_id}
        answer = client.request(
            method, path, json=json if method == "POST" else None, headers=headers
        )
        assert answer.status_code == 404, (method, path, answer.text)
        assert one_line(answer)
    image = {"file": ("a.png", b"\x89PNG\r\n\x1a\n", "image/png")}
    gone = client.post(f"/api/laser-sessions/{missing}/follow-up", files=image, headers=headers)
    assert gone.status_code == 404

    assert client.get(f"{base}/due").status_code == 401  # no token, no cookie
    _user, csrf = signed_in(Role.PRACTITIONER)
    assert client.get(f"{base}/due").status_code == 200  # the cookie works
    no_csrf = client.post(url, json=laser(TODAY))
    assert no_csrf.status_code == 403
    with_csrf = client.post(url, json=laser(TODAY), headers={"X-CSRF-Token": csrf})
    assert with_csrf.status_code == 409  # the session logged above is on the same day
    answer = with_csrf.json()
    assert answer["code"] == "same_day_session" and answer["existing_session_id"] == session_id
    assert "confirm_duplicate=true" in one_line(with_csrf)
    confirmed = client.post(
        url, json=laser(TODAY), params={"confirm_duplicate": "true"}, headers={"X-CSRF-Token": csrf}
    )
    assert confirmed.status_code == 201
    assert len(client.get(url, headers=headers).json()) == 2
