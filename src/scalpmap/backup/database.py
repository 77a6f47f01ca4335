"""The database's part of a backup: a consistent snapshot, its facts, and its restore.

*SQLite*: :meth:`sqlite3.Connection.backup` copies the whole database in one step, inside one
read transaction; in WAL mode the app's writers carry on meanwhile. *PostgreSQL*: a
``REPEATABLE READ`` transaction exports its snapshot, ``pg_dump --snapshot`` dumps exactly what
that transaction sees, and the same transaction counts the rows and reads the file references,
so the manifest's figures are the dump's.

Every table the database has is counted (:func:`table_row_counts` asks the database, not the
models), so tables added by later migrations are covered without a change here.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, create_engine, func, inspect, select, table, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from scalpmap.backup.files import copy_hashed
from scalpmap.backup.manifest import DATABASE_FILES, Backend, BackupError
from scalpmap.backup.postgres_tools import run_pg_dump, run_pg_restore
from scalpmap.config import Settings
from scalpmap.services.photos import referenced_files
from scalpmap.store.engine import create_engine_for
from scalpmap.store.migrate import head_revision

__all__ = [
    "DatabaseFacts",
    "DatabaseSnapshot",
    "backend_of",
    "database_facts",
    "is_empty_database",
    "read_facts",
    "restore_database",
    "snapshot_database",
    "table_row_counts",
]


@dataclass(frozen=True)
class DatabaseFacts:
    """What a database holds, as the manifest records it.

    Attributes
    ----------
    tables : dict of str to int
        Every table's row count.
    revision : str or None
        The migration revision.
    referenced : set of str or None
        The store files its rows refer to; ``None`` when the revision is not this scalpmap's
        newest (the models may not match the tables, so the references are not read).
    """

    tables: dict[str, int]
    revision: str | None
    referenced: set[str] | None


@dataclass(frozen=True)
class DatabaseSnapshot:
    """A database snapshot written into a backup folder.

    Attributes
    ----------
    backend : {"sqlite", "postgresql"}
        Where it came from.
    path : pathlib.Path
        The file written.
    facts : DatabaseFacts
        What the snapshot holds.
    tool_version : str or None
        pg_dump's version (PostgreSQL only).
    """

    backend: Backend
    path: Path
    facts: DatabaseFacts
    tool_version: str | None = None


def backend_of(settings: Settings) -> Backend:
    """Return which database the settings name (``sqlite`` or ``postgresql``).

    Raises
    ------
    BackupError
        For any other database.
    """
    name = _url(settings).get_backend_name()
    if name == "sqlite":
        return "sqlite"
    if name in ("postgresql", "postgres"):
        return "postgresql"
    raise BackupError(f"cannot back up a {name} database; scalpmap supports SQLite and PostgreSQL")


def table_row_counts(connection: Connection) -> dict[str, int]:
    """Count the rows of every table of the database's default schema.

    Parameters
    ----------
    connection : sqlalchemy.Connection
        The database (inside the transaction whose view is wanted).

    Returns
    -------
    dict of str to int
        Row counts by table name, sorted by name.
    """
    names = sorted(inspect(connection).get_table_names())
    count = func.count()
    return {
        name: int(connection.scalar(select(count).select_from(table(name))) or 0) for name in names
    }


def database_facts(connection: Connection) -> DatabaseFacts:
    """Read a database's row counts, revision and file references in one transaction's view.

    Parameters
    ----------
    connection : sqlalchemy.Connection
        The database.

    Returns
    -------
    DatabaseFacts
        What it holds.
    """
    revision = MigrationContext.configure(connection).get_current_revision()
    tables = table_row_counts(connection)
    referenced = None
    if revision == head_revision():
        with Session(bind=connection) as session:
            referenced = referenced_files(session)
    return DatabaseFacts(tables, revision, referenced)


def read_facts(settings: Settings) -> DatabaseFacts:
    """Read the facts of the settings' database (after a restore).

    Parameters
    ----------
    settings : Settings
        Names the database.

    Returns
    -------
    DatabaseFacts
        What it holds.
    """
    engine = create_engine_for(settings)
    try:
        with engine.connect() as connection, connection.begin():
            return database_facts(connection)
    finally:
        engine.dispose()


def snapshot_database(settings: Settings, folder: Path) -> DatabaseSnapshot:
    """Write a consistent snapshot of the running app's database into a backup folder.

    Parameters
    ----------
    settings : Settings
        Names the database.
    folder : pathlib.Path
        The backup folder; the snapshot goes to ``database/`` inside it (replacing an earlier
        one).

    Returns
    -------
    DatabaseSnapshot
        The file and its facts.

    Raises
    ------
    BackupError
        When the database cannot be read or dumped.
    """
    backend = backend_of(settings)
    path = folder / DATABASE_FILES[backend]
    path.parent.mkdir(mode=0o700, exist_ok=True)
    path.unlink(missing_ok=True)
    if backend == "sqlite":
        return _snapshot_sqlite(settings, path)
    return _snapshot_postgres(settings, path)


def _snapshot_sqlite(settings: Settings, path: Path) -> DatabaseSnapshot:
    source_file = _url(settings).database or ""
    if source_file in ("", ":memory:") or not Path(source_file).is_file():
        raise BackupError(
            f"there is no SQLite database at {source_file or '(no path)'}; "
            "check --data-dir or SCALPMAP_DATABASE_URL"
        )
    timeout_s = settings.sqlite_busy_timeout_ms / 1000
    try:
        source = sqlite3.connect(
            f"{Path(source_file).as_uri()}?mode=rw", uri=True, timeout=timeout_s
        )
        try:
            target = sqlite3.connect(path)
            try:
                source.backup(target)  # all pages in one step: one consistent read transaction
                target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.Error as error:
        raise BackupError(f"cannot copy the SQLite database {source_file}: {error}") from None
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection, connection.begin():
            facts = database_facts(connection)
    finally:
        engine.dispose()
    return DatabaseSnapshot("sqlite", path, facts)


def _snapshot_postgres(settings: Settings, path: Path) -> DatabaseSnapshot:
    engine = create_engine_for(settings)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            with connection.begin():
                server = int(connection.scalar(text("SHOW server_version_num")) or 0)
                snapshot = str(connection.scalar(text("SELECT pg_export_snapshot()")))
                facts = database_facts(connection)
                version = run_pg_dump(
                    engine.url, path, snapshot=snapshot, server_major=server // 10000
                )
        path.chmod(0o600)
    except OperationalError as error:
        raise BackupError(f"cannot read the database: {_first_line(error)}") from None
    finally:
        engine.dispose()
    return DatabaseSnapshot("postgresql", path, facts, version)


def is_empty_database(settings: Settings) -> bool:
    """Tell whether the settings' database has no table (or, for SQLite, no file) yet.

    Parameters
    ----------
    settings : Settings
        Names the database.

    Returns
    -------
    bool
        Whether a restore may write into it.

    Raises
    ------
    BackupError
        When a PostgreSQL database cannot be reached.
    """
    if backend_of(settings) == "sqlite":
        database = _url(settings).database or ""
        return database not in ("", ":memory:") and not Path(database).exists()
    engine = create_engine_for(settings)
    query = text(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg_toast%' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
    )
    try:
        with engine.connect() as connection:
            return not connection.scalar(query)
    except OperationalError as error:
        raise BackupError(f"cannot reach the target database: {_first_line(error)}") from None
    finally:
        engine.dispose()


def restore_database(
    settings: Settings, backend: Backend, dump: Path, tool_version: str | None
) -> None:
    """Restore a snapshot into the settings' (empty) database.

    Parameters
    ----------
    settings : Settings
        Names the target database; for SQLite its file must not exist yet.
    backend : {"sqlite", "postgresql"}
        The snapshot's database.
    dump : pathlib.Path
        The snapshot (checked against the manifest beforehand).
    tool_version : str or None
        The pg_dump version that wrote a PostgreSQL dump.

    Raises
    ------
    BackupError
        When the backends differ or the restore fails.
    """
    target = backend_of(settings)
    if target != backend:
        raise BackupError(
            f"this backup holds a {backend} database and the target is {target}; "
            f"restore it into a {backend} database"
        )
    if backend == "postgresql":
        run_pg_restore(_url(settings), dump, dump_version=tool_version)
        return
    database = Path(_url(settings).database or "")
    database.parent.mkdir(parents=True, exist_ok=True)
    temp = database.with_name(f".{database.name}.restoring")
    copy_hashed(dump, temp)
    temp.replace(database)


def _url(settings: Settings) -> URL:
    return make_url(settings.database_url or "sqlite://")


def _first_line(error: OperationalError) -> str:
    text_ = str(error.orig or error).strip()
    return text_.splitlines()[0] if text_ else "no answer"
