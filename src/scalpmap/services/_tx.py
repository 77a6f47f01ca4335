"""Transaction helpers shared by the services."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy.orm import Session

from scalpmap.services.errors import NotFoundError
from scalpmap.store.models import Base
from scalpmap.store.photos import StagedFile

ModelT = TypeVar("ModelT", bound=Base)
MAX_RECORD_ID = 2_147_483_647
"""The largest id of a record (32-bit integer primary keys)."""


def get_or_raise(session: Session, model: type[ModelT], record_id: int, label: str) -> ModelT:
    """Load a record by primary key or raise :class:`NotFoundError` naming it.

    An id outside the databases' positive 32-bit keys is simply not found (PostgreSQL would
    refuse to compare it, SQLite to bind one above 64 bits).
    """
    if not 1 <= record_id <= MAX_RECORD_ID:
        raise NotFoundError(f"no {label} with id {record_id}")
    record = session.get(model, record_id)
    if record is None:
        raise NotFoundError(f"no {label} with id {record_id}")
    return record


@contextmanager
def atomic(session: Session) -> Iterator[list[StagedFile]]:
    """Run a block as one transaction; commit it, then make the staged files visible.

    Append :class:`StagedFile` objects to the yielded list to have them committed after the
    database.

    On any error the session is rolled back and the staged files are deleted, so a failed
    write leaves neither a row nor a file behind.
    """
    staged: list[StagedFile] = []
    try:
        yield staged
        session.commit()
    except BaseException:
        session.rollback()
        for item in staged:
            item.discard()
        raise
    for item in staged:
        item.commit()


def commit(session: Session) -> None:
    """Commit, rolling back on failure so the session stays usable."""
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
