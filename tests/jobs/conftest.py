"""Fixtures for the job queue's tests: a PostgreSQL database with the queue, worker processes.

These tests run against the real PostgreSQL server (``SCALPMAP_TEST_POSTGRES_URL``, by default
127.0.0.1:5432); without one they are skipped with the reason, and under ``CI=true`` they fail.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import select

from scalpmap.config import Settings, get_settings
from scalpmap.jobs.queue import enqueue, ensure_queue_schema, make_queue_app, queue_conninfo
from scalpmap.services import analyses, cases, patients, photos, users
from scalpmap.store import testing
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.migrate import ensure_schema
from scalpmap.store.models import AnalysisStatus, CaseReason, Photo, PhotoAnalysis, Role
from scalpmap.store.photos import PhotoStore

cheap_password_hashing = testing.cheap_password_hashing

PASSWORD = "correct horse battery"


@pytest.fixture
def queue_settings(tmp_path: Path) -> Iterator[Settings]:
    """Settings of an app on a fresh PostgreSQL database, with the queue's tables, jobs queued."""
    with testing.temporary_database("postgresql", tmp_path) as url:
        settings = get_settings(data_dir=tmp_path / "data", database_url=url, jobs="procrastinate")
        engine = create_engine_for(settings)
        try:
            ensure_schema(engine)
        finally:
            engine.dispose()
        ensure_queue_schema(queue_conninfo(settings))
        yield settings


def worker_env(settings: Settings) -> dict[str, str]:
    """The environment of a ``scalpmap worker`` process for these settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCALPMAP_")}
    env.update(
        SCALPMAP_DATA_DIR=str(settings.data_dir),
        SCALPMAP_DATABASE_URL=str(settings.database_url),
        SCALPMAP_JOBS=settings.jobs,
    )
    if settings.jobs_url is not None:
        env["SCALPMAP_JOBS_URL"] = settings.jobs_url.get_secret_value()
    return env


class Workers:
    """Start ``scalpmap worker`` processes, each in its own process group; ended at teardown."""

    def __init__(self, settings: Settings, folder: Path) -> None:
        self.settings = settings
        self.folder = folder
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        log = self.folder / f"worker-{len(self.processes)}.log"
        with log.open("wb") as output:  # the child keeps its own copy of the file
            process = subprocess.Popen(
                [sys.executable, "-m", "scalpmap", "worker", "--stalled-after", "3", *args],
                env=worker_env(self.settings),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def log(self, index: int) -> str:
        return (self.folder / f"worker-{index}.log").read_text()

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            try:  # children left by a worker killed alone (its forkserver)
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture
def workers(queue_settings: Settings, tmp_path: Path) -> Iterator[Workers]:
    """Start worker processes with ``workers.start()``; all are stopped after the test."""
    started = Workers(queue_settings, tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
def queue_photo(queue_settings: Settings, cheap_password_hashing: Any) -> Callable[[bytes], int]:
    """``queue_photo(data)``: store a photo on a new case, queue its analysis; the analysis id."""

    def queue(data: bytes) -> int:
        engine = create_engine_for(queue_settings)
        app = make_queue_app(queue_conninfo(queue_settings))
        store = PhotoStore(queue_settings.photos_dir)
        try:
            with make_session_factory(engine)() as session:
                email = f"staff{time.monotonic_ns()}@clinic.example"
                user = users.create_user(session, email, PASSWORD, Role.PRACTITIONER)
                patient = patients.create_patient(
                    session, patients.PatientCreate(full_name="Queue Test"), user
                )
                case = cases.open_case(session, patient.id, CaseReason.REPOSITION, user)
                photo = photos.add_photo(session, store, data, case_id=case.id, actor=user)

                def in_transaction(work: Any, analysis_id: int) -> None:
                    connection = work.connection().connection.driver_connection
                    enqueue(app, "analysis", analysis_id, connection=connection)

                row = analyses.request_analysis(session, photo.id, user, enqueue=in_transaction)
                return row.id
        finally:
            engine.dispose()

    return queue


def analysis_row(settings: Settings, analysis_id: int) -> PhotoAnalysis:
    """Read an analysis afresh."""
    engine = create_engine_for(settings)
    try:
        with make_session_factory(engine)() as session:
            row = session.get(PhotoAnalysis, analysis_id)
            assert row is not None
            session.expunge(row)
            return row
    finally:
        engine.dispose()


def analyses_of_photo(settings: Settings, analysis_id: int) -> list[PhotoAnalysis]:
    """Every analysis of the photo that ``analysis_id`` belongs to."""
    engine = create_engine_for(settings)
    try:
        with make_session_factory(engine)() as session:
            row = session.get(PhotoAnalysis, analysis_id)
            assert row is not None
            photo = session.get(Photo, row.photo_id)
            assert photo is not None
            query = select(PhotoAnalysis).where(PhotoAnalysis.photo_id == photo.id)
            return list(session.scalars(query))
    finally:
        engine.dispose()


def finished(settings: Settings, analysis_id: int) -> PhotoAnalysis | None:
    """The analysis once it is ``done`` or ``failed``, else ``None``."""
    row = analysis_row(settings, analysis_id)
    return row if row.status in (AnalysisStatus.DONE, AnalysisStatus.FAILED) else None


def jobs_settled(settings: Settings) -> bool:
    """Whether no queued job is waiting or running any more.

    A worker marks the analysis ``done`` inside the task and the job ``succeeded`` just after
    the task returns, so a test that reads the queue after an analysis ends waits for this too.
    """
    unsettled = "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
    return bool(queue_rows(settings, unsettled)[0][0] == 0)


def queue_rows(settings: Settings, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run a query on the queue's database."""
    with psycopg.connect(queue_conninfo(settings)) as connection:
        return connection.execute(sql, params).fetchall()


def wait_for(what: str, check: Callable[[], Any], timeout_s: float, every_s: float = 0.05) -> Any:
    """Call ``check`` until it returns something true; fail after ``timeout_s`` seconds."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every_s)
    raise AssertionError(f"{what}: not after {timeout_s} s")
