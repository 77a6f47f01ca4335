"""Server-side sign-in sessions, and ending a user's sessions and API tokens.

A browser sign-in is a row of ``sign_in_sessions``. The cookie carries a random key; the table
keeps only its sha256, so a copy of the database opens no session. A session ends at its
``expires_at`` or when revoked: by signing out, by deactivating the user, or by a password
change or reset, which end all the user's sessions and tokens at once.

Ending a session or a token also ends every token made with it (``ApiToken.session_id`` and
``ApiToken.parent_token_id``), and theirs in turn: no token outlives the credential that made
it, unless an admin made it independent (see :func:`scalpmap.services.tokens.create_token`).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from scalpmap.services._tx import commit
from scalpmap.store.models import ApiToken, SignInSession, User, utcnow

__all__ = [
    "Credential",
    "Reason",
    "digest",
    "end_all_credentials",
    "end_sign_in",
    "find_sign_in",
    "revoke_tokens_made_with",
    "start_sign_in",
]

_TOUCH_EVERY = dt.timedelta(minutes=1)  # last_seen_at is written at most this often


class Reason(enum.StrEnum):
    """Why a session or a token ended (kept in ``revoke_reason``)."""

    SIGNED_OUT = "signed out"
    REVOKED = "revoked"
    DEACTIVATED = "account deactivated"
    PASSWORD_CHANGED = "password changed"
    PASSWORD_RESET = "password reset by an admin"
    MAKER_ENDED = "the sign-in that made it ended"


@dataclass(frozen=True)
class Credential:
    """What authenticated a request: a sign-in session or an API token, and until when.

    Attributes
    ----------
    user : User
        The signed-in user.
    expires_at : datetime.datetime
        When the credential stops working.
    sign_in : SignInSession or None
        The browser session, for a cookie request.
    token : ApiToken or None
        The API token, for a bearer request.
    """

    user: User
    expires_at: dt.datetime
    sign_in: SignInSession | None = None
    token: ApiToken | None = None


def digest(key: str) -> str:
    """Return the sha256 (hex) under which a session key or a token is stored.

    Parameters
    ----------
    key : str
        The session key or token.

    Returns
    -------
    str
        64 hex digits.
    """
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def start_sign_in(session: Session, user: User, *, max_age_s: int) -> tuple[SignInSession, str]:
    """Start a sign-in session for a user.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    user : User
        The user who just gave their password.
    max_age_s : int
        How long the sign-in lasts, in seconds.

    Returns
    -------
    tuple of (SignInSession, str)
        The row and the key to put in the cookie (shown nowhere else, stored only as sha256).
    """
    key = secrets.token_urlsafe(32)
    now = utcnow()
    row = SignInSession(
        user_id=user.id,
        key_sha256=digest(key),
        created_at=now,
        last_seen_at=now,
        expires_at=now + dt.timedelta(seconds=max_age_s),
    )
    session.add(row)
    commit(session)
    return row, key


def find_sign_in(session: Session, key: str) -> SignInSession | None:
    """Find the live sign-in session of a cookie's key, and note when it was last seen.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed when ``last_seen_at`` is updated (at most once a minute).
    key : str
        The key from the cookie.

    Returns
    -------
    SignInSession or None
        The session, or ``None`` when unknown, ended, expired or its user is inactive.
    """
    row = session.scalar(select(SignInSession).where(SignInSession.key_sha256 == digest(key)))
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    if not row.user.is_active:
        return None
    if now - row.last_seen_at >= _TOUCH_EVERY:
        row.last_seen_at = now
        commit(session)
    return row


def revoke_tokens_made_with(
    session: Session,
    *,
    sign_in_ids: list[int] | None = None,
    token_ids: list[int] | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Revoke the live tokens made with these sessions or tokens, and theirs in turn.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; flushed, not committed.
    sign_in_ids : list of int, optional
        Sessions that ended.
    token_ids : list of int, optional
        Tokens that ended.
    now : datetime.datetime, optional
        The time of revocation.

    Returns
    -------
    int
        How many tokens were revoked.
    """
    now = now or utcnow()
    total = 0
    live = ApiToken.revoked_at.is_(None)
    made: ColumnElement[bool] = or_(
        ApiToken.session_id.in_(sign_in_ids or []),
        ApiToken.parent_token_id.in_(token_ids or []),
    )
    while True:
        found = list(session.scalars(select(ApiToken.id).where(live, made)))
        if not found:
            return total
        session.execute(
            update(ApiToken)
            .where(ApiToken.id.in_(found))
            .values(revoked_at=now, revoke_reason=str(Reason.MAKER_ENDED))
            .execution_options(synchronize_session="fetch")
        )
        total += len(found)
        made = ApiToken.parent_token_id.in_(found)


def end_sign_in(session: Session, row: SignInSession, reason: Reason) -> None:
    """End a sign-in session and the tokens made with it (sign-out).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    row : SignInSession
        The session to end; ending it twice changes nothing.
    reason : Reason
        Why.
    """
    if row.revoked_at is not None:
        return
    now = utcnow()
    row.revoked_at = now
    row.revoke_reason = str(reason)
    revoke_tokens_made_with(session, sign_in_ids=[row.id], now=now)
    commit(session)


def end_all_credentials(session: Session, user: User, reason: Reason) -> tuple[int, int]:
    """End every live sign-in session and API token of a user (not committed).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; the caller commits with the change that ends them.
    user : User
        The user.
    reason : Reason
        Why: deactivation, a password change or reset.

    Returns
    -------
    tuple of (int, int)
        How many sessions and how many tokens were ended.
    """
    now = utcnow()
    values = {"revoked_at": now, "revoke_reason": str(reason)}
    sessions = session.execute(
        update(SignInSession)
        .where(SignInSession.user_id == user.id, SignInSession.revoked_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    tokens = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    return _count(sessions), _count(tokens)


def _count(result: object) -> int:
    rowcount = getattr(result, "rowcount", None)
    return rowcount if isinstance(rowcount, int) and rowcount >= 0 else 0
