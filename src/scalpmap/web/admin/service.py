"""Staff user management beyond creation: list and (de)activate, audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap.services import audit
from scalpmap.services._tx import commit, get_or_raise
from scalpmap.services.errors import ConflictError, PermissionDeniedError
from scalpmap.store.models import Role, User

__all__ = ["list_users", "set_active"]


def list_users(session: Session) -> list[User]:
    """List every staff user, active ones first, then by email.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.

    Returns
    -------
    list of User
        The users.
    """
    return list(session.scalars(select(User).order_by(User.is_active.desc(), User.email)))


def set_active(session: Session, user_id: int, active: bool, actor: User) -> User:
    """Deactivate a user (their sessions and API tokens stop working) or reactivate them.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed when something changed.
    user_id : int
        The user.
    active : bool
        The new state.
    actor : User
        The admin doing it.

    Returns
    -------
    User
        The user.

    Raises
    ------
    PermissionDeniedError
        When ``actor`` is not an admin.
    ConflictError
        When an admin tries to deactivate their own account.
    NotFoundError
        When there is no such user.
    """
    if actor.role != Role.ADMIN:
        raise PermissionDeniedError("only an admin can deactivate users")
    user = get_or_raise(session, User, user_id, "user")
    if user.id == actor.id and not active:
        raise ConflictError("you cannot deactivate your own account")
    if user.is_active != active:
        user.is_active = active
        details = {"fields": ["is_active"], "to": active}
        audit.record(session, actor, audit.Action.UPDATE, "user", user.id, details=details)
        commit(session)
    return user
