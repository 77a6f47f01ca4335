"""Case pages: list by stage, open one for a patient, view, change stage, title, practitioner."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scalpmap.errors import InputError, ScalpmapError
from scalpmap.services import cases
from scalpmap.services.calendar import case_calendar
from scalpmap.store.models import Case, CaseReason, CaseStage, Patient, PhotoView
from scalpmap.web.cases.orchestration import list_practitioners, update_case
from scalpmap.web.dashboard.orchestration import active_cases
from scalpmap.web.deps import CurrentCase, CurrentPatient, CurrentUser, SessionDep
from scalpmap.web.errors import status_for
from scalpmap.web.photos.orchestration import latest_statuses
from scalpmap.web.rendering import render
from scalpmap.web.treatment.orchestration import treatment_context

__all__ = ["case_page", "router"]

router = APIRouter(include_in_schema=False)


@router.get("/cases")
def case_list(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    stage: Annotated[CaseStage | None, Query()] = None,
) -> Response:
    """List open cases, or the cases of one stage."""
    context = {
        "title": "Cases",
        "section": "cases",
        "cases": active_cases(session, user, stage=stage, limit=200),
        "stage": stage,
        "stages": list(CaseStage),
    }
    return render(request, "cases/list.html", context)


@router.post("/patients/{patient_id}/cases")
def open_case(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    patient: CurrentPatient,
    reason: Annotated[str, Form(max_length=50)] = "",
    title: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Open a case for the patient, or show the patient page again with the problem."""
    try:
        if reason not in {r.value for r in CaseReason}:
            raise InputError("choose the reason for the case")
        if len(title.strip()) > 200:
            raise InputError("the title is too long: at most 200 characters")
        case = cases.open_case(
            session, patient.id, CaseReason(reason), user, title=title.strip() or None
        )
    except ScalpmapError as error:
        return _patient_with_error(request, session, patient, str(error), status_for(error))
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


def _patient_with_error(
    request: Request, session: SessionDep, patient: Patient, error: str, status: int
) -> Response:
    context = {
        "title": f"Patient #{patient.id}",
        "section": "patients",
        "patient": patient,
        "cases": cases.list_cases(session, patient.id),
        "reasons": list(CaseReason),
        "error": error,
    }
    return render(request, "patients/detail.html", context, status_code=status)


def case_page(
    request: Request,
    session: SessionDep,
    case: Case,
    *,
    error: str | None = None,
    status_code: int = 200,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """Render a case's page (also after a form on it failed).

    Parameters
    ----------
    request : starlette.requests.Request
        The request.
    session : sqlalchemy.orm.Session
        The session.
    case : Case
        The case (already loaded through the audited service).
    error : str, optional
        One line to show.
    status_code : int, optional
        HTTP status.
    extra : mapping, optional
        Template variables that replace the defaults, e.g. a session form as typed
        (``laser_form``, ``smp_form``) and which form to open (``open_form``).

    Returns
    -------
    starlette.responses.Response
        The page, with the referral, sessions and clearance part
        (:func:`scalpmap.web.treatment.orchestration.treatment_context`).
    """
    latest = latest_statuses(session, list(case.photos))
    photos = [(photo, latest.get(photo.id)) for photo in case.photos]
    context: dict[str, Any] = {
        "title": f"Case #{case.id}",
        "section": "cases",
        "case": case,
        "patient": case.patient,
        "photos": photos,
        "stages": list(CaseStage),
        "views": list(PhotoView),
        "practitioners": list_practitioners(session),
        "error": error,
        "open_form": "",
    }
    context.update(treatment_context(session, case, getattr(request.state, "user", None)))
    context.update(extra or {})
    return render(request, "cases/detail.html", context, status_code=status_code)


@router.get("/cases/{case_id}/calendar.ics")
def case_calendar_file(session: SessionDep, user: CurrentUser, case: CurrentCase) -> Response:
    """Download the case's sessions as an ICS calendar (planned, logged and next due)."""
    text = case_calendar(session, case.id)
    headers = {"Content-Disposition": f'attachment; filename="case-{case.id}.ics"'}
    return Response(text, media_type="text/calendar; charset=utf-8", headers=headers)


@router.get("/cases/{case_id}")
def case_detail(
    request: Request, session: SessionDep, user: CurrentUser, case: CurrentCase
) -> Response:
    """Show a case: its patient, stage, photos with their analyses, and the upload area."""
    return case_page(request, session, case)


@router.post("/cases/{case_id}/stage")
def change_stage(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    case: CurrentCase,
    stage: Annotated[str, Form(max_length=50)] = "",
    allow_backwards: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Move the case to another stage (going back needs the correction box ticked)."""
    if stage not in {s.value for s in CaseStage}:
        return case_page(request, session, case, error="choose a stage", status_code=422)
    try:
        cases.set_stage(
            session, case.id, CaseStage(stage), user, allow_backwards=allow_backwards == "on"
        )
    except ScalpmapError as error:
        return case_page(request, session, case, error=str(error), status_code=status_for(error))
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


@router.post("/cases/{case_id}/edit")
def edit_case(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    case: CurrentCase,
    title: Annotated[str, Form(max_length=1000)] = "",
    practitioner_id: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Change the case's title and practitioner in charge."""
    try:
        chosen = int(practitioner_id) if practitioner_id.strip() else None
        if chosen is not None and not 1 <= chosen <= 2_147_483_647:
            raise ValueError(practitioner_id)
    except ValueError:
        return case_page(request, session, case, error="choose a practitioner", status_code=422)
    try:
        update_case(session, case.id, user, title=title, practitioner_id=chosen)
    except ScalpmapError as error:
        session.rollback()
        return case_page(request, session, case, error=str(error), status_code=status_for(error))
    return RedirectResponse(f"/cases/{case.id}", status_code=303)
