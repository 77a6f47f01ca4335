"""``scalpmap restore BACKUP --data-dir D``: restore a backup into an empty place, and prove it.

1. The backup is checked first (:func:`~scalpmap.backup.verify.verify_backup`): a damaged
   manifest or a file whose sha256 differs stops the restore before anything is written.
2. The target must be empty: the data folder (missing or empty), the photo folder and the
   database (SQLite: no file yet; PostgreSQL: a database without tables).
3. The database is restored (a copy of the SQLite file, or ``pg_restore`` in one transaction),
   then the photo store's files.
4. The restored copy is verified: every file's sha256, every table's row count and every file
   the restored rows refer to (:func:`~scalpmap.backup.verify.verify_restored`).

The restored installation gets a new secret key (it is not in the backup), so staff sign in
again; everything else is as it was when the backup's snapshot was taken.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from scalpmap.backup.create import check_new_folder
from scalpmap.backup.database import (
    DatabaseFacts,
    backend_of,
    is_empty_database,
    restore_database,
)
from scalpmap.backup.files import NO_PROGRESS, Progress, copy_hashed
from scalpmap.backup.manifest import BackupError, Manifest, store_path
from scalpmap.backup.verify import check_file, verify_backup, verify_restored
from scalpmap.config import Settings, get_settings

__all__ = ["RestoreSummary", "restore_backup"]


@dataclass(frozen=True)
class RestoreSummary:
    """What :func:`restore_backup` restored and verified.

    Attributes
    ----------
    settings : Settings
        The restored installation's settings (run the app with the same data folder and
        database URL).
    manifest : Manifest
        The backup's manifest.
    facts : DatabaseFacts
        The restored database's row counts and references, equal to the backup's.
    """

    settings: Settings
    manifest: Manifest
    facts: DatabaseFacts


def restore_backup(
    backup: Path,
    data_dir: Path,
    *,
    database_url: str | None = None,
    photo_storage_dir: Path | None = None,
    progress: Progress = NO_PROGRESS,
) -> RestoreSummary:
    """Restore a backup into an empty data folder (and empty database), then verify it.

    Parameters
    ----------
    backup : pathlib.Path
        The backup folder.
    data_dir : pathlib.Path
        The new data folder; missing or empty.
    database_url : str, optional
        The empty database to restore into (needed for a PostgreSQL backup); SQLite under
        ``data_dir`` by default (or ``SCALPMAP_DATABASE_URL``).
    photo_storage_dir : pathlib.Path, optional
        A photo folder other than ``data_dir/photos``; missing or empty.
    progress : Progress, optional
        Shown while files are checked and copied.

    Returns
    -------
    RestoreSummary
        The restored installation and what it holds.

    Raises
    ------
    BackupError
        When the backup is damaged, the target is not empty, or the restored copy differs from
        the backup.
    """
    folder = backup.expanduser().resolve()
    target = data_dir.expanduser().resolve()
    check_new_folder(target, "target folder")  # at once, before the backup's long check
    manifest = verify_backup(folder, progress=progress)
    settings = _prepare_target(target, database_url, photo_storage_dir, manifest)
    try:
        _restore(folder, settings, manifest, progress)
        facts = verify_restored(settings, manifest, progress=progress)
    except BackupError as error:
        raise BackupError(
            f"{error} (the restore into {target} is incomplete: empty it, and the target "
            "database, before trying again)"
        ) from None
    return RestoreSummary(settings, manifest, facts)


def _prepare_target(
    target: Path, database_url: str | None, photo_storage_dir: Path | None, manifest: Manifest
) -> Settings:
    check_new_folder(target, "target folder")
    existed = target.exists()
    try:
        settings = get_settings(
            data_dir=target, database_url=database_url, photo_storage_dir=photo_storage_dir
        )
        if settings.photo_storage_dir is not None:
            check_new_folder(settings.photos_dir, "photo folder")
        backend = backend_of(settings)
        if backend != manifest.backend:
            raise BackupError(
                f"this backup holds a {manifest.backend} database and the target is {backend}; "
                + (
                    "give --database-url of an empty PostgreSQL database"
                    if manifest.backend == "postgresql"
                    else "leave out --database-url to restore into SQLite"
                )
            )
        if not is_empty_database(settings):
            shown = make_url(settings.database_url or "").render_as_string(hide_password=True)
            raise BackupError(
                f"the target database {shown} is not empty; restore into a new, empty database"
            )
    except BaseException:
        _undo(target, existed)
        raise
    return settings


def _restore(folder: Path, settings: Settings, manifest: Manifest, progress: Progress) -> None:
    database = manifest.database_file
    progress.start("restoring the database", 0)
    restore_database(settings, manifest.backend, folder / database.path, manifest.tool_version)
    if manifest.backend == "sqlite":  # checked before anything opens (and changes) the file
        check_file(Path(make_url(settings.database_url or "").database or ""), database,
                   "restored copy")  # fmt: skip
    root = settings.photos_dir
    photos = manifest.photo_files
    progress.start("restoring the photos", sum(entry.bytes for entry in photos))
    for entry in photos:
        try:
            copy_hashed(folder / entry.path, root / store_path(entry.path), mode=0o440,
                        progress=progress)  # fmt: skip
        except OSError as error:
            raise BackupError(f"cannot restore {entry.path}: {error.strerror}") from None


def _undo(target: Path, existed: bool) -> None:
    """Remove what preparing the target wrote into it (it was missing or empty before)."""
    if not target.is_dir():
        return
    if not existed:
        shutil.rmtree(target, ignore_errors=True)
        return
    for item in target.iterdir():
        if item.is_dir() and not item.is_symlink():
            shutil.rmtree(item, ignore_errors=True)
        else:
            item.unlink(missing_ok=True)
