"""The queue's tables on PostgreSQL: made once, brought up to date after a procrastinate upgrade.

A release of procrastinate ships its schema changes as SQL migrations; these tests stand in for
an upgrade with a folder of the shipped migrations plus a new one.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from scalpmap.jobs.queue_schema import (
    MIGRATIONS_TABLE,
    QueueSchemaError,
    QueueUnavailableError,
    applied_migrations,
    ensure_queue_schema,
    shipped_migrations,
)
from scalpmap.store import testing


@pytest.fixture
def conninfo(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty PostgreSQL database (libpq URL)."""
    with testing.temporary_database("postgresql", tmp_path) as url:
        yield make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _upgraded(tmp_path: Path, name: str, sql: str) -> Path:
    """A migrations folder as a newer release would ship it: today's, plus ``name``."""
    folder = tmp_path / "migrations"
    folder.mkdir()
    for path in shipped_migrations():
        shutil.copy(path, folder / path.name)
    (folder / name).write_text(sql, encoding="utf-8")
    return folder


def _table_exists(conninfo: str, table: str) -> bool:
    with psycopg.connect(conninfo) as connection:
        found = connection.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()
        return bool(found and found[0])


def test_a_new_database_gets_the_schema_with_every_shipped_migration_recorded(conninfo):
    assert ensure_queue_schema(conninfo) is True
    assert _table_exists(conninfo, "procrastinate_jobs")
    shipped = [path.name for path in shipped_migrations()]
    assert shipped and applied_migrations(conninfo) == shipped
    assert ensure_queue_schema(conninfo) is False  # the second start changes nothing
    assert applied_migrations(conninfo) == shipped


def test_an_upgrade_applies_the_new_migration_once(conninfo, tmp_path):
    ensure_queue_schema(conninfo)
    folder = _upgraded(
        tmp_path, "99.00.00_01_add_test_marker.sql", "CREATE TABLE scalpmap_test_marker (x int);"
    )
    assert ensure_queue_schema(conninfo, migrations=folder) is False
    assert _table_exists(conninfo, "scalpmap_test_marker")
    assert applied_migrations(conninfo)[-1] == "99.00.00_01_add_test_marker.sql"
    ensure_queue_schema(conninfo, migrations=folder)  # applied already: CREATE TABLE not run again
    assert applied_migrations(conninfo).count("99.00.00_01_add_test_marker.sql") == 1


def test_a_failing_migration_is_one_clear_error_and_is_not_recorded(conninfo, tmp_path):
    ensure_queue_schema(conninfo)
    folder = _upgraded(tmp_path, "99.00.00_01_broken.sql", "ALTER TABLE no_such_table ADD x int;")
    with pytest.raises(QueueSchemaError) as raised:
        ensure_queue_schema(conninfo, migrations=folder)
    message = str(raised.value)
    assert "\n" not in message and "99.00.00_01_broken.sql failed" in message
    assert "no_such_table" in message
    assert "99.00.00_01_broken.sql" not in applied_migrations(conninfo)


def test_tables_made_before_the_record_are_taken_as_this_release(conninfo):
    ensure_queue_schema(conninfo)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"DROP TABLE {MIGRATIONS_TABLE}")  # as the first installs left it
    assert ensure_queue_schema(conninfo) is False
    assert applied_migrations(conninfo) == [path.name for path in shipped_migrations()]


def test_a_database_that_does_not_answer_is_the_queue_unavailable():
    with pytest.raises(QueueUnavailableError):
        ensure_queue_schema("postgresql://nobody@127.0.0.1:1/nothing")


def test_a_role_that_may_not_create_tables_is_one_clear_line(conninfo):
    role = f"scalpmap_no_create_{secrets.token_hex(4)}"
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN')
        admin.execute(f'REVOKE CREATE ON SCHEMA public FROM PUBLIC, "{role}"')
    try:
        as_role = make_url(conninfo).set(username=role).render_as_string(hide_password=False)
        with pytest.raises(QueueSchemaError) as raised:
            ensure_queue_schema(as_role)
        message = str(raised.value)
        assert "\n" not in message and "could not be made or checked" in message
        assert "rights" in message
    finally:
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')
