"""The clinic's settings on the web pages: its name and logo, and times in its time zone.

Each worker keeps the settings for at most :data:`REFRESH_S` seconds (:class:`ClinicCache`, read
by :class:`ClinicSettingsMiddleware` before a request), so a page costs no extra query; a change
made through this worker shows at once, one made through another worker within that time.
:func:`page_clinic` hands them to every page, and :func:`showing_times_in` makes the ``when``
filter show stored (UTC) times in the clinic's zone while a page renders.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from scalpmap.clinic_identity import DEFAULT_TIME_ZONE, ClinicIdentity
from scalpmap.services.clinic import get_clinic_settings

__all__ = [
    "REFRESH_S",
    "ClinicCache",
    "ClinicSettingsMiddleware",
    "page_clinic",
    "page_zone",
    "showing_times_in",
]

REFRESH_S = 5.0
"""How long a worker keeps the clinic's settings before reading them again."""

_PAGE_ZONE: ContextVar[str] = ContextVar("scalpmap_page_zone", default=DEFAULT_TIME_ZONE)


class ClinicCache:
    """The clinic's settings as one worker last read them (thread-safe).

    They are read between requests (:class:`ClinicSettingsMiddleware`), never while a page
    renders: a request's own transaction may hold SQLite's write lock, and a second session
    would wait for it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clinic = ClinicIdentity()
        self._read_at = -float("inf")

    @property
    def stale(self) -> bool:
        """Whether the settings are older than :data:`REFRESH_S` seconds."""
        return time.monotonic() - self._read_at >= REFRESH_S

    def refresh(self, session_factory: sessionmaker[Session]) -> ClinicIdentity:
        """Read the settings again when they are stale.

        Parameters
        ----------
        session_factory : sqlalchemy.orm.sessionmaker
            Makes the session that reads them.

        Returns
        -------
        ClinicIdentity
            The settings (the defaults when the database cannot be read).
        """
        with self._lock:
            if not self.stale:
                return self._clinic
            try:
                with session_factory() as session:
                    self._clinic = get_clinic_settings(session)
            except SQLAlchemyError:  # e.g. a database not migrated yet: pages still show
                self._clinic = ClinicIdentity()
            self._read_at = time.monotonic()
            return self._clinic

    def put(self, clinic: ClinicIdentity) -> None:
        """Keep settings just read or changed (e.g. by the Clinic settings page)."""
        with self._lock:
            self._clinic = clinic
            self._read_at = time.monotonic()

    @property
    def current(self) -> ClinicIdentity:
        """The settings as last read (no database access)."""
        return self._clinic


class ClinicSettingsMiddleware:
    """Refresh the worker's clinic settings before a request when they are stale (pure ASGI).

    Parameters
    ----------
    app : ASGI app
        The wrapped app; its ``state.scalpmap`` holds the cache and the session factory.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app, the settings read first when stale (not for static files)."""
        if scope["type"] == "http" and not str(scope.get("path", "")).startswith("/static/"):
            state = scope["app"].state.scalpmap
            cache: ClinicCache = state.clinic_cache
            if cache.stale:
                await run_in_threadpool(cache.refresh, state.session_factory)
        await self.app(scope, receive, send)


def page_clinic(request: Request) -> ClinicIdentity:
    """Return the clinic's settings for a page.

    Parameters
    ----------
    request : starlette.requests.Request
        The request (its app's state holds the cache).

    Returns
    -------
    ClinicIdentity
        The settings.
    """
    cache: ClinicCache = request.app.state.scalpmap.clinic_cache
    return cache.current


@contextmanager
def showing_times_in(zone: str) -> Iterator[None]:
    """Show times in ``zone`` (an IANA name) inside the block (the page being rendered).

    Parameters
    ----------
    zone : str
        The time zone.

    Yields
    ------
    None
        Inside, :func:`page_zone` returns ``zone``.
    """
    token = _PAGE_ZONE.set(zone or DEFAULT_TIME_ZONE)
    try:
        yield
    finally:
        _PAGE_ZONE.reset(token)


def page_zone() -> str:
    """Return the time zone of the page being rendered (UTC outside one)."""
    return _PAGE_ZONE.get()
