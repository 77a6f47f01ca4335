"""Find and delete the photo store's orphaned files: files no row refers to any more.

Orphans come from replaced clearance overlays (measuring a follow-up again replaces its check
and its overlay), from crashes between a row's deletion and its file's, and from staged files
an interrupted upload left under ``incoming/``. :func:`find_orphans` lists them without
changing anything (the dry run); :func:`delete_orphans` deletes them, each one audited.

A file is an orphan only when no photo, analysis overlay, clearance overlay or plan file
refers to it (:func:`scalpmap.services.photos.referenced_files`) and it is older than
``min_age_s``, so that an upload in progress elsewhere is never touched. The deletion checks
the references again, in a fresh transaction, after moving each file aside
(:meth:`PhotoStore.remove`), so a row committed meanwhile keeps its file.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from scalpmap.services import audit
from scalpmap.services._tx import commit
from scalpmap.services.photos import file_is_referenced, referenced_files
from scalpmap.store.models import User
from scalpmap.store.photo_files import staged_files, stored_files
from scalpmap.store.photos import PhotoStore, file_sha256

__all__ = ["DEFAULT_MIN_AGE_S", "Orphan", "PruneResult", "delete_orphans", "find_orphans"]

DEFAULT_MIN_AGE_S = 3600.0
"""Files younger than this are left alone (as :meth:`PhotoStore.recover` does)."""


@dataclass(frozen=True)
class Orphan:
    """A store file no row refers to.

    Attributes
    ----------
    sha256 : str
        Its name's sha256 (empty for an unrecognised file under ``incoming/``).
    path : pathlib.Path
        Where it is.
    byte_size : int
        Its size.
    modified : float
        When it was written (seconds since the epoch).
    staged : bool
        Whether it is a staged file under ``incoming/`` rather than a committed one.
    """

    sha256: str
    path: Path
    byte_size: int
    modified: float
    staged: bool


@dataclass(frozen=True)
class PruneResult:
    """What :func:`delete_orphans` did.

    Attributes
    ----------
    deleted : int
        Files deleted.
    bytes_freed : int
        Their total size.
    kept : int
        Listed files kept because a row referred to them by the time they were deleted, or
        that were already gone.
    """

    deleted: int
    bytes_freed: int
    kept: int


def find_orphans(
    session: Session, store: PhotoStore, *, min_age_s: float = DEFAULT_MIN_AGE_S
) -> list[Orphan]:
    """List the store's orphaned files, changing nothing.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    store : PhotoStore
        The store.
    min_age_s : float, optional
        Leave files younger than this out.

    Returns
    -------
    list of Orphan
        Committed orphans first, then staged ones, each by name.
    """
    referenced = referenced_files(session)
    commit(session)  # end the read transaction
    oldest = time.time() - min_age_s
    found = [
        Orphan(item.sha256, item.path, item.byte_size, item.modified, staged=False)
        for item in stored_files(store)
        if item.sha256 not in referenced and item.modified <= oldest
    ]
    for item in staged_files(store):
        if item.modified > oldest:
            continue
        if item.sha256 in referenced and file_sha256(item.path) == item.sha256:
            continue  # a committed row's file not promoted yet: recovery moves it into place
        found.append(Orphan(item.sha256, item.path, item.byte_size, item.modified, staged=True))
    return found


def delete_orphans(
    session: Session, store: PhotoStore, orphans: list[Orphan], actor: User | None
) -> PruneResult:
    """Delete listed orphans that are still orphans, auditing each deletion.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    store : PhotoStore
        The store.
    orphans : list of Orphan
        What :func:`find_orphans` listed.
    actor : User or None
        Who prunes; ``None`` for the command line.

    Returns
    -------
    PruneResult
        What was deleted and kept.
    """
    deleted = freed = 0
    is_referenced = _checked_afresh(session)
    for orphan in orphans:
        if orphan.staged:
            gone = not (orphan.sha256 and is_referenced(orphan.sha256)) and _unlink(orphan.path)
        else:
            gone = store.remove(orphan.sha256, is_referenced)
        if not gone:
            continue
        deleted, freed = deleted + 1, freed + orphan.byte_size
        details = {"sha256": orphan.sha256, "bytes": orphan.byte_size, "staged": orphan.staged}
        audit.record(session, actor, audit.Action.DELETE, "stored_file", None, details=details)
        commit(session)
    return PruneResult(deleted, freed, len(orphans) - deleted)


def _checked_afresh(session: Session) -> Callable[[str], bool]:
    def is_referenced(sha256: str) -> bool:
        commit(session)  # a new read transaction sees every row committed until now
        return file_is_referenced(session, sha256)

    return is_referenced


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
