"""Back up and restore the clinic's data: ``scalpmap backup|restore|verify-backup``.

The commands load the database layer inside their functions, so that ``--help`` answers at
once. docs/backup.md explains them for the clinic.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scalpmap.cli.console import lazy_console
from scalpmap.cli.db_cmd import DataDirOption
from scalpmap.cli.errors import user_errors_exit_2

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

__all__ = ["RichProgress", "backup", "restore", "verify_backup"]

console = lazy_console(highlight=False, soft_wrap=True)

BackupArgument = Annotated[
    Path, typer.Argument(metavar="BACKUP", help="The backup folder scalpmap backup made.")
]


class RichProgress:
    """Draw a backup's steps as one rich progress bar (bytes done, speed, time left)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def start(self, description: str, total: int) -> None:
        """Begin a step of ``total`` bytes (0: a step without a measure, shown as a pulse)."""
        if self.task is not None:
            self.progress.remove_task(self.task)
        self.task = self.progress.add_task(description, total=total or None)

    def advance(self, amount: int) -> None:
        """Count ``amount`` more bytes done."""
        if self.task is not None:
            self.progress.advance(self.task, amount)


@contextmanager
def rich_progress() -> Iterator[RichProgress]:
    """Show a transient progress bar on the console while the block runs."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    shown = console.is_terminal  # no bar (nor its blank line) in a log or a pipe
    with Progress(*columns, console=console, transient=True, disable=not shown) as progress:
        yield RichProgress(progress)


@user_errors_exit_2
def backup(
    out: Annotated[
        Path, typer.Argument(metavar="OUT", help="New (or empty) folder for the backup.")
    ],
    data_dir: DataDirOption = None,
) -> None:
    """Back up the database and the photo store into a new folder, while the app runs.

    Each file's sha256 and each table's row count go into OUT/manifest.json. Exit code 1 when
    the database refers to files missing from the photo store (the backup is still made).
    """
    from scalpmap.backup.create import create_backup
    from scalpmap.config import get_settings

    settings = get_settings(data_dir=data_dir)
    with rich_progress() as progress:
        made = create_backup(settings, out, progress=progress)
    manifest = made.manifest
    rows = sum(manifest.tables.values())
    console.print(
        f"backup {made.folder}: {manifest.backend} database ({len(manifest.tables)} tables, "
        f"{rows} rows), {len(manifest.photo_files)} photo-store files "
        f"({made.photo_bytes / 1e6:.1f} MB)"
    )
    if manifest.referenced_files is None:
        console.print(
            f"note: the database is at revision {manifest.schema_revision}, not this scalpmap's; "
            "the files its rows refer to were not checked"
        )
    if manifest.damaged_files:
        console.print(
            f"warning: {len(manifest.damaged_files)} photo-store file(s) do not match their "
            f"name (damaged on disk), e.g. {manifest.damaged_files[0]}; copied as they are"
        )
    if manifest.missing_files:
        console.print(
            f"warning: the database refers to {len(manifest.missing_files)} file(s) missing "
            f"from the photo store {settings.photos_dir}, e.g. {manifest.missing_files[0]}"
        )
        raise typer.Exit(code=1)


@user_errors_exit_2
def restore(
    backup_folder: BackupArgument,
    data_dir: Annotated[
        Path,
        typer.Option(
            "--data-dir", help="New (or empty) data folder to restore into.", show_default=False
        ),
    ],
    database_url: Annotated[
        str | None,
        typer.Option(
            help="Empty PostgreSQL database to restore a PostgreSQL backup into "
            "[env SCALPMAP_DATABASE_URL; default: SQLite in the data folder].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Restore a backup into an empty place, then verify every file's sha256 and every row count.

    The backup is checked before anything is written; a non-empty target is refused.
    """
    from scalpmap.backup.restore import restore_backup
    from scalpmap.store.engine import create_engine_for, safe_url

    with rich_progress() as progress:
        done = restore_backup(backup_folder, data_dir, database_url=database_url,
                              progress=progress)  # fmt: skip
    engine = create_engine_for(done.settings)
    url = safe_url(engine)
    engine.dispose()
    rows = sum(done.facts.tables.values())
    console.print(
        f"restored {backup_folder} into {done.settings.data_dir} (database {url}): "
        f"{len(done.facts.tables)} tables, {rows} rows and "
        f"{len(done.manifest.photo_files)} photo-store files, all verified"
    )
    console.print(
        f"start it with: SCALPMAP_DATA_DIR={done.settings.data_dir} scalpmap serve"
        + ("" if done.settings.is_sqlite else f" (and SCALPMAP_DATABASE_URL={url})")
    )


@user_errors_exit_2
def verify_backup(backup_folder: BackupArgument) -> None:
    """Check a backup without restoring it: every file's size and sha256 against its manifest."""
    from scalpmap.backup.verify import verify_backup as verify

    with rich_progress() as progress:
        manifest = verify(backup_folder, progress=progress)
    console.print(
        f"backup {backup_folder} of {manifest.created_at} is whole: {len(manifest.files)} "
        f"files match their sha256 ({manifest.backend}, {sum(manifest.tables.values())} rows)"
    )
