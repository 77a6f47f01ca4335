"""JSON API of referrals, the session log, follow-up photos, clearance checks and due dates.

Bearer token or session cookie (with the CSRF token for a POST), as the other APIs. Errors are
one line, ``{"detail": "..."}``: 404 unknown ids, 409 a case without a plan (refer, measure)
or a second session on the same day (until ``?confirm_duplicate=true``), 413/415 a rejected
follow-up photo, 422 a wrong value or a referral status going back. Only
practitioners and admins may make a referral; see the package's docstring for the roles.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from scalpmap.services import referrals
from scalpmap.services._tx import get_or_raise
from scalpmap.services.calendar import due_dates
from scalpmap.services.clearance_progress import list_clearance_checks
from scalpmap.services.errors import NotFoundError
from scalpmap.services.treatment_sessions import (
    DuplicateSessionError,
    LaserSessionIn,
    SmpSessionIn,
    list_laser_sessions,
    list_smp_sessions,
    log_laser_session,
    log_smp_session,
)
from scalpmap.store.models import ClearanceCheck, SmpSession
from scalpmap.web.deps import CurrentCase, CurrentUser, Id, SessionDep, StateDep
from scalpmap.web.job_progress import JobPublic, job_public
from scalpmap.web.report_pdfs import report_pdf
from scalpmap.web.treatment.corrections_api import ConfirmDuplicate, same_day_conflict
from scalpmap.web.treatment.files import letter_pdf_ask, progress_pdf_ask
from scalpmap.web.treatment.follow_ups import (
    read_follow_up,
    store_follow_up,
    store_session_photo,
)
from scalpmap.web.treatment.forms import CanRefer
from scalpmap.web.treatment.orchestration import open_laser
from scalpmap.web.treatment.schemas import (
    DueOut,
    LaserSessionPublic,
    ReferralCreate,
    ReferralPublic,
    SmpSessionPublic,
    StatusChange,
    due_out,
    laser_public,
    referral_public,
    smp_public,
)

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["treatment"])

Responses = dict[int | str, dict[str, Any]]
_CASE_404: Responses = {404: {"description": "No such case"}}
_REFERRAL_404: Responses = {404: {"description": "No such referral"}}
_LASER_404: Responses = {404: {"description": "No such laser session"}}
IncludeVoided = Annotated[
    bool, Query(description="Also list void sessions (they count nowhere; see voided_at)")
]


@router.get("/cases/{case_id}/referrals", responses=_CASE_404, summary="List a case's referrals")
def list_case_referrals(session: SessionDep, case: CurrentCase) -> list[ReferralPublic]:
    """List the case's referrals, oldest first (the case view is audited)."""
    return [referral_public(r) for r in referrals.list_referrals(session, case.id)]


@router.post(
    "/cases/{case_id}/referrals",
    status_code=201,
    responses={
        403: {"description": "Reception cannot refer"},
        404: {"description": "No such case or facility"},
        409: {"description": "The case has no plan yet"},
    },
    summary="Refer a case to a laser facility",
)
def create_case_referral(
    body: ReferralCreate, session: SessionDep, user: CanRefer, case: CurrentCase
) -> ReferralPublic:
    """Refer the case with its latest plan version; the case moves on to ``referred``."""
    referral = referrals.create_referral(
        session, case.id, body.facility_id, user, referred_on=body.referred_on, note=body.note
    )
    return referral_public(referral)


@router.post(
    "/referrals/{referral_id}/status",
    responses={**_REFERRAL_404, 422: {"description": "An unknown status, or going back"}},
    summary="Move a referral forward",
)
def change_referral_status(
    referral_id: Id, body: StatusChange, session: SessionDep, user: CurrentUser
) -> ReferralPublic:
    """Move the referral forward: drafted → sent → accepted → done (steps may be skipped)."""
    return referral_public(referrals.set_referral_status(session, referral_id, body.status, user))


_PRINTING: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The PDF, printed already"},
    202: {"model": JobPublic, "description": "Being printed: poll status_url, then ask again"},
    422: {"model": JobPublic, "description": "The print failed (the job's error says why)"},
    503: {"description": "The job queue does not answer; nothing was written"},
}


@router.get(
    "/referrals/{referral_id}/letter.pdf",
    response_class=Response,
    responses={**_PRINTING, **_REFERRAL_404},
    summary="The referral letter (PDF)",
)
def referral_letter_pdf(
    request: Request, referral_id: Id, session: SessionDep, state: StateDep, user: CurrentUser
) -> Response:
    """Send the referral letter as PDF (audited); patient details only with consent.

    The PDF is printed by a report job keyed by what it prints: asked again with nothing
    changed, it comes at once (200); otherwise the answer is 202 with the job: poll its
    ``status_url`` until ``done``, then ask again.
    """
    ask = letter_pdf_ask(session, state.store, referral_id, user, api=True)
    return report_pdf(request, session, state, user, ask, api=True)


@router.get(
    "/cases/{case_id}/progress.pdf",
    response_class=Response,
    responses={**_PRINTING, **_CASE_404},
    summary="The case's progress report (PDF)",
)
def case_progress_pdf(
    request: Request, session: SessionDep, state: StateDep, user: CurrentUser, case: CurrentCase
) -> Response:
    """Send the progress report as PDF (audited), printed by a report job as the letter is."""
    ask = progress_pdf_ask(session, state.store, case.id, user, api=True)
    return report_pdf(request, session, state, user, ask, api=True)


@router.get(
    "/cases/{case_id}/laser-sessions", responses=_CASE_404, summary="List a case's laser sessions"
)
def list_case_laser_sessions(
    session: SessionDep, case: CurrentCase, include_voided: IncludeVoided = False
) -> list[LaserSessionPublic]:
    """List the case's laser sessions by date, each with its clearance check in short."""
    checks = {c.laser_session_id: c for c in list_clearance_checks(session, case.id)}
    lasers = list_laser_sessions(session, case.id, include_voided=include_voided)
    return [laser_public(laser, checks.get(laser.id)) for laser in lasers]


@router.post(
    "/cases/{case_id}/laser-sessions",
    status_code=201,
    responses={
        404: {"description": "No such case or facility"},
        409: {"description": "Another laser session that day: send ?confirm_duplicate=true"},
        422: {"description": "A setting out of range, a future date, a date before the referral"},
    },
    summary="Log a laser session",
    response_model=LaserSessionPublic,
)
def create_laser_session(
    body: LaserSessionIn,
    session: SessionDep,
    user: CurrentUser,
    case: CurrentCase,
    confirm_duplicate: ConfirmDuplicate = False,
) -> Any:
    """Log a laser session as the facility reports it; the case moves on to ``laser``."""
    try:
        row = log_laser_session(session, case.id, body, user, confirm_duplicate=confirm_duplicate)
    except DuplicateSessionError as error:
        return same_day_conflict(error)
    return laser_public(row, None)


@router.get(
    "/cases/{case_id}/smp-sessions", responses=_CASE_404, summary="List a case's SMP sessions"
)
def list_case_smp_sessions(
    session: SessionDep, case: CurrentCase, include_voided: IncludeVoided = False
) -> list[SmpSessionPublic]:
    """List the case's SMP sessions by date."""
    rows = list_smp_sessions(session, case.id, include_voided=include_voided)
    return [smp_public(smp) for smp in rows]


@router.post(
    "/cases/{case_id}/smp-sessions",
    status_code=201,
    responses={
        **_CASE_404,
        409: {"description": "Another SMP session that day: send ?confirm_duplicate=true"},
        422: {"description": "No area, a future date, an empty field"},
    },
    summary="Log an SMP session",
    response_model=SmpSessionPublic,
)
def create_smp_session(
    body: SmpSessionIn,
    session: SessionDep,
    user: CurrentUser,
    case: CurrentCase,
    confirm_duplicate: ConfirmDuplicate = False,
) -> Any:
    """Log an SMP session; the case moves on to ``touch_up``."""
    try:
        row = log_smp_session(session, case.id, body, user, confirm_duplicate=confirm_duplicate)
    except DuplicateSessionError as error:
        return same_day_conflict(error)
    return smp_public(row)


@router.post(
    "/laser-sessions/{laser_id}/follow-up",
    status_code=202,
    responses={
        **_LASER_404,
        409: {"description": "The case has no plan with a finished analysis"},
        413: {"description": "The file is over the byte or pixel limit"},
        415: {"description": "Not a JPEG, PNG, TIFF, WebP or HEIC image"},
        422: {"description": "A damaged image, or the plan's own baseline photo"},
        503: {"description": "The job queue does not answer (nothing stored)"},
    },
    summary="Add a follow-up photo to a laser session and ask for its measure (a job)",
)
def add_follow_up(
    laser_id: Id,
    session: SessionDep,
    state: StateDep,
    user: CurrentUser,
    file: Annotated[UploadFile, File(description="The follow-up photo")],
) -> JobPublic:
    """Store the photo, attach it to the session and ask for the clearance to be measured.

    Measuring takes a few seconds, so the answer is the follow-up job at once (202): poll its
    ``status_url`` until ``done`` (``result``: ``check_id``, ``measured`` and, when the photo
    could not be registered, the ``reason``; then ``GET /api/laser-sessions/{id}/clearance``)
    or ``failed`` (``error``: why, in one line). The session and the photo are kept either way.
    """
    laser = open_laser(session, laser_id, user)
    data = read_follow_up(state, file)
    state.jobs.check_available()  # a queue that is down: 503 before anything is stored
    return job_public(store_follow_up(session, state, user, laser, data, file.filename))


@router.post(
    "/smp-sessions/{smp_id}/follow-up",
    responses={
        404: {"description": "No such SMP session"},
        413: {"description": "The file is over the byte or pixel limit"},
        415: {"description": "Not a JPEG, PNG, TIFF, WebP or HEIC image"},
        422: {"description": "A damaged image, or the plan's own baseline photo"},
    },
    summary="Add a follow-up photo to an SMP session",
)
def add_smp_follow_up(
    smp_id: Id,
    session: SessionDep,
    state: StateDep,
    user: CurrentUser,
    file: Annotated[UploadFile, File(description="The follow-up photo (the healed result)")],
) -> SmpSessionPublic:
    """Store the photo and attach it to the SMP session (not measured); answer the session."""
    smp = get_or_raise(session, SmpSession, smp_id, "SMP session")
    data = read_follow_up(state, file)
    store_session_photo(session, state, user, smp, data, file.filename)
    session.refresh(smp)
    return smp_public(smp)


@router.get(
    "/laser-sessions/{laser_id}/clearance",
    responses={404: {"description": "No such laser session, or no check yet"}},
    summary="A laser session's clearance.json",
)
def get_clearance(laser_id: Id, session: SessionDep, user: CurrentUser) -> Response:
    """Return the stored clearance.json of the session's follow-up (audited)."""
    laser = open_laser(session, laser_id, user)
    query = select(ClearanceCheck).where(ClearanceCheck.laser_session_id == laser.id)
    check = session.scalar(query)
    if check is None:
        raise NotFoundError(
            f"laser session {laser.id} has no clearance check yet: POST a follow-up photo to "
            f"/api/laser-sessions/{laser.id}/follow-up"
        )
    return JSONResponse(check.document)


@router.get("/cases/{case_id}/due", responses=_CASE_404, summary="The case's next due session")
def get_due(session: SessionDep, case: CurrentCase) -> list[DueOut]:
    """Return the next laser session or touch-up due (an empty list when nothing is due)."""
    return [due_out(item) for item in due_dates(session, case.id)]
