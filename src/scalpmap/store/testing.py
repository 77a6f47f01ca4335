"""Pytest fixtures for code that uses the database: the same tests on SQLite and PostgreSQL.

Make the fixtures visible in a ``conftest.py``::

    from scalpmap.store import testing

    backend = testing.backend
    db_settings = testing.db_settings
    db_engine = testing.db_engine
    db_session = testing.db_session

Every test that uses ``db_session`` runs twice, once per backend. PostgreSQL gets a fresh
database ``scalpmap_test_<random>`` for the test session, created through the server at
``SCALPMAP_TEST_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``)
and dropped at the end; when the server does not answer the PostgreSQL tests are skipped, with
the reason, unless ``CI=true``, where they fail. Each test runs inside a transaction that is
rolled back, so the services may commit freely (their commits become SAVEPOINT releases).

This module needs pytest, a development dependency; the app never imports it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from scalpmap.config import Settings, get_settings
from scalpmap.store import passwords
from scalpmap.store.engine import create_engine_for
from scalpmap.store.migrate import ensure_schema
from scalpmap.store.photos import PhotoStore

__all__ = [
    "BACKENDS",
    "POSTGRES_URL_ENV",
    "backend",
    "cheap_password_hashing",
    "db_engine",
    "db_session",
    "db_settings",
    "photo_store",
    "postgres_server_url",
    "require_postgres",
    "temporary_database",
]

BACKENDS = ("sqlite", "postgresql")
POSTGRES_URL_ENV = "SCALPMAP_TEST_POSTGRES_URL"
_DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres_server_url() -> str:
    """Return the URL of the PostgreSQL server the tests use (``SCALPMAP_TEST_POSTGRES_URL``).

    Returns
    -------
    str
        A URL whose database is used to create and drop the test databases.
    """
    url = make_url(os.environ.get(POSTGRES_URL_ENV) or _DEFAULT_SERVER)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def _skip_or_fail(reason: str) -> NoReturn:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


def require_postgres() -> str:
    """Skip the test (fail it when ``CI=true``) unless the PostgreSQL server answers.

    Returns
    -------
    str
        The server's URL.
    """
    url = postgres_server_url()
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        first = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        shown = make_url(url).render_as_string(hide_password=True)
        _skip_or_fail(f"no PostgreSQL server answers at {shown} ({first}); set {POSTGRES_URL_ENV}")
    finally:
        engine.dispose()
    return url


@contextmanager
def temporary_database(kind: str, folder: Path) -> Iterator[str]:
    """Create an empty database for a test run and remove it afterwards.

    Parameters
    ----------
    kind : {"sqlite", "postgresql"}
        The backend.
    folder : pathlib.Path
        Where the SQLite file goes.

    Yields
    ------
    str
        The database's URL. On PostgreSQL, when the server refuses ``CREATE DATABASE``, the
        server's own database is used as it is.
    """
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'test-{secrets.token_hex(4)}.db'}"
        return
    server = require_postgres()
    name = f"scalpmap_test_{secrets.token_hex(6)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except ProgrammingError:  # no CREATEDB right: use the given database
        admin.dispose()
        yield server
        return
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Return each backend in turn; PostgreSQL skips (fails under CI) when no server answers."""
    kind: str = request.param
    if kind == "postgresql":
        require_postgres()
    return kind


@pytest.fixture(scope="session")
def db_settings(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Yield settings for a fresh database of the backend, with a data directory of its own."""
    folder = tmp_path_factory.mktemp(f"data-{backend}")
    with temporary_database(backend, folder) as url:
        yield get_settings(data_dir=folder, database_url=url, secret_key="test-secret-key")


@pytest.fixture(scope="session")
def db_engine(db_settings: Settings) -> Iterator[Engine]:
    """Yield the engine of the migrated database."""
    engine = create_engine_for(db_settings)
    ensure_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(db_engine: Engine) -> Iterator[Session]:
    """Yield a session inside a transaction that is rolled back after the test."""
    with db_engine.connect() as connection:
        transaction = connection.begin()
        session = Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            session.close()
            transaction.rollback()


@pytest.fixture
def photo_store(tmp_path: Path) -> PhotoStore:
    """Return an empty photo store in the test's folder."""
    return PhotoStore(tmp_path / "photos")


@pytest.fixture
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    """Make argon2id hashing cheap (still argon2id) so that tests creating users stay fast."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    monkeypatch.setattr(passwords, "HASHER", hasher)
    return hasher
