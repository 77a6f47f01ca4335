"""No document that leaves the clinic carries the patient's identity without consent.

Every kind is downloaded as staff would (pages and API): the patient's plan and the laser
facility's summary (HTML and PDF), the referral letter, the progress report, the calendar and
the facility CSV export. PDFs are read back to text with pypdf. Without consent none of them
holds the name, the date of birth (in any usual spelling), the phone, the email or the photo's
file name; once consent is recorded the documents that may show the name do.
"""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

import pypdf
import pytest
from sqlalchemy import select

from scalpmap.planning.plan import PlanOptions
from scalpmap.services import cases, patients, plan_design
from scalpmap.services.sample_case import add_sample_facility
from scalpmap.store.models import CaseStage, Patient, PhotoAnalysis, PlanVersion, Role, User

FIRST, LAST = "Zephyrine", "Quillfeather"
BORN = "1983-07-19"
BORN_SPELLINGS = (
    "1983-07-19",
    "19 Jul 1983",
    "19 July 1983",
    "July 19, 1983",
    "19/07/1983",
    "07/19/1983",
    "1983",
)
REPORTS = ("patient_html", "patient_pdf", "facility_html", "facility_pdf")


def text_of(answer: Any) -> str:
    """The text a reader sees: PDF pages and metadata extracted, anything else decoded."""
    assert answer.status_code == 200, answer.text[:300]
    if answer.headers["content-type"] != "application/pdf":
        # An inline picture's base64 bytes are no text anyone reads, and they hold any run of
        # digits by chance (a plan's facility page held "...198391r..." once).
        return re.sub(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+", "data:", answer.text)
    reader = pypdf.PdfReader(io.BytesIO(answer.content))
    pages = "\n".join(page.extract_text() for page in reader.pages)
    assert len(pages) > 200  # the extraction works: the report's text is there
    return pages + "\n" + " ".join(str(v) for v in (reader.metadata or {}).values())


def identity_in(text: str, name: str, secrets: tuple[str, ...]) -> list[str]:
    folded = " ".join(text.split()).lower()
    found = [part for part in (*name.split(), *secrets) if part.lower() in folded]
    # Each spelling as a whole token: the year inside a longer number is not the birth date.
    born = [
        s
        for s in BORN_SPELLINGS
        if re.search(rf"(?<![\w/]){re.escape(s.lower())}(?![\w/])", folded)
    ]
    return found + born


def documents(client: Any, headers: dict[str, str], made: dict[str, int]) -> dict[str, str]:
    """Every document of the case, by a name saying where it came from."""
    got: dict[str, str] = {}
    for plan_key, prefixes in (("plan", ("/plans", "/api/plans")), ("legacy", ("/api/plans",))):
        for role in REPORTS:
            for prefix in prefixes:
                url = f"{prefix}/{made[plan_key]}/files/{role}"
                got[url] = text_of(client.get(url, headers=headers))
    for kind in ("html", "pdf"):
        url = f"/referrals/{made['referral']}/letter.{kind}"
        got[url] = text_of(client.get(url, headers=headers))
        url = f"/cases/{made['case']}/progress.{kind}"
        got[url] = text_of(client.get(url, headers=headers))
    url = f"/api/referrals/{made['referral']}/letter.pdf"
    got[url] = text_of(client.get(url, headers=headers))
    url = f"/cases/{made['case']}/calendar.ics"
    got[url] = text_of(client.get(url, headers=headers))
    url = "/api/facilities/export.csv"
    got[url] = text_of(client.get(url, headers=headers))
    return got


def test_no_document_carries_identity_without_consent_and_the_name_with_it(
    app, client, make_user, sample_png, backend
) -> None:
    if backend != "sqlite":
        pytest.skip("the rule does not depend on the database; checked once, on SQLite")
    state = app.state.scalpmap
    user = make_user(Role.PRACTITIONER)
    token = client.post(
        "/api/auth/token", json={"email": user.email, "password": "correct horse battery"}
    )
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    tag = uuid.uuid4().hex[:6]
    name = f"{FIRST}{tag} {LAST}{tag}"
    phone, email = f"+44 7700 9{tag[:5]}", f"zq{tag}@example.org"
    body = {"name": name, "date_of_birth": BORN, "phone": phone, "email": email}
    patient_id = client.post("/api/patients", json=body, headers=headers).json()["id"]
    case_id = client.post(
        "/api/cases", json={"patient_id": patient_id, "reason": "reposition"}, headers=headers
    ).json()["id"]
    filename = f"{FIRST}{tag}_{LAST}{tag}_front.png"
    upload = client.post(
        f"/api/cases/{case_id}/photos",
        files={"file": (filename, sample_png, "image/png")},
        data={"view": "front"},
        headers=headers,
    )
    assert upload.status_code == 201, upload.text
    with state.session_factory() as session:
        analysis = session.scalars(
            select(PhotoAnalysis).where(PhotoAnalysis.photo_id == upload.json()["id"])
        ).one()
        analysis_id = analysis.id
    saved = client.post(
        f"/api/cases/{case_id}/plans",
        json={"analysis_id": analysis_id, "template": "mature", "age": 40},
        headers=headers,
    )
    assert saved.status_code == 202 and saved.json()["status"] == "done", saved.text
    with state.session_factory() as session:  # a plan saved as older versions did: name inside
        legacy = plan_design.save_design(
            session,
            state.store,
            analysis_id,
            case_id=case_id,
            actor=session.get(User, user.id),
            options=PlanOptions(template="soften", age=40, skin_type=3),
            patient_label=f"{name} (case #{case_id})",
        )
        legacy_id = legacy.id
        facility = add_sample_facility(session, name=f"Privacy Laser {tag}")
        facility_id = facility.id
    referral = client.post(
        f"/api/cases/{case_id}/referrals", json={"facility_id": facility_id}, headers=headers
    )
    assert referral.status_code == 201, referral.text
    made = {
        "case": case_id,
        "plan": saved.json()["result"]["plan_id"],
        "legacy": legacy_id,
        "referral": referral.json()["id"],
    }
    secrets = (phone, email, filename)

    withheld = documents(client, headers, made)
    assert len(withheld) == 19
    for url, text in withheld.items():
        assert identity_in(text, name, secrets) == [], url
        if url.endswith(("html", "pdf")) and "/files/" in url:
            assert f"case #{case_id}" in text, url
    assert "Patient details withheld" in withheld[f"/referrals/{made['referral']}/letter.pdf"]

    with state.session_factory() as session:
        actor = session.get(User, user.id)
        assert actor is not None
        patients.record_consent(session, patient_id, "treatment and referral", actor)
    after = client.post(
        f"/api/cases/{case_id}/referrals", json={"facility_id": facility_id}, headers=headers
    )
    made["referral"] = after.json()["id"]
    consented = documents(client, headers, made)
    for url, text in consented.items():
        found = identity_in(text, name, secrets)
        if url.endswith(".csv"):
            assert found == [], url  # the facility directory holds no patient
            continue
        assert name in " ".join(text.split()), url
        if "/files/" in url:
            assert filename in text and BORN_SPELLINGS[0] not in text, url
        if "letter" in url or "progress" in url:
            assert "19 Jul 1983" in text and email in text, url
    with state.session_factory() as session:
        patient = session.get(Patient, patient_id)
        assert patient is not None and patient.address is None
        # Leave nothing due for the dashboard's tests, which share the database.
        cases.set_stage(
            session, case_id, CaseStage.COMPLETE, session.get(User, user.id), allow_backwards=True
        )


def test_a_report_is_made_again_only_when_its_header_differs(
    app, client, make_case, token_headers
) -> None:
    made = make_case()  # the sample plan was saved without a patient label
    headers = token_headers(Role.PRACTITIONER)
    state = app.state.scalpmap
    with state.session_factory() as session:
        old = session.scalars(select(PlanVersion).where(PlanVersion.case_id == made.case_id)).one()
        row = session.get(PhotoAnalysis, old.analysis_id)
        assert row is not None
        current = plan_design.save_design(  # as the web app saves it now
            session,
            state.store,
            row.id,
            case_id=made.case_id,
            actor=session.get(User, made.user_id),
            options=PlanOptions(template="soften", age=40, skin_type=3),
            patient_label=f"case #{made.case_id}",
            source=f"photo #{row.photo_id}",
        )
        plan_ids = (old.id, current.id)
        stored = {pid: plan_design.load_plan_outputs(session, pid, state.store) for pid in plan_ids}
    remade = client.get(f"/api/plans/{plan_ids[0]}/files/facility_html", headers=headers)
    assert remade.content != stored[plan_ids[0]]["facility_html"].data
    assert f"Patient: <b>case #{made.case_id}</b>" in remade.text
    for role in REPORTS:
        as_stored = client.get(f"/api/plans/{plan_ids[1]}/files/{role}", headers=headers)
        assert as_stored.content == stored[plan_ids[1]][role].data, role
    zones = client.get(f"/api/plans/{plan_ids[0]}/files/zones", headers=headers)
    assert zones.content == stored[plan_ids[0]]["zones"].data  # pictures: always as stored
