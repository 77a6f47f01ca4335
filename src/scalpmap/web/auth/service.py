"""Sign-in with its rate limits, and the signed session cookie's contents."""

from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

from sqlalchemy.orm import Session
from starlette.requests import Request

from scalpmap.services.users import authenticate
from scalpmap.store.models import User
from scalpmap.web.deps import SESSION_AT, SESSION_USER
from scalpmap.web.security import RateLimited, RateLimits, csrf_token

__all__ = ["attempt_sign_in", "safe_next", "start_session"]

log = logging.getLogger(__name__)


def _minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def attempt_sign_in(
    session: Session, limits: RateLimits, ip: str, email: str, password: str
) -> User | None:
    """Check a sign-in within the rate limits (per client IP and per email address).

    Every attempt counts against the IP; failures count against the email address, and a
    success clears them.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.
    limits : RateLimits
        The app's limiters.
    ip : str
        The client's address.
    email : str
        The address typed.
    password : str
        The password typed.

    Returns
    -------
    User or None
        The user, or ``None`` for a wrong email or password (or an inactive account).

    Raises
    ------
    RateLimited
        When the IP or the email address has had too many attempts.
    """
    email_key = "email:" + email.strip().lower()
    wait = limits.signin_ip.hit("ip:" + ip)
    if wait is not None:
        log.warning("sign-in refused: too many attempts from %s", ip)
        raise RateLimited(f"too many sign-in attempts; try again in {_minutes(wait)}", wait)
    wait = limits.signin_email.check(email_key)
    if wait is not None:
        log.warning("sign-in refused: too many failures for one account (from %s)", ip)
        message = f"too many failed sign-ins for this account; try again in {_minutes(wait)}"
        raise RateLimited(message, wait)
    user = authenticate(session, email, password)
    if user is None:
        limits.signin_email.hit(email_key)
        log.info("failed sign-in from %s", ip)
        return None
    limits.signin_email.reset(email_key)
    log.info("user %s signed in", user.id)
    return user


def start_session(request: Request, user: User) -> None:
    """Start a fresh session for the user (new CSRF token; nothing kept from before).

    Parameters
    ----------
    request : starlette.requests.Request
        The sign-in request.
    user : User
        The user.
    """
    request.session.clear()
    request.session[SESSION_USER] = user.id
    request.session[SESSION_AT] = int(time.time())
    csrf_token(request)


def safe_next(target: str | None) -> str:
    """Return where to go after sign-in: a path of this site, else the dashboard.

    Parameters
    ----------
    target : str or None
        The ``next`` value.

    Returns
    -------
    str
        A local path.

    Examples
    --------
    >>> safe_next("/cases/3"), safe_next("//evil.example/"), safe_next("https://x.example")
    ('/cases/3', '/', '/')
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return "/"
    return parts.path or "/"
