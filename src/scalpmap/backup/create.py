"""``scalpmap backup OUT``: a consistent backup of the database and the photo store, live.

The order makes the copy consistent while the app keeps writing:

1. the photo store's files are copied (most of the work);
2. the database snapshot is taken (:func:`~scalpmap.backup.database.snapshot_database`);
3. the files that appeared meanwhile are copied, and every file the snapshot refers to is
   looked for: in the store or, for a row committed a moment before its file was moved into
   place, under the store's ``incoming/``.

Store files are named by their content and never change, so a file copied in step 1 is the
file the snapshot refers to. Files written after the snapshot may be in the backup too; they
do no harm. A referenced file can only be missing if it was deleted between the snapshot and
step 3 (its row deleted after the snapshot): then the snapshot is taken again, at most
``SNAPSHOT_ATTEMPTS`` times. What is still missing then is missing from the store itself; the
backup is finished and names those files (``missing_files``).

The backup is written into a hidden folder beside ``OUT`` and renamed to ``OUT`` at the end,
so a backup that was interrupted never looks complete.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from scalpmap import __version__
from scalpmap.backup.database import DatabaseSnapshot, snapshot_database
from scalpmap.backup.files import NO_PROGRESS, Progress, copy_hashed, hash_file
from scalpmap.backup.manifest import BackupError, FileEntry, Manifest, write_manifest
from scalpmap.config import Settings
from scalpmap.store.photo_files import find_file, stored_files
from scalpmap.store.photos import PhotoStore, fsync_dir

__all__ = ["SNAPSHOT_ATTEMPTS", "BackupSummary", "check_new_folder", "create_backup"]

SNAPSHOT_ATTEMPTS = 3


@dataclass(frozen=True)
class BackupSummary:
    """What :func:`create_backup` wrote.

    Attributes
    ----------
    folder : pathlib.Path
        The backup.
    manifest : Manifest
        Its manifest.
    snapshots : int
        How many database snapshots were taken (more than 1 when files were deleted meanwhile).
    """

    folder: Path
    manifest: Manifest
    snapshots: int

    @property
    def photo_bytes(self) -> int:
        """Bytes of photo-store files in the backup."""
        return sum(entry.bytes for entry in self.manifest.photo_files)


def check_new_folder(folder: Path, what: str) -> None:
    """Refuse a folder that exists and is not empty (a backup or restore writes only new places).

    Parameters
    ----------
    folder : pathlib.Path
        The folder to write.
    what : str
        What it is for, in the message (e.g. ``"backup folder"``).

    Raises
    ------
    BackupError
        When it is a file or a folder with something in it.
    """
    if folder.is_dir():
        if any(folder.iterdir()):
            raise BackupError(f"the {what} {folder} is not empty; give a new or empty folder")
    elif folder.exists():
        raise BackupError(f"the {what} {folder} is a file; give a new or empty folder")


def create_backup(
    settings: Settings, out: Path, *, progress: Progress = NO_PROGRESS
) -> BackupSummary:
    """Back up the settings' database and photo store into a new folder.

    Parameters
    ----------
    settings : Settings
        The installation to back up (database URL, photo store).
    out : pathlib.Path
        The backup folder; it must not exist or be empty.
    progress : Progress, optional
        Shown while the files are copied.

    Returns
    -------
    BackupSummary
        The folder and its manifest.

    Raises
    ------
    BackupError
        When ``out`` is not empty, or the database cannot be read.
    """
    out = out.expanduser().resolve()
    check_new_folder(out, "backup folder")
    if out.is_relative_to(settings.photos_dir.resolve()):
        raise BackupError(f"the backup folder {out} is inside the photo store; choose another")
    work = out.parent / f".{out.name}.partial-{secrets.token_hex(4)}"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        work.mkdir(mode=0o700)
    except OSError as error:
        raise BackupError(f"cannot write the backup folder {out}: {error.strerror}") from None
    try:
        summary = _fill(settings, work, progress)
        if out.is_dir():
            out.rmdir()  # still empty (checked above); os.replace needs it gone
        work.replace(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    fsync_dir(out.parent)
    return BackupSummary(out, summary[0], summary[1])


def _fill(settings: Settings, work: Path, progress: Progress) -> tuple[Manifest, int]:
    root = settings.photos_dir
    store = PhotoStore(root) if root.is_dir() else None
    (work / "photos").mkdir(mode=0o700)
    copied: dict[str, FileEntry] = {}
    damaged: list[str] = []
    if store is not None:
        _copy_new(store, work, copied, damaged, progress, "copying the photos")
    attempt = 0
    while attempt < SNAPSHOT_ATTEMPTS:
        attempt += 1
        progress.start("taking the database snapshot", 0)
        snapshot = snapshot_database(settings, work)
        if store is not None:
            _copy_new(store, work, copied, damaged, progress, "copying the newest photos")
        missing = _copy_referenced(store, snapshot, work, copied)
        if not missing:
            break
    sha256, size = hash_file(snapshot.path)
    database = FileEntry(snapshot.path.relative_to(work).as_posix(), sha256, size)
    referenced = snapshot.facts.referenced
    manifest = Manifest(
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        scalpmap_version=__version__,
        backend=snapshot.backend,
        schema_revision=snapshot.facts.revision,
        tables=snapshot.facts.tables,
        referenced_files=None if referenced is None else sorted(referenced),
        missing_files=sorted(missing),
        damaged_files=sorted(damaged),
        tool_version=snapshot.tool_version,
        files=[database, *sorted(copied.values(), key=lambda entry: entry.path)],
    )
    write_manifest(work, manifest)
    return manifest, attempt


def _copy_new(
    store: PhotoStore,
    work: Path,
    copied: dict[str, FileEntry],
    damaged: list[str],
    progress: Progress,
    description: str,
) -> None:
    todo = [item for item in stored_files(store) if item.sha256 not in copied]
    progress.start(description, sum(item.byte_size for item in todo))
    for item in todo:
        try:
            _copy_one(item.path, item.sha256, work, copied, damaged, progress)
        except FileNotFoundError:
            continue  # removed from the store meanwhile


def _copy_referenced(
    store: PhotoStore | None, snapshot: DatabaseSnapshot, work: Path, copied: dict[str, FileEntry]
) -> set[str]:
    missing = set()
    for sha256 in sorted((snapshot.facts.referenced or set()) - copied.keys()):
        source = find_file(store, sha256) if store is not None else None
        try:
            if source is None:
                raise FileNotFoundError(sha256)
            _copy_one(source, sha256, work, copied, [], NO_PROGRESS)
        except FileNotFoundError:
            missing.add(sha256)
    return missing


def _copy_one(
    source: Path,
    sha256: str,
    work: Path,
    copied: dict[str, FileEntry],
    damaged: list[str],
    progress: Progress,
) -> None:
    relative = f"photos/{sha256[:2]}/{sha256[2:4]}/{sha256}"
    try:
        content, size = copy_hashed(source, work / relative, progress=progress)
    except FileNotFoundError:
        raise
    except OSError as error:
        raise BackupError(f"cannot copy {source} into the backup: {error.strerror}") from None
    if content != sha256:
        damaged.append(sha256)
    copied[sha256] = FileEntry(relative, content, size)
