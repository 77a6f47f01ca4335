"""A content-addressed file store for photos and overlays: each file is named by its sha256.

Files are written once, made read-only and never modified, so the same photo uploaded twice is
stored once. Only a validated sha256 (64 lowercase hex digits) ever becomes a path.

Writes that go with a database row are two-phase, so that a failure leaves no orphan file and a
crash leaves no row without its file::

    staged = store.stage(data)      # written and fsynced under incoming/, not yet visible
    ...insert the row, commit...
    staged.commit()                 # os.replace into place
    # or, when the transaction failed: staged.discard()

If the process dies between the database commit and ``staged.commit()``, the complete staged
file is still under ``incoming/``; :meth:`PhotoStore.open` promotes it when the file is asked
for, and :meth:`PhotoStore.recover` finishes or removes old staged files at start-up.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from scalpmap.errors import InputError

__all__ = [
    "PhotoStore",
    "StagedFile",
    "file_sha256",
    "fsync_dir",
    "is_sha256",
    "sha256_hex",
    "validate_sha256",
]

_SHA256 = re.compile(r"[0-9a-f]{64}")
_STAGED = re.compile(r"([0-9a-f]{64})\.[0-9a-f]{16}\.part")
_CHUNK = 1 << 20


def sha256_hex(data: bytes) -> str:
    """Return the sha256 of ``data`` as 64 lowercase hex digits.

    Parameters
    ----------
    data : bytes
        The content.

    Returns
    -------
    str
        The digest.
    """
    return hashlib.sha256(data).hexdigest()


def is_sha256(value: object) -> bool:
    """Tell whether a value is a sha256 digest (64 lowercase hex digits).

    Examples
    --------
    >>> is_sha256("ab" * 32), is_sha256("AB" * 32), is_sha256(None)
    (True, False, False)
    """
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


def validate_sha256(sha256: str) -> str:
    """Check that a string is a sha256 digest (64 lowercase hex digits), so it is safe in a path.

    Parameters
    ----------
    sha256 : str
        The candidate.

    Returns
    -------
    str
        The same string.

    Raises
    ------
    InputError
        When it is anything else.
    """
    if not is_sha256(sha256):
        raise InputError("not a photo id: expected 64 lowercase hex digits (a sha256)")
    return sha256


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a file created or renamed in it) to disk, where supported."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # e.g. Windows, where directories cannot be opened
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@dataclass
class StagedFile:
    """A file written under ``incoming/`` that becomes visible on :meth:`commit`.

    Use it as a context manager to discard it unless committed.
    """

    store: PhotoStore
    sha256: str
    temp_path: Path
    done: bool = field(default=False, init=False)

    def commit(self) -> Path:
        """Move the file into place (idempotent when the content is already stored).

        Returns
        -------
        pathlib.Path
            The final path.
        """
        final = self.store.path_for(self.sha256)
        if not self.done:
            self.store._promote(self.temp_path, final)
            self.done = True
        return final

    def discard(self) -> None:
        """Delete the staged file; the store is left as it was before :meth:`PhotoStore.stage`."""
        if not self.done:
            self.temp_path.unlink(missing_ok=True)
            self.done = True

    def __enter__(self) -> StagedFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()


class PhotoStore:
    """Files kept by sha256 under ``root/ab/cd/abcd...``.

    Parameters
    ----------
    root : str or os.PathLike
        The store's folder, created when missing.

    Examples
    --------
    >>> import tempfile
    >>> store = PhotoStore(tempfile.mkdtemp())
    >>> sha = store.put(b"pixels")
    >>> store.put(b"pixels") == sha, store.read(sha)
    (True, b'pixels')
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.incoming = self.root / "incoming"
        self.incoming.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        """Return where the file with this sha256 lives (whether or not it exists).

        Parameters
        ----------
        sha256 : str
            The file's sha256.

        Returns
        -------
        pathlib.Path
            The path.

        Raises
        ------
        InputError
            When ``sha256`` is not 64 lowercase hex digits.
        """
        validate_sha256(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        """Tell whether the file is stored."""
        return self.path_for(sha256).is_file()

    def stage(self, data: bytes) -> StagedFile:
        """Write ``data`` under ``incoming/`` (fsynced) without making it visible yet.

        Parameters
        ----------
        data : bytes
            The content.

        Returns
        -------
        StagedFile
            Commit it after the database commit, discard it otherwise.
        """
        sha256 = sha256_hex(data)
        temp = self.incoming / f"{sha256}.{secrets.token_hex(8)}.part"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return StagedFile(self, sha256, temp)

    def put(self, data: bytes) -> str:
        """Store ``data`` at once (no transaction involved).

        Parameters
        ----------
        data : bytes
            The content.

        Returns
        -------
        str
            Its sha256; storing the same content again changes nothing.
        """
        sha256 = sha256_hex(data)
        if not self.exists(sha256):
            self.stage(data).commit()
        return sha256

    def open(self, sha256: str) -> BinaryIO:
        """Open a stored file for reading.

        Parameters
        ----------
        sha256 : str
            The file's sha256.

        Returns
        -------
        BinaryIO
            The open file; close it (or use ``with``).

        Raises
        ------
        FileNotFoundError
            When no such file is stored.
        """
        path = self.path_for(sha256)
        if not path.is_file():
            self._promote_staged(sha256)
        return path.open("rb")

    def read(self, sha256: str) -> bytes:
        """Read a stored file whole.

        Parameters
        ----------
        sha256 : str
            The file's sha256.

        Returns
        -------
        bytes
            The content.
        """
        with self.open(sha256) as handle:
            return handle.read()

    def remove(self, sha256: str, is_referenced: Callable[[str], bool]) -> bool:
        """Delete a stored file unless a committed row still references it.

        The file is first moved under ``incoming/`` as a staged file, then the references are
        checked: an upload of the same content that commits meanwhile either finds no file and
        promotes its own copy, or is seen by the check, which puts the file back. A crash in
        between leaves a staged file that :meth:`recover` promotes (if referenced) or deletes.

        Parameters
        ----------
        sha256 : str
            The file's sha256.
        is_referenced : callable
            Tells whether a committed row references a sha256 (asked after the move).

        Returns
        -------
        bool
            ``True`` when the file was deleted; ``False`` when it was not stored or is still
            referenced.
        """
        final = self.path_for(sha256)
        held = self.incoming / f"{sha256}.{secrets.token_hex(8)}.part"
        try:
            os.replace(final, held)
        except FileNotFoundError:
            return False
        if is_referenced(sha256):
            self._promote(held, final)
            return False
        held.unlink(missing_ok=True)
        return True

    def recover(self, is_referenced: Callable[[str], bool], *, min_age_s: float = 3600.0) -> int:
        """Finish or remove staged files left by a crash.

        A complete staged file whose content is referenced by a committed row is moved into
        place; any other staged file older than ``min_age_s`` (younger ones may belong to an
        upload in progress in another worker) is deleted.

        Parameters
        ----------
        is_referenced : callable
            Tells whether a committed row references a sha256.
        min_age_s : float, optional
            Leave younger files alone.

        Returns
        -------
        int
            How many staged files were promoted or deleted.
        """
        handled = 0
        now = time.time()
        for temp in sorted(self.incoming.iterdir()):
            match = _STAGED.fullmatch(temp.name)
            try:
                old = now - temp.stat().st_mtime >= min_age_s
            except FileNotFoundError:
                continue
            if match and file_sha256(temp) == match[1] and is_referenced(match[1]):
                self._promote(temp, self.path_for(match[1]))
                handled += 1
            elif old:
                temp.unlink(missing_ok=True)
                handled += 1
        return handled

    def _promote_staged(self, sha256: str) -> None:
        for temp in self.incoming.glob(f"{sha256}.*.part"):
            if file_sha256(temp) == sha256:
                self._promote(temp, self.path_for(sha256))
                return

    def _promote(self, temp: Path, final: Path) -> None:
        if final.is_file():
            temp.unlink(missing_ok=True)  # same content already stored
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(temp, 0o440)
        try:
            os.replace(temp, final)
        except FileNotFoundError:
            if not final.is_file():  # another worker promoted the same staged file
                raise
        fsync_dir(final.parent)


def file_sha256(path: Path) -> str | None:
    """Return the sha256 of a file's content, read in 1 MiB chunks.

    Parameters
    ----------
    path : pathlib.Path
        The file.

    Returns
    -------
    str or None
        The digest, or ``None`` when the file does not exist (any more).
    """
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()
