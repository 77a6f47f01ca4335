"""Sign-in with its back-off after failures, and the server-side session behind the cookie.

The sign-in policy (documented in README.md and docs/api.md):

- every failed sign-in counts against the pair (account, client IP) and against the client IP;
- a pair gets 5 failures free, an IP 20 (staff behind one clinic router share an IP); after
  that each further failure makes the next attempt wait twice as long: 1 s, 2 s, 4 s, ... up
  to 15 minutes;
- while a wait runs, attempts are refused with 429 and ``Retry-After`` without checking the
  password, so guessing gets slower and slower;
- there is no lock-out of the account itself: the real user signs in from any other address
  at once, and a success clears the pair's count; counts are forgotten after an hour without
  failures.

An attack spread over many addresses is not slowed per account, by design (that would let
anyone lock staff out): the 12-character, not-common password rule and argon2id are the defence
there.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from sqlalchemy.orm import Session
from starlette.requests import Request

from scalpmap.services.sign_ins import Reason, end_sign_in, start_sign_in
from scalpmap.services.users import authenticate
from scalpmap.store.models import User
from scalpmap.web.deps import SESSION_KEY
from scalpmap.web.rate_limits import RateLimited, RateLimits, wait_words
from scalpmap.web.security import csrf_token

__all__ = [
    "attempt_sign_in",
    "check_sign_in_allowed",
    "end_session",
    "note_wrong_password",
    "safe_next",
    "start_session",
]

log = logging.getLogger(__name__)


def _keys(ip: str, email: str) -> tuple[str, str]:
    return "ip:" + ip, f"pair:{email.strip().lower()}|{ip}"


def check_sign_in_allowed(limits: RateLimits, ip: str, email: str) -> None:
    """Refuse an attempt while the client IP or the (account, IP) pair has a wait running.

    Parameters
    ----------
    limits : RateLimits
        The app's limiters.
    ip : str
        The client's address.
    email : str
        The account's address.

    Raises
    ------
    RateLimited
        With the time left to wait.
    """
    ip_key, pair_key = _keys(ip, email)
    wait = limits.signin_ip.wait(ip_key)
    if wait is not None:
        log.warning("sign-in refused: too many failures from %s", ip)
        raise RateLimited(
            f"too many failed sign-ins from your address; try again in {wait_words(wait)}", wait
        )
    wait = limits.signin_account_ip.wait(pair_key)
    if wait is not None:
        log.warning("sign-in refused: too many failures for one account from %s", ip)
        raise RateLimited(
            f"too many failed sign-ins for this account from your address; try again in "
            f"{wait_words(wait)}",
            wait,
        )


def note_wrong_password(limits: RateLimits, ip: str, email: str) -> None:
    """Count a wrong password against the client IP and the (account, IP) pair.

    Parameters
    ----------
    limits : RateLimits
        The app's limiters.
    ip : str
        The client's address.
    email : str
        The account's address as typed.
    """
    ip_key, pair_key = _keys(ip, email)
    limits.signin_ip.fail(ip_key)
    limits.signin_account_ip.fail(pair_key)
    log.info("failed sign-in from %s", ip)


def attempt_sign_in(
    session: Session, limits: RateLimits, ip: str, email: str, password: str
) -> User | None:
    """Check a sign-in within the back-off (per client IP and per account and IP).

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
        While a wait runs for the IP or for the account from this IP.
    """
    check_sign_in_allowed(limits, ip, email)
    user = authenticate(session, email, password)
    if user is None:
        note_wrong_password(limits, ip, email)
        return None
    limits.signin_account_ip.reset(_keys(ip, email)[1])
    log.info("user %s signed in", user.id)
    return user


def start_session(request: Request, session: Session, user: User, max_age_s: int) -> None:
    """Start a fresh server-side session for the user; the cookie gets its key only.

    Nothing is kept from the cookie's previous contents, and the CSRF token is new.

    Parameters
    ----------
    request : starlette.requests.Request
        The request.
    session : sqlalchemy.orm.Session
        The database session; committed.
    user : User
        The user.
    max_age_s : int
        How long the sign-in lasts.
    """
    _row, key = start_sign_in(session, user, max_age_s=max_age_s)
    request.session.clear()
    request.session[SESSION_KEY] = key
    csrf_token(request)


def end_session(request: Request, session: Session) -> None:
    """End the request's server-side session (and the tokens made with it); clear the cookie.

    Parameters
    ----------
    request : starlette.requests.Request
        A request that went through ``CurrentUser``.
    session : sqlalchemy.orm.Session
        The database session; committed.
    """
    credential = getattr(request.state, "credential", None)
    if credential is not None and credential.sign_in is not None:
        end_sign_in(session, credential.sign_in, Reason.SIGNED_OUT)
    request.session.clear()


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
