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
        (["--role", "admin"], "short", "at least 12 characters"),
        (["--role", "admin"], "", "at least 12 characters"),
        (["--role", "admin"], "Password2024!", "common password"),
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
        "error: the password is too short: use at least 12 characters, e.g. three or four"
        " unrelated words"
    ]


def _run(data_dir, *args, input=None):
    return runner.invoke(app, ["users", *args, "--data-dir", str(data_dir)], input=input)


def _state(database_url, address):
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            query = text(
                "SELECT u.is_active, u.must_change_password,"
                " (SELECT COUNT(*) FROM api_tokens t WHERE t.user_id = u.id"
                "  AND t.revoked_at IS NULL) AS live_tokens"
                " FROM users u WHERE u.email = :e"
            )
            row = connection.execute(query, {"e": address}).one()
            return bool(row.is_active), bool(row.must_change_password), row.live_tokens
    finally:
        engine.dispose()


def test_token_reset_deactivate_and_activate(data_dir, database_url):
    address = email()
    assert create(data_dir, address, "--admin", "--password-stdin", input=PASSWORD).exit_code == 0
    made = _run(data_dir, "token", address, "--name", "nightly export", "--days", "30")
    assert made.exit_code == 0, made.output
    secret = made.output.strip().splitlines()[-1]
    assert secret.startswith("smp_") and "valid until" in made.output
    assert _state(database_url, address) == (True, False, 1)

    reset = _run(data_dir, "reset-password", address)
    assert reset.exit_code == 0, reset.output
    temporary = reset.output.strip().splitlines()[-1].split(": ")[-1]
    assert len(temporary) >= 16
    assert _state(database_url, address) == (True, True, 0)  # the token ended too

    typed = _run(
        data_dir, "reset-password", address, "--password-stdin", input="granite meadow pilot\n"
    )
    assert typed.exit_code == 0 and "granite meadow pilot" not in typed.output

    _run(data_dir, "token", address, "--name", "again")
    assert _run(data_dir, "deactivate", address).exit_code == 0
    assert _state(database_url, address) == (False, True, 0)
    activated = _run(data_dir, "activate", address)
    assert activated.exit_code == 0 and "sign in again" in activated.output
    assert _state(database_url, address) == (True, True, 0)  # nothing revived


@pytest.mark.parametrize(
    ("args", "input", "fragment"),
    [
        (["reset-password", "nobody@clinic.example"], None, "no user with email"),
        (["reset-password", "{email}", "--password-stdin"], "short\n", "at least 12 characters"),
        (["deactivate", "not-an-email"], None, "invalid email address"),
        (["token", "{email}", "--name", " "], None, "--name: give the token a name"),
        (["token", "{email}", "--name", "x", "--days", "91"], None, "1 to 90 days"),
    ],
)
def test_user_commands_refuse_bad_input(data_dir, args, input, fragment):
    address = email()
    assert create(data_dir, address, "--admin", "--password-stdin", input=PASSWORD).exit_code == 0
    result = _run(data_dir, *[arg.format(email=address) for arg in args], input=input)
    assert_one_line_error(result, fragment)
