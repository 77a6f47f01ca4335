"""Correct or void a logged session: its page, the correction form and the void form.

``GET /laser-sessions/{id}/edit`` (and ``/smp-sessions/{id}/edit``) shows the session's values
in the logging form, a reason, the void form and the session's history. A correction that
works, or a voiding, goes back to the case (303 to ``#sessions``); a wrong value shows the page
again with one line (422), and a day that already has another session of the case asks for
confirmation (409, a box to tick). Any signed-in staff member may correct or void, as any may
log (every change is audited); see :mod:`scalpmap.services.session_corrections`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scalpmap.errors import ScalpmapError
from scalpmap.field_messages import LABELS
from scalpmap.services import cases
from scalpmap.services._tx import get_or_raise
from scalpmap.services.facilities import list_facilities
from scalpmap.services.session_corrections import (
    correct_laser_session,
    correct_smp_session,
    history_of,
    void_session,
)
from scalpmap.services.treatment_sessions import DuplicateSessionError
from scalpmap.store.models import Case, LaserSession, SmpSession, User
from scalpmap.web.deps import CurrentUser, Id, SessionDep
from scalpmap.web.errors import status_for
from scalpmap.web.rendering import render
from scalpmap.web.treatment.forms import (
    AREAS,
    LaserForm,
    SmpForm,
    confirmed,
    parse_laser_form,
    parse_smp_form,
    same_day_message,
)

__all__ = ["laser_form_of", "router", "smp_form_of"]

router = APIRouter(include_in_schema=False)

Kind = Literal["laser", "smp"]
Reason = Annotated[str, Form(max_length=2000)]
_NAMES = {"laser": "laser session", "smp": "SMP session"}


def laser_form_of(row: LaserSession) -> dict[str, str]:
    """Return a logged laser session as the form shows it (every field as text)."""
    return {
        "session_date": row.session_date.isoformat(),
        "facility_id": "" if row.facility_id is None else str(row.facility_id),
        "device": row.device,
        "wavelength_nm": str(row.wavelength_nm),
        "pulse": row.pulse.value,
        "fluence_j_cm2": f"{row.fluence_j_cm2:g}",
        "spot_mm": f"{row.spot_mm:g}",
        "passes": str(row.passes),
        "notes": row.notes or "",
        "adverse_effects": row.adverse_effects or "",
        "confirm_duplicate": "",
    }


def smp_form_of(row: SmpSession) -> dict[str, Any]:
    """Return a logged SMP session as the form shows it (others areas as a comma list)."""
    return {
        "session_date": row.session_date.isoformat(),
        "practitioner_name": row.practitioner_name,
        "needle": row.needle,
        "areas": [area for area in row.areas if area in AREAS],
        "areas_other": ", ".join(area for area in row.areas if area not in AREAS),
        "notes": row.notes or "",
        "confirm_duplicate": "",
    }


def _row(session: Session, kind: Kind, session_id: int) -> LaserSession | SmpSession:
    model: type[LaserSession] | type[SmpSession] = LaserSession if kind == "laser" else SmpSession
    return get_or_raise(session, model, session_id, _NAMES[kind])


def _who(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    found = session.execute(select(User.id, User.full_name, User.email).where(User.id.in_(ids)))
    return {user_id: name or email for user_id, name, email in found}


def _page(
    request: Request,
    session: Session,
    kind: Kind,
    row: LaserSession | SmpSession,
    *,
    form: dict[str, Any] | None = None,
    reason: str = "",
    error: str | None = None,
    duplicate: bool = False,
    status_code: int = 200,
) -> Response:
    case = get_or_raise(session, Case, row.case_id, "case")
    history = history_of(row)
    who = _who(session, {entry.by for entry in history if entry.by is not None})
    values = form
    if values is None:
        values = laser_form_of(row) if isinstance(row, LaserSession) else smp_form_of(row)
    context: dict[str, Any] = {
        "title": f"{_NAMES[kind].capitalize()} of {row.session_date.isoformat()}",
        "section": "cases",
        "kind": kind,
        "row": row,
        "case": case,
        "patient": case.patient,
        "history": [(entry, who.get(entry.by or 0, "the command line")) for entry in history],
        "laser_form": values if kind == "laser" else {},
        "smp_form": values if kind == "smp" else {},
        "facilities": list_facilities(session) if kind == "laser" else [],
        "areas": AREAS,
        "labels": LABELS,
        "reason": reason,
        "error": error,
        "duplicate_of": kind if duplicate else "",
    }
    return render(request, "treatment/session_edit.html", context, status_code=status_code)


def _open(session: Session, user: User, kind: Kind, session_id: int) -> LaserSession | SmpSession:
    row = _row(session, kind, session_id)
    cases.get_case(session, row.case_id, user)  # the look at the case is audited
    return row


def _back(row: LaserSession | SmpSession) -> RedirectResponse:
    return RedirectResponse(f"/cases/{row.case_id}#sessions", status_code=303)


@router.get("/laser-sessions/{session_id}/edit")
def laser_edit_page(
    request: Request, session_id: Id, session: SessionDep, user: CurrentUser
) -> Response:
    """Show a laser session's correction and void forms and its history."""
    return _page(request, session, "laser", _open(session, user, "laser", session_id))


@router.get("/smp-sessions/{session_id}/edit")
def smp_edit_page(
    request: Request, session_id: Id, session: SessionDep, user: CurrentUser
) -> Response:
    """Show an SMP session's correction and void forms and its history."""
    return _page(request, session, "smp", _open(session, user, "smp", session_id))


def _correct(
    request: Request,
    session: Session,
    user: User,
    kind: Kind,
    session_id: int,
    form: dict[str, Any],
    reason: str,
) -> Response:
    row = _open(session, user, kind, session_id)
    try:
        if isinstance(row, LaserSession):
            data = parse_laser_form(form)
            correct_laser_session(
                session, row.id, data, user, reason=reason, confirm_duplicate=confirmed(form)
            )
        else:
            smp = parse_smp_form(form)
            correct_smp_session(
                session, row.id, smp, user, reason=reason, confirm_duplicate=confirmed(form)
            )
    except DuplicateSessionError as error:
        session.rollback()
        message = same_day_message(error, False, correcting=True)
        return _page(
            request,
            session,
            kind,
            row,
            form=form,
            reason=reason,
            error=message,
            duplicate=True,
            status_code=409,
        )
    except ScalpmapError as error:
        session.rollback()
        status = status_for(error)
        return _page(
            request,
            session,
            kind,
            row,
            form=form,
            reason=reason,
            error=str(error),
            status_code=status,
        )
    return _back(row)


@router.post("/laser-sessions/{session_id}/edit")
def correct_laser(
    request: Request,
    session_id: Id,
    session: SessionDep,
    user: CurrentUser,
    form: LaserForm,
    reason: Reason = "",
) -> Response:
    """Save a laser session's corrected values (the old ones stay in its history)."""
    return _correct(request, session, user, "laser", session_id, form, reason)


@router.post("/smp-sessions/{session_id}/edit")
def correct_smp(
    request: Request,
    session_id: Id,
    session: SessionDep,
    user: CurrentUser,
    form: SmpForm,
    reason: Reason = "",
) -> Response:
    """Save an SMP session's corrected values (the old ones stay in its history)."""
    return _correct(request, session, user, "smp", session_id, form, reason)


def _void(
    request: Request, session: Session, user: User, kind: Kind, session_id: int, reason: str
) -> Response:
    row = _open(session, user, kind, session_id)
    try:
        void_session(session, kind, row.id, reason, user)
    except ScalpmapError as error:
        session.rollback()
        status = status_for(error)
        return _page(request, session, kind, row, error=str(error), status_code=status)
    return _back(row)


@router.post("/laser-sessions/{session_id}/void")
def void_laser(
    request: Request, session_id: Id, session: SessionDep, user: CurrentUser, reason: Reason = ""
) -> Response:
    """Void a laser session logged by mistake (kept, counted nowhere)."""
    return _void(request, session, user, "laser", session_id, reason)


@router.post("/smp-sessions/{session_id}/void")
def void_smp(
    request: Request, session_id: Id, session: SessionDep, user: CurrentUser, reason: Reason = ""
) -> Response:
    """Void an SMP session logged by mistake (kept, counted nowhere)."""
    return _void(request, session, user, "smp", session_id, reason)
