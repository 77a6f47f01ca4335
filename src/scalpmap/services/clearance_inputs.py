"""What a clearance check reads before its slow part: the session, its plan and both photos.

:func:`clearance_inputs` checks that a laser session's follow-up can be measured (a follow-up
photo that is not the baseline itself, a plan with a finished analysis of its baseline) and
copies what the measure needs into a :class:`ClearanceInputs`, so that no database object is
held while the photos are compared (:mod:`scalpmap.services.clearance`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap.services._tx import get_or_raise
from scalpmap.services.errors import ConflictError, InputError
from scalpmap.store.models import (
    AnalysisStatus,
    Case,
    LaserSession,
    Photo,
    PhotoAnalysis,
    PlanVersion,
    Referral,
    ScaleSource,
)

__all__ = ["ClearanceInputs", "clearance_inputs", "session_plan"]


@dataclass(frozen=True)
class ClearanceInputs:
    """What a clearance check reads from the database before the slow part.

    Attributes
    ----------
    case_id, patient_id, laser_session_id, plan_id : int
        The records involved.
    plan_version : int
        The plan version's number (for messages).
    plan_document : dict
        The plan's plan.json.
    analysis_document : dict
        The baseline photo's analysis.json.
    baseline_photo_id, follow_up_photo_id : int
        The two photos.
    baseline_sha256, follow_up_sha256 : str
        Their names in the photo store.
    baseline_name, follow_up_name : str
        Their labels in clearance.json: ``photo 12 (case 3)``, never the uploaded file's name
        (which may name the patient).
    follow_up_mm_per_px : float or None
        The follow-up's scale when it was given on upload.
    session_date : datetime.date
        The laser session's date.
    follow_up_date : datetime.date
        When the follow-up was taken: the photo's own date when it has one, else its upload's
        day (never before the session).
    """

    case_id: int
    patient_id: int
    laser_session_id: int
    plan_id: int
    plan_version: int
    plan_document: dict[str, object]
    analysis_document: dict[str, object]
    baseline_photo_id: int
    follow_up_photo_id: int
    baseline_sha256: str
    follow_up_sha256: str
    baseline_name: str
    follow_up_name: str
    follow_up_mm_per_px: float | None
    session_date: dt.date
    follow_up_date: dt.date


def session_plan(session: Session, laser: LaserSession) -> PlanVersion:
    """Return the plan the session follows: its referral's plan version, else the case's latest.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    laser : LaserSession
        The laser session.

    Returns
    -------
    PlanVersion
        The plan version.

    Raises
    ------
    NotFoundError
        When the session's referral or its plan version is gone.
    ConflictError
        When the case has no plan.
    """
    if laser.referral_id is not None:
        referral = get_or_raise(session, Referral, laser.referral_id, "referral")
        return get_or_raise(session, PlanVersion, referral.plan_id, "plan version")
    query = select(PlanVersion).where(PlanVersion.case_id == laser.case_id)
    plan = session.scalar(query.order_by(PlanVersion.version.desc()).limit(1))
    if plan is None:
        raise ConflictError(f"case {laser.case_id} has no plan: save a plan before measuring")
    return plan


def clearance_inputs(session: Session, laser_session_id: int) -> ClearanceInputs:
    """Read what a clearance check needs, checking that it can be made.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    laser_session_id : int
        The laser session.

    Returns
    -------
    ClearanceInputs
        The records' values.

    Raises
    ------
    NotFoundError
        When there is no such laser session.
    InputError
        When the session is void or has no follow-up photo, or its follow-up is the baseline
        photo itself.
    ConflictError
        When the case has no plan, or the plan has no finished analysis of its baseline.
    """
    laser = get_or_raise(session, LaserSession, laser_session_id, "laser session")
    if laser.voided_at is not None:
        raise InputError(f"laser session {laser.id} is void: it is not measured")
    if laser.follow_up_photo_id is None:
        raise InputError(
            f"laser session {laser.id} has no follow-up photo: upload one with the session"
        )
    plan = session_plan(session, laser)
    analysis = None if plan.analysis_id is None else session.get(PhotoAnalysis, plan.analysis_id)
    if analysis is None or analysis.status != AnalysisStatus.DONE or not analysis.document:
        raise ConflictError(
            f"plan version {plan.version} has no finished analysis of its baseline photo"
        )
    baseline: Photo = analysis.photo
    follow = get_or_raise(session, Photo, laser.follow_up_photo_id, "photo")
    if follow.id == baseline.id or follow.sha256 == baseline.sha256:
        raise InputError(
            "the follow-up photo is the plan's baseline photo itself: upload a photo taken "
            "after the session"
        )
    given = follow.mm_per_px if follow.scale_source == ScaleSource.GIVEN else None
    inputs = ClearanceInputs(
        case_id=laser.case_id,
        patient_id=get_or_raise(session, Case, laser.case_id, "case").patient_id,
        laser_session_id=laser.id,
        plan_id=plan.id,
        plan_version=plan.version,
        plan_document=dict(plan.document),
        analysis_document=dict(analysis.document),
        baseline_photo_id=baseline.id,
        follow_up_photo_id=follow.id,
        baseline_sha256=baseline.sha256,
        follow_up_sha256=follow.sha256,
        baseline_name=f"photo {baseline.id} (case {baseline.case_id})",
        follow_up_name=f"photo {follow.id} (case {follow.case_id})",
        follow_up_mm_per_px=given,
        session_date=laser.session_date,
        follow_up_date=max((follow.taken_at or follow.uploaded_at).date(), laser.session_date),
    )
    return inputs
