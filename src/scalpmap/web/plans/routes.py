"""Plan pages: a case's plans, the hairline designer, a plan version and its files.

The designer page needs a practitioner or admin; the plan pages and files any signed-in user.
Pictures and reports are found by plan version and role, never by a path from the request.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scalpmap.errors import InputError
from scalpmap.planning.face_landmarks import given_from_json
from scalpmap.reports.scale_note import scale_estimate
from scalpmap.services import plans
from scalpmap.services.errors import ConflictError, NotFoundError
from scalpmap.store.models import AnalysisStatus, Case, CaseReason, PlanVersion, Role
from scalpmap.web.deps import CanEditPlans, CurrentCase, CurrentUser, Id, SessionDep, StateDep
from scalpmap.web.plans.files import before_jpeg, file_response, open_plan, plan_file
from scalpmap.web.plans.orchestration import (
    analysis_of_case,
    design_of_case,
    patient_age,
    start,
    update,
)
from scalpmap.web.plans.pages import plan_context, version_summary
from scalpmap.web.plans.schemas import TemplateChoice
from scalpmap.web.rendering import render
from scalpmap.web.report_pdfs import ReportAsk, report_pdf

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

TEMPLATES: tuple[tuple[str, str, str], ...] = (
    ("keep", "Keep", "Keep the current line; fill thin areas"),
    ("soften", "Soften", "Round the corners and feather the edge"),
    (
        "mature",
        "Mature",
        "Raise the line to 8 cm above the glabella, with a V on the verticals through the outer "
        "eye corners (or by the patient's age without a face)",
    ),
    ("remove-all", "Remove all", "Total removal: no target"),
)
IdQuery = Annotated[int | None, Query(ge=1, le=2_147_483_647)]


def _analysed_photos(case: Case) -> list[dict[str, Any]]:
    """List the case's photos with their newest analysis and whether one finished."""
    rows = []
    for photo in case.photos:
        latest = photo.analyses[-1] if photo.analyses else None
        done = any(a.status == AnalysisStatus.DONE for a in photo.analyses)
        rows.append({"photo": photo, "latest": latest, "done": done})
    return rows


@router.get("/cases/{case_id}/plans")
def case_plans(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    case: CurrentCase,
    version: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> Response:
    """List a case's plan versions and the photos a new design can start from.

    With ``?version=N`` go to that version's page (the version selector without JavaScript).
    """
    versions = plans.list_plan_versions(session, case.id)
    if version is not None:
        chosen = next((v for v in versions if v.version == version), None)
        if chosen is None:
            raise NotFoundError(f"case {case.id} has no plan version {version}")
        return RedirectResponse(f"/plans/{chosen.id}", status_code=303)
    context = {
        "title": f"Plans · Case #{case.id}",
        "section": "cases",
        "case": case,
        "patient": case.patient,
        "versions": [version_summary(v) for v in reversed(versions)],
        "photos": _analysed_photos(case),
        "can_edit": user.role != Role.RECEPTION,
    }
    return render(request, "plans/index.html", context)


def _default_template(case: Case) -> TemplateChoice:
    return "remove-all" if case.reason == CaseReason.TOTAL_REMOVAL else "soften"


def _initial_state(
    session: SessionDep,
    case: Case,
    photo_id: int | None,
    plan_id: int | None,
    template: TemplateChoice | None,
    age: int | None,
) -> tuple[dict[str, Any], str, str | None]:
    """Return the designer's first state, the template it came from, and a problem to show."""
    source: PlanVersion | None = None
    if plan_id is not None:
        source = session.get(PlanVersion, plan_id)
        if source is None or source.case_id != case.id or source.analysis_id is None:
            raise NotFoundError(f"case {case.id} has no plan version {plan_id} to edit")
    if source is not None and source.analysis_id is not None:
        row = analysis_of_case(session, case, analysis_id=source.analysis_id)
    elif photo_id is not None:
        row = analysis_of_case(session, case, photo_id=photo_id)
    else:
        done = [p for p in _analysed_photos(case) if p["done"]]
        if not done:
            raise ConflictError("no photo of this case has been analysed yet: upload one first")
        row = analysis_of_case(session, case, photo_id=done[0]["photo"].id)
    design, photo = design_of_case(session, row.id)
    given: dict[str, tuple[float, float]] = {}
    if source is not None:
        document = source.document if isinstance(source.document, dict) else {}
        options = document.get("options") or {}
        given = given_from_json(options.get("landmarks"))
        hairline = (document.get("target") or {}).get("hairline")
        if hairline is None:
            return start(design, photo, "remove-all", None, given), "remove-all", None
        saved = options.get("template")
        template = saved if saved in ("keep", "soften", "mature") else "soften"
        try:
            if (document.get("target") or {}).get("template") == saved == template:
                # The template's plan, unedited: its own target, as saved (same zones).
                saved_age = options.get("age") or age
                return start(design, photo, template, saved_age, given), str(template), None
            return update(design, photo, hairline, given), str(template), None
        except InputError:  # e.g. a line wholly off the photo: start again from its template
            age = options.get("age") or age
    chosen: TemplateChoice = template or _default_template(case)
    try:
        return start(design, photo, chosen, age, given), chosen, None
    except InputError as error:
        return start(design, photo, "soften", age), "soften", str(error)


@router.get("/cases/{case_id}/designer")
def designer(
    request: Request,
    session: SessionDep,
    user: CanEditPlans,
    case: CurrentCase,
    photo: IdQuery = None,
    plan: IdQuery = None,
    template: Annotated[TemplateChoice | None, Query()] = None,
    age: Annotated[int | None, Query(ge=14, le=100)] = None,
) -> Response:
    """Show the hairline designer on one of the case's analysed photos.

    ``?photo=ID`` picks the photo (the first analysed one by default), ``?plan=ID`` starts from
    a saved version's hairline and ``?template=`` from a template.
    """
    patient = case.patient
    age = age if age is not None else patient_age(patient)
    state, chosen, problem = _initial_state(session, case, photo, plan, template, age)
    context = {
        "title": f"Designer · Case #{case.id}",
        "section": "cases",
        "case": case,
        "patient": patient,
        "state": state,
        "scale_estimate": scale_estimate(state.get("scale")),
        "template": chosen,
        "templates": TEMPLATES,
        "age": age,
        "error": problem,
        "photos": [p for p in _analysed_photos(case) if p["done"]],
        "skin_types": [(1, "I"), (2, "II"), (3, "III"), (4, "IV"), (5, "V"), (6, "VI")],
    }
    return render(request, "plans/designer.html", context)


@router.get("/plans/{plan_id}")
def plan_page(request: Request, session: SessionDep, user: CurrentUser, plan_id: Id) -> Response:
    """Show a plan version: assessment, zones, sessions, timeline, simulation and downloads."""
    plan = open_plan(session, plan_id, user)
    case = plan.case
    context = {
        "title": f"Plan v{plan.version} · Case #{case.id}",
        "section": "cases",
        "case": case,
        "patient": case.patient,
        "can_edit": user.role != Role.RECEPTION,
        **plan_context(plan, plans.list_plan_versions(session, case.id)),
    }
    return render(request, "plans/plan.html", context)


@router.get("/plans/{plan_id}/files/{role}")
def plan_file_page(
    request: Request,
    session: SessionDep,
    state: StateDep,
    user: CurrentUser,
    plan_id: Id,
    role: Annotated[str, PathParam(max_length=40)],
) -> Response:
    """Send a plan version's picture (inline) or report (download; a PDF to print: its job)."""
    plan, item = plan_file(session, state.store, plan_id, role, user, api=False)
    if isinstance(item, ReportAsk):
        return report_pdf(request, session, state, user, item, api=False)
    return file_response(plan, item)


@router.get("/plans/{plan_id}/before.jpg")
def before_picture(
    session: SessionDep, state: StateDep, user: CurrentUser, plan_id: Id
) -> Response:
    """Send the photo the plan was made on (the slider's "before")."""
    data = before_jpeg(session, state.store, plan_id, user)
    return Response(data, media_type="image/jpeg")
