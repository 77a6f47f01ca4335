"""`scalpmap users create` and `scalpmap db upgrade`: one-line errors with exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from scalpmap.cli.main import app
from scalpmap.store import testing
from scalpmap.store.migrate import head_revision
from scalpmap.store.testing import temporary_database

backend = testing.backend
cheap_password_hashing = testing.cheap_password_hashing

runner = CliRunner()
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def database_url(backend, tmp_path_factory):
    with temporary_database(backend, tmp_path_factory.mktemp(f"cli-{backend}")) as url:
        yield url


@pytest.fixture
def data_dir(tmp_path, database_url, monkeypatch, cheap_password_hashing):
    monkeypatch.setenv("SCALPMAP_DATABASE_URL", database_url)
    monkeypatch.delenv("SCALPMAP_DATA_DIR", raising=False)
    return tmp_path / "data"


def email() -> str:
    return f"user-{uuid.uuid4().hex[:10]}@clinic.example"


def create(data_dir, *args, input=None):
    return runner.invoke(app, ["users", "create", *args, "--data-dir", str(data_dir)], input=input)


def stored_role(database_url, address):
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            query = text("SELECT role, password_hash FROM users WHERE email = :e")
            return connection.execute(query, {"e": address}).one_or_none()
    finally:
        engine.dispose()


def assert_one_line_error(result, fragment):
    assert result.exit_code == 2, result.output
    text_out = result.stderr or result.output
    assert "Traceback" not in text_out
    lines = [line for line in text_out.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), text_out
    assert fragment in lines[0]


def test_db_upgrade_then_create_users(data_dir, database_url):
    result = runner.invoke(app, ["db", "upgrade", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert f"revision {head_revision()}" in result.output
    address = email()
    result = create(data_dir, address.upper(), "--admin", "--password-stdin", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert f"created admin {address}" in result.output
    role, password_hash = stored_role(database_url, address)
    assert role == "admin" and password_hash.startswith("$argon2id$")


def test_password_from_a_hidden_prompt_with_confirmation(data_dir, database_url):
    address = email()
    typed = f"{PASSWORD}\n{PASSWORD}\n"
    result = create(data_dir, address, "--role", "reception", input=typed)
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden
    assert "Repeat for confirmation" in result.output
    assert stored_role(database_url, address)[0] == "reception"


def test_mismatched_confirmation_asks_again(data_dir, database_url):
    address = email()
    typed = f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n"
    result = create(data_dir, address, "--role", "practitioner", input=typed)
    assert result.exit_code == 0, result.output
    assert stored_role(database_url, address)[0] == "practitioner"


@pytest.mark.parametrize(
    ("args", "password", "fragment"),
    [
        (["--role", "admin"], "short", "at least 10 characters"),
        (["--role", "admin"], "", "at least 10 characters"),
        ([], PASSWORD, "give the user's role"),
        (["--admin", "--role", "reception"], PASSWORD, "--admin contradicts"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(data_dir, database_url, args, password, fragment):
    address = email()
    result = create(data_dir, address, *args, "--password-stdin", input=password + "\n")
    assert_one_line_error(result, fragment)
    assert stored_role(database_url, address) is None


def test_malformed_email_is_refused_before_the_password_is_asked(data_dir):
    result = create(data_dir, "not-an-email", "--admin", input="")
    assert_one_line_error(result, "invalid email address 'not-an-email'")


def test_duplicate_email_is_one_line_and_exit_2(data_dir):
    address = email()
    first = create(data_dir, address, "--admin", "--password-stdin", input=PASSWORD)
    assert first.exit_code == 0, first.output
    again = create(data_dir, address, "--role", "reception", "--password-stdin", input=PASSWORD)
    assert_one_line_error(again, "already exists")


def test_installed_command_prints_one_line_without_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCALPMAP_")}
    command = [sys.executable, "-m", "scalpmap", "users", "create", "x@clinic.example"]
    command += ["--admin", "--password-stdin", "--data-dir", str(tmp_path)]
    result = subprocess.run(command, input="weak\n", capture_output=True, text=True, env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: password too weak: use at least 10 characters"
    ]
