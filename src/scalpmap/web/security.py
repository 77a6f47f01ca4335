"""Request security: CSRF tokens, rate limits, security headers and a request body limit.

CSRF
    Each browser session holds a random token (``session["csrf"]``). Every form carries it in a
    hidden field ``csrf_token`` and every ``fetch`` sends it in the ``X-CSRF-Token`` header; an
    unsafe request (POST, PUT, PATCH, DELETE) authenticated by the session cookie without the
    matching token is refused with 403. Requests authenticated by an API token
    (``Authorization: Bearer``) carry no ambient credential and need no CSRF token.

Client address
    :func:`client_ip` is the peer's address. ``X-Forwarded-For`` is read only from the proxies
    named in ``SCALPMAP_TRUSTED_PROXIES`` (none by default, not even 127.0.0.1): for them the
    app wraps itself in uvicorn's proxy-headers middleware (see ``create_app``).

Rate limits
    The limiters live in :mod:`.rate_limits` (re-exported here).

The security headers and the request body limit are middlewares, in :mod:`.middleware`.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request

from scalpmap.web.rate_limits import RateLimited, RateLimits, SlidingWindowLimiter

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SAFE_METHODS",
    "CsrfError",
    "RateLimited",
    "RateLimits",
    "SlidingWindowLimiter",
    "client_ip",
    "csrf_token",
    "csrf_token_matches",
    "submitted_csrf_token",
]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_CSRF_KEY = "csrf"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CsrfError(Exception):
    """An unsafe request came without the session's CSRF token (HTTP 403)."""


def csrf_token(request: Request) -> str:
    """Return the session's CSRF token, creating it on first use.

    Parameters
    ----------
    request : starlette.requests.Request
        The request (its session is changed when the token is new).

    Returns
    -------
    str
        The token to put in forms and ``X-CSRF-Token`` headers.
    """
    token = request.session.get(_CSRF_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session[_CSRF_KEY] = token
    return token


async def submitted_csrf_token(request: Request) -> str | None:
    """Return the CSRF token an unsafe request carries (header first, then form field).

    Parameters
    ----------
    request : starlette.requests.Request
        The request; a form body is parsed (and cached on the request) when needed.

    Returns
    -------
    str or None
        The token, or ``None`` for a safe method or a request without one.
    """
    if request.method in SAFE_METHODS:
        return None
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(_FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def csrf_token_matches(request: Request, submitted: str | None) -> bool:
    """Tell whether a submitted token is the session's token (constant-time comparison).

    Parameters
    ----------
    request : starlette.requests.Request
        The request.
    submitted : str or None
        What the request carried.

    Returns
    -------
    bool
        ``True`` when both exist and are equal.
    """
    expected = request.session.get(_CSRF_KEY)
    if not isinstance(expected, str) or not expected or not submitted:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


def client_ip(request: Request) -> str:
    """Return the client's IP address (from ``X-Forwarded-For`` only behind a trusted proxy).

    Parameters
    ----------
    request : starlette.requests.Request
        The request.

    Returns
    -------
    str
        The address, or ``"unknown"``.
    """
    return request.client.host if request.client is not None else "unknown"
