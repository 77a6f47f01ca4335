"""Jinja2 pages: one environment per app, templates under ``web/templates/<area>/``.

Every page gets ``user`` (the signed-in user or ``None``), ``csrf_token`` (for the hidden field
of each form and the ``<meta name="csrf-token">`` read by the scripts), ``has_plans`` (whether
the plans area is installed) and ``clinic`` (the clinic's settings,
:mod:`scalpmap.web.clinic_pages`). Stored times are shown in the clinic's time zone (the
``when`` filter).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from scalpmap import __version__
from scalpmap.clinic_identity import format_local
from scalpmap.planning.laser_rules import interval_rule
from scalpmap.web.clinic_pages import page_clinic, page_zone, showing_times_in
from scalpmap.web.security import csrf_token

__all__ = ["LABELS", "build_templates", "label", "render"]

LABELS = {
    "reposition": "Repositioning",
    "poor_work": "Poor work",
    "total_removal": "Total removal",
    "faded": "Faded",
    "enquiry": "Enquiry",
    "assessment": "Assessment",
    "planned": "Planned",
    "referred": "Referred",
    "laser": "Laser",
    "touch_up": "Touch-up",
    "complete": "Complete",
    "admin": "Admin",
    "practitioner": "Practitioner",
    "reception": "Reception",
    "pending": "Queued",
    "running": "Analysing",
    "done": "Done",
    "failed": "Failed",
    "new": "New",
    "converted": "Converted",
    "closed": "Closed",
}


def label(value: object) -> str:
    """Return the display label of an enum value (``"touch_up"`` → ``"Touch-up"``).

    Parameters
    ----------
    value : object
        An enum member, a string or ``None``.

    Returns
    -------
    str
        The label; ``"—"`` for ``None``.

    Examples
    --------
    >>> label("poor_work"), label(None), label("front")
    ('Poor work', '—', 'Front')
    """
    if value is None:
        return "—"
    text = str(value)
    return LABELS.get(text, text.replace("_", " ").capitalize())


def _when(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        return format_local(value, page_zone())  # stored in UTC, shown in the clinic's zone
    return value.isoformat()


def _number(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def build_templates() -> Jinja2Templates:
    """Build the template environment (autoescaped HTML, strict undefined variables).

    Returns
    -------
    starlette.templating.Jinja2Templates
        The templates.
    """
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("scalpmap.web", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["label"] = label
    env.filters["when"] = _when
    env.filters["number"] = _number
    env.filters["interval_rule"] = interval_rule
    env.globals["version"] = __version__
    return Jinja2Templates(env=env)


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    """Render a page.

    Parameters
    ----------
    request : starlette.requests.Request
        The request.
    name : str
        Template path, e.g. ``"patients/detail.html"``.
    context : dict, optional
        Template variables.
    status_code : int, optional
        HTTP status (4xx for a form shown again with its error).

    Returns
    -------
    starlette.responses.Response
        The page.
    """
    state = request.app.state.scalpmap
    clinic = page_clinic(request)
    values: dict[str, Any] = {
        "clinic": clinic,
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
        "has_plans": state.has_plans,
        "error": None,
        "notice": None,
        "section": "",
    }
    values.update(context or {})
    templates: Jinja2Templates = state.templates
    with showing_times_in(clinic.time_zone):  # the page renders here, inside the block
        return templates.TemplateResponse(request, name, values, status_code=status_code)
