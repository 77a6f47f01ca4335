"""Check a backup against its manifest, and a restored installation against the backup.

Every check fails with one line naming the first file or table that is wrong.
"""

from __future__ import annotations

from pathlib import Path

from scalpmap.backup.database import DatabaseFacts, read_facts
from scalpmap.backup.files import NO_PROGRESS, Progress, hash_file
from scalpmap.backup.manifest import BackupError, FileEntry, Manifest, read_manifest, store_path
from scalpmap.config import Settings
from scalpmap.store.photos import PhotoStore

__all__ = ["check_file", "verify_backup", "verify_restored"]


def check_file(path: Path, entry: FileEntry, where: str, progress: Progress = NO_PROGRESS) -> None:
    """Check that a file has the size and sha256 its manifest entry gives.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    entry : FileEntry
        What the manifest says.
    where : str
        ``"backup"`` or ``"restored copy"``, for the message.
    progress : Progress, optional
        Advanced as the file is read.

    Raises
    ------
    BackupError
        When the file is missing, or its size or sha256 differs.
    """
    try:
        sha256, size = hash_file(path, progress=progress)
    except FileNotFoundError:
        raise BackupError(f"{entry.path} is missing from the {where} ({path})") from None
    except OSError as error:
        raise BackupError(f"cannot read {path}: {error.strerror}") from None
    if (sha256, size) != (entry.sha256, entry.bytes):
        what = "size" if size != entry.bytes else "sha256"
        raise BackupError(
            f"{entry.path} in the {where} does not match the manifest ({what} differs): "
            "the file was damaged or changed; use another backup"
        )


def verify_backup(folder: Path, *, progress: Progress = NO_PROGRESS) -> Manifest:
    """Check every file of a backup against its manifest, without restoring anything.

    Parameters
    ----------
    folder : pathlib.Path
        The backup.
    progress : Progress, optional
        Shown while the files are read.

    Returns
    -------
    Manifest
        The backup's manifest, now known to match its files.

    Raises
    ------
    BackupError
        When the manifest is damaged, a file is missing or differs, or a file the database
        refers to is neither in the backup nor listed as missing.
    """
    manifest = read_manifest(folder)
    progress.start("checking the backup", sum(entry.bytes for entry in manifest.files))
    for entry in manifest.files:
        check_file(folder / entry.path, entry, "backup", progress)
    in_backup = {Path(entry.path).name for entry in manifest.photo_files}
    lost = set(manifest.referenced_files or ()) - in_backup - set(manifest.missing_files)
    if lost:
        raise BackupError(
            f"the database refers to {len(lost)} file(s) the backup lacks, e.g. {min(lost)}; "
            "the manifest was changed; use another backup"
        )
    return manifest


def verify_restored(
    settings: Settings, manifest: Manifest, *, progress: Progress = NO_PROGRESS
) -> DatabaseFacts:
    """Check a restored installation: every file's sha256, every table's rows, every reference.

    Parameters
    ----------
    settings : Settings
        The restored installation.
    manifest : Manifest
        The backup's manifest.
    progress : Progress, optional
        Shown while the photos are read.

    Returns
    -------
    DatabaseFacts
        What the restored database holds.

    Raises
    ------
    BackupError
        When a file, a table's row count or the files the rows refer to differ from the
        backup's.
    """
    root = settings.photos_dir
    photos = manifest.photo_files
    progress.start("verifying the restored photos", sum(entry.bytes for entry in photos))
    for entry in photos:
        check_file(root / store_path(entry.path), entry, "restored copy", progress)
    progress.start("verifying the restored database", 0)
    facts = read_facts(settings)
    for name in sorted(set(facts.tables) | set(manifest.tables)):
        restored, backed_up = facts.tables.get(name), manifest.tables.get(name)
        if restored != backed_up:
            raise BackupError(
                f"table {name} has {_rows(restored)} after the restore and {_rows(backed_up)} "
                "in the backup"
            )
    if facts.referenced is not None:
        store = PhotoStore(root)
        absent = {sha256 for sha256 in facts.referenced if not store.exists(sha256)}
        absent -= set(manifest.missing_files)
        if absent:
            raise BackupError(
                f"the restored database refers to {len(absent)} file(s) not restored, "
                f"e.g. {min(absent)}"
            )
    return facts


def _rows(count: int | None) -> str:
    return "no table" if count is None else f"{count} row(s)"
