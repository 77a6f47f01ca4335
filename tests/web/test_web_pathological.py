"""Pathological photos through the web app: each job ends done or failed with one clear line.

The analyses run in a child process with a memory and a time limit; a photo that breaks them
fails its job with "the analysis ran out of its limits", and the server answers on.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from scalpmap.imaging.pathological import PATHOLOGICAL, STRIP_LENGTH_PX, pathological_png
from scalpmap.services.limited import OUT_OF_LIMITS
from scalpmap.store.models import Role, utcnow
from scalpmap.web.app import create_app


def _new_case(client: TestClient, headers: dict[str, str]) -> int:
    person = {"name": "Path Ological", "date_of_birth": "1980-02-03"}
    patient = client.post("/api/patients", json=person, headers=headers).json()["id"]
    return int(
        client.post(
            "/api/cases", json={"patient_id": patient, "reason": "reposition"}, headers=headers
        ).json()["id"]
    )


def _upload(client, headers, case_id, name, data, scale="0.03"):
    return client.post(
        f"/api/cases/{case_id}/photos",
        files={"file": (f"{name}.png", data, "image/png")},
        data={"view": "front", "mm_per_px": scale},
        headers=headers,
    )


def test_every_pathological_photo_ends_done_or_failed_with_a_reason(client, token_headers):
    headers = token_headers()
    case_id = _new_case(client, headers)
    for name in PATHOLOGICAL:
        rows, cols = (STRIP_LENGTH_PX, 1) if name == "strip" else (600, 800)
        answer = _upload(
            client, headers, case_id, name, pathological_png(name, rows=rows, cols=cols)
        )
        if answer.status_code != 201:  # refused at the door: a 4xx with one line
            assert 400 <= answer.status_code < 500, (name, answer.text)
            detail = answer.json()["detail"]
            assert isinstance(detail, str) and "\n" not in detail and detail, name
            continue
        body = client.get(f"/api/photos/{answer.json()['id']}/analysis", headers=headers).json()
        assert body["status"] in ("done", "failed"), (name, body)
        if body["status"] == "failed":
            assert body["error"] and "\n" not in body["error"], (name, body)
            assert "internal error" not in body["error"], (name, body["error"])
        else:
            assert body["analysis"]["photo"]["width"] == cols, name
        assert client.get("/healthz").json() == {"status": "ok"}


@pytest.fixture
def app(web_settings, cheap_password_hashing, request):
    """The app, with the settings a test passes by indirect parametrisation."""
    update = getattr(request, "param", {})
    return create_app(web_settings.model_copy(update=update), inline_jobs=True)


@pytest.mark.parametrize(
    "app", [{"analysis_memory_mb": 8}, {"analysis_time_s": 0.05}], indirect=True, ids=str
)
def test_an_analysis_beyond_its_limits_fails_its_job_and_the_server_lives_on(
    client, token_headers, signed_in, parse, scalp_jpeg
):
    headers = token_headers(Role.RECEPTION)  # any role may upload
    case_id = _new_case(client, headers)
    answer = _upload(client, headers, case_id, "scalp", scalp_jpeg, scale="0.035")
    assert answer.status_code == 201, answer.text
    photo_id = answer.json()["id"]
    body = client.get(f"/api/photos/{photo_id}/analysis", headers=headers).json()
    assert body["status"] == "failed"
    assert body["error"].startswith(OUT_OF_LIMITS + " (")
    assert client.get("/healthz").json() == {"status": "ok"}
    signed_in(Role.PRACTITIONER)  # the photo's page says why, in one line
    alerts = parse(client.get(f"/photos/{photo_id}")).alerts()
    assert any(alert.startswith(OUT_OF_LIMITS) for alert in alerts), alerts


@pytest.mark.parametrize("app", [{"analysis_memory_mb": 8}], indirect=True, ids=str)
def test_a_follow_up_measure_beyond_its_limits_is_one_line_and_the_server_lives_on(
    client, token_headers, make_case, followups
):
    headers = token_headers(Role.PRACTITIONER)
    made = make_case(referred_on=utcnow().date() - dt.timedelta(days=70))
    session = {
        "session_date": (utcnow().date() - dt.timedelta(days=60)).isoformat(),
        "device": "PicoWay",
        "wavelength_nm": 1064,
        "pulse": "ps",
        "fluence_j_cm2": 2.5,
        "spot_mm": 4.0,
        "passes": 2,
        "facility_id": made.facility_id,
    }
    logged = client.post(f"/api/cases/{made.case_id}/laser-sessions", json=session, headers=headers)
    assert logged.status_code == 201, logged.text
    laser_id = logged.json()["id"]
    files = {"file": ("after.png", followups["forty"], "image/png")}
    answer = client.post(f"/api/laser-sessions/{laser_id}/follow-up", files=files, headers=headers)
    assert answer.status_code == 202, answer.text  # the measure is a job: it fails, the app lives
    job = answer.json()
    assert job["status"] == "failed" and job["error"].startswith(OUT_OF_LIMITS + " (")
    assert client.get(job["status_url"], headers=headers).json()["status"] == "failed"
    assert (
        client.get(f"/api/laser-sessions/{laser_id}/clearance", headers=headers).status_code == 404
    )
    assert client.get("/healthz").json() == {"status": "ok"}
