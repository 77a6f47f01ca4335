"""JSON API of the designer and plans: start and update a design, save it, read plans and files.

Starting, updating and saving need a practitioner or admin (reception gets 403); reading plans
needs any signed-in user. The routes are plain ``def``: they run in the threadpool. Saving
(seconds) is a job: the request answers 202 at once and the job's status is polled
(``GET /api/jobs/{id}``, see :mod:`scalpmap.web.plans.orchestration`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi import Path as PathParam
from starlette.requests import Request
from starlette.responses import Response

from scalpmap.planning.landmark_edits import design_guides as guides_of
from scalpmap.services import plans
from scalpmap.web.deps import CanEditPlans, CurrentCase, CurrentUser, Id, SessionDep, StateDep
from scalpmap.web.job_progress import JobPublic, job_public
from scalpmap.web.plans.files import file_response, open_plan, plan_file, plan_files_urls
from scalpmap.web.plans.orchestration import (
    analysis_of_case,
    ask_plan_save,
    design_of_case,
    patient_age,
    start,
    update,
)
from scalpmap.web.plans.pages import version_summary
from scalpmap.web.plans.schemas import (
    DesignCreate,
    DesignState,
    GivenLandmarks,
    GuidesState,
    PlanCreate,
    PlanVersionPublic,
)
from scalpmap.web.report_pdfs import ReportAsk, report_pdf

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["plans"])

_EDIT: dict[int | str, dict[str, Any]] = {
    403: {"description": "Reception, or a cookie session without its CSRF token"}
}
_DESIGN_ERRORS: dict[int | str, dict[str, Any]] = {
    **_EDIT,
    404: {"description": "No such case, or the photo or analysis is another case's"},
    409: {"description": "The photo has not been analysed yet"},
    422: {"description": "Unknown template, bad age or bad hairline JSON"},
}


@router.post(
    "/cases/{case_id}/designs",
    responses=_DESIGN_ERRORS,
    summary="Start a hairline design from a template",
)
def start_design(
    body: DesignCreate, session: SessionDep, user: CanEditPlans, case: CurrentCase
) -> DesignState:
    """Start a design of one of the case's analysed photos (nothing is saved).

    When the photo shows a face, the glabella and lateral canthi are detected and the state
    carries them (``landmarks``, each ``detected``) with the guide lines of the published rules
    (``guides``); ``mature`` then follows the rules (mid-frontal point 8 cm above the glabella,
    the V's corners on the verticals through the lateral canthi). ``landmarks`` in the body
    replace detected ones, each on its own, and are marked ``given``. Without a face, ``mature``
    needs an age: the body's, else the patient's from the date of birth.
    """
    row = analysis_of_case(session, case, analysis_id=body.analysis_id, photo_id=body.photo_id)
    age = body.age if body.age is not None else patient_age(case.patient)
    design, photo_id = design_of_case(session, row.id)
    state = start(design, photo_id, body.template, age, body.landmarks)
    return DesignState.model_validate(state)


@router.post(
    "/designs/{analysis_id}/update",
    responses=_DESIGN_ERRORS,
    summary="Recompute the zones of an edited hairline",
)
def update_design(
    analysis_id: Id,
    session: SessionDep,
    user: CanEditPlans,
    hairline: Annotated[dict[str, Any], Body(description="The edited scalpmap-hairline/1 model")],
) -> DesignState:
    """Recompute the removal, touch-up and keep zones as control points move (fast, not saved).

    The body is the hairline model as the design returned it (``hairline``), with moved
    ``points_px``. The answer's template is ``custom``.
    """
    design, photo_id = design_of_case(session, analysis_id)
    return DesignState.model_validate(update(design, photo_id, hairline))


@router.post(
    "/designs/{analysis_id}/guides",
    responses=_DESIGN_ERRORS,
    summary="The rules' guide lines for landmarks as placed",
)
def design_guides(
    analysis_id: Id, body: GivenLandmarks, session: SessionDep, user: CanEditPlans
) -> GuidesState | None:
    """Return the published rules' guide lines for the landmarks as the practitioner placed them.

    The designer asks while a landmark is dragged, so the guide lines are computed in one place
    (nothing is saved). Landmarks left out of the body are the detected ones. ``null`` when the
    photo shows no face and none are given.
    """
    design, _photo_id = design_of_case(session, analysis_id)
    guides = guides_of(design, body.model_dump(exclude_none=True))
    return None if guides is None else GuidesState.model_validate(guides)


@router.post(
    "/cases/{case_id}/plans",
    status_code=202,
    responses={**_DESIGN_ERRORS, 503: {"description": "The job queue does not answer"}},
    summary="Save a design as the case's next plan version (a job)",
)
def save_plan(
    body: PlanCreate, session: SessionDep, state: StateDep, user: CanEditPlans, case: CurrentCase
) -> JobPublic:
    """Ask for the plan (simulation, pictures, patient and facility reports) to be made and saved.

    Making it takes a few seconds, so the answer is the plan-save job at once (202): poll its
    ``status_url`` until ``done`` (``result``: the new version's ``plan_id``, ``version`` and
    page ``url``) or ``failed`` (``error``: why, in one line). The same design saved twice is
    one job and one version. Old versions are kept. Without ``hairline`` the target is the
    template's. The plan records the landmarks it used in ``options.landmarks``: those in the
    body as ``given``, the others ``detected``.
    """
    return job_public(ask_plan_save(session, state, user, case, body))


@router.get(
    "/cases/{case_id}/plans",
    responses={404: {"description": "No such case"}},
    summary="List a case's plan versions",
)
def list_plans(session: SessionDep, case: CurrentCase) -> list[PlanVersionPublic]:
    """List the case's plan versions, newest first."""
    versions = reversed(plans.list_plan_versions(session, case.id))
    return [PlanVersionPublic.model_validate(version_summary(v)) for v in versions]


@router.get(
    "/plans/{plan_id}",
    responses={404: {"description": "No such plan version"}},
    summary="Read a plan version's plan.json",
)
def get_plan(plan_id: Id, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    """Return the version's plan.json (docs/plan-json.md); ``files`` maps roles to their URLs."""
    plan = open_plan(session, plan_id, user)
    return {**plan.document, "files": plan_files_urls(plan)}


@router.get(
    "/plans/{plan_id}/files/{role}",
    response_class=Response,
    responses={
        200: {"content": {"image/png": {}, "application/pdf": {}, "text/html": {}}},
        202: {"description": "A PDF report being printed again (its job, to poll and ask again)"},
        404: {"description": "No such plan version or file role"},
        422: {"description": "The PDF report could not be printed (its job, with the reason)"},
        503: {"description": "The job queue does not answer"},
    },
    summary="Download a plan version's picture or report",
)
def get_plan_file(
    request: Request,
    plan_id: Id,
    role: Annotated[str, PathParam(max_length=40, description="e.g. zones or patient_pdf")],
    session: SessionDep,
    state: StateDep,
    user: CurrentUser,
) -> Response:
    """Send one stored file of the version, by role.

    Pictures (PNG, inline): ``zones``, ``removal_map``, ``after_laser``, ``after_touch_up``,
    ``side_by_side``, ``timeline``. Reports (downloads): ``patient_html``, ``facility_html``,
    ``patient_pdf``, ``facility_pdf``. A report made again because the patient's consent or
    the clinic's settings changed since the plan was saved is printed by a report job: 202 with
    the job until it is printed, then the PDF.
    """
    plan, item = plan_file(session, state.store, plan_id, role, user, api=True)
    if isinstance(item, ReportAsk):
        return report_pdf(request, session, state, user, item, api=True)
    return file_response(plan, item)
