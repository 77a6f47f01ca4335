"""The web app on the procrastinate queue: it only queues, a worker analyses, the page polls."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select

from scalpmap.config import Settings
from scalpmap.imaging.synth import SynthOptions, generate_scalp_jpeg
from scalpmap.jobs.queue import UNAVAILABLE
from scalpmap.services.users import create_user
from scalpmap.store.models import Photo, PhotoAnalysis, Role
from scalpmap.web.app import create_app

from .conftest import PASSWORD, queue_rows, wait_for

DOWN = "postgresql://postgres@127.0.0.1:1/queue"  # nothing listens on port 1


@pytest.fixture(scope="module")
def photo_jpeg() -> bytes:
    data, _truth = generate_scalp_jpeg(
        SynthOptions(seed=5, width_px=900, height_px=700, mm_per_px=0.035)
    )
    return data


class Clinic:
    """A signed-in API client of the app, with a case to upload to."""

    def __init__(self, client: TestClient, settings: Settings) -> None:
        self.client = client
        app = client.app
        with app.state.scalpmap.session_factory() as session:  # type: ignore[attr-defined]
            email = f"staff{time.monotonic_ns()}@clinic.example"
            create_user(session, email, PASSWORD, Role.PRACTITIONER)
        token = client.post("/api/auth/token", json={"email": email, "password": PASSWORD})
        self.headers = {"Authorization": f"Bearer {token.json()['token']}"}
        patient = client.post(
            "/api/patients",
            json={"name": "Queue Patient", "date_of_birth": "1990-01-01"},
            headers=self.headers,
        ).json()["id"]
        self.case_id = client.post(
            "/api/cases", json={"patient_id": patient, "reason": "reposition"}, headers=self.headers
        ).json()["id"]

    def upload(self, data: bytes) -> Any:
        return self.client.post(
            f"/api/cases/{self.case_id}/photos",
            files={"file": ("front.jpg", data, "image/jpeg")},
            data={"view": "front"},
            headers=self.headers,
        )

    def counts(self) -> tuple[int, int]:
        app = self.client.app
        with app.state.scalpmap.session_factory() as session:  # type: ignore[attr-defined]
            photos = session.scalar(select(func.count()).select_from(Photo))
            analyses = session.scalar(select(func.count()).select_from(PhotoAnalysis))
        return int(photos or 0), int(analyses or 0)


def clinic_on(settings: Settings, cheap_password_hashing: Any) -> Iterator[Clinic]:
    with TestClient(create_app(settings)) as client:
        yield Clinic(client, settings)


@pytest.fixture
def clinic(queue_settings: Settings, cheap_password_hashing: Any) -> Iterator[Clinic]:
    yield from clinic_on(queue_settings, cheap_password_hashing)


@pytest.fixture
def clinic_queue_down(queue_settings: Settings, cheap_password_hashing: Any) -> Iterator[Clinic]:
    settings = queue_settings.model_copy(update={"jobs_url": SecretStr(DOWN)})
    yield from clinic_on(settings, cheap_password_hashing)


def test_the_upload_only_queues_and_a_worker_analyses(clinic, workers, photo_jpeg):
    uploaded = clinic.upload(photo_jpeg)
    assert uploaded.status_code == 201, uploaded.text
    photo_id = uploaded.json()["id"]
    status = clinic.client.get(f"/api/photos/{photo_id}/analysis", headers=clinic.headers).json()
    assert status["status"] == "pending"  # nothing runs in the web app
    jobs = queue_rows(
        workers.settings,
        "SELECT status FROM procrastinate_jobs WHERE lock = %s",
        f"analysis:{status['analysis_id']}",
    )
    assert jobs == [("todo",)]  # committed with the analysis, in its transaction

    workers.start("--concurrency", "2")

    def finished() -> Any:
        body = clinic.client.get(f"/api/photos/{photo_id}/analysis", headers=clinic.headers)
        return body.json() if body.json()["status"] in ("done", "failed") else None

    body = wait_for("the worker analyses the photo", finished, timeout_s=120, every_s=0.2)
    assert body["status"] == "done", body["error"]
    assert body["analysis"]["summary"]["count"] > 0
    overlay = clinic.client.get(body["overlay_url"], headers=clinic.headers)
    assert overlay.status_code == 200 and overlay.content.startswith(b"\x89PNG")


def test_a_queue_that_is_down_answers_503_and_nothing_is_written(clinic_queue_down, photo_jpeg):
    answer = clinic_queue_down.upload(photo_jpeg)
    assert answer.status_code == 503
    assert answer.json()["detail"] == UNAVAILABLE
    assert clinic_queue_down.counts() == (0, 0)


def test_the_upload_form_says_so_in_one_line_when_the_queue_is_down(clinic_queue_down, photo_jpeg):
    client = clinic_queue_down.client
    client.headers.update(clinic_queue_down.headers)
    form = client.get(f"/cases/{clinic_queue_down.case_id}")
    assert form.status_code == 200
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    answer = client.post(
        f"/cases/{clinic_queue_down.case_id}/photos",
        files={"files": ("front.jpg", photo_jpeg, "image/jpeg")},
        data={"view": "front", "csrf_token": token},
    )
    assert answer.status_code == 503
    assert "the job queue&#39;s database is not answering" in answer.text
    assert clinic_queue_down.counts() == (0, 0)
