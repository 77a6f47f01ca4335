"""The dashboard page."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from scalpmap.web.dashboard.orchestration import (
    active_cases,
    follow_ups_due,
    new_enquiries,
    stage_counts,
)
from scalpmap.web.deps import CurrentUser, SessionDep
from scalpmap.web.rendering import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/")
def dashboard(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Show cases by stage, follow-ups due and new enquiries."""
    context = {
        "title": "Dashboard",
        "section": "dashboard",
        "counts": stage_counts(session),
        "cases": active_cases(session, user, limit=15),
        "follow_ups": follow_ups_due(session),
        "enquiries": new_enquiries(session),
    }
    return render(request, "dashboard/index.html", context)
