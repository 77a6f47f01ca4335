"""Database engines and sessions for SQLite (the default) and PostgreSQL.

SQLite connections run in WAL mode with foreign keys enforced, a busy timeout and full
synchronisation, so a crash never loses a committed write. Python's sqlite3 module is told to
leave transactions alone and SQLAlchemy emits ``BEGIN`` itself, which makes SAVEPOINTs work
(the nested transaction each test rolls back, for instance).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from scalpmap.config import Settings
from scalpmap.errors import InputError

__all__ = [
    "BEGIN_IMMEDIATE",
    "create_engine_for",
    "make_session_factory",
    "safe_url",
    "writer_engine",
]

BEGIN_IMMEDIATE = "scalpmap_begin_immediate"
"""Execution option: on SQLite, start the transaction with ``BEGIN IMMEDIATE`` (write lock now)."""


def create_engine_for(settings: Settings, **engine_options: Any) -> Engine:
    """Create the engine for the settings' database.

    Parameters
    ----------
    settings : Settings
        The settings (see :func:`scalpmap.config.get_settings`).
    **engine_options
        Passed on to :func:`sqlalchemy.create_engine`, e.g. ``echo=True``.

    Returns
    -------
    sqlalchemy.Engine
        The engine; SQLite's folder is created when missing.

    Raises
    ------
    InputError
        When the database URL is malformed.
    """
    raw_url = settings.database_url or f"sqlite:///{settings.data_dir / 'scalpmap.db'}"
    try:
        url = make_url(raw_url)
    except ArgumentError:
        raise InputError(
            "malformed SCALPMAP_DATABASE_URL; expected e.g. sqlite:///path.db"
        ) from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")  # the driver this package installs
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **engine_options)
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    timeout_s = settings.sqlite_busy_timeout_ms / 1000
    engine = create_engine(url, connect_args={"timeout": timeout_s}, **engine_options)
    _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
    return engine


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA synchronous=FULL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(BEGIN_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writer_engine(engine: Engine) -> Engine:
    """Return the engine for sessions that write: on SQLite each transaction takes the write lock.

    On SQLite a transaction that read before another connection committed cannot start writing
    ("database is locked", at once, whatever the busy timeout); with ``BEGIN IMMEDIATE`` it
    takes the write lock first and waits for it up to ``SCALPMAP_SQLITE_BUSY_TIMEOUT_MS``.
    PostgreSQL's engine is returned as it is.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The engine.

    Returns
    -------
    sqlalchemy.Engine
        The engine whose transactions begin ``IMMEDIATE`` on SQLite.
    """
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(**{BEGIN_IMMEDIATE: True})


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Build the session factory the app and the commands use.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The engine.

    Returns
    -------
    sqlalchemy.orm.sessionmaker
        Sessions that keep loaded objects usable after a commit (``expire_on_commit=False``).
    """
    return sessionmaker(bind=engine, expire_on_commit=False)


def safe_url(engine: Engine) -> str:
    """Return the engine's URL with any password hidden, for messages and logs.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The engine.

    Returns
    -------
    str
        The URL, password replaced by ``***``.
    """
    return engine.url.render_as_string(hide_password=True)
