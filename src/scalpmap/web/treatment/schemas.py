"""Shapes of the treatment API's requests and answers (referrals, sessions, checks, due dates)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from scalpmap.dates import Day
from scalpmap.services.calendar import DueDate
from scalpmap.store.models import (
    ClearanceCheck,
    LaserSession,
    PulseClass,
    Referral,
    ReferralStatus,
    SmpSession,
)

__all__ = [
    "ClearanceSummary",
    "DueOut",
    "LaserSessionPublic",
    "ReferralCreate",
    "ReferralPublic",
    "SmpSessionPublic",
    "StatusChange",
    "due_out",
    "laser_public",
    "referral_public",
    "smp_public",
]


class ReferralCreate(BaseModel):
    """A new referral: the facility, and optionally the letter's date and a note."""

    model_config = ConfigDict(extra="forbid")

    facility_id: int = Field(ge=1, le=2_147_483_647)
    referred_on: Day | None = None
    note: str | None = Field(default=None, max_length=2000)


class StatusChange(BaseModel):
    """A referral's new status: ``sent``, ``accepted`` or ``done`` (forward only)."""

    model_config = ConfigDict(extra="forbid")

    status: ReferralStatus


class ReferralPublic(BaseModel):
    """A referral as the API shows it."""

    id: int
    case_id: int
    facility_id: int
    facility_name: str
    plan_id: int
    status: ReferralStatus
    referred_on: dt.date
    patient_details: bool
    note: str | None
    sent_at: dt.datetime | None
    accepted_at: dt.datetime | None
    done_at: dt.datetime | None
    created_at: dt.datetime
    letter_pdf_url: str


def referral_public(referral: Referral) -> ReferralPublic:
    """Return a stored referral as the API shows it."""
    return ReferralPublic(
        id=referral.id,
        case_id=referral.case_id,
        facility_id=referral.facility_id,
        facility_name=referral.facility.name,
        plan_id=referral.plan_id,
        status=referral.status,
        referred_on=referral.referred_on,
        patient_details=referral.patient_details,
        note=referral.note,
        sent_at=referral.sent_at,
        accepted_at=referral.accepted_at,
        done_at=referral.done_at,
        created_at=referral.created_at,
        letter_pdf_url=f"/api/referrals/{referral.id}/letter.pdf",
    )


class ClearanceSummary(BaseModel):
    """A laser session's clearance check, in short (the whole document: ``url``).

    ``percent`` is rounded to 2 decimals, as in the clearance.json; ``None`` when not measured.
    """

    check_id: int
    measured: bool
    percent: float | None
    reason: str
    recommendation: str | None
    next_laser_on: dt.date | None
    url: str


class LaserSessionPublic(BaseModel):
    """A logged laser session, with its clearance check when there is one."""

    id: int
    case_id: int
    referral_id: int | None
    facility_id: int | None
    session_date: dt.date
    device: str
    wavelength_nm: int
    pulse: PulseClass
    fluence_j_cm2: float
    spot_mm: float
    passes: int
    notes: str | None
    adverse_effects: str | None
    follow_up_photo_id: int | None
    created_at: dt.datetime
    clearance: ClearanceSummary | None
    voided_at: dt.datetime | None = Field(
        default=None, description="When it was voided: a void session counts nowhere"
    )
    history: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Corrections and the voiding, oldest first: action, at, by, reason, changes",
    )


def laser_public(laser: LaserSession, check: ClearanceCheck | None) -> LaserSessionPublic:
    """Return a laser session (and its check) as the API shows it."""
    summary = None
    if check is not None:
        summary = ClearanceSummary(
            check_id=check.id,
            measured=check.measured,
            percent=round(check.percent, 2)
            if check.measured and check.percent is not None
            else None,
            reason=check.reason,
            recommendation=check.recommendation,
            next_laser_on=check.next_laser_on,
            url=f"/api/laser-sessions/{laser.id}/clearance",
        )
    return LaserSessionPublic(
        id=laser.id,
        case_id=laser.case_id,
        referral_id=laser.referral_id,
        facility_id=laser.facility_id,
        session_date=laser.session_date,
        device=laser.device,
        wavelength_nm=laser.wavelength_nm,
        pulse=laser.pulse,
        fluence_j_cm2=laser.fluence_j_cm2,
        spot_mm=laser.spot_mm,
        passes=laser.passes,
        notes=laser.notes,
        adverse_effects=laser.adverse_effects,
        follow_up_photo_id=laser.follow_up_photo_id,
        created_at=laser.created_at,
        clearance=summary,
        voided_at=laser.voided_at,
        history=list(laser.history or []),
    )


class SmpSessionPublic(BaseModel):
    """A logged SMP session."""

    id: int
    case_id: int
    session_date: dt.date
    practitioner_name: str
    practitioner_id: int | None
    needle: str
    areas: list[str]
    notes: str | None
    follow_up_photo_id: int | None
    created_at: dt.datetime
    voided_at: dt.datetime | None = Field(
        default=None, description="When it was voided: a void session counts nowhere"
    )
    history: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Corrections and the voiding, oldest first: action, at, by, reason, changes",
    )


def smp_public(smp: SmpSession) -> SmpSessionPublic:
    """Return an SMP session as the API shows it."""
    return SmpSessionPublic(
        id=smp.id,
        case_id=smp.case_id,
        session_date=smp.session_date,
        practitioner_name=smp.practitioner_name,
        practitioner_id=smp.practitioner_id,
        needle=smp.needle,
        areas=list(smp.areas),
        notes=smp.notes,
        follow_up_photo_id=smp.follow_up_photo_id,
        created_at=smp.created_at,
        voided_at=smp.voided_at,
        history=list(smp.history or []),
    )


class DueOut(BaseModel):
    """The next session due: ``laser`` or ``touch_up``, from ``due`` to ``until``, and why."""

    kind: str
    due: dt.date
    until: dt.date
    reason: str


def due_out(item: DueDate) -> DueOut:
    """Return a due date as the API shows it."""
    return DueOut(kind=item.kind, due=item.due, until=item.until, reason=item.reason)
