"""Referrals and the session log on the case page: refer, letters, sessions, follow-ups, checks.

The cases are made by ``make_case`` (``conftest.py``): the web tests share one database, so every
case is marked complete at the end and every facility gets a unique name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from scalpmap.services import cases, patients
from scalpmap.store.models import (
    CaseReason,
    CaseStage,
    LaserSession,
    Photo,
    Role,
    SmpSession,
    User,
    utcnow,
)
from scalpmap.web.app import create_app

TODAY = utcnow().date()


def laser_rows(app, case_id: int) -> list[LaserSession]:
    with app.state.scalpmap.session_factory() as session:
        query = select(LaserSession).where(LaserSession.case_id == case_id)
        return list(session.scalars(query.order_by(LaserSession.id)))


def laser_form(**changes: str) -> dict[str, str]:
    values = {
        "session_date": TODAY.isoformat(),
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


def text_of(element) -> str:
    return " ".join(element.text.split())


def row_of(shown, laser_id: int):
    row = shown.find("tr", id=f"laser-session-{laser_id}")
    return text_of(row)


def post(client: TestClient, url: str, csrf: str, **kwargs: Any):
    data = kwargs.pop("data", {})
    return client.post(url, data=data | {"csrf_token": csrf}, follow_redirects=False, **kwargs)


def test_refer_letters_log_measure_and_chart(
    app, client, signed_in, parse, make_case, followups, stage_of
):
    user, csrf = signed_in(Role.PRACTITIONER)
    made = make_case(user)
    case_url = f"/cases/{made.case_id}"

    match = parse(client.get(f"{case_url}/facilities"))
    refer_forms = [f for f in match.find_all("form") if f.get("action") == f"{case_url}/referrals"]
    assert refer_forms, "no Refer button on the ranking"
    ids = {e.get("value") for e in match.find_all("input", name="facility_id")}
    assert str(made.facility_id) in ids
    answer = post(client, f"{case_url}/referrals", csrf, data={"facility_id": made.facility_id})
    assert answer.status_code == 303 and answer.headers["location"] == f"{case_url}#referral"
    assert stage_of(made.case_id) == CaseStage.REFERRED

    shown = parse(client.get(case_url))
    referral = text_of(shown.find("section", id="referral"))
    assert made.facility_name in referral and TODAY.isoformat() in referral
    assert "Drafted" in referral
    letter_links = [h for h in shown.links() if "/letter." in h]
    assert len(letter_links) == 2
    referral_id = int(re.search(r"/referrals/(\d+)/", letter_links[0]).group(1))

    status_url = f"/referrals/{referral_id}/status"
    assert post(client, status_url, csrf, data={"status": "sent"}).status_code == 303
    back = post(client, status_url, csrf, data={"status": "drafted"})
    assert back.status_code == 422
    (alert,) = [a for a in parse(back).alerts() if "cannot go back" in a]
    assert "already sent" in alert
    assert post(client, status_url, csrf, data={"status": "done"}).status_code == 303
    referral = text_of(parse(client.get(case_url)).find("section", id="referral"))
    assert "Done" in referral and "Mark" not in referral

    html = client.get(f"/referrals/{referral_id}/letter.html")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert f"R-{referral_id}" in html.text and "attachment" in html.headers["content-disposition"]
    assert "Tess Treatment" not in html.text  # no consent recorded: details withheld
    pdf = client.get(f"/referrals/{referral_id}/letter.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"

    assert client.get(f"{case_url}/clearance-chart.png").status_code == 404
    assert f"{case_url}/clearance-chart.png" not in client.get(case_url).text

    files = {"follow_up": ("after-1.png", followups["forty"], "image/png")}
    answer = post(
        client,
        f"{case_url}/laser-sessions",
        csrf,
        data=laser_form(facility_id=str(made.facility_id), adverse_effects="mild erythema"),
        files=files,
    )
    assert answer.status_code == 303 and answer.headers["location"] == f"{case_url}#sessions"
    assert stage_of(made.case_id) == CaseStage.LASER
    (first,) = laser_rows(app, made.case_id)
    assert first.follow_up_photo_id is not None and first.referral_id == referral_id

    shown = parse(client.get(case_url))
    row = row_of(shown, first.id)
    percent = float(re.search(r"([\d.]+)% clear", row).group(1))
    assert 37 <= percent <= 43, row
    assert "PicoWay" in row and "2.5 J/cm²" in row and "mild erythema" in row
    assert made.facility_name in row and "another laser session" in row
    advice = text_of(shown.find("p", class_="advice"))
    assert "another laser session" in advice
    sessions = text_of(shown.find("section", id="sessions"))
    assert "Laser session due" in sessions
    chart = shown.find("img", src=f"{case_url}/clearance-chart.png")
    assert chart.get("alt")
    image = client.get(chart.get("src"))
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    check_links = [h for h in shown.links() if h.startswith("/clearance/")]
    overlay = next(h for h in check_links if h.endswith("/overlay.png"))
    assert client.get(overlay).content.startswith(b"\x89PNG")
    document = client.get(next(h for h in check_links if h.endswith("/clearance.json"))).json()
    assert document["clearance"]["measured"] is True
    assert document["clearance"]["percent"] == pytest.approx(percent, abs=0.05)
    thumb = shown.find("img", src=f"/photos/{first.follow_up_photo_id}/thumb.jpg")
    assert thumb.get("alt")

    # a second session the same day asks first, then is logged; its follow-up
    # (another person) uploaded later
    answer = post(client, f"{case_url}/laser-sessions", csrf, data=laser_form(passes="3"))
    assert answer.status_code == 409
    asked = parse(answer)
    assert f"session {first.id}" in _one_line(answer) and "tick" in _one_line(answer)
    assert asked.find("input", name="confirm_duplicate").get("type") == "checkbox"
    assert asked.find("input", id="laser-passes").get("value") == "3"  # as typed
    assert len(laser_rows(app, made.case_id)) == 1
    confirmed = laser_form(passes="3", confirm_duplicate="1")
    answer = post(client, f"{case_url}/laser-sessions", csrf, data=confirmed)
    assert answer.status_code == 303
    second = laser_rows(app, made.case_id)[-1]
    assert second.id != first.id and second.follow_up_photo_id is None
    assert "no follow-up photo yet" in row_of(parse(client.get(case_url)), second.id)
    files = {"follow_up": ("after-2.png", followups["stranger"], "image/png")}
    answer = post(client, f"/laser-sessions/{second.id}/follow-up", csrf, files=files)
    assert answer.status_code == 303, answer.text
    shown = parse(client.get(case_url))
    warning = [a for a in shown.alerts() if "could not be measured" in a]
    assert len(warning) == 1
    assert warning[0].startswith(f"follow-up of {TODAY.isoformat()} could not be measured: ")
    row = row_of(shown, second.id)
    assert "not measured:" in row and "% clear" not in row
    assert laser_rows(app, made.case_id)[-1].follow_up_photo_id is not None  # the photo is kept
    assert row_of(shown, first.id).count("% clear") == 1

    again = post(client, f"/laser-sessions/{first.id}/measure", csrf)
    assert again.status_code == 303
    assert "% clear" in row_of(parse(client.get(case_url)), first.id)

    shown = parse(client.get(case_url))
    assert f"{case_url}/progress.pdf" in shown.links()
    report = client.get(f"{case_url}/progress.html")
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    assert "data:image/png;base64," in report.text and "not measured" in report.text
    # The report rounds the measured value itself (the page shows it to a tenth).
    assert f"{document['clearance']['percent']:.0f}%" in report.text
    pdf = client.get(f"{case_url}/progress.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(f"{case_url}/progress.docx").status_code in (404, 422)

    smp = {
        "session_date": TODAY.isoformat(),
        "practitioner_name": "Dr Needle",
        "needle": "0.25 mm 3RL",
        "areas": ["frontal", "crown"],
        "areas_other": "temporal_left",
    }
    healed = {"follow_up": ("healed.png", followups["all"], "image/png")}
    answer = post(client, f"{case_url}/smp-sessions", csrf, data=smp, files=healed)
    assert answer.status_code == 303
    assert stage_of(made.case_id) == CaseStage.TOUCH_UP
    shown = parse(client.get(case_url))
    table = shown.find("table", class_="table compact smp-sessions")
    assert "Dr Needle" in text_of(table) and "Frontal, Crown, Temporal left" in text_of(table)
    with app.state.scalpmap.session_factory() as session:
        (smp_row,) = session.scalars(select(SmpSession).where(SmpSession.case_id == made.case_id))
        assert smp_row.follow_up_photo_id is not None
    thumb = shown.find("img", src=f"/photos/{smp_row.follow_up_photo_id}/thumb.jpg")
    assert client.get(thumb.get("src")).status_code == 200


def _one_line(answer) -> str:
    errors = ErrorLines(answer.text).errors()
    assert len(errors) == 1, errors
    assert "\n" not in errors[0]
    return errors[0]


class ErrorLines:
    """The error alerts of a page (``alert-error``), one line each."""

    def __init__(self, html: str) -> None:
        self.html = html

    def errors(self) -> list[str]:
        found = re.findall(r'<p class="alert alert-error"[^>]*>(.*?)</p>', self.html, re.S)
        return [" ".join(text.split()) for text in found]


@pytest.fixture
def small_client(web_settings, cheap_password_hashing) -> Iterator[TestClient]:
    settings = web_settings.model_copy(update={"max_upload_bytes": 60_000})
    with TestClient(create_app(settings, inline_jobs=True)) as test_client:
        yield test_client


def test_bad_laser_input_is_422_with_one_line_and_logs_nothing(
    app, client, signed_in, parse, make_case, stage_of
):
    user, csrf = signed_in(Role.PRACTITIONER)
    referred = TODAY - dt.timedelta(days=10)
    made = make_case(user, plan="minimal", referred_on=referred)
    url = f"/cases/{made.case_id}/laser-sessions"
    before = (referred - dt.timedelta(days=1)).isoformat()
    future = (TODAY + dt.timedelta(days=1)).isoformat()
    for changes, words in (
        ({"fluence_j_cm2": "25"}, "Fluence must be 0.1-20 J/cm²; got 25"),
        ({"fluence_j_cm2": "lots"}, "Fluence must be a number"),
        ({"spot_mm": "0.5"}, "Spot size must be 1-10 mm; got 0.5"),
        ({"passes": "2.5"}, "Passes must be a whole number"),
        ({"session_date": before}, f"before the referral of {referred.isoformat()}"),
        ({"session_date": future}, "cannot be dated in the future"),
        ({"session_date": "31/02/2026"}, "Date is not a day"),
        ({"device": " "}, "Device is empty: type the laser"),
        ({"pulse": "fs"}, "Pulse: choose ns (Q-switched) or ps"),
    ):
        answer = post(client, url, csrf, data=laser_form(**changes))
        assert answer.status_code == 422, (changes, answer.status_code)
        assert words in _one_line(answer), changes
        shown = parse(answer)
        assert "open" in shown.find("details", id="log-laser").attrs
        typed = laser_form(**changes)  # the form comes back as typed
        assert shown.find("input", id="laser-fluence").get("value") == typed["fluence_j_cm2"]
        assert shown.find("input", id="laser-date").get("value") == typed["session_date"]
    assert laser_rows(app, made.case_id) == []

    text = {"follow_up": ("notes.png", b"not an image at all", "image/png")}
    refused = post(client, url, csrf, data=laser_form(), files=text)
    assert refused.status_code == 415 and "not a photo" in _one_line(refused)
    damaged = {"follow_up": ("cut.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "image/jpeg")}
    assert post(client, url, csrf, data=laser_form(), files=damaged).status_code == 422
    assert laser_rows(app, made.case_id) == []
    assert stage_of(made.case_id) == CaseStage.REFERRED

    missing = post(client, "/cases/2147483000/laser-sessions", csrf, data=laser_form())
    assert missing.status_code == 404
    unknown = post(client, url, csrf, data=laser_form(facility_id="2147483000"))
    assert unknown.status_code == 404 and "facility" in _one_line(unknown)

    smp_url = f"/cases/{made.case_id}/smp-sessions"
    smp = {"session_date": TODAY.isoformat(), "practitioner_name": "A", "needle": "3RL"}
    no_area = post(client, smp_url, csrf, data=smp)
    assert no_area.status_code == 422 and "Areas worked: tick at least one" in _one_line(no_area)
    late = post(client, smp_url, csrf, data=smp | {"areas": "crown", "session_date": future})
    assert late.status_code == 422 and "future" in _one_line(late)


def test_too_large_follow_up_is_413_and_logs_nothing(small_client, make_user, scalp_jpeg):
    app = small_client.app
    state = app.state.scalpmap
    with state.session_factory() as session:
        user = session.get(User, make_user(Role.PRACTITIONER).id)
        person = patients.PatientCreate(full_name="Big Upload")
        patient = patients.create_patient(session, person, user)
        case = cases.open_case(session, patient.id, CaseReason.FADED, user)
    signin = small_client.get("/signin").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', signin).group(1)
    small_client.post(
        "/signin",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
    )
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', small_client.get("/").text).group(1)
    try:
        assert len(scalp_jpeg) > 60_000
        files = {"follow_up": ("big.jpg", scalp_jpeg, "image/jpeg")}
        answer = post(
            small_client, f"/cases/{case.id}/laser-sessions", csrf, data=laser_form(), files=files
        )
        assert answer.status_code == 413 and "limit" in _one_line(answer)
        assert laser_rows(app, case.id) == []
        with state.session_factory() as session:
            assert list(session.scalars(select(Photo).where(Photo.case_id == case.id))) == []
    finally:
        with state.session_factory() as session:
            actor = session.get(User, user.id)
            cases.set_stage(session, case.id, CaseStage.COMPLETE, actor)


def test_referral_errors_roles_csrf_and_unknown_ids(
    app, client, signed_in, parse, make_case, other_jpeg, stage_of
):
    user, csrf = signed_in(Role.PRACTITIONER)
    unplanned = make_case(user, plan="none")
    answer = post(
        client,
        f"/cases/{unplanned.case_id}/referrals",
        csrf,
        data={"facility_id": unplanned.facility_id},
    )
    assert answer.status_code == 409
    (alert,) = parse(answer).alerts()
    assert "has no plan yet" in alert
    planned = make_case(user, plan="minimal")
    unknown = post(
        client, f"/cases/{planned.case_id}/referrals", csrf, data={"facility_id": 2147483000}
    )
    assert unknown.status_code == 404 and "facility" in parse(unknown).alerts()[0]
    no_csrf = client.post(
        f"/cases/{planned.case_id}/referrals",
        data={"facility_id": planned.facility_id},
        follow_redirects=False,
    )
    assert no_csrf.status_code == 403
    assert stage_of(planned.case_id) != CaseStage.REFERRED  # nothing was referred
    for url in (
        "/referrals/2147483000/letter.pdf",
        "/referrals/2147483000/letter.html",
        "/clearance/2147483000/overlay.png",
        "/clearance/2147483000/clearance.json",
        "/cases/2147483000/clearance-chart.png",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        "/referrals/2147483000/status",
        "/laser-sessions/2147483000/measure",
        "/laser-sessions/2147483000/follow-up",
    ):
        assert post(client, url, csrf, data={"status": "sent"}).status_code == 404, url

    # reception: sees the case and logs sessions, but cannot refer
    client.cookies.clear()
    _reception, rcsrf = signed_in(Role.RECEPTION)
    match = parse(client.get(f"/cases/{planned.case_id}/facilities"))
    assert not [f for f in match.find_all("form") if "/referrals" in (f.get("action") or "")]
    refused = post(
        client,
        f"/cases/{planned.case_id}/referrals",
        rcsrf,
        data={"facility_id": planned.facility_id},
    )
    assert refused.status_code == 403 and "reception cannot do this" in refused.text
    assert "Refer to a laser facility" not in client.get(f"/cases/{planned.case_id}").text
    logged = post(client, f"/cases/{planned.case_id}/laser-sessions", rcsrf, data=laser_form())
    assert logged.status_code == 303
    (logged_row,) = laser_rows(app, planned.case_id)
    assert stage_of(planned.case_id) == CaseStage.LASER
    # the bare plan has no analysed baseline: the follow-up is kept, and the page says why
    files = {"follow_up": ("later.jpg", other_jpeg, "image/jpeg")}
    later = post(client, f"/laser-sessions/{logged_row.id}/follow-up", rcsrf, files=files)
    assert later.status_code == 409 and "no finished analysis" in _one_line(later)
    assert laser_rows(app, planned.case_id)[0].follow_up_photo_id is not None
    shown = parse(client.get(f"/cases/{planned.case_id}"))
    (warning,) = [a for a in shown.alerts() if "could not be measured" in a]
    assert "has no finished analysis of its baseline photo" in warning
    assert "% clear" not in row_of(shown, logged_row.id)
    again = post(client, f"/laser-sessions/{logged_row.id}/measure", rcsrf)
    assert again.status_code == 409 and "no finished analysis" in _one_line(again)

    client.cookies.clear()
    for url in (
        f"/cases/{planned.case_id}/laser-sessions",
        f"/cases/{planned.case_id}/referrals",
    ):
        anonymous = client.post(url, data=laser_form(), follow_redirects=False)
        assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin")
    anonymous = client.get(f"/cases/{planned.case_id}/clearance-chart.png", follow_redirects=False)
    assert anonymous.status_code == 303
