"""Rate limits kept in memory: a sliding window, and an exponential back-off after failures.

Both limiters keep at most ``max_keys`` keys. When a new key would pass that, the key used
least recently is forgotten (an LRU), so a flood of new keys costs the flooder's own oldest
entries, never everyone's counts at once; a key being limited is touched at every attempt and
stays.

The counts are per process. ``scalpmap serve --workers N`` gives each worker its own counts, so
a client may get up to N times a window's limit, or a back-off that starts N times later (and
so, with waits that double, log2(N) doublings short). That is a deliberate choice over a shared
store: the limits guard the CPU and the sign-in from one client, the database stays out of the
hot path of an attack, and with SQLite (one writer) the app runs a single worker anyway.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

__all__ = ["BackoffLimiter", "RateLimited", "RateLimits", "SlidingWindowLimiter", "wait_words"]

Clock = Callable[[], float]
V = TypeVar("V")


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


def wait_words(seconds: float) -> str:
    """Say a wait in words, in whole seconds under two minutes, else in minutes.

    Parameters
    ----------
    seconds : float
        The wait.

    Returns
    -------
    str
        E.g. ``"1 second"``, ``"40 seconds"``, ``"15 minutes"``.

    Examples
    --------
    >>> wait_words(0.2), wait_words(40), wait_words(899.5)
    ('1 second', '40 seconds', '15 minutes')
    """
    if seconds < 120:
        whole = max(1, int(seconds + 0.999))
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes = round(seconds / 60)
    return f"{minutes} minutes"


class _Lru(Generic[V]):
    """A dict that forgets its least recently used key past ``max_keys`` (not thread-safe)."""

    def __init__(self, max_keys: int) -> None:
        if max_keys < 1:
            raise ValueError("max_keys must be at least 1")
        self.max_keys = max_keys
        self._items: OrderedDict[str, V] = OrderedDict()

    def get(self, key: str) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: str, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.max_keys:
            self._items.popitem(last=False)

    def pop(self, key: str) -> None:
        self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items


class SlidingWindowLimiter:
    """Allow at most ``limit`` events per key in any ``window_s`` seconds.

    Parameters
    ----------
    limit : int
        Events allowed in a window.
    window_s : float
        Window length in seconds.
    max_keys : int, optional
        Keys kept; past it the least recently used key is forgotten.
    clock : callable, optional
        Monotonic clock, replaceable in tests.

    Examples
    --------
    >>> limiter = SlidingWindowLimiter(2, 60.0)
    >>> limiter.hit("1.2.3.4"), limiter.hit("1.2.3.4"), limiter.hit("1.2.3.4") is not None
    (None, None, True)
    """

    def __init__(
        self,
        limit: int,
        window_s: float,
        *,
        max_keys: int = 50_000,
        clock: Clock = time.monotonic,
    ) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("limit must be at least 1 and window_s positive")
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._events: _Lru[deque[float]] = _Lru(max_keys)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._events)

    def __contains__(self, key: object) -> bool:
        return key in self._events

    def _wait(self, key: str, now: float, record: bool) -> float | None:
        events = self._events.get(key)
        if events is None:
            events = deque()
        while events and events[0] <= now - self.window_s:
            events.popleft()
        if len(events) >= self.limit:
            self._events.put(key, events)
            return max(events[0] + self.window_s - now, 1.0)
        if record:
            events.append(now)
        if events:
            self._events.put(key, events)
        else:
            self._events.pop(key)
        return None

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
            return self._wait(key, self._clock(), record=False)

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
            return self._wait(key, self._clock(), record=True)

    def reset(self, key: str) -> None:
        """Forget the events of ``key``.

        Parameters
        ----------
        key : str
            What is limited.
        """
        with self._lock:
            self._events.pop(key)


@dataclass
class _Failures:
    count: int
    last: float


class BackoffLimiter:
    """Make a key wait after repeated failures, twice as long after each further failure.

    The first ``free`` failures cost nothing. After failure ``free + k`` the key must wait
    ``base_s * 2**(k - 1)`` seconds (at most ``max_wait_s``) before its next attempt. A key's
    failures are forgotten ``forget_after_s`` seconds after its last one, or on :meth:`reset`.

    Parameters
    ----------
    free : int
        Failures allowed before any wait.
    base_s : float, optional
        The first wait.
    max_wait_s : float, optional
        The longest wait.
    forget_after_s : float, optional
        Quiet time after which a key's failures are forgotten.
    max_keys : int, optional
        Keys kept; past it the least recently used key is forgotten.
    clock : callable, optional
        Monotonic clock, replaceable in tests.

    Examples
    --------
    >>> now = [0.0]
    >>> limiter = BackoffLimiter(2, base_s=1.0, clock=lambda: now[0])
    >>> [limiter.fail("k") for _ in range(5)]
    [None, None, 1.0, 2.0, 4.0]
    >>> limiter.wait("k"), limiter.wait("other")
    (4.0, None)
    """

    def __init__(
        self,
        free: int,
        *,
        base_s: float = 1.0,
        max_wait_s: float = 900.0,
        forget_after_s: float = 3600.0,
        max_keys: int = 100_000,
        clock: Clock = time.monotonic,
    ) -> None:
        if free < 0 or base_s <= 0 or max_wait_s < base_s or forget_after_s <= 0:
            raise ValueError("free >= 0, 0 < base_s <= max_wait_s and forget_after_s > 0")
        self.free = free
        self.base_s = base_s
        self.max_wait_s = max_wait_s
        self.forget_after_s = forget_after_s
        self._clock = clock
        self._failures: _Lru[_Failures] = _Lru(max_keys)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._failures)

    def __contains__(self, key: object) -> bool:
        return key in self._failures

    def _delay(self, count: int) -> float:
        over = count - self.free
        if over <= 0:
            return 0.0
        return min(self.max_wait_s, self.base_s * 2.0 ** min(over - 1, 60))

    def _current(self, key: str, now: float) -> _Failures | None:
        found = self._failures.get(key)
        if found is not None and now - found.last > self.forget_after_s:
            self._failures.pop(key)
            return None
        return found

    def wait(self, key: str) -> float | None:
        """Return the seconds ``key`` must still wait before its next attempt, else ``None``.

        Parameters
        ----------
        key : str
            What is limited.

        Returns
        -------
        float or None
            The wait, or ``None`` when an attempt is allowed now.
        """
        with self._lock:
            now = self._clock()
            found = self._current(key, now)
            if found is None:
                return None
            remaining = found.last + self._delay(found.count) - now
            return remaining if remaining > 0 else None

    def fail(self, key: str) -> float | None:
        """Count a failure of ``key``.

        Parameters
        ----------
        key : str
            What failed.

        Returns
        -------
        float or None
            The wait this failure imposes before the next attempt, or ``None`` for none.
        """
        with self._lock:
            now = self._clock()
            found = self._current(key, now)
            count = 1 if found is None else found.count + 1
            self._failures.put(key, _Failures(count, now))
            delay = self._delay(count)
            return delay if delay > 0 else None

    def reset(self, key: str) -> None:
        """Forget the failures of ``key`` (after a success).

        Parameters
        ----------
        key : str
            What succeeded.
        """
        with self._lock:
            self._failures.pop(key)


@dataclass
class RateLimits:
    """The app's limiters; every count is per process (see the module's docstring).

    Attributes
    ----------
    signin_ip : BackoffLimiter
        Failed sign-ins from one client IP, whatever the account: 20 free, then waits of
        1 s, 2 s, 4 s, ... up to 15 minutes for every account from that IP.
    signin_account_ip : BackoffLimiter
        Failed sign-ins for one account from one client IP: 5 free, then the same waits, for
        that account from that IP only (the account signs in from anywhere else).
    enquiry_ip : SlidingWindowLimiter
        Public enquiries per client IP (5 per hour).
    """

    signin_ip: BackoffLimiter = field(default_factory=lambda: BackoffLimiter(20))
    signin_account_ip: BackoffLimiter = field(default_factory=lambda: BackoffLimiter(5))
    enquiry_ip: SlidingWindowLimiter = field(default_factory=lambda: SlidingWindowLimiter(5, 3600))
