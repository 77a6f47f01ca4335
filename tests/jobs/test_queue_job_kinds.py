"""Plan saves and follow-up measures on the procrastinate queue (PostgreSQL at 127.0.0.1:5432).

The web app only queues them (answering 202 with the job at once) and a ``scalpmap worker``
runs them while the client polls ``GET /api/jobs/{id}``; with the queue down, the request
answers 503 and writes nothing. Skipped without PostgreSQL, failing under ``CI=true``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select

from scalpmap.config import Settings
from scalpmap.jobs.queue import UNAVAILABLE
from scalpmap.services.sample_case import (
    plan_sample_case,
    sample_baseline_png,
    sample_follow_up_png,
)
from scalpmap.services.users import create_user
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.models import Job, Photo, PhotoView, PlanVersion, Role, utcnow
from scalpmap.store.photos import PhotoStore
from scalpmap.web.app import create_app

from .conftest import PASSWORD, queue_rows, wait_for

DOWN = "postgresql://postgres@127.0.0.1:1/queue"  # nothing listens on port 1
LASER = {
    "session_date": (utcnow().date() - dt.timedelta(days=60)).isoformat(),
    "device": "PicoWay",
    "wavelength_nm": 1064,
    "pulse": "ps",
    "fluence_j_cm2": 2.5,
    "spot_mm": 4.0,
    "passes": 2,
}


@dataclass(frozen=True)
class Planned:
    """A case with an analysed photo and plan v1, its staff user, and a follow-up photo."""

    case_id: int
    analysis_id: int
    email: str
    follow_up_png: bytes


@pytest.fixture
def planned(queue_settings: Settings, cheap_password_hashing: Any) -> Planned:
    """Analyse and plan the sample case in-process (no queue needed for the set-up)."""
    engine = create_engine_for(queue_settings)
    try:
        with make_session_factory(engine)() as session:
            email = f"staff{time.monotonic_ns()}@clinic.example"
            user = create_user(session, email, PASSWORD, Role.PRACTITIONER)
            sample = plan_sample_case(
                session,
                PhotoStore(queue_settings.photos_dir),
                user,
                photo_png=sample_baseline_png(),
                view=PhotoView.FRONT,
                plan_day=utcnow().date() - dt.timedelta(days=90),
            )
            plan = session.scalar(select(PlanVersion).where(PlanVersion.case_id == sample.case_id))
            assert plan is not None and plan.analysis_id is not None
            follow_up = sample_follow_up_png(sample, erase_share=0.4, seed=1)
            return Planned(sample.case_id, plan.analysis_id, email, follow_up)
    finally:
        engine.dispose()


def _client(settings: Settings, planned: Planned) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with TestClient(create_app(settings)) as client:
        token = client.post("/api/auth/token", json={"email": planned.email, "password": PASSWORD})
        yield client, {"Authorization": f"Bearer {token.json()['token']}"}


@pytest.fixture
def queued(queue_settings: Settings, planned: Planned) -> Iterator[tuple[TestClient, dict]]:
    yield from _client(queue_settings, planned)


@pytest.fixture
def queue_down(queue_settings: Settings, planned: Planned) -> Iterator[tuple[TestClient, dict]]:
    yield from _client(queue_settings.model_copy(update={"jobs_url": SecretStr(DOWN)}), planned)


def _finished(client: TestClient, headers: dict[str, str], job: dict[str, Any]) -> Any:
    def look() -> Any:
        now = client.get(job["status_url"], headers=headers).json()
        return now if now["status"] in ("done", "failed") else None

    return wait_for(f"the worker runs {job['kind']} job {job['id']}", look, 120, every_s=0.2)


def test_a_worker_saves_the_plan_and_measures_the_follow_up(queued, planned, workers):
    client, headers = queued
    body = {  # the sample plan's own template: the follow-up's removal zone stays the same
        "analysis_id": planned.analysis_id, "template": "mature", "age": 35, "note": "on the queue"
    }  # fmt: skip
    saving = client.post(f"/api/cases/{planned.case_id}/plans", json=body, headers=headers)
    assert saving.status_code == 202, saving.text
    job = saving.json()
    assert job["status"] == "pending", job  # queued, not saved in the request
    lock = f"plan_save:{job['id']}"
    assert queue_rows(
        workers.settings, "SELECT status FROM procrastinate_jobs WHERE lock = %s", lock
    ) == [("todo",)]  # committed with the job row, in its transaction
    again = client.post(f"/api/cases/{planned.case_id}/plans", json=body, headers=headers)
    assert again.json()["id"] == job["id"]  # asked twice: one job

    workers.start("--concurrency", "2")
    done = _finished(client, headers, job)
    assert done["status"] == "done", done["error"]
    assert done["result"]["version"] == 2
    versions = client.get(f"/api/cases/{planned.case_id}/plans", headers=headers).json()
    assert [v["version"] for v in versions] == [2, 1]  # one version for the two asks

    laser_id = client.post(
        f"/api/cases/{planned.case_id}/laser-sessions", json=LASER, headers=headers
    ).json()["id"]
    files = {"file": ("after.png", planned.follow_up_png, "image/png")}
    measuring = client.post(
        f"/api/laser-sessions/{laser_id}/follow-up", files=files, headers=headers
    )
    assert measuring.status_code == 202, measuring.text
    assert measuring.json()["status"] in ("pending", "running")
    measured = _finished(client, headers, measuring.json())
    assert measured["status"] == "done", measured["error"]
    assert measured["result"]["measured"] is True, measured["result"]
    clearance = client.get(f"/api/laser-sessions/{laser_id}/clearance", headers=headers).json()
    assert 30 <= clearance["clearance"]["percent"] <= 50
    assert "follow_up" in workers.log(0) or "follow-up measure" in workers.log(0)


def _counts(settings: Settings) -> tuple[int, int, int]:
    engine = create_engine_for(settings)
    try:
        with make_session_factory(engine)() as session:
            return tuple(  # type: ignore[return-value]
                int(session.scalar(select(func.count()).select_from(model)) or 0)
                for model in (Job, PlanVersion, Photo)
            )
    finally:
        engine.dispose()


def test_a_queue_that_is_down_answers_503_and_writes_nothing(queue_down, planned, queue_settings):
    client, headers = queue_down
    before = _counts(queue_settings)
    body = {"analysis_id": planned.analysis_id, "template": "soften"}
    saving = client.post(f"/api/cases/{planned.case_id}/plans", json=body, headers=headers)
    assert saving.status_code == 503 and saving.json()["detail"] == UNAVAILABLE

    laser_id = client.post(
        f"/api/cases/{planned.case_id}/laser-sessions", json=LASER, headers=headers
    ).json()["id"]
    files = {"file": ("after.png", planned.follow_up_png, "image/png")}
    measuring = client.post(
        f"/api/laser-sessions/{laser_id}/follow-up", files=files, headers=headers
    )
    assert measuring.status_code == 503 and measuring.json()["detail"] == UNAVAILABLE
    report = client.get(f"/api/cases/{planned.case_id}/progress.pdf", headers=headers)
    assert report.status_code == 503 and report.json()["detail"] == UNAVAILABLE
    assert _counts(queue_settings) == before  # no job, no plan version, no photo
    sessions = client.get(f"/api/cases/{planned.case_id}/laser-sessions", headers=headers).json()
    assert sessions[0]["follow_up_photo_id"] is None


def test_a_worker_prints_the_progress_report(queued, planned, workers):
    client, headers = queued
    url = f"/api/cases/{planned.case_id}/progress.pdf"
    asked = client.get(url, headers=headers)
    assert asked.status_code == 202, asked.text
    job = asked.json()
    assert job["kind"] == "report" and job["status"] == "pending"
    assert client.get(url, headers=headers).json()["id"] == job["id"]  # asked twice: one job
    workers.start()
    printed = _finished(client, headers, job)
    assert printed["status"] == "done", printed["error"]
    download = client.get(printed["result"]["url"], headers=headers)
    assert download.status_code == 200 and download.content[:4] == b"%PDF"
    assert download.headers["content-type"] == "application/pdf"
    assert "report" in workers.log(0)
