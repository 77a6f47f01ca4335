"""The backup's ``manifest.json``: what a backup holds, written last and checked first.

Every path in a manifest is checked to be one a backup writes (``database/scalpmap.db``,
``database/scalpmap.dump`` or ``photos/ab/cd/<sha256>``), so that a damaged or edited manifest
can neither read nor write outside the backup and the restore's target.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from scalpmap.errors import ScalpmapError
from scalpmap.store.photos import is_sha256

__all__ = [
    "DATABASE_FILES",
    "FORMAT",
    "MANIFEST_FILE",
    "BackupError",
    "FileEntry",
    "Manifest",
    "read_manifest",
    "store_path",
    "write_manifest",
]

FORMAT = "scalpmap-backup"
VERSION = 1
MANIFEST_FILE = "manifest.json"
DATABASE_FILES = {"sqlite": "database/scalpmap.db", "postgresql": "database/scalpmap.dump"}
_PHOTO_PATH = re.compile(r"photos/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})")
Backend = Literal["sqlite", "postgresql"]


class BackupError(ScalpmapError):
    """A backup cannot be made, read, verified or restored; the message says why and what to do."""


@dataclass(frozen=True)
class FileEntry:
    """One file of a backup.

    Attributes
    ----------
    path : str
        Its path inside the backup, with ``/`` separators.
    sha256 : str
        The sha256 of its content.
    bytes : int
        Its size.
    """

    path: str
    sha256: str
    bytes: int


@dataclass(frozen=True)
class Manifest:
    """What a backup holds.

    Attributes
    ----------
    created_at : str
        When the database snapshot was taken (ISO 8601, UTC).
    scalpmap_version : str
        The version that made the backup.
    backend : {"sqlite", "postgresql"}
        The database it was taken from.
    schema_revision : str or None
        The database's migration revision.
    tables : dict of str to int
        Every table's row count in the snapshot.
    referenced_files : list of str or None
        The sha256 of every store file the snapshot's rows refer to (``None`` when the database
        was at another schema revision than this scalpmap's, so the references were not read).
    missing_files : list of str
        Referenced files that were not in the photo store when the backup was made.
    damaged_files : list of str
        Store files whose content does not match their name (copied as they were).
    tool_version : str or None
        ``pg_dump``'s version for a PostgreSQL backup.
    files : list of FileEntry
        Every file of the backup but the manifest, the database first.
    """

    created_at: str
    scalpmap_version: str
    backend: Backend
    schema_revision: str | None
    tables: dict[str, int]
    referenced_files: list[str] | None
    missing_files: list[str] = field(default_factory=list)
    damaged_files: list[str] = field(default_factory=list)
    tool_version: str | None = None
    files: list[FileEntry] = field(default_factory=list)

    @property
    def database_file(self) -> FileEntry:
        """The database's entry."""
        wanted = DATABASE_FILES[self.backend]
        return next(entry for entry in self.files if entry.path == wanted)

    @property
    def photo_files(self) -> list[FileEntry]:
        """The photo store's entries."""
        return [entry for entry in self.files if entry.path.startswith("photos/")]


def store_path(entry_path: str) -> PurePosixPath:
    """Return where a backup's photo file goes in a photo store (``ab/cd/<sha256>``).

    Parameters
    ----------
    entry_path : str
        The manifest's path, ``photos/ab/cd/<sha256>``.

    Returns
    -------
    pathlib.PurePosixPath
        The path relative to the store's root.
    """
    return PurePosixPath(entry_path).relative_to("photos")


def write_manifest(folder: Path, manifest: Manifest) -> Path:
    """Write ``manifest.json`` into a backup folder (to a temporary name, then renamed).

    Parameters
    ----------
    folder : pathlib.Path
        The backup folder.
    manifest : Manifest
        What it holds.

    Returns
    -------
    pathlib.Path
        The manifest's path.
    """
    document = {"format": FORMAT, "version": VERSION, **asdict(manifest)}
    path = folder / MANIFEST_FILE
    temp = folder / f".{MANIFEST_FILE}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=1, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    temp.replace(path)
    return path


def read_manifest(folder: Path) -> Manifest:
    """Read and check a backup's ``manifest.json``.

    Parameters
    ----------
    folder : pathlib.Path
        The backup folder.

    Returns
    -------
    Manifest
        What the backup holds.

    Raises
    ------
    BackupError
        When the folder or its manifest is missing, unreadable or not a scalpmap backup's.
    """
    if not folder.is_dir():
        raise BackupError(f"no backup folder at {folder}; give the folder scalpmap backup made")
    path = folder / MANIFEST_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(
            f"{folder} has no {MANIFEST_FILE}, so it is not a complete scalpmap backup"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        reason = getattr(error, "strerror", None) or "it is not valid JSON"
        raise BackupError(f"cannot read {path}: {reason}; the backup is damaged") from None
    try:
        return _parse(document)
    except KeyError as error:
        raise BackupError(
            f"{path} is damaged (missing field {error}); use another backup"
        ) from None
    except (TypeError, ValueError) as error:
        raise BackupError(f"{path} is damaged ({error}); use another backup") from None


def _parse(document: Any) -> Manifest:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} manifest")
    if document.get("version") != VERSION:
        raise ValueError(f"manifest version {document.get('version')!r}, expected {VERSION}")
    backend = document["backend"]
    if backend not in DATABASE_FILES:
        raise ValueError(f"unknown database {backend!r}")
    tables = document["tables"]
    if not isinstance(tables, dict) or not all(
        isinstance(name, str) and _count(rows) for name, rows in tables.items()
    ):
        raise ValueError("tables must map names to row counts")
    files = [_entry(item) for item in _list(document["files"])]
    if len({entry.path for entry in files}) != len(files):
        raise ValueError("a file is listed twice")
    if DATABASE_FILES[backend] not in {entry.path for entry in files}:
        raise ValueError(f"the database file {DATABASE_FILES[backend]} is not listed")
    referenced = document["referenced_files"]
    return Manifest(
        created_at=_text(document["created_at"]),
        scalpmap_version=_text(document["scalpmap_version"]),
        backend=backend,
        schema_revision=_optional_text(document["schema_revision"]),
        tables={name: int(rows) for name, rows in tables.items()},
        referenced_files=None if referenced is None else _digests(referenced),
        missing_files=_digests(document.get("missing_files", [])),
        damaged_files=_digests(document.get("damaged_files", [])),
        tool_version=_optional_text(document.get("tool_version")),
        files=files,
    )


def _entry(item: Any) -> FileEntry:
    if not isinstance(item, dict):
        raise ValueError("a file entry is not an object")
    path, sha256, size = item["path"], item["sha256"], item["bytes"]
    photo = _PHOTO_PATH.fullmatch(path) if isinstance(path, str) else None
    if path not in DATABASE_FILES.values() and not (
        photo and photo[3].startswith(photo[1] + photo[2])
    ):
        raise ValueError(f"unexpected file path {path!r}")
    if not is_sha256(sha256) or not _count(size):
        raise ValueError(f"bad sha256 or size for {path}")
    return FileEntry(path, sha256, size)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError("expected a list")
    return value


def _digests(value: Any) -> list[str]:
    items = _list(value)
    if not all(is_sha256(item) for item in items):
        raise ValueError("a file id is not a sha256")
    return [str(item) for item in items]


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected text")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)
