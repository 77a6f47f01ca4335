"""``scalpmap worker``'s refusals: one line and exit code 2, before anything starts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from scalpmap.cli.main import app
from scalpmap.config import get_settings
from scalpmap.errors import InputError
from scalpmap.jobs.queue import queue_conninfo


def run_worker(tmp_path, monkeypatch, **env):
    for name in ("SCALPMAP_JOBS", "SCALPMAP_JOBS_URL", "SCALPMAP_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return CliRunner().invoke(app, ["worker", "--data-dir", str(tmp_path)])


def test_the_worker_refuses_to_start_with_inline_jobs(tmp_path, monkeypatch):
    result = run_worker(tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert "SCALPMAP_JOBS=procrastinate" in result.output
    assert "Traceback" not in result.output


def test_the_worker_refuses_a_queue_on_sqlite(tmp_path, monkeypatch):
    result = run_worker(tmp_path, monkeypatch, SCALPMAP_JOBS="procrastinate")
    assert result.exit_code == 2
    assert "needs PostgreSQL" in result.output


def test_a_wrong_backend_name_is_one_line(tmp_path, monkeypatch):
    result = run_worker(tmp_path, monkeypatch, SCALPMAP_JOBS="celery")
    assert result.exit_code == 2
    assert "SCALPMAP_JOBS" in result.output and "'inline' or 'procrastinate'" in result.output


def test_the_queue_url_is_the_jobs_url_else_the_database(tmp_path):
    own = get_settings(
        data_dir=tmp_path, database_url="postgresql+psycopg://app@db/clinic", jobs="procrastinate"
    )
    assert queue_conninfo(own) == "postgresql://app@db/clinic"
    apart = own.model_copy(update={"jobs_url": SecretStr("postgresql+psycopg://q:pw@queue/jobs")})
    assert queue_conninfo(apart) == "postgresql://q:pw@queue/jobs"
    with pytest.raises(InputError, match="needs PostgreSQL"):
        queue_conninfo(get_settings(data_dir=tmp_path, jobs="procrastinate"))


def test_a_wrong_priority_is_one_line(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCALPMAP_")}
    done = subprocess.run(
        [sys.executable, "-m", "scalpmap", "worker", "--priority", "high"],
        env=env | {"SCALPMAP_JOBS": "procrastinate", "SCALPMAP_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1 and "'idle', 'low', 'normal'" in lines[0], lines
    assert lines[0].startswith("error: Invalid value for '--priority'")
