"""The JSON API contract, end to end: token → patient → case → photo → analysis."""

from __future__ import annotations

import time

import pytest

from scalpmap.imaging.analysis_json import validate_analysis_json
from scalpmap.store.models import Role


def test_api_contract_end_to_end(client, make_user, scalp_jpeg):
    user = make_user(Role.PRACTITIONER)
    answer = client.post(
        "/api/auth/token", json={"email": user.email, "password": "correct horse battery"}
    )
    assert answer.status_code == 201
    token = answer.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    answer = client.post(
        "/api/patients",
        json={"name": "Robin Contract", "date_of_birth": "1988-02-03"},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    patient_id = answer.json()["id"]

    answer = client.post(
        "/api/cases", json={"patient_id": patient_id, "reason": "reposition"}, headers=headers
    )
    assert answer.status_code == 201, answer.text
    case_id = answer.json()["id"]

    answer = client.post(
        f"/api/cases/{case_id}/photos",
        files={"file": ("front.jpg", scalp_jpeg, "image/jpeg")},
        data={"view": "front"},
        headers=headers,
    )
    assert answer.status_code == 201, answer.text
    photo_id = answer.json()["id"]

    deadline = time.monotonic() + 30
    while True:
        status = client.get(f"/api/photos/{photo_id}/analysis", headers=headers)
        assert status.status_code == 200
        body = status.json()
        assert body["status"] in {"pending", "running", "done", "failed"}
        if body["status"] in {"done", "failed"} or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert body["status"] == "done", body["error"]
    validate_analysis_json(body["analysis"])
    assert body["analysis"]["scale"]["source"] == "marker"
    assert body["analysis"]["scale"]["mm_per_px"] == pytest.approx(0.035, rel=0.05)
    assert body["analysis"]["summary"]["count"] > 0

    overlay = client.get(f"/api/photos/{photo_id}/overlay.png", headers=headers)
    assert overlay.status_code == 200 and overlay.headers["content-type"] == "image/png"
    assert overlay.content[:8] == b"\x89PNG\r\n\x1a\n"

    patient = client.get(f"/api/patients/{patient_id}", headers=headers).json()
    assert patient["name"] == "Robin Contract" and patient["case_ids"] == [case_id]
    case = client.get(f"/api/cases/{case_id}", headers=headers).json()
    assert case["photo_ids"] == [photo_id] and case["stage"] == "enquiry"
    photo = client.get(f"/api/photos/{photo_id}", headers=headers).json()
    assert photo["view"] == "front" and photo["scale_source"] == "marker"


def test_given_scale_wins_and_upload_is_idempotent(client, token_headers, other_jpeg):
    headers = token_headers()
    patient_id = client.post(
        "/api/patients", json={"name": "Kim Scale", "date_of_birth": "1979-11-30"}, headers=headers
    ).json()["id"]
    case_id = client.post(
        "/api/cases", json={"patient_id": patient_id, "reason": "poor_work"}, headers=headers
    ).json()["id"]
    upload = {"file": ("left.png", other_jpeg, "application/octet-stream")}
    first = client.post(
        f"/api/cases/{case_id}/photos",
        files=upload,
        data={"view": "left", "mm_per_px": "0.035"},
        headers=headers,
    )
    again = client.post(
        f"/api/cases/{case_id}/photos", files=upload, data={"view": "left"}, headers=headers
    )
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    body = client.get(f"/api/photos/{first.json()['id']}/analysis", headers=headers).json()
    assert body["status"] == "done" and body["analysis"]["scale"]["source"] == "given"
    rerun = client.post(
        f"/api/photos/{first.json()['id']}/analysis", json={"mm_per_px": 0.03}, headers=headers
    )
    assert rerun.status_code == 202 and rerun.json()["analysis_id"] > body["analysis_id"]


def test_patients_list_search_and_patch(client, token_headers):
    headers = token_headers()
    marker = f"Quill{time.monotonic_ns()}"
    created = client.post(
        "/api/patients",
        json={"name": f"Ari {marker}", "date_of_birth": "1990-01-01", "fitzpatrick_type": 4},
        headers=headers,
    )
    patient_id = created.json()["id"]
    found = client.get("/api/patients", params={"q": marker.lower()}, headers=headers).json()
    assert [p["id"] for p in found] == [patient_id]
    changed = client.patch(
        f"/api/patients/{patient_id}", json={"phone": "+44 20 7946 0000"}, headers=headers
    )
    assert changed.status_code == 200 and changed.json()["phone"] == "+44 20 7946 0000"
    assert changed.json()["fitzpatrick_type"] == 4


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"date_of_birth": "1990-01-01"}, "name", "Name is required: type the name"),
        (
            {"name": "A", "date_of_birth": "2999-01-01"},
            "date_of_birth",
            "Date of birth is in the future (2999-01-01): type the day the patient was born",
        ),
        (
            {"name": "A", "date_of_birth": "1850-06-01"},
            "date_of_birth",
            "Date of birth is before 1900 (1850-06-01): check the year of birth",
        ),
        (
            {"name": "A", "date_of_birth": "1990-01-01", "fitzpatrick_type": 9},
            "fitzpatrick_type",
            "Fitzpatrick skin type must be 6 or less: choose type I to VI",
        ),
        (
            {"name": "A", "date_of_birth": "1990-01-01", "email": "not-an-email"},
            "email",
            "Email is not an email address",
        ),
        (
            {"name": "A", "date_of_birth": "1990-01-01", "ssn": "x"},
            "ssn",
            "ssn is not a field here: remove it",
        ),
    ],
)
def test_bad_patient_input_is_422_with_one_line(client, token_headers, body, field, message):
    answer = client.post("/api/patients", json=body, headers=token_headers())
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert isinstance(detail, str) and message in detail and "\n" not in detail
    assert "Input should" not in detail and "Value error" not in detail
    assert answer.json()["errors"][0]["field"] == field  # for programs


def test_api_errors_map_to_statuses(client, token_headers, scalp_jpeg):
    headers = token_headers()
    assert client.get("/api/patients/2147483000", headers=headers).status_code == 404
    assert client.get("/api/patients/0", headers=headers).status_code == 422
    missing = client.post(
        "/api/cases", json={"patient_id": 2147483000, "reason": "faded"}, headers=headers
    )
    assert missing.status_code == 404 and "patient" in missing.json()["detail"]
    bad_reason = client.post(
        "/api/cases", json={"patient_id": 1, "reason": "tattoo"}, headers=headers
    )
    assert bad_reason.status_code == 422
    patient_id = client.post(
        "/api/patients", json={"name": "Errol Map", "date_of_birth": "1970-05-05"}, headers=headers
    ).json()["id"]
    case_id = client.post(
        "/api/cases",
        json={"patient_id": patient_id, "reason": "faded", "stage": "laser"},
        headers=headers,
    ).json()["id"]
    back = client.patch(f"/api/cases/{case_id}", json={"stage": "enquiry"}, headers=headers)
    assert back.status_code == 422 and "cannot go back" in back.json()["detail"]
    ok = client.patch(
        f"/api/cases/{case_id}", json={"stage": "enquiry", "allow_backwards": True}, headers=headers
    )
    assert ok.status_code == 200 and ok.json()["stage"] == "enquiry"
    bad_view = client.post(
        f"/api/cases/{case_id}/photos",
        files={"file": ("x.jpg", scalp_jpeg, "image/jpeg")},
        data={"view": "sideways"},
        headers=headers,
    )
    assert bad_view.status_code == 422 and "View must be one of" in bad_view.json()["detail"]
    bad_scale = client.post(
        f"/api/cases/{case_id}/photos",
        files={"file": ("x.jpg", scalp_jpeg, "image/jpeg")},
        data={"view": "top", "mm_per_px": "-1"},
        headers=headers,
    )
    assert bad_scale.status_code == 422 and bad_scale.json()["errors"][0]["field"] == "mm_per_px"
    no_file = client.post(f"/api/cases/{case_id}/photos", data={"view": "top"}, headers=headers)
    assert no_file.status_code == 422 and no_file.json()["errors"][0]["field"] == "file"
    assert no_file.json()["detail"] == "Photo file is required: choose the photo to upload"


def test_tokens_api_create_list_revoke(client, token_headers):
    headers = token_headers()
    made = client.post(
        "/api/tokens", json={"name": "batch", "expires_in_days": 30}, headers=headers
    )
    assert made.status_code == 201
    new = made.json()
    mine = {"Authorization": f"Bearer {new['token']}"}
    assert client.get("/api/me", headers=mine).status_code == 200
    listed = client.get("/api/tokens", headers=mine).json()
    assert new["id"] in [row["id"] for row in listed]
    assert all("token" not in row for row in listed)
    assert client.delete(f"/api/tokens/{new['id']}", headers=headers).status_code == 204
    refused = client.get("/api/me", headers=mine)
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"


def test_wrong_password_and_bad_token_are_401(client, make_user):
    user = make_user()
    wrong = client.post("/api/auth/token", json={"email": user.email, "password": "nope nope nope"})
    assert wrong.status_code == 401 and wrong.json() == {"detail": "wrong email or password"}
    bad = client.get("/api/me", headers={"Authorization": "Bearer smp_forged"})
    assert bad.status_code == 401


def test_healthz_and_docs(client, token_headers, signed_in, parse):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/api/openapi.json").status_code == 401
    document = client.get("/api/openapi.json", headers=token_headers()).json()
    for path in (
        "/api/auth/token",
        "/api/patients",
        "/api/cases",
        "/api/cases/{case_id}/photos",
        "/api/photos/{photo_id}/analysis",
        "/api/photos/{photo_id}/overlay.png",
    ):
        assert path in document["paths"]
    assert not any(not path.startswith("/api/") for path in document["paths"])
    signed_in()
    docs = parse(client.get("/api/docs"))
    paths = {" ".join(code.text.split()) for code in docs.find_all("code")}
    assert "/api/cases/{case_id}/photos" in paths
    assert not [s for s in docs.find_all("script") if "cdn" in (s.get("src") or "")]
