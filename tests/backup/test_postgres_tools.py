"""pg_dump and pg_restore: versions checked first, the password kept off the command line."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy.engine import make_url

from scalpmap.backup import postgres_tools
from scalpmap.backup.manifest import BackupError
from scalpmap.backup.postgres_tools import run_pg_dump, run_pg_restore
from scalpmap.store import testing


def needs(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (apt-get install postgresql-client)")


def test_a_pg_dump_older_than_the_server_is_refused(tmp_path):
    needs("pg_dump")
    url = make_url("postgresql://postgres@127.0.0.1/none")
    version = postgres_tools.client_version("pg_dump")
    with pytest.raises(BackupError, match=f"pg_dump {version} cannot dump a PostgreSQL 99 "
                       "server; install postgresql-client-99"):  # fmt: skip
        run_pg_dump(url, tmp_path / "x.dump", snapshot="00000003-1", server_major=99)
    assert not (tmp_path / "x.dump").exists()


def test_a_missing_tool_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(postgres_tools.shutil, "which", lambda _name: None)
    with pytest.raises(BackupError, match="pg_restore is not installed; install PostgreSQL"):
        run_pg_restore(make_url("postgresql://x@h/db"), tmp_path / "x.dump", dump_version=None)


def test_the_password_goes_in_the_environment_not_the_command_line(tmp_path, monkeypatch):
    needs("pg_restore")
    seen = []

    def fake_run(command, **options):
        seen.append((command, options.get("env", {})))
        return subprocess.CompletedProcess(command, 0, "pg_restore (PostgreSQL) 15.2\n", "")

    monkeypatch.setattr(postgres_tools.subprocess, "run", fake_run)
    url = make_url("postgresql+psycopg://clinic:s3cret@db.example:5433/scalpmap?sslmode=require")
    run_pg_restore(url, tmp_path / "x.dump", dump_version="15.2")
    command, env = seen[-1]
    assert not any("s3cret" in part for part in command)
    assert env["PGPASSWORD"] == "s3cret"
    dbname = next(part for part in command if part.startswith("--dbname="))
    for word in (
        "host=db.example",
        "port=5433",
        "user=clinic",
        "dbname=scalpmap",
        "sslmode=require",
    ):
        assert word in dbname


def test_a_damaged_dump_fails_in_one_line_and_leaves_the_database_empty(tmp_path):
    needs("pg_restore")
    (tmp_path / "x.dump").write_bytes(b"PGDMP but nothing more")
    with testing.temporary_database("postgresql", tmp_path) as url:
        with pytest.raises(BackupError, match="^pg_restore failed: ") as caught:
            run_pg_restore(make_url(url), tmp_path / "x.dump", dump_version=None)
    assert "\n" not in str(caught.value)
