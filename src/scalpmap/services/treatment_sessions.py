"""The session log of a case: laser removal sessions and SMP sessions, with follow-up photos.

Checks (documented in docs/referrals.md): a session is not dated in the future; a laser session
is not dated before the case's referral to its facility (or, without a facility, its latest
referral); the laser's settings lie in the accepted ranges of
:mod:`scalpmap.store.models.treatment_sessions` (fluence 0.1-20 J/cm², spot 1-10 mm, passes
1-5, wavelength 400-1200 nm); a follow-up photo belongs to the session's case. Every change is
audited (entities ``"laser_session"`` and ``"smp_session"``).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scalpmap.services import audit
from scalpmap.services._tx import MAX_RECORD_ID, atomic, get_or_raise
from scalpmap.services.cases import advance_stage
from scalpmap.services.errors import InputError
from scalpmap.services.referrals import latest_referral
from scalpmap.store.models import (
    Case,
    CaseStage,
    ClearanceCheck,
    Facility,
    LaserSession,
    Photo,
    PhotoAnalysis,
    PlanVersion,
    PulseClass,
    Referral,
    SmpSession,
    User,
    utcnow,
)
from scalpmap.store.models.treatment_sessions import (
    FLUENCE_RANGE_J_CM2,
    PASSES_RANGE,
    SPOT_RANGE_MM,
    WAVELENGTH_RANGE_NM,
)

__all__ = [
    "LaserSessionIn",
    "SmpSessionIn",
    "attach_follow_up_photo",
    "list_laser_sessions",
    "list_smp_sessions",
    "log_laser_session",
    "log_smp_session",
]


MAX_TEXT = 20_000
"""Longest notes or adverse-effects text, characters (as the web form)."""
MAX_AREAS = 20
"""Most areas named for one SMP session."""
RecordId = Annotated[int, Field(ge=1, le=MAX_RECORD_ID)]
"""A record's id: positive and within the databases' 32-bit integer keys."""


class LaserSessionIn(BaseModel):
    """A laser session as reported by the facility."""

    model_config = ConfigDict(extra="forbid")

    session_date: dt.date
    facility_id: RecordId | None = None
    device: str = Field(min_length=1, max_length=100)
    wavelength_nm: int
    pulse: PulseClass
    fluence_j_cm2: float
    spot_mm: float
    passes: int
    notes: str | None = Field(default=None, max_length=MAX_TEXT)
    adverse_effects: str | None = Field(default=None, max_length=MAX_TEXT)


class SmpSessionIn(BaseModel):
    """An SMP session: who worked, with which needle, on which areas."""

    model_config = ConfigDict(extra="forbid")

    session_date: dt.date
    practitioner_name: str = Field(min_length=1, max_length=200)
    practitioner_id: RecordId | None = None
    needle: str = Field(min_length=1, max_length=100)
    areas: list[Annotated[str, StringConstraints(max_length=100)]] = Field(
        min_length=1, max_length=MAX_AREAS
    )
    notes: str | None = Field(default=None, max_length=MAX_TEXT)

    @field_validator("areas")
    @classmethod
    def _areas(cls, value: list[str]) -> list[str]:
        areas = [area.strip() for area in value if area.strip()]
        if not areas:
            raise ValueError("name at least one area worked, e.g. frontal")
        return areas


def _in_range(name: str, value: float, bounds: tuple[float, float], unit: str) -> None:
    low, high = bounds
    if not (math.isfinite(value) and low <= value <= high):
        allowed = f"{low:g}-{high:g} {unit}".rstrip()
        raise InputError(f"{name} must be {allowed}; got {value:g}")


def _check_date(case_id: int, day: dt.date) -> None:
    if day > utcnow().date():
        raise InputError(f"a session of case {case_id} cannot be dated in the future ({day})")


def log_laser_session(
    session: Session, case_id: int, data: LaserSessionIn, actor: User | None
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
    """
    case = get_or_raise(session, Case, case_id, "case")
    if data.facility_id is not None:
        get_or_raise(session, Facility, data.facility_id, "facility")
    _in_range("fluence", data.fluence_j_cm2, FLUENCE_RANGE_J_CM2, "J/cm²")
    _in_range("spot size", data.spot_mm, SPOT_RANGE_MM, "mm")
    _in_range("passes", data.passes, PASSES_RANGE, "")
    _in_range("wavelength", data.wavelength_nm, WAVELENGTH_RANGE_NM, "nm")
    _check_date(case.id, data.session_date)
    referral: Referral | None = latest_referral(session, case.id, facility_id=data.facility_id)
    if referral is None and data.facility_id is not None:
        referral = latest_referral(session, case.id)
    if referral is not None and data.session_date < referral.referred_on:
        raise InputError(
            f"the session date {data.session_date} is before the referral of "
            f"{referral.referred_on} (referral {referral.id})"
        )
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
            details={"case_id": case.id},
        )
        advance_stage(session, case, CaseStage.LASER, actor)
    return row


def log_smp_session(
    session: Session, case_id: int, data: SmpSessionIn, actor: User | None
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
    """
    case = get_or_raise(session, Case, case_id, "case")
    if data.practitioner_id is not None:
        get_or_raise(session, User, data.practitioner_id, "user")
    _check_date(case.id, data.session_date)
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
            details={"case_id": case.id},
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


def list_laser_sessions(session: Session, case_id: int) -> list[LaserSession]:
    """List a case's laser sessions by date (not audited: opening the case is)."""
    query = select(LaserSession).where(LaserSession.case_id == case_id)
    return list(session.scalars(query.order_by(LaserSession.session_date, LaserSession.id)))


def list_smp_sessions(session: Session, case_id: int) -> list[SmpSession]:
    """List a case's SMP sessions by date (not audited: opening the case is)."""
    query = select(SmpSession).where(SmpSession.case_id == case_id)
    return list(session.scalars(query.order_by(SmpSession.session_date, SmpSession.id)))
