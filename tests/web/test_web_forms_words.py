"""Forms and the API in people's words: labels, what to type, the clinic's date format."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from scalpmap.services import clinic
from scalpmap.store.models import Patient, Role
from scalpmap.web import clinic_pages

RAW = ("Input should", "Value error", "String should", "Field required", "valid string")


@pytest.fixture
def clinic_country(app, monkeypatch) -> Iterator[Any]:
    """``clinic_country("GB")``: set the clinic's country (read at once); cleared afterwards."""
    monkeypatch.setattr(clinic_pages, "REFRESH_S", 0.0)  # each request reads the settings

    def set_country(code: str) -> None:
        with app.state.scalpmap.session_factory() as session:
            clinic.update_clinic_settings(session, {"country": code})

    yield set_country
    set_country("")


def post(client: TestClient, url: str, csrf: str, data: dict[str, str]):
    return client.post(url, data=data | {"csrf_token": csrf}, follow_redirects=False)


def error_line(response) -> str:
    found = re.findall(r'<p class="alert alert-error"[^>]*>(.*?)</p>', response.text, re.S)
    assert len(found) == 1, found
    return " ".join(found[0].split()).replace("&#39;", "'").replace("&#34;", '"')


def born_on(app, response) -> str:
    patient_id = int(response.headers["location"].rsplit("/", 1)[1])
    with app.state.scalpmap.session_factory() as session:
        patient = session.get(Patient, patient_id)
        assert patient is not None and patient.date_of_birth is not None
        return patient.date_of_birth.isoformat()


def test_the_patient_form_reads_days_the_clinics_way(app, client, signed_in, clinic_country):
    _user, csrf = signed_in(Role.RECEPTION)
    form = {"full_name": "Dana Dates", "date_of_birth": "12/04/1981"}
    unknown = post(client, "/patients/new", csrf, form)
    assert unknown.status_code == 422
    assert error_line(unknown).startswith(
        "Date of birth '12/04/1981' could be 12 April 1981 or 4 December 1981: type it as "
        "YYYY-MM-DD (1981-04-12 or 1981-12-04)"
    )
    clinic_country("GB")
    assert born_on(app, post(client, "/patients/new", csrf, form)) == "1981-04-12"
    clinic_country("US")
    assert born_on(app, post(client, "/patients/new", csrf, form)) == "1981-12-04"
    iso = form | {"date_of_birth": "1981-04-12"}
    assert born_on(app, post(client, "/patients/new", csrf, iso)) == "1981-04-12"  # always
    wrong = post(client, "/patients/new", csrf, form | {"date_of_birth": "25/04/1981"})
    assert error_line(wrong).startswith(
        "Date of birth is not a day ('25/04/1981'): this clinic types days as MM/DD/YYYY"
    )


def test_the_api_reads_days_the_clinics_way_too(client, token_headers, clinic_country):
    headers = token_headers()
    clinic_country("GB")
    body = {"name": "Ari Api", "date_of_birth": "12/04/1981"}
    made = client.post("/api/patients", json=body, headers=headers)
    assert made.status_code == 201
    shown = client.get(f"/api/patients/{made.json()['id']}", headers=headers).json()
    assert shown["date_of_birth"] == "1981-04-12"
    old = client.post("/api/patients", json=body | {"date_of_birth": "1/1/1850"}, headers=headers)
    assert old.status_code == 422
    assert old.json()["errors"] == [
        {
            "field": "date_of_birth",
            "label": "Date of birth",
            "message": "Date of birth is before 1900 (1850-01-01): check the year of birth",
        }
    ]


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"full_name": ""}, "Full name is required: type the patient's full name"),
        (
            {"full_name": "A", "date_of_birth": "1850-02-01"},
            "Date of birth is before 1900 (1850-02-01): check the year of birth",
        ),
        (
            {"full_name": "A", "date_of_birth": "2999-02-01"},
            "Date of birth is in the future (2999-02-01): type the day the patient was born",
        ),
        (
            {"full_name": "A", "email": "nobody"},
            "Email is not an email address (an email address must have an @-sign): type an "
            "address such as name@example.com; got 'nobody'",
        ),
        (
            {"full_name": "A", "fitzpatrick_type": "7"},
            "Fitzpatrick skin type must be 6 or less: choose type I to VI (1 to 6); got '7'",
        ),
    ],
)
def test_the_patient_form_says_what_to_type(client, signed_in, form, expected):
    _user, csrf = signed_in(Role.RECEPTION)
    answer = post(client, "/patients/new", csrf, form)
    assert answer.status_code == 422
    assert error_line(answer) == expected


def test_other_forms_name_their_own_fields(client, signed_in, make_case, token_headers):
    user, csrf = signed_in(Role.PRACTITIONER)
    facility = post(
        client, "/facilities/new", csrf, {"name": " ", "city": "Leeds", "country": "GB"}
    )
    assert facility.status_code == 422
    assert error_line(facility) == "Name is empty: type the name"

    client.cookies.clear()
    public = client.get("/enquire")
    token = re.search(r'name="csrf_token" value="([^"]+)"', public.text)
    assert token is not None
    enquiry = post(client, "/enquire", token[1], {"name": "", "email": "sam@example.com"})
    assert enquiry.status_code == 422
    assert error_line(enquiry) == "Your name is empty: type your name"

    made = make_case(plan="none")
    design = client.post(
        f"/api/cases/{made.case_id}/designs",
        json={"photo_id": 1, "age": 9},
        headers=token_headers(),
    )
    assert design.status_code == 422
    assert design.json()["detail"] == (
        "Age must be 14 or more: type the patient's age in years, 14 to 100; got 9"
    )
    for text in (error_line(facility), error_line(enquiry), design.json()["detail"]):
        assert not any(words in text for words in RAW), text
