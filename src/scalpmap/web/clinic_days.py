"""Read the days typed in forms and API bodies the clinic's way (its country and time zone).

:class:`ClinicDaysMiddleware` sets :func:`scalpmap.dates.use_day_order` around every request,
before the body is parsed, so that ``12/04/1981`` is 12 April for a clinic in the UK and
4 December for one in the US. The settings are read at most every
:data:`REFRESH_S` seconds per worker, off the event loop; a change of the clinic's country
applies within that time.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from scalpmap.dates import DayOrder, use_day_order
from scalpmap.services.clinic_locale import clinic_day_rules

__all__ = ["REFRESH_S", "ClinicDaysMiddleware"]

REFRESH_S = 5.0
"""How long a worker keeps the clinic's day order before reading the settings again."""


class ClinicDaysMiddleware:
    """Set the clinic's day order and today for each request (pure ASGI, nothing buffered).

    Parameters
    ----------
    app : ASGI app
        The wrapped app; its ``state.scalpmap.session_factory`` reads the settings.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._read_at = -float("inf")
        self._rules: tuple[DayOrder | None, dt.date | None] = (None, None)

    def _load(self, scope: Scope) -> tuple[DayOrder | None, dt.date | None]:
        with self._lock:
            if time.monotonic() - self._read_at < REFRESH_S:
                return self._rules
            factory = scope["app"].state.scalpmap.session_factory
            with factory() as session:
                self._rules = clinic_day_rules(session)
            self._read_at = time.monotonic()
            return self._rules

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app with the clinic's day order (not for static files)."""
        if scope["type"] != "http" or str(scope.get("path", "")).startswith("/static/"):
            await self.app(scope, receive, send)
            return
        if time.monotonic() - self._read_at < REFRESH_S:
            order, today = self._rules
        else:
            order, today = await run_in_threadpool(self._load, scope)
        with use_day_order(order, today):
            await self.app(scope, receive, send)
