"""Request security: CSRF tokens, rate limits, security headers and a request body limit.

CSRF
    Each browser session holds a random token (``session["csrf"]``). Every form carries it in a
    hidden field ``csrf_token`` and every ``fetch`` sends it in the ``X-CSRF-Token`` header; an
    unsafe request (POST, PUT, PATCH, DELETE) authenticated by the session cookie without the
    matching token is refused with 403. Requests authenticated by an API token
    (``Authorization: Bearer``) carry no ambient credential and need no CSRF token.

Rate limits
    :class:`SlidingWindowLimiter` counts events per key (a client IP, an email address) in memory.
    The counts are per process: with ``--workers N`` a client may get up to N times the limit.

The security headers and the request body limit are middlewares, in :mod:`.middleware`.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request

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


class RateLimited(Exception):
    """Too many requests from one client or for one account (HTTP 429).

    Parameters
    ----------
    message : str
        One line for the user.
    retry_after_s : float
        Seconds until the next attempt is allowed.
    """

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


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
    """Return the client's IP address (the proxy's view when uvicorn trusts proxy headers).

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


class SlidingWindowLimiter:
    """Allow at most ``limit`` events per key in any ``window_s`` seconds (in memory, per process).

    Parameters
    ----------
    limit : int
        Events allowed in a window.
    window_s : float
        Window length in seconds.
    clock : callable, optional
        Monotonic clock, replaceable in tests.

    Examples
    --------
    >>> limiter = SlidingWindowLimiter(2, 60.0)
    >>> limiter.hit("1.2.3.4"), limiter.hit("1.2.3.4"), limiter.hit("1.2.3.4") is not None
    (None, None, True)
    """

    _MAX_KEYS = 10_000

    def __init__(
        self, limit: int, window_s: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("limit must be at least 1 and window_s positive")
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self.window_s:
            events.popleft()
        return events

    def check(self, key: str) -> float | None:
        """Return the seconds to wait if ``key`` is over its limit, else ``None`` (no event).

        Parameters
        ----------
        key : str
            What is limited, e.g. ``"ip:1.2.3.4"``.

        Returns
        -------
        float or None
            Seconds until an event is allowed again.
        """
        with self._lock:
            now = self._clock()
            events = self._prune(key, now)
            if len(events) >= self.limit:
                return max(events[0] + self.window_s - now, 1.0)
            return None

    def hit(self, key: str) -> float | None:
        """Record an event for ``key`` unless it is over its limit.

        Parameters
        ----------
        key : str
            What is limited.

        Returns
        -------
        float or None
            ``None`` when the event was allowed (and counted), else seconds to wait.
        """
        with self._lock:
            now = self._clock()
            if len(self._events) > self._MAX_KEYS:
                for stale in [k for k, v in self._events.items() if not v or v[-1] < now - 1e9]:
                    del self._events[stale]
                if len(self._events) > self._MAX_KEYS:
                    self._events.clear()  # a flood of keys: forget rather than grow
            events = self._prune(key, now)
            if len(events) >= self.limit:
                return max(events[0] + self.window_s - now, 1.0)
            events.append(now)
            return None

    def reset(self, key: str) -> None:
        """Forget the events of ``key`` (e.g. after a successful sign-in).

        Parameters
        ----------
        key : str
            What is limited.
        """
        with self._lock:
            self._events.pop(key, None)


@dataclass
class RateLimits:
    """The app's limiters; every count is per process.

    Attributes
    ----------
    signin_ip : SlidingWindowLimiter
        Sign-in attempts per client IP (20 per 5 minutes).
    signin_email : SlidingWindowLimiter
        Failed sign-ins per email address (5 per 15 minutes).
    enquiry_ip : SlidingWindowLimiter
        Public enquiries per client IP (5 per hour).
    """

    signin_ip: SlidingWindowLimiter = field(default_factory=lambda: SlidingWindowLimiter(20, 300))
    signin_email: SlidingWindowLimiter = field(default_factory=lambda: SlidingWindowLimiter(5, 900))
    enquiry_ip: SlidingWindowLimiter = field(default_factory=lambda: SlidingWindowLimiter(5, 3600))
