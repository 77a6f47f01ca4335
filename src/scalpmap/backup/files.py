"""Copy and check files for the backup: each file read once, hashed as it is copied.

Long copies report to a :class:`Progress` (the command line draws it as a rich progress bar);
:data:`NO_PROGRESS` reports nothing.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Protocol

__all__ = ["NO_PROGRESS", "Progress", "copy_hashed", "hash_file"]

_CHUNK = 1 << 20


class Progress(Protocol):
    """Where a long step reports how far it is, in bytes."""

    def start(self, description: str, total: int) -> None:
        """Begin a step of ``total`` bytes."""

    def advance(self, amount: int) -> None:
        """Count ``amount`` more bytes done."""


class _NoProgress:
    def start(self, description: str, total: int) -> None:
        pass

    def advance(self, amount: int) -> None:
        pass


NO_PROGRESS: Progress = _NoProgress()
"""A :class:`Progress` that shows nothing."""


def copy_hashed(
    source: Path, target: Path, *, mode: int = 0o600, progress: Progress = NO_PROGRESS
) -> tuple[str, int]:
    """Copy a file to a new path (fsynced), hashing it on the way.

    Parameters
    ----------
    source : pathlib.Path
        The file to copy.
    target : pathlib.Path
        The new file; it must not exist. Its folder is created (mode 0700) when missing.
    mode : int, optional
        The copy's permissions.
    progress : Progress, optional
        Advanced by each chunk copied.

    Returns
    -------
    tuple of (str, int)
        The sha256 and the size of what was copied.

    Raises
    ------
    FileNotFoundError
        When the source is gone (e.g. removed from the store meanwhile); nothing is left behind.
    """
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as reader:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as writer:
                while chunk := reader.read(_CHUNK):
                    writer.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    progress.advance(len(chunk))
                writer.flush()
                os.fsync(writer.fileno())
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    os.chmod(target, mode)
    return digest.hexdigest(), size


def hash_file(path: Path, *, progress: Progress = NO_PROGRESS) -> tuple[str, int]:
    """Return a file's sha256 and size.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    progress : Progress, optional
        Advanced by each chunk read.

    Returns
    -------
    tuple of (str, int)
        The sha256 and the size.
    """
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as reader:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            progress.advance(len(chunk))
    return digest.hexdigest(), size
