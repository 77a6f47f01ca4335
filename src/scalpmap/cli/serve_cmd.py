"""Run the clinic web app (patients, cases, photos, designer, plans) on http://HOST:PORT."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from scalpmap.cli.console import lazy_console
from scalpmap.cli.db_cmd import DataDirOption
from scalpmap.cli.errors import user_errors_exit_2
from scalpmap.errors import InputError

__all__ = ["default_workers", "first_admin_command", "serve"]

console = lazy_console(highlight=False, soft_wrap=True)

APP_FACTORY = "scalpmap.web.app:app_from_env"


def default_workers(is_sqlite: bool) -> int:
    """Return the number of app workers when ``--workers`` is not given.

    Parameters
    ----------
    is_sqlite : bool
        Whether the database is SQLite (one worker: one laptop, one writer).

    Returns
    -------
    int
        1 with SQLite; with PostgreSQL one per CPU, between 2 and 4.
    """
    if is_sqlite:
        return 1
    return max(2, min(4, os.cpu_count() or 2))


def _program() -> str:
    """Return how this command was started: ``scalpmap`` (or its path) or ``python -m scalpmap``."""
    started = sys.argv[0] if sys.argv else ""
    if Path(started).name == "scalpmap":
        return shlex.quote(started) if os.sep in started else "scalpmap"
    return f"{shlex.quote(sys.executable)} -m scalpmap"


def first_admin_command(data_dir: Path, *, database_from_env: bool, program: str = "") -> str:
    """Return the exact command that creates the first admin in the database being served.

    Parameters
    ----------
    data_dir : pathlib.Path
        The data directory in use (absolute).
    database_from_env : bool
        Whether the database comes from ``SCALPMAP_DATABASE_URL`` (the command then needs it
        too: it is named, never printed, since it may hold a password).
    program : str, optional
        How to call scalpmap; how this process was started by default.

    Returns
    -------
    str
        E.g. ``scalpmap users create you@clinic.example --admin --data-dir /srv/scalpmap``.

    Examples
    --------
    >>> first_admin_command(Path("/srv/my data"), database_from_env=False, program="scalpmap")
    "scalpmap users create you@clinic.example --admin --data-dir '/srv/my data'"
    """
    command = (
        f"{program or _program()} users create you@clinic.example --admin "
        f"--data-dir {shlex.quote(str(data_dir))}"
    )
    if database_from_env:
        command += "   (with SCALPMAP_DATABASE_URL set as for this server)"
    return command


@user_errors_exit_2
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    data_dir: DataDirOption = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="App worker processes [default: 1 with SQLite, 2-4 with PostgreSQL].",
            min=1,
            max=64,
            show_default=False,
        ),
    ] = None,
    trusted_proxies: Annotated[
        str | None,
        typer.Option(
            "--trusted-proxies",
            "--forwarded-allow-ips",
            help=(
                "Reverse proxies whose X-Forwarded-For is believed: addresses or networks, "
                "comma-separated [env SCALPMAP_TRUSTED_PROXIES; default: none]."
            ),
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the clinic web app.

    On start an empty database is migrated, photo files staged by a crashed upload are finished
    or removed, and analyses left running by a stopped worker are marked failed.
    """
    import uvicorn

    from scalpmap.config import get_settings
    from scalpmap.store.engine import create_engine_for, make_session_factory, safe_url
    from scalpmap.store.photos import PhotoStore
    from scalpmap.web.logs import log_config
    from scalpmap.web.startup import prepare

    settings = get_settings(data_dir=data_dir, trusted_proxies=trusted_proxies)
    engine = create_engine_for(settings)
    try:
        report = prepare(engine, make_session_factory(engine), PhotoStore(settings.photos_dir))
        url = safe_url(engine)
    finally:
        engine.dispose()
    count = workers or default_workers(settings.is_sqlite)
    if settings.is_sqlite and count > 1:
        console.print("note: several workers share one SQLite file; rate limits are per worker")
    # Child processes rebuild the settings from the environment: pin the data directory.
    os.environ["SCALPMAP_DATA_DIR"] = str(settings.data_dir)
    os.environ["SCALPMAP_TRUSTED_PROXIES"] = settings.trusted_proxies
    console.print(f"database {url} at revision {report.revision}")
    if report.recovered_files or report.failed_analyses:
        console.print(
            f"recovered {report.recovered_files} staged photo file(s); "
            f"{len(report.failed_analyses)} interrupted analysis(es) marked failed"
        )
    shown_host = f"[{host}]" if ":" in host else host
    console.print(f"scalpmap is running at http://{shown_host}:{port}/ ({count} worker(s))")
    if report.user_count == 0:
        from_env = bool(os.environ.get("SCALPMAP_DATABASE_URL"))
        command = first_admin_command(settings.data_dir, database_from_env=from_env)
        console.print("no user yet: create the first admin in another terminal (it asks for a")
        console.print(f"password), then sign in:\n  {command}")
    try:
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=host,
            port=port,
            workers=count,
            proxy_headers=False,  # the app reads X-Forwarded-For from its trusted proxies only
            log_config=log_config(),
            server_header=False,
        )
    except OSError as error:
        raise InputError(f"cannot listen on {host}:{port}: {error.strerror}") from None
