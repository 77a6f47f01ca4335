"""The queue's tables: made on first use, and brought up to date when procrastinate is upgraded.

procrastinate keeps its jobs in tables, functions and triggers of its own, and a new release may
change them: it ships each change as an SQL migration (``<version>_<nn>_<name>.sql``, in
``procrastinate/sql/migrations``) and leaves applying them to the application. scalpmap records
the migrations a queue database has in a table of its own, ``scalpmap_queue_migrations``:

- a database without the queue's tables gets procrastinate's whole schema, and every migration
  the installed release ships is recorded as applied (the schema already holds them);
- a database with the tables gets, in order, each shipped migration it has not recorded, each in
  a transaction of its own with its record, so an upgrade that stops half-way is taken up again
  at the next start;
- a database whose tables were made before this record existed (scalpmap 0.1's first queue
  installs, all made with procrastinate 3.10, which pyproject.toml now asks for at least) is
  taken to hold the installed release's schema.

Every process that uses the queue calls :func:`ensure_queue_schema` at its start (web app,
worker, ``scalpmap reanalyse``); an advisory lock lets one of them do the work at a time.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import psycopg

from scalpmap.errors import ScalpmapError

__all__ = [
    "MIGRATIONS_TABLE",
    "QueueSchemaError",
    "QueueUnavailableError",
    "UNAVAILABLE",
    "applied_migrations",
    "ensure_queue_schema",
    "shipped_migrations",
]

log = logging.getLogger(__name__)

UNAVAILABLE = (
    "the job queue's database is not answering, so nothing was saved; "
    "try again in a minute, and tell your administrator if it lasts"
)
"""The one line a user sees when a job cannot be queued."""

MIGRATIONS_TABLE = "scalpmap_queue_migrations"
"""The table that records the procrastinate migrations applied to a queue database."""

_SCHEMA_LOCK = 727_001_213  # pg_advisory_lock key: one process changes the queue's tables
_MIGRATION_NAME = re.compile(r"^\d{2}\.\d{2}\.\d{2}_\d{2}_[A-Za-z0-9_]+\.sql$")


class QueueUnavailableError(ScalpmapError):
    """The queue's database did not answer; nothing was queued (HTTP 503)."""


class QueueSchemaError(ScalpmapError):
    """A migration of the queue's tables failed; the database keeps the ones before it."""


def _default_migrations_path() -> Path:
    from procrastinate.schema import SchemaManager

    return Path(SchemaManager.get_migrations_path())


def shipped_migrations(folder: Path | None = None) -> list[Path]:
    """List the migrations the installed procrastinate ships, oldest first.

    Parameters
    ----------
    folder : pathlib.Path, optional
        Where they are; procrastinate's own folder when omitted.

    Returns
    -------
    list of pathlib.Path
        The ``.sql`` files, sorted by name (their names start with the release they belong to).
    """
    folder = folder or _default_migrations_path()
    return sorted(p for p in folder.iterdir() if p.is_file() and _MIGRATION_NAME.match(p.name))


def applied_migrations(conninfo: str) -> list[str]:
    """List the migrations recorded as applied to a queue database.

    Parameters
    ----------
    conninfo : str
        The queue's database.

    Returns
    -------
    list of str
        The migrations' file names, in the order they were recorded; empty without the record.

    Raises
    ------
    QueueUnavailableError
        When the database does not answer.
    """
    try:
        with psycopg.connect(conninfo, connect_timeout=5, autocommit=True) as connection:
            if not _exists(connection, MIGRATIONS_TABLE):
                return []
            rows = connection.execute(f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY id").fetchall()
            return [str(row[0]) for row in rows]
    except psycopg.OperationalError as error:
        raise QueueUnavailableError(UNAVAILABLE) from error


def ensure_queue_schema(conninfo: str, *, migrations: Path | None = None) -> bool:
    """Make the queue's tables when missing, and apply the migrations not yet applied.

    Safe from several processes at once (an advisory lock).

    Parameters
    ----------
    conninfo : str
        The queue's database.
    migrations : pathlib.Path, optional
        The folder of migrations; procrastinate's own when omitted (tests give another).

    Returns
    -------
    bool
        Whether the tables were made now.

    Raises
    ------
    QueueUnavailableError
        When the database does not answer.
    QueueSchemaError
        When a migration fails (the ones before it stay applied and recorded), or the tables
        cannot be made or read (e.g. the role may not create tables).
    """
    shipped = shipped_migrations(migrations)
    try:
        connection = psycopg.connect(conninfo, connect_timeout=5, autocommit=True)
    except psycopg.OperationalError as error:
        raise QueueUnavailableError(UNAVAILABLE) from error
    with connection:
        try:
            connection.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
            try:
                return _ensure(connection, shipped)
            finally:
                connection.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))
        except psycopg.OperationalError as error:
            if connection.closed:
                raise QueueUnavailableError(UNAVAILABLE) from error
            raise _schema_error(error) from error
        except psycopg.Error as error:  # e.g. no right to create tables
            raise _schema_error(error) from error


def _schema_error(error: psycopg.Error) -> QueueSchemaError:
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return QueueSchemaError(
        f"the job queue's tables could not be made or checked ({first_line}); "
        "check the database role's rights on the queue's database"
    )


def _exists(connection: psycopg.Connection, table: str) -> bool:
    found = connection.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()
    return bool(found and found[0])


def _ensure(connection: psycopg.Connection, shipped: list[Path]) -> bool:
    from procrastinate.schema import SchemaManager

    with connection.transaction():
        if not _exists(connection, MIGRATIONS_TABLE):  # no CREATE (and no right needed) once made
            connection.execute(
                f"CREATE TABLE {MIGRATIONS_TABLE} ("
                " id serial PRIMARY KEY, name text UNIQUE NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now(), how text NOT NULL)"
            )
        recorded = {str(r[0]) for r in connection.execute(f"SELECT name FROM {MIGRATIONS_TABLE}")}
        if not _exists(connection, "procrastinate_jobs"):
            connection.execute(SchemaManager.get_schema())
            _record(connection, [p.name for p in shipped if p.name not in recorded], "schema")
            log.info("created the job queue's tables")
            return True
        if not recorded:  # tables made before migrations were recorded: by this release
            _record(connection, [p.name for p in shipped], "assumed")
            return False
    for path in shipped:
        if path.name in recorded:
            continue
        try:
            with connection.transaction():
                connection.execute(path.read_text(encoding="utf-8"))
                _record(connection, [path.name], "migrated")
        except psycopg.Error as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else error
            raise QueueSchemaError(
                f"the job queue's tables could not be brought up to date: migration "
                f"{path.name} failed ({first_line}); the ones before it are applied; "
                "fix the database or reinstall the procrastinate release it was made with"
            ) from error
        log.info("job queue: applied procrastinate migration %s", path.name)
    return False


def _record(connection: psycopg.Connection, names: list[str], how: str) -> None:
    for name in names:
        connection.execute(
            f"INSERT INTO {MIGRATIONS_TABLE} (name, how) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (name, how),
        )
