"""The session log of a case: laser removal sessions and SMP sessions, with follow-up photos.

The checks of a session are in :mod:`scalpmap.services.session_checks` (documented in
docs/referrals.md), corrections and voiding in :mod:`scalpmap.services.session_corrections`;
a follow-up photo belongs to the session's case. Every change is audited (entities
``"laser_session"`` and ``"smp_session"``).
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scalpmap.services import audit
from scalpmap.services._tx import atomic, get_or_raise
from scalpmap.services.cases import advance_stage
from scalpmap.services.errors import InputError
from scalpmap.services.session_checks import (
    DuplicateSessionError,
    LaserSessionIn,
    SessionKind,
    SmpSessionIn,
    check_laser,
    check_smp,
)
from scalpmap.store.models import (
    Case,
    CaseStage,
    ClearanceCheck,
    LaserSession,
    Photo,
    PhotoAnalysis,
    PlanVersion,
    SmpSession,
    User,
)

__all__ = [
    "DuplicateSessionError",
    "LaserSessionIn",
    "SessionKind",
    "SmpSessionIn",
    "attach_follow_up_photo",
    "list_laser_sessions",
    "list_smp_sessions",
    "log_laser_session",
    "log_smp_session",
]


def log_laser_session(
    session: Session,
    case_id: int,
    data: LaserSessionIn,
    actor: User | None,
    *,
    confirm_duplicate: bool = False,
) -> LaserSession:
    """Log a laser session of a case.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    case_id : int
        The case.
    data : LaserSessionIn
        The session's date, facility, device and settings.
    actor : User or None
        Who logs it.
    confirm_duplicate : bool, optional
        Log it even though the case has a laser session on that day already.

    Returns
    -------
    LaserSession
        The new session, linked to the referral it follows (if any); the case moves on to
        ``laser`` unless it is already there or further on.

    Raises
    ------
    NotFoundError
        When there is no such case or facility.
    InputError
        When a setting is out of range, or the date is in the future or before the referral.
    DuplicateSessionError
        When the case has a laser session that day already, unless ``confirm_duplicate``.
    """
    case = get_or_raise(session, Case, case_id, "case")
    referral = check_laser(session, case, data, confirmed=confirm_duplicate)
    row = LaserSession(
        case_id=case.id,
        referral_id=referral.id if referral is not None else None,
        **data.model_dump(),
        created_by_id=actor.id if actor is not None else None,
    )
    with atomic(session):
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            audit.Action.CREATE,
            "laser_session",
            row.id,
            patient_id=case.patient_id,
            details={"case_id": case.id, "same_day_confirmed": confirm_duplicate or None},
        )
        advance_stage(session, case, CaseStage.LASER, actor)
    return row


def log_smp_session(
    session: Session,
    case_id: int,
    data: SmpSessionIn,
    actor: User | None,
    *,
    confirm_duplicate: bool = False,
) -> SmpSession:
    """Log an SMP session of a case.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    case_id : int
        The case.
    data : SmpSessionIn
        The session's date, practitioner, needle and areas.
    actor : User or None
        Who logs it.
    confirm_duplicate : bool, optional
        Log it even though the case has an SMP session on that day already.

    Returns
    -------
    SmpSession
        The new session; the case moves on to ``touch_up`` unless it is already there or further
        on.

    Raises
    ------
    NotFoundError
        When there is no such case or practitioner.
    InputError
        When the date is in the future.
    DuplicateSessionError
        When the case has an SMP session that day already, unless ``confirm_duplicate``.
    """
    case = get_or_raise(session, Case, case_id, "case")
    check_smp(session, case, data, confirmed=confirm_duplicate)
    row = SmpSession(
        case_id=case.id,
        **data.model_dump(),
        created_by_id=actor.id if actor is not None else None,
    )
    with atomic(session):
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            audit.Action.CREATE,
            "smp_session",
            row.id,
            patient_id=case.patient_id,
            details={"case_id": case.id, "same_day_confirmed": confirm_duplicate or None},
        )
        advance_stage(session, case, CaseStage.TOUCH_UP, actor)
    return row


def attach_follow_up_photo(
    session: Session,
    kind: Literal["laser", "smp"],
    session_id: int,
    photo_id: int | None,
    actor: User | None,
) -> LaserSession | SmpSession:
    """Attach a follow-up photo (one of the case's photos) to a session, or detach it (None).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    kind : {"laser", "smp"}
        Which log.
    session_id : int
        The logged session.
    photo_id : int or None
        The photo; None detaches.
    actor : User or None
        Who attaches it.

    Returns
    -------
    LaserSession or SmpSession
        The logged session.

    Raises
    ------
    NotFoundError
        When there is no such session or photo.
    InputError
        When the photo is of another case, or is the plan's baseline photo itself. Replacing a
        laser session's follow-up photo deletes the clearance measured on the old one.
    """
    model: type[LaserSession] | type[SmpSession] = LaserSession if kind == "laser" else SmpSession
    row = get_or_raise(session, model, session_id, f"{kind} session")
    if row.voided_at is not None:
        raise InputError(f"{kind} session {row.id} is void: attach the photo to another session")
    if photo_id is not None:
        photo = get_or_raise(session, Photo, photo_id, "photo")
        if photo.case_id != row.case_id:
            raise InputError(f"photo {photo_id} is not a photo of case {row.case_id}")
        if _is_plan_baseline(session, row.case_id, photo_id):
            raise InputError(
                f"photo {photo_id} is the baseline photo of the case's plan: a follow-up is a "
                "new photo of the same view, taken after the session"
            )
    case = get_or_raise(session, Case, row.case_id, "case")
    with atomic(session):
        if kind == "laser" and row.follow_up_photo_id != photo_id:
            # its clearance was measured on the photo being replaced
            session.execute(delete(ClearanceCheck).where(ClearanceCheck.laser_session_id == row.id))
        row.follow_up_photo_id = photo_id
        audit.record(
            session,
            actor,
            audit.Action.UPDATE,
            f"{kind}_session",
            row.id,
            patient_id=case.patient_id,
            details={"fields": ["follow_up_photo_id"], "photo_id": photo_id},
        )
    return row


def _is_plan_baseline(session: Session, case_id: int, photo_id: int) -> bool:
    """Whether a photo is the analysed baseline of one of the case's plan versions."""
    query = (
        select(PlanVersion.id)
        .join(PhotoAnalysis, PhotoAnalysis.id == PlanVersion.analysis_id)
        .where(PlanVersion.case_id == case_id, PhotoAnalysis.photo_id == photo_id)
        .limit(1)
    )
    return session.scalar(query) is not None


def list_laser_sessions(
    session: Session, case_id: int, *, include_voided: bool = False
) -> list[LaserSession]:
    """List a case's laser sessions by date (not audited: opening the case is).

    Voided sessions count nowhere (progress, calendar, due dates) and are left out unless
    ``include_voided`` (the case page shows them struck through).
    """
    query = select(LaserSession).where(LaserSession.case_id == case_id)
    if not include_voided:
        query = query.where(LaserSession.voided_at.is_(None))
    return list(session.scalars(query.order_by(LaserSession.session_date, LaserSession.id)))


def list_smp_sessions(
    session: Session, case_id: int, *, include_voided: bool = False
) -> list[SmpSession]:
    """List a case's SMP sessions by date (voided ones only with ``include_voided``)."""
    query = select(SmpSession).where(SmpSession.case_id == case_id)
    if not include_voided:
        query = query.where(SmpSession.voided_at.is_(None))
    return list(session.scalars(query.order_by(SmpSession.session_date, SmpSession.id)))
