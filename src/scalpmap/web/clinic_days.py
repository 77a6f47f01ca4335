"""Read the days typed in forms and API bodies the clinic's way (its country and time zone).

:class:`ClinicDaysMiddleware` sets :func:`scalpmap.dates.use_day_order` around every request,
before the body is parsed, so that ``12/04/1981`` is 12 April for a clinic in the UK and
4 December for one in the US, and "today" is the clinic's. It reads the worker's copy of the
clinic's settings (:class:`scalpmap.web.clinic_pages.ClinicCache`), which
:class:`~scalpmap.web.clinic_pages.ClinicSettingsMiddleware` refreshes before it: a change of
the clinic's country applies within that cache's time.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from scalpmap.dates import use_day_order
from scalpmap.services.clinic_locale import day_order_of
from scalpmap.web.clinic_pages import ClinicCache

__all__ = ["ClinicDaysMiddleware"]


class ClinicDaysMiddleware:
    """Set the clinic's day order and today for each request (pure ASGI, nothing buffered).

    Add it before :class:`~scalpmap.web.clinic_pages.ClinicSettingsMiddleware`, so that the
    settings are refreshed first.

    Parameters
    ----------
    app : ASGI app
        The wrapped app; its ``state.scalpmap.clinic_cache`` holds the settings.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app with the clinic's day order (not for static files)."""
        if scope["type"] != "http" or str(scope.get("path", "")).startswith("/static/"):
            await self.app(scope, receive, send)
            return
        cache: ClinicCache = scope["app"].state.scalpmap.clinic_cache
        clinic = cache.current
        with use_day_order(day_order_of(clinic), clinic.today()):
            await self.app(scope, receive, send)
