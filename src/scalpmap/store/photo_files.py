"""List what a :class:`~scalpmap.store.photos.PhotoStore` holds, without changing it.

The backup copies the files these functions find, and ``scalpmap store prune`` lists the
orphans among them; neither needs to know the store's layout (``root/ab/cd/abcd...`` for
committed files, ``root/incoming/<sha256>.<random>.part`` for staged ones).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from scalpmap.store.photos import PhotoStore, file_sha256, is_sha256

__all__ = ["StoredFile", "find_file", "stored_files", "staged_files"]

_PAIR = re.compile(r"[0-9a-f]{2}")
_STAGED = re.compile(r"([0-9a-f]{64})\.[0-9a-f]{16}\.part")


@dataclass(frozen=True)
class StoredFile:
    """One file of the store.

    Attributes
    ----------
    sha256 : str
        The sha256 its name gives (for a staged file, the one it was staged under).
    path : pathlib.Path
        Where it is.
    byte_size : int
        Its size.
    modified : float
        Its modification time (seconds since the epoch): when it was written.
    """

    sha256: str
    path: Path
    byte_size: int
    modified: float


def stored_files(store: PhotoStore) -> Iterator[StoredFile]:
    """Yield every committed file (``ab/cd/<sha256>``), sorted by name within each folder.

    Files removed while the listing runs are left out; anything that is not named like a store
    file (the ``incoming`` folder included) is skipped.

    Parameters
    ----------
    store : PhotoStore
        The store.

    Yields
    ------
    StoredFile
        Each committed file.
    """
    for first in _subfolders(store.root):
        for second in _subfolders(first):
            for entry in _entries(second):
                name = entry.name
                if is_sha256(name) and name[:2] == first.name and name[2:4] == second.name:
                    yield from _as_stored(entry, name)


def staged_files(store: PhotoStore) -> Iterator[StoredFile]:
    """Yield every staged file under ``incoming/`` (its ``sha256`` is the name's, unchecked).

    Parameters
    ----------
    store : PhotoStore
        The store.

    Yields
    ------
    StoredFile
        Each staged file; other files under ``incoming/`` get an empty ``sha256``.
    """
    for entry in _entries(store.incoming):
        match = _STAGED.fullmatch(entry.name)
        yield from _as_stored(entry, match[1] if match else "")


def find_file(store: PhotoStore, sha256: str) -> Path | None:
    """Find a file's content: its committed path, or a complete staged copy not promoted yet.

    A row is committed before its file is moved into place, so for a moment (or after a crash)
    the content of a referenced file is only under ``incoming/``.

    Parameters
    ----------
    store : PhotoStore
        The store.
    sha256 : str
        The content wanted.

    Returns
    -------
    pathlib.Path or None
        A file with that content (a staged one is checked by its sha256), or ``None``.
    """
    final = store.path_for(sha256)
    for _attempt in range(2):  # a staged copy may be promoted while we look
        if final.is_file():
            return final
        for staged in store.incoming.glob(f"{sha256}.*.part"):
            if file_sha256(staged) == sha256:
                return staged
    return final if final.is_file() else None


def _as_stored(entry: os.DirEntry[str], sha256: str) -> Iterator[StoredFile]:
    """Yield the entry as a :class:`StoredFile` if it is a regular file that still exists."""
    try:
        info = entry.stat(follow_symlinks=False)
    except FileNotFoundError:
        return
    if entry.is_file(follow_symlinks=False):
        yield StoredFile(sha256, Path(entry.path), info.st_size, info.st_mtime)


def _subfolders(folder: Path) -> list[Path]:
    return [
        Path(entry.path)
        for entry in _entries(folder)
        if _PAIR.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False)
    ]


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda entry: entry.name)
    except FileNotFoundError:
        return []
