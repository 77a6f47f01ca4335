"""Per-user API tokens: shown once, stored as their sha256, revocable, last use noted."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap.services import audit
from scalpmap.services._tx import atomic, commit, get_or_raise
from scalpmap.services.errors import PermissionDeniedError
from scalpmap.store.models import ApiToken, Role, User, utcnow

__all__ = ["TOKEN_PREFIX", "create_token", "list_tokens", "revoke_token", "verify_token"]

TOKEN_PREFIX = "smp_"
_TOUCH_EVERY = dt.timedelta(minutes=1)  # last_used_at is written at most this often


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    session: Session, user: User, name: str, *, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create an API token for a user; the token itself is shown once and never stored.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    user : User
        The token's owner.
    name : str
        What it is for, e.g. ``"batch re-analysis"``.
    expires_at : datetime.datetime, optional
        When it stops working.

    Returns
    -------
    tuple of (ApiToken, str)
        The row and the token (``smp_...``) to hand to the user.
    """
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name.strip()[:100] or "token",
        token_sha256=_digest(token),
        prefix=token[:12],
        expires_at=expires_at,
    )
    with atomic(session):
        session.add(row)
        session.flush()
        audit.record(session, user, audit.Action.CREATE, "api_token", row.id)
    return row, token


def verify_token(session: Session, token: str) -> User | None:
    """Find the active user a token belongs to, and note when it was last used.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed when ``last_used_at`` is updated (at most once a minute).
    token : str
        The token as presented.

    Returns
    -------
    User or None
        The user, or ``None`` for an unknown, revoked or expired token or an inactive user.
    """
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == _digest(token)))
    now = utcnow()
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    if row.last_used_at is None or now - row.last_used_at >= _TOUCH_EVERY:
        row.last_used_at = now
        commit(session)
    return row.user


def revoke_token(session: Session, token_id: int, actor: User) -> ApiToken:
    """Revoke a token; it stops working at once. Revoking twice changes nothing.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    token_id : int
        The token's id.
    actor : User
        Its owner or an admin.

    Returns
    -------
    ApiToken
        The revoked token.

    Raises
    ------
    NotFoundError
        When there is no such token.
    PermissionDeniedError
        When ``actor`` is neither the owner nor an admin.
    """
    row = get_or_raise(session, ApiToken, token_id, "API token")
    if row.user_id != actor.id and actor.role != Role.ADMIN:
        raise PermissionDeniedError("only the token's owner or an admin can revoke it")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, actor, audit.Action.REVOKE, "api_token", row.id)
        commit(session)
    return row


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """List a user's tokens, newest first (revoked ones included).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.
    user : User
        The owner.

    Returns
    -------
    list of ApiToken
        The tokens.
    """
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(session.scalars(query))
