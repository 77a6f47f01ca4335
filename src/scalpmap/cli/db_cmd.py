"""Manage the clinic database: ``scalpmap db upgrade``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scalpmap.cli.console import lazy_console
from scalpmap.cli.errors import user_errors_exit_2

__all__ = ["DataDirOption", "app", "upgrade"]

console = lazy_console(highlight=False, soft_wrap=True)

app = typer.Typer(
    name="db",
    help="Manage the clinic database.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder for the database, photos and secret key [env SCALPMAP_DATA_DIR; "
        "default ./scalpmap-data].",
        show_default=False,
    ),
]


@app.command("upgrade")
@user_errors_exit_2
def upgrade(data_dir: DataDirOption = None) -> None:
    """Migrate the database to the newest schema (an empty database is created)."""
    from scalpmap.config import get_settings
    from scalpmap.store.engine import create_engine_for, safe_url
    from scalpmap.store.migrate import current_revision, ensure_schema

    settings = get_settings(data_dir=data_dir)
    engine = create_engine_for(settings)
    try:
        before = current_revision(engine)
        after = ensure_schema(engine)
        url = safe_url(engine)
    finally:
        engine.dispose()
    if before == after:
        console.print(f"database {url} is up to date (revision {after})")
    else:
        console.print(f"database {url} upgraded from {before or 'empty'} to revision {after}")
