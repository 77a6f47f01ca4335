"""Case changes the services do not cover yet: its title and practitioner (audited)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap.services import audit
from scalpmap.services._tx import commit, get_or_raise
from scalpmap.services.errors import InputError
from scalpmap.store.models import Case, Role, User

__all__ = ["list_practitioners", "update_case"]

_UNSET = object()


def update_case(
    session: Session,
    case_id: int,
    actor: User,
    *,
    title: str | None | object = _UNSET,
    practitioner_id: int | None | object = _UNSET,
) -> Case:
    """Change a case's title or practitioner; the names of the changed fields are audited.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed when something changed.
    case_id : int
        The case.
    actor : User
        Who changes it.
    title : str or None, optional
        New title (``None`` or blank clears it); unchanged when not given.
    practitioner_id : int or None, optional
        New practitioner in charge (``None`` clears it); unchanged when not given.

    Returns
    -------
    Case
        The case.

    Raises
    ------
    NotFoundError
        When there is no such case or user.
    InputError
        When the title is too long or the user is not a practitioner or admin.
    """
    case = get_or_raise(session, Case, case_id, "case")
    changed: list[str] = []
    if title is not _UNSET:
        text = str(title).strip() if isinstance(title, str) else ""
        if len(text) > 200:
            raise InputError("the title is too long: at most 200 characters")
        if (text or None) != case.title:
            case.title = text or None
            changed.append("title")
    if practitioner_id is not _UNSET:
        new_id = practitioner_id if isinstance(practitioner_id, int) else None
        if new_id is not None:
            chosen = get_or_raise(session, User, new_id, "user")
            if chosen.role == Role.RECEPTION or not chosen.is_active:
                raise InputError("choose an active practitioner or admin")
        if new_id != case.practitioner_id:
            case.practitioner_id = new_id
            changed.append("practitioner_id")
    if changed:
        audit.record(
            session,
            actor,
            audit.Action.UPDATE,
            "case",
            case.id,
            patient_id=case.patient_id,
            details={"fields": changed},
        )
        commit(session)
    return case


def list_practitioners(session: Session) -> list[User]:
    """List the active users who can be in charge of a case (practitioners and admins).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.

    Returns
    -------
    list of User
        The users, by email.
    """
    query = (
        select(User)
        .where(User.is_active.is_(True), User.role != Role.RECEPTION)
        .order_by(User.email)
    )
    return list(session.scalars(query))
