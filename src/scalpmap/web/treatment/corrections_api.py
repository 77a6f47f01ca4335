"""JSON API: correct or void a logged session, and the same-day confirmation.

``PATCH /api/laser-sessions/{id}`` (and ``/api/smp-sessions/{id}``) changes the fields sent;
the old values stay in the session's ``history``. ``POST .../void`` voids a session logged by
mistake. A session on a day that already has another session of the same kind of the case is
answered with 409 and ``"code": "same_day_session"`` until it is sent again with
``?confirm_duplicate=true`` (:func:`same_day_conflict`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse

from scalpmap.dates import Day
from scalpmap.services import cases
from scalpmap.services._tx import get_or_raise
from scalpmap.services.clearance_progress import list_clearance_checks
from scalpmap.services.session_checks import MAX_TEXT, RecordId
from scalpmap.services.session_corrections import (
    MAX_REASON,
    correct_laser_session,
    correct_smp_session,
    laser_values,
    smp_values,
    void_session,
)
from scalpmap.services.treatment_sessions import (
    DuplicateSessionError,
    LaserSessionIn,
    SmpSessionIn,
)
from scalpmap.store.models import LaserSession, PulseClass, SmpSession
from scalpmap.web.deps import CurrentUser, Id, SessionDep
from scalpmap.web.treatment.schemas import (
    LaserSessionPublic,
    SmpSessionPublic,
    laser_public,
    smp_public,
)

__all__ = [
    "ConfirmDuplicate",
    "LaserSessionCorrection",
    "SmpSessionCorrection",
    "VoidRequest",
    "router",
    "same_day_conflict",
]

router = APIRouter(prefix="/api", tags=["treatment"])

ConfirmDuplicate = Annotated[
    bool,
    Query(description="Log it even though the case has a session of this kind that day already"),
]

_SAME_DAY: dict[int | str, dict[str, Any]] = {
    409: {"description": "Another session that day: send ?confirm_duplicate=true"}
}


def same_day_conflict(error: DuplicateSessionError) -> JSONResponse:
    """Answer a same-day session: 409 with the session already logged and how to confirm.

    Parameters
    ----------
    error : DuplicateSessionError
        The refusal.

    Returns
    -------
    starlette.responses.JSONResponse
        ``{"detail", "code": "same_day_session", "existing_session_id", "errors"}``.
    """
    detail = (
        f"{error}: if there really were two that day, send it again with ?confirm_duplicate=true"
    )
    body: dict[str, Any] = {
        "detail": detail,
        "code": "same_day_session",
        "existing_session_id": error.existing_id,
        "errors": [{"field": "session_date", "label": "Date", "message": detail}],
    }
    return JSONResponse(body, status_code=409)


class LaserSessionCorrection(BaseModel):
    """Corrections to a laser session: only the fields sent change (and why, optionally)."""

    model_config = ConfigDict(extra="forbid")

    session_date: Day | None = None
    facility_id: RecordId | None = None
    device: str | None = Field(default=None, min_length=1, max_length=100)
    wavelength_nm: int | None = None
    pulse: PulseClass | None = None
    fluence_j_cm2: float | None = None
    spot_mm: float | None = None
    passes: int | None = None
    notes: str | None = Field(default=None, max_length=MAX_TEXT)
    adverse_effects: str | None = Field(default=None, max_length=MAX_TEXT)
    reason: str | None = Field(default=None, max_length=MAX_REASON, description="Why")


class SmpSessionCorrection(BaseModel):
    """Corrections to an SMP session: only the fields sent change (and why, optionally)."""

    model_config = ConfigDict(extra="forbid")

    session_date: Day | None = None
    practitioner_name: str | None = Field(default=None, min_length=1, max_length=200)
    practitioner_id: RecordId | None = None
    needle: str | None = Field(default=None, min_length=1, max_length=100)
    areas: list[str] | None = None
    notes: str | None = Field(default=None, max_length=MAX_TEXT)
    reason: str | None = Field(default=None, max_length=MAX_REASON, description="Why")


class VoidRequest(BaseModel):
    """Why a session is void (required), e.g. ``logged twice``."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=MAX_REASON)


def _merged(current: BaseModel, body: BaseModel, model: type[BaseModel]) -> Any:
    changes = body.model_dump(exclude_unset=True, exclude={"reason"})
    return model.model_validate(current.model_dump() | changes)


def _laser_answer(session: SessionDep, row: LaserSession) -> LaserSessionPublic:
    checks = {c.laser_session_id: c for c in list_clearance_checks(session, row.case_id)}
    return laser_public(row, checks.get(row.id))


@router.patch(
    "/laser-sessions/{laser_id}",
    responses={
        404: {"description": "No such laser session or facility"},
        **_SAME_DAY,
        422: {"description": "A void session, nothing changed, or a value out of range"},
    },
    summary="Correct a laser session",
    response_model=LaserSessionPublic,
)
def correct_laser(
    laser_id: Id,
    body: LaserSessionCorrection,
    session: SessionDep,
    user: CurrentUser,
    confirm_duplicate: ConfirmDuplicate = False,
) -> Any:
    """Change the fields sent; the old values stay in the session's ``history`` (audited)."""
    row = get_or_raise(session, LaserSession, laser_id, "laser session")
    cases.get_case(session, row.case_id, user)
    data = _merged(laser_values(row), body, LaserSessionIn)
    try:
        corrected = correct_laser_session(
            session, row.id, data, user, reason=body.reason, confirm_duplicate=confirm_duplicate
        )
    except DuplicateSessionError as error:
        return same_day_conflict(error)
    return _laser_answer(session, corrected)


@router.patch(
    "/smp-sessions/{smp_id}",
    responses={
        404: {"description": "No such SMP session"},
        **_SAME_DAY,
        422: {"description": "A void session, nothing changed, or a wrong value"},
    },
    summary="Correct an SMP session",
    response_model=SmpSessionPublic,
)
def correct_smp(
    smp_id: Id,
    body: SmpSessionCorrection,
    session: SessionDep,
    user: CurrentUser,
    confirm_duplicate: ConfirmDuplicate = False,
) -> Any:
    """Change the fields sent; the old values stay in the session's ``history`` (audited)."""
    row = get_or_raise(session, SmpSession, smp_id, "SMP session")
    cases.get_case(session, row.case_id, user)
    data = _merged(smp_values(row), body, SmpSessionIn)
    try:
        corrected = correct_smp_session(
            session, row.id, data, user, reason=body.reason, confirm_duplicate=confirm_duplicate
        )
    except DuplicateSessionError as error:
        return same_day_conflict(error)
    return smp_public(corrected)


@router.post(
    "/laser-sessions/{laser_id}/void",
    responses={404: {"description": "No such laser session"}, 422: {"description": "Void"}},
    summary="Void a laser session logged by mistake",
)
def void_laser(
    laser_id: Id, body: VoidRequest, session: SessionDep, user: CurrentUser
) -> LaserSessionPublic:
    """Void it: kept with why, but counted nowhere (progress, calendar, due dates)."""
    row = get_or_raise(session, LaserSession, laser_id, "laser session")
    cases.get_case(session, row.case_id, user)
    voided = void_session(session, "laser", row.id, body.reason, user)
    assert isinstance(voided, LaserSession)
    return _laser_answer(session, voided)


@router.post(
    "/smp-sessions/{smp_id}/void",
    responses={404: {"description": "No such SMP session"}, 422: {"description": "Void"}},
    summary="Void an SMP session logged by mistake",
)
def void_smp(
    smp_id: Id, body: VoidRequest, session: SessionDep, user: CurrentUser
) -> SmpSessionPublic:
    """Void it: kept with why, but counted nowhere (calendar, due dates)."""
    row = get_or_raise(session, SmpSession, smp_id, "SMP session")
    cases.get_case(session, row.case_id, user)
    voided = void_session(session, "smp", row.id, body.reason, user)
    assert isinstance(voided, SmpSession)
    return smp_public(voided)
