"""Treatment pages: refer a case, move a referral on, log sessions, add and measure follow-ups.

Every form posts here and, when it worked, redirects (303) to the case page, whose referral and
sessions part (``templates/treatment/case_part.html``) shows the result; a form with a wrong
value shows the case page again with one line saying what is wrong (422) and the values typed.
A second session of the same kind on the same day is the confirm step: the form comes back
(409) with the session already logged named and a box to tick to log it anyway.
Roles are in the package's docstring: only practitioners and admins may refer.

Measuring a follow-up takes a few seconds, so these routes only ask for it (a follow-up job,
:mod:`scalpmap.web.treatment.follow_ups`) and the case page shows its progress, polling it. A
follow-up photo is checked in full, and the job queue asked whether it answers (503 if not),
before the session is logged, so a rejected upload (413, 415, damaged, queue down) logs nothing;
once logged, the session and its photo are kept even when the follow-up cannot be measured, and
the case page says why.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, UploadFile
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scalpmap.errors import InputError, ScalpmapError
from scalpmap.services import cases, referrals
from scalpmap.services._tx import get_or_raise
from scalpmap.services.treatment_sessions import (
    DuplicateSessionError,
    log_laser_session,
    log_smp_session,
)
from scalpmap.store.models import Case, Referral, ReferralStatus, User
from scalpmap.web.cases.routes import case_page
from scalpmap.web.deps import CurrentCase, CurrentUser, Id, SessionDep, StateDep
from scalpmap.web.errors import status_for
from scalpmap.web.report_pdfs import report_pdf
from scalpmap.web.state import AppState
from scalpmap.web.treatment import corrections
from scalpmap.web.treatment.files import (
    chart_response,
    clearance_json_response,
    letter_pdf_ask,
    letter_response,
    overlay_response,
    progress_pdf_ask,
    progress_response,
)
from scalpmap.web.treatment.follow_ups import (
    measure,
    read_follow_up,
    store_follow_up,
    store_session_photo,
)
from scalpmap.web.treatment.forms import (
    CanRefer,
    LaserForm,
    SmpForm,
    confirmed,
    parse_laser_form,
    parse_smp_form,
    same_day_message,
)
from scalpmap.web.treatment.orchestration import open_check, open_laser

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

FollowUpFile = Annotated[UploadFile | str | None, File(description="A follow-up photo")]


def _sessions(case_id: int) -> RedirectResponse:
    return RedirectResponse(f"/cases/{case_id}#sessions", status_code=303)


def _chosen(upload: UploadFile | str | None) -> StarletteUpload | None:
    """Return the uploaded file, or None when the file input was left empty."""
    if isinstance(upload, StarletteUpload) and (upload.filename or upload.size):
        return upload
    return None


def _again(
    request: Request,
    session: SessionDep,
    case: Case,
    error: str,
    status: int,
    forms: dict[str, Any] | None = None,
) -> Response:
    """Show the case page again with one line of error (and the form as typed)."""
    session.rollback()
    return case_page(request, session, case, error=error, status_code=status, extra=forms)


@router.post("/cases/{case_id}/referrals")
def refer_case(
    session: SessionDep,
    user: CanRefer,
    case: CurrentCase,
    facility_id: Annotated[int, Form(ge=1, le=2_147_483_647)],
) -> Response:
    """Refer the case to a facility with its latest plan version (409 without a plan)."""
    referral = referrals.create_referral(session, case.id, facility_id, user)
    return RedirectResponse(f"/cases/{referral.case_id}#referral", status_code=303)


@router.post("/referrals/{referral_id}/status")
def referral_status(
    request: Request,
    referral_id: Id,
    session: SessionDep,
    user: CurrentUser,
    status: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Move a referral forward (sent, accepted, done); going back shows the case with 422."""
    referral = get_or_raise(session, Referral, referral_id, "referral")
    case = cases.get_case(session, referral.case_id, user)
    try:
        if status not in {s.value for s in ReferralStatus}:
            raise InputError("Status: choose sent, accepted or done", "status")
        referrals.set_referral_status(session, referral_id, ReferralStatus(status), user)
    except ScalpmapError as error:
        return _again(request, session, case, str(error), status_for(error))
    return RedirectResponse(f"/cases/{case.id}#referral", status_code=303)


@router.get("/referrals/{referral_id}/letter.html")
def letter_html(
    referral_id: Id, session: SessionDep, state: StateDep, user: CurrentUser
) -> Response:
    """Download the referral letter as HTML (audited)."""
    return letter_response(session, state.store, referral_id, user)


@router.get("/referrals/{referral_id}/letter.pdf")
def letter_pdf(
    request: Request, referral_id: Id, session: SessionDep, state: StateDep, user: CurrentUser
) -> Response:
    """Download the referral letter as PDF once printed (a report job); until then, its progress."""
    ask = letter_pdf_ask(session, state.store, referral_id, user, api=False)
    return report_pdf(request, session, state, user, ask, api=False)


@router.get("/cases/{case_id}/progress.{kind}")
def progress_file(
    request: Request,
    kind: Literal["html", "pdf"],
    session: SessionDep,
    state: StateDep,
    user: CurrentUser,
    case: CurrentCase,
) -> Response:
    """Download the case's progress report as HTML, or as PDF once printed (a report job)."""
    if kind == "html":
        return progress_response(session, state.store, case.id, user)
    ask = progress_pdf_ask(session, state.store, case.id, user, api=False)
    return report_pdf(request, session, state, user, ask, api=False)


@router.post("/cases/{case_id}/laser-sessions")
def log_laser(
    request: Request,
    session: SessionDep,
    state: StateDep,
    user: CurrentUser,
    case: CurrentCase,
    form: LaserForm,
    follow_up: FollowUpFile = None,
) -> Response:
    """Log a laser session; with a follow-up photo, store it and measure the clearance."""
    upload = _chosen(follow_up)
    forms = {"laser_form": form, "open_form": "laser"}
    try:
        data = parse_laser_form(form)
        photo = read_follow_up(state, upload) if upload is not None else None
        if photo is not None:
            state.jobs.check_available()  # a queue that is down: 503, nothing logged
        laser = log_laser_session(session, case.id, data, user, confirm_duplicate=confirmed(form))
    except DuplicateSessionError as error:
        message = same_day_message(error, upload is not None)
        forms["duplicate_of"] = "laser"
        return _again(request, session, case, message, 409, forms)
    except HTTPException as error:
        return _again(request, session, case, str(error.detail), error.status_code, forms)
    except ScalpmapError as error:
        return _again(request, session, case, str(error), status_for(error), forms)
    if photo is not None and upload is not None:
        unused = _store_and_measure(session, state, user, laser.id, photo, upload.filename)
        if unused is not None:
            words = f"the laser session of {laser.session_date} is logged, but its follow-up"
            return _again(request, session, case, f"{words} was not used: {unused}", 422)
    return _sessions(case.id)


def _store_and_measure(
    session: Session,
    state: AppState,
    user: User,
    laser_id: int,
    photo: bytes,
    filename: str | None,
) -> ScalpmapError | None:
    """Store and attach a follow-up and ask for its measure; return the error when not usable.

    A follow-up that is measured but cannot be registered is not an error here: its check is
    saved as not measured and the case page says why (as it shows the measure's progress).
    """
    try:
        store_follow_up(session, state, user, open_laser(session, laser_id), photo, filename)
    except ScalpmapError as error:
        session.rollback()  # the logged session is kept
        return error
    return None


@router.post("/cases/{case_id}/smp-sessions")
def log_smp(
    request: Request,
    session: SessionDep,
    state: StateDep,
    user: CurrentUser,
    case: CurrentCase,
    form: SmpForm,
    follow_up: FollowUpFile = None,
) -> Response:
    """Log an SMP session (the case moves on to touch-up), with its follow-up photo if given."""
    upload = _chosen(follow_up)
    forms = {"smp_form": form, "open_form": "smp"}
    try:
        data = parse_smp_form(form)
        photo = read_follow_up(state, upload) if upload is not None else None
        smp = log_smp_session(session, case.id, data, user, confirm_duplicate=confirmed(form))
    except DuplicateSessionError as error:
        forms["duplicate_of"] = "smp"
        return _again(
            request, session, case, same_day_message(error, upload is not None), 409, forms
        )
    except HTTPException as error:
        return _again(request, session, case, str(error.detail), error.status_code, forms)
    except ScalpmapError as error:
        return _again(request, session, case, str(error), status_for(error), forms)
    if photo is not None and upload is not None:
        try:
            store_session_photo(session, state, user, smp, photo, upload.filename)
        except ScalpmapError as error:
            words = f"the SMP session of {smp.session_date} is logged, but its follow-up"
            return _again(request, session, case, f"{words} was not used: {error}", 422)
    return _sessions(case.id)


@router.post("/laser-sessions/{laser_id}/follow-up")
def add_follow_up(
    request: Request,
    laser_id: Id,
    session: SessionDep,
    state: StateDep,
    user: CurrentUser,
    follow_up: FollowUpFile = None,
) -> Response:
    """Add a follow-up photo to a logged laser session and ask for its measure."""
    laser = open_laser(session, laser_id)
    case = cases.get_case(session, laser.case_id, user)
    upload = _chosen(follow_up)
    try:
        if upload is None:
            raise InputError("choose the follow-up photo to upload")
        photo = read_follow_up(state, upload)
        state.jobs.check_available()  # a queue that is down: 503, nothing stored
    except HTTPException as error:
        return _again(request, session, case, str(error.detail), error.status_code)
    except ScalpmapError as error:
        return _again(request, session, case, str(error), status_for(error))
    unused = _store_and_measure(session, state, user, laser.id, photo, upload.filename)
    if unused is not None:
        return _again(request, session, case, str(unused), status_for(unused))
    return _sessions(case.id)


@router.post("/laser-sessions/{laser_id}/measure")
def measure_again(
    request: Request, laser_id: Id, session: SessionDep, state: StateDep, user: CurrentUser
) -> Response:
    """Ask for a session's follow-up to be measured again (e.g. after a new plan version)."""
    laser = open_laser(session, laser_id)
    case = cases.get_case(session, laser.case_id, user)
    try:
        measure(session, state, laser.id, user)
    except ScalpmapError as error:
        return _again(request, session, case, str(error), status_for(error))
    return _sessions(case.id)


@router.get("/cases/{case_id}/clearance-chart.png")
def clearance_chart_png(session: SessionDep, case: CurrentCase) -> Response:
    """Send the case's clearance progress chart (404 before the first check)."""
    return chart_response(session, case.id)


@router.get("/clearance/{check_id}/overlay.png")
def clearance_overlay(
    check_id: Id, session: SessionDep, state: StateDep, user: CurrentUser
) -> Response:
    """Send a clearance check's overlay picture (audited)."""
    return overlay_response(state.store, open_check(session, check_id, user))


@router.get("/clearance/{check_id}/clearance.json")
def clearance_document(check_id: Id, session: SessionDep, user: CurrentUser) -> Response:
    """Download a clearance check's clearance.json (audited)."""
    return clearance_json_response(open_check(session, check_id, user), download=True)


router.include_router(corrections.router)  # correct or void a logged session
