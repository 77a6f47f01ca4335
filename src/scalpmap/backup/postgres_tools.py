"""Run PostgreSQL's own ``pg_dump`` and ``pg_restore`` for a database given by its URL.

The tools get the connection as libpq keywords (``host=... dbname=...``) on their command line
and the password, if any, in ``PGPASSWORD``, so it never shows in the process list. Their
versions are checked first: ``pg_dump`` must be at least the server's major version (it refuses
newer servers), and ``pg_restore`` at least the version of the ``pg_dump`` that wrote the dump.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import URL

from scalpmap.backup.manifest import BackupError

__all__ = ["client_version", "major_version", "run_pg_dump", "run_pg_restore"]

_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


def client_version(tool: str) -> str:
    """Return a PostgreSQL client tool's version, e.g. ``"15.20"``.

    Parameters
    ----------
    tool : {"pg_dump", "pg_restore"}
        The tool.

    Returns
    -------
    str
        Its version.

    Raises
    ------
    BackupError
        When the tool is not installed or does not say its version.
    """
    path = shutil.which(tool)
    if path is None:
        raise BackupError(
            f"{tool} is not installed; install PostgreSQL's client tools "
            "(Debian: apt-get install postgresql-client) of the server's version or newer"
        )
    answer = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    match = _VERSION.search(answer.stdout)
    if answer.returncode != 0 or match is None:
        raise BackupError(f"{path} --version did not give a PostgreSQL version; reinstall it")
    return f"{match[1]}.{match[2] or 0}"


def major_version(version: str) -> int:
    """Return the major number of a PostgreSQL version (``"15.20"`` gives 15).

    Examples
    --------
    >>> major_version("15.20"), major_version("9.6")
    (15, 9)
    """
    return int(version.split(".")[0])


def run_pg_dump(url: URL, out: Path, *, snapshot: str, server_major: int) -> str:
    """Dump a database in pg_dump's custom format, as of an exported snapshot.

    Parameters
    ----------
    url : sqlalchemy.engine.URL
        The database.
    out : pathlib.Path
        The dump file to write.
    snapshot : str
        A snapshot exported by a transaction that stays open until this returns
        (``SELECT pg_export_snapshot()``): the dump shows the database as that transaction does.
    server_major : int
        The server's major version.

    Returns
    -------
    str
        ``pg_dump``'s version.

    Raises
    ------
    BackupError
        When pg_dump is missing, too old for the server, or fails.
    """
    version = client_version("pg_dump")
    if major_version(version) < server_major:
        raise BackupError(
            f"pg_dump {version} cannot dump a PostgreSQL {server_major} server; install "
            f"postgresql-client-{server_major} (or newer) and run the backup again"
        )
    command = [
        "pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--compress=6",
        f"--snapshot={snapshot}", f"--file={out}", f"--dbname={_conninfo(url)}",
    ]  # fmt: skip
    _run(command, url, "pg_dump")
    return version


def run_pg_restore(url: URL, dump: Path, *, dump_version: str | None) -> None:
    """Restore a custom-format dump into an empty database, in one transaction.

    Parameters
    ----------
    url : sqlalchemy.engine.URL
        The empty database.
    dump : pathlib.Path
        The dump.
    dump_version : str or None
        The version of the pg_dump that wrote it.

    Raises
    ------
    BackupError
        When pg_restore is missing, older than the dump's pg_dump, or fails (the database is
        then left as it was: the restore runs as one transaction).
    """
    version = client_version("pg_restore")
    if dump_version is not None and major_version(version) < major_version(dump_version):
        raise BackupError(
            f"pg_restore {version} cannot read a dump of pg_dump {dump_version}; install "
            f"postgresql-client-{major_version(dump_version)} (or newer)"
        )
    command = [
        "pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
        "--exit-on-error", f"--dbname={_conninfo(url)}", str(dump),
    ]  # fmt: skip
    _run(command, url, "pg_restore")


def _conninfo(url: URL) -> str:
    params: dict[str, str | int] = {
        key: value if isinstance(value, str) else ",".join(value)
        for key, value in url.query.items()
    }
    for key, value in (("host", url.host), ("port", url.port), ("user", url.username)):
        if value is not None:
            params[key] = value
    params["dbname"] = url.database or ""
    return make_conninfo("", **params)


def _run(command: list[str], url: URL, tool: str) -> None:
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    command[0] = shutil.which(command[0]) or command[0]
    answer = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if answer.returncode != 0:
        lines = [line for line in answer.stderr.splitlines() if line.strip()]
        reason = lines[0] if lines else f"exit code {answer.returncode}"
        raise BackupError(f"{tool} failed: {reason.removeprefix(f'{tool}: ')}")
