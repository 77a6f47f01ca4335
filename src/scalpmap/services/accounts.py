"""Account changes that end a user's sessions: password change, forced reset, (de)activation.

Each ends, in the same transaction, every sign-in session and API token of the user
(:func:`scalpmap.services.sign_ins.end_all_credentials`): a changed password, a reset or a
deactivation leaves no old cookie or token working, and reactivating a user revives none.
"""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from scalpmap.services import audit
from scalpmap.services._tx import atomic, get_or_raise
from scalpmap.services.errors import ConflictError, InputError, PermissionDeniedError
from scalpmap.services.password_policy import check_new_password
from scalpmap.services.sign_ins import Reason, end_all_credentials
from scalpmap.store import passwords
from scalpmap.store.models import Role, User, utcnow

__all__ = [
    "WrongPasswordError",
    "change_password",
    "force_password_reset",
    "set_active",
]

_TEMPORARY_BYTES = 12  # a generated temporary password: 16 URL-safe characters


class WrongPasswordError(PermissionDeniedError):
    """The current password given to change it is wrong (HTTP 403)."""


def _set_password(session: Session, user: User, password: str, *, must_change: bool) -> None:
    user.password_hash = passwords.hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = must_change


def change_password(session: Session, user: User, current: str, new: str) -> User:
    """Change one's own password; every session and API token of the user ends.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    user : User
        The signed-in user.
    current : str
        Their current password (or the temporary one an admin gave).
    new : str
        The new password (:func:`~.password_policy.check_new_password`).

    Returns
    -------
    User
        The user, ``must_change_password`` cleared.

    Raises
    ------
    WrongPasswordError
        When ``current`` is wrong.
    InputError
        When ``new`` is weak or the same as ``current``.
    """
    if not passwords.verify_password(user.password_hash, current):
        raise WrongPasswordError(
            "the current password is wrong; type the password you signed in with"
        )
    if new == current:
        raise InputError("the new password is the one you have; choose a different one")
    check_new_password(new, email=user.email)
    with atomic(session):
        _set_password(session, user, new, must_change=False)
        ended = end_all_credentials(session, user, Reason.PASSWORD_CHANGED)
        details = {"fields": ["password"], "sessions_ended": ended[0], "tokens_ended": ended[1]}
        audit.record(session, user, audit.Action.UPDATE, "user", user.id, details=details)
    return user


def _check_admin(actor: User | None, what: str) -> None:
    if actor is not None and actor.role != Role.ADMIN:
        raise PermissionDeniedError(f"only an admin can {what}")


def force_password_reset(
    session: Session, user_id: int, actor: User | None, temporary: str | None = None
) -> tuple[User, str]:
    """Give a user a temporary password they must replace at their next sign-in.

    Every session and API token of the user ends at once.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    user_id : int
        The user.
    actor : User or None
        The admin doing it; ``None`` from the command line.
    temporary : str, optional
        The temporary password; generated (16 characters) when not given.

    Returns
    -------
    tuple of (User, str)
        The user and the temporary password to pass on to them.

    Raises
    ------
    PermissionDeniedError
        When ``actor`` is not an admin.
    ConflictError
        When an admin resets their own password (they change it instead).
    InputError
        When the given temporary password is weak.
    NotFoundError
        When there is no such user.
    """
    _check_admin(actor, "reset a password")
    user = get_or_raise(session, User, user_id, "user")
    if actor is not None and user.id == actor.id:
        raise ConflictError("you cannot reset your own password; change it on the Password page")
    if temporary:
        check_new_password(temporary, email=user.email)
    else:
        temporary = secrets.token_urlsafe(_TEMPORARY_BYTES)
    with atomic(session):
        _set_password(session, user, temporary, must_change=True)
        ended = end_all_credentials(session, user, Reason.PASSWORD_RESET)
        details = {
            "fields": ["password", "must_change_password"],
            "sessions_ended": ended[0],
            "tokens_ended": ended[1],
        }
        audit.record(session, actor, audit.Action.UPDATE, "user", user.id, details=details)
    return user, temporary


def set_active(session: Session, user_id: int, active: bool, actor: User | None) -> User:
    """Deactivate a user, ending their sessions and API tokens for good, or reactivate them.

    Reactivation revives nothing: the user signs in again and makes new tokens.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed when something changed.
    user_id : int
        The user.
    active : bool
        The new state.
    actor : User or None
        The admin doing it; ``None`` from the command line.

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
    _check_admin(actor, "deactivate or reactivate users")
    user = get_or_raise(session, User, user_id, "user")
    if actor is not None and user.id == actor.id and not active:
        raise ConflictError("you cannot deactivate your own account")
    if user.is_active == active:
        return user
    with atomic(session):
        user.is_active = active
        details: dict[str, object] = {"fields": ["is_active"], "to": active}
        if not active:
            ended = end_all_credentials(session, user, Reason.DEACTIVATED)
            details.update(sessions_ended=ended[0], tokens_ended=ended[1])
        audit.record(session, actor, audit.Action.UPDATE, "user", user.id, details=details)
    return user
