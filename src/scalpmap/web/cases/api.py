"""JSON API of cases: open, read, change stage, title or practitioner."""

from __future__ import annotations

from fastapi import APIRouter

from scalpmap.services import cases
from scalpmap.web.cases.orchestration import update_case
from scalpmap.web.cases.schemas import CaseCreate, CasePatch, CasePublic, case_public
from scalpmap.web.deps import CurrentCase, CurrentUser, SessionDep
from scalpmap.web.patients.schemas import Created

__all__ = ["router"]

router = APIRouter(prefix="/api/cases", tags=["cases"])


@router.post(
    "",
    status_code=201,
    responses={404: {"description": "No such patient"}},
    summary="Open a case",
)
def open_case(body: CaseCreate, session: SessionDep, user: CurrentUser) -> Created:
    """Open a case for a patient (stage ``enquiry`` unless given)."""
    case = cases.open_case(
        session, body.patient_id, body.reason, user, stage=body.stage, title=body.title
    )
    return Created(id=case.id)


@router.get("/{case_id}", responses={404: {"description": "No such case"}}, summary="Read a case")
def get_case(case: CurrentCase) -> CasePublic:
    """Read a case (the view is audited)."""
    return case_public(case)


@router.patch(
    "/{case_id}",
    responses={404: {"description": "No such case"}, 422: {"description": "Stage goes back"}},
    summary="Change a case",
)
def change_case(
    body: CasePatch, session: SessionDep, user: CurrentUser, case: CurrentCase
) -> CasePublic:
    """Change the stage (forward, or back with ``allow_backwards``), title or practitioner."""
    sent = body.model_fields_set
    if body.stage is not None:
        cases.set_stage(session, case.id, body.stage, user, allow_backwards=body.allow_backwards)
    changes: dict[str, object] = {}
    if "title" in sent:
        changes["title"] = body.title
    if "practitioner_id" in sent:
        changes["practitioner_id"] = body.practitioner_id
    if changes:
        update_case(session, case.id, user, **changes)
    return case_public(case)
