"""Write and read the audit log: who viewed or changed which patient record, and when."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap.store.models import AuditEvent, User

__all__ = ["Action", "list_events", "record"]


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
