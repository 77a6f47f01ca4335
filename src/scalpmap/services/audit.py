"""Write and read the audit log: who viewed or changed which patient record, and when."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from scalpmap.store.models import AuditEvent, User, utcnow

__all__ = ["Action", "list_events", "record", "record_many"]


class Action(enum.StrEnum):
    """What was done."""

    VIEW = "view"
    SEARCH = "search"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    REVOKE = "revoke"


def record(
    session: Session,
    actor: User | None,
    action: Action,
    entity: str,
    entity_id: int | None,
    *,
    patient_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit row to the session, to be committed with the change it records.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session of the change.
    actor : User or None
        Who did it; ``None`` for the public (an enquiry) or the system.
    action : Action
        What was done.
    entity : str
        Kind of record, e.g. ``"patient"``, ``"case"``, ``"photo"``, ``"plan"``.
    entity_id : int or None
        Its id (flush first so new records have one).
    patient_id : int, optional
        The patient the record belongs to.
    details : dict, optional
        Field names or ids; never health data.

    Returns
    -------
    AuditEvent
        The new row.
    """
    event = AuditEvent(
        user_id=actor.id if actor is not None else None,
        action=str(action),
        entity=entity,
        entity_id=entity_id,
        patient_id=patient_id,
        details=details,
    )
    session.add(event)
    return event


def record_many(
    session: Session,
    actor: User | None,
    action: Action,
    entity: str,
    rows: Iterable[tuple[int, dict[str, Any] | None]],
) -> int:
    """Add many audit rows of one action in one batch (an import of thousands of records).

    The rows are inserted at once, without an ORM object each, and are committed with the
    change they record.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session of the change.
    actor : User or None
        Who did it.
    action : Action
        What was done.
    entity : str
        Kind of record.
    rows : iterable of (int, dict or None)
        Each record's id and details (field names or ids; never health data).

    Returns
    -------
    int
        How many rows were added.
    """
    values = [
        {
            "at": utcnow(),
            "user_id": actor.id if actor is not None else None,
            "action": str(action),
            "entity": entity,
            "entity_id": entity_id,
            "patient_id": None,
            "details": details,
        }
        for entity_id, details in rows
    ]
    if values:
        session.execute(insert(AuditEvent), values)
    return len(values)


def list_events(
    session: Session,
    *,
    patient_id: int | None = None,
    user_id: int | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    """List audit rows, newest first.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.
    patient_id : int, optional
        Only rows about this patient.
    user_id : int, optional
        Only rows by this user.
    limit : int, optional
        At most this many rows.

    Returns
    -------
    list of AuditEvent
        The rows.
    """
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if patient_id is not None:
        query = query.where(AuditEvent.patient_id == patient_id)
    if user_id is not None:
        query = query.where(AuditEvent.user_id == user_id)
    return list(session.scalars(query))
