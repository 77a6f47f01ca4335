"""Per-user API tokens: shown once, stored as their sha256, revocable, never endless.

Every token expires: at most ``SCALPMAP_API_TOKEN_MAX_AGE_DAYS`` (90 by default) after it was
made, a ceiling also applied, when checked, to tokens older than the setting. A token is made
with a credential (a sign-in session, or another token) and expires no later than it; ending
that credential ends the token too (:mod:`scalpmap.services.sign_ins`). Only an admin may make
an *independent* token, tied to no sign-in (``POST /api/tokens`` with ``"independent": true``),
and the command line makes independent tokens for any user (``scalpmap users token``); both
still expire within the maximum lifetime.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap.services import audit
from scalpmap.services._tx import atomic, commit, get_or_raise
from scalpmap.services.errors import InputError, PermissionDeniedError
from scalpmap.services.sign_ins import Credential, Reason, digest, revoke_tokens_made_with
from scalpmap.store.models import ApiToken, Role, User, utcnow

__all__ = [
    "SIGN_IN_TOKEN_NAME",
    "TOKEN_PREFIX",
    "create_sign_in_token",
    "create_token",
    "list_tokens",
    "revoke_token",
    "token_expiry",
    "verify_token",
]

TOKEN_PREFIX = "smp_"
SIGN_IN_TOKEN_NAME = "API sign-in"
_TOUCH_EVERY = dt.timedelta(minutes=1)  # last_used_at is written at most this often


def token_expiry(row: ApiToken, max_age_days: int) -> dt.datetime:
    """Return when a token stops working: its own expiry, or its maximum lifetime if sooner.

    Parameters
    ----------
    row : ApiToken
        The token.
    max_age_days : int
        The maximum lifetime in days (``SCALPMAP_API_TOKEN_MAX_AGE_DAYS``).

    Returns
    -------
    datetime.datetime
        The time, in UTC.
    """
    ceiling = row.created_at + dt.timedelta(days=max_age_days)
    return ceiling if row.expires_at is None else min(row.expires_at, ceiling)


def _insert(
    session: Session,
    user: User,
    name: str,
    expires_at: dt.datetime,
    made_with: Credential | None,
    actor: User | None,
) -> tuple[ApiToken, str]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name.strip()[:100] or "token",
        token_sha256=digest(token),
        prefix=token[:12],
        session_id=made_with.sign_in.id if made_with and made_with.sign_in else None,
        parent_token_id=made_with.token.id if made_with and made_with.token else None,
        created_at=utcnow(),
        expires_at=expires_at,
    )
    with atomic(session):
        session.add(row)
        session.flush()
        details = {"user_id": user.id, "independent": made_with is None}
        audit.record(session, actor, audit.Action.CREATE, "api_token", row.id, details=details)
    return row, token


def create_sign_in_token(session: Session, user: User, *, max_age_s: int) -> tuple[ApiToken, str]:
    """Make the token that ``POST /api/auth/token`` exchanges for a password.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    user : User
        The user who just gave their password.
    max_age_s : int
        Its lifetime in seconds (``SCALPMAP_SESSION_MAX_AGE_S``, like a browser sign-in).

    Returns
    -------
    tuple of (ApiToken, str)
        The row and the token (``smp_...``) to hand to the user.
    """
    expires = utcnow() + dt.timedelta(seconds=max_age_s)
    return _insert(session, user, SIGN_IN_TOKEN_NAME, expires, None, user)


def create_token(
    session: Session,
    user: User,
    name: str,
    *,
    made_with: Credential | None,
    max_age_days: int,
    expires_in_days: int | None = None,
    independent: bool = False,
    actor: User | None = None,
) -> tuple[ApiToken, str]:
    """Create a named API token; the token itself is shown once and never stored.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    user : User
        The token's owner.
    name : str
        What it is for, e.g. ``"batch re-analysis"``.
    made_with : Credential or None
        The credential of the request that makes it; ``None`` for an independent token made
        from the command line or by an admin for another user (``actor``).
    max_age_days : int
        The maximum lifetime (``SCALPMAP_API_TOKEN_MAX_AGE_DAYS``).
    expires_in_days : int, optional
        Its lifetime in days; the maximum when not given.
    independent : bool, optional
        Let it outlive ``made_with`` (admins only); always so without ``made_with``.
    actor : User, optional
        Who makes it, when not ``made_with.user``: an admin, or ``None`` from the command line.

    Returns
    -------
    tuple of (ApiToken, str)
        The row and the token (``smp_...``) to hand to the user.

    Raises
    ------
    InputError
        When ``expires_in_days`` is over the maximum lifetime or under one day.
    PermissionDeniedError
        When a non-admin asks for an independent token, or makes one for someone else.
    """
    if expires_in_days is not None and not 1 <= expires_in_days <= max_age_days:
        raise InputError(
            f"Days: a token lives 1 to {max_age_days} days "
            f"(SCALPMAP_API_TOKEN_MAX_AGE_DAYS); ask for fewer days",
            "expires_in_days",
        )
    expires = utcnow() + dt.timedelta(days=expires_in_days or max_age_days)
    if made_with is not None:
        if made_with.user.id != user.id and made_with.user.role != Role.ADMIN:
            raise PermissionDeniedError("only an admin can make a token for another user")
        if independent and made_with.user.role != Role.ADMIN:
            raise PermissionDeniedError(
                "only an admin can make a token that outlives the sign-in it is made with"
            )
        if not independent:
            expires = min(expires, made_with.expires_at)
    elif actor is not None and actor.role != Role.ADMIN:
        raise PermissionDeniedError("only an admin can make an independent token for a user")
    actor = made_with.user if made_with is not None else actor
    maker = None if independent else made_with
    return _insert(session, user, name, expires, maker, actor)


def verify_token(session: Session, token: str, *, max_age_days: int) -> ApiToken | None:
    """Find the live token of an active user, and note when it was last used.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed when ``last_used_at`` is updated (at most once a minute).
    token : str
        The token as presented.
    max_age_days : int
        The maximum lifetime (``SCALPMAP_API_TOKEN_MAX_AGE_DAYS``).

    Returns
    -------
    ApiToken or None
        The token (its user is ``row.user``), or ``None`` for an unknown, revoked or expired
        token or an inactive user.
    """
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == digest(token)))
    now = utcnow()
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    if token_expiry(row, max_age_days) <= now:
        return None
    if row.last_used_at is None or now - row.last_used_at >= _TOUCH_EVERY:
        row.last_used_at = now
        commit(session)
    return row


def revoke_token(
    session: Session, token_id: int, actor: User, reason: Reason = Reason.REVOKED
) -> ApiToken:
    """Revoke a token and the tokens made with it; they stop working at once.

    Revoking twice changes nothing.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    token_id : int
        The token's id.
    actor : User
        Its owner or an admin.
    reason : Reason, optional
        Why (``signed out`` for ``POST /api/auth/signout``).

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
        now = utcnow()
        row.revoked_at = now
        row.revoke_reason = str(reason)
        revoke_tokens_made_with(session, token_ids=[row.id], now=now)
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
