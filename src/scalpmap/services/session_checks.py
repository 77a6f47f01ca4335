"""The checks of a logged session and its input models, shared by logging and correcting.

A session is not dated in the future (today at the clinic); a laser session is not dated
before the case's referral to its facility (or, without a facility, its latest referral); the
laser's settings lie in the accepted ranges of :mod:`scalpmap.store.models.treatment_sessions`
(fluence 0.1-20 J/cm², spot 1-10 mm, passes 1-5, wavelength 400-1200 nm); a second session of
the same kind on the same day of a case is logged only when confirmed
(:class:`DuplicateSessionError` until then). Voided sessions are not counted.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap.dates import Day
from scalpmap.services._tx import MAX_RECORD_ID, get_or_raise
from scalpmap.services.clinic import clinic_today
from scalpmap.services.errors import ConflictError, InputError
from scalpmap.services.referrals import latest_referral
from scalpmap.store.models import (
    Case,
    Facility,
    LaserSession,
    PulseClass,
    Referral,
    SmpSession,
    User,
)
from scalpmap.store.models.treatment_sessions import (
    FLUENCE_RANGE_J_CM2,
    PASSES_RANGE,
    SPOT_RANGE_MM,
    WAVELENGTH_RANGE_NM,
)

__all__ = [
    "DuplicateSessionError",
    "LaserSessionIn",
    "SessionKind",
    "SmpSessionIn",
    "check_laser",
    "check_not_duplicate",
    "check_smp",
    "same_day_sessions",
]

SessionKind = Literal["laser", "smp"]
"""Which log: laser removal sessions or SMP sessions."""


MAX_TEXT = 20_000
"""Longest notes or adverse-effects text, characters (as the web form)."""
MAX_AREAS = 20
"""Most areas named for one SMP session."""
RecordId = Annotated[int, Field(ge=1, le=MAX_RECORD_ID)]
"""A record's id: positive and within the databases' 32-bit integer keys."""


class DuplicateSessionError(ConflictError):
    """The case has a session of this kind on that day already (HTTP 409 until confirmed).

    Attributes
    ----------
    kind : {"laser", "smp"}
        Which log.
    case_id : int
        The case.
    day : datetime.date
        The day.
    existing_id : int
        The session already logged that day.
    """

    def __init__(self, kind: SessionKind, case_id: int, day: dt.date, existing_id: int) -> None:
        what = "a laser session" if kind == "laser" else "an SMP session"
        super().__init__(
            f"case {case_id} already has {what} on {day.isoformat()} (session {existing_id})"
        )
        self.kind = kind
        self.case_id = case_id
        self.day = day
        self.existing_id = existing_id


class LaserSessionIn(BaseModel):
    """A laser session as reported by the facility."""

    model_config = ConfigDict(extra="forbid")

    session_date: Day
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

    session_date: Day
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


def _in_range(field: str, label: str, value: float, bounds: tuple[float, float], unit: str) -> None:
    low, high = bounds
    if not (math.isfinite(value) and low <= value <= high):
        allowed = f"{low:g}-{high:g} {unit}".rstrip()
        raise InputError(f"{label} must be {allowed}; got {value:g}", field)


def _check_date(session: Session, case_id: int, day: dt.date) -> None:
    today = clinic_today(session)
    if day > today:
        raise InputError(
            f"a session of case {case_id} cannot be dated in the future ({day}; today is "
            f"{today} at the clinic)",
            "session_date",
        )


def same_day_sessions(
    session: Session,
    kind: SessionKind,
    case_id: int,
    day: dt.date,
    *,
    other_than: int | None = None,
) -> list[LaserSession] | list[SmpSession]:
    """List the case's sessions of one kind logged on a day (not voided).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    kind : {"laser", "smp"}
        Which log.
    case_id : int
        The case.
    day : datetime.date
        The day.
    other_than : int, optional
        Leave out this session (the one being corrected).

    Returns
    -------
    list of LaserSession or list of SmpSession
        The sessions, by id.
    """
    if kind == "laser":
        lasers = select(LaserSession).where(
            LaserSession.case_id == case_id,
            LaserSession.session_date == day,
            LaserSession.voided_at.is_(None),
            LaserSession.id != (other_than or 0),
        )
        return list(session.scalars(lasers.order_by(LaserSession.id)))
    smps = select(SmpSession).where(
        SmpSession.case_id == case_id,
        SmpSession.session_date == day,
        SmpSession.voided_at.is_(None),
        SmpSession.id != (other_than or 0),
    )
    return list(session.scalars(smps.order_by(SmpSession.id)))


def check_not_duplicate(
    session: Session,
    kind: SessionKind,
    case_id: int,
    day: dt.date,
    *,
    confirmed: bool,
    other_than: int | None = None,
) -> None:
    """Refuse a second session of the same kind on the same day unless it is confirmed.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    kind : {"laser", "smp"}
        Which log.
    case_id : int
        The case.
    day : datetime.date
        The new session's day.
    confirmed : bool
        The user confirmed that there were two sessions that day.
    other_than : int, optional
        Leave out this session (the one being corrected).

    Raises
    ------
    DuplicateSessionError
        When the case already has such a session that day and ``confirmed`` is false.
    """
    if confirmed:
        return
    found = same_day_sessions(session, kind, case_id, day, other_than=other_than)
    if found:
        raise DuplicateSessionError(kind, case_id, day, found[0].id)


def check_laser(
    session: Session,
    case: Case,
    data: LaserSessionIn,
    *,
    confirmed: bool = False,
    other_than: int | None = None,
) -> Referral | None:
    """Check a laser session for a case and return the referral it follows (if any).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    case : Case
        The case.
    data : LaserSessionIn
        The session as typed.
    confirmed : bool, optional
        A second laser session that day is confirmed.
    other_than : int, optional
        The session being corrected (not a duplicate of itself).

    Returns
    -------
    Referral or None
        The referral to the session's facility, else the case's latest referral.

    Raises
    ------
    NotFoundError
        When there is no such facility.
    InputError
        When a setting is out of range, or the date is in the future or before the referral.
    DuplicateSessionError
        When another laser session is logged that day and ``confirmed`` is false.
    """
    if data.facility_id is not None:
        get_or_raise(session, Facility, data.facility_id, "facility")
    _in_range("fluence_j_cm2", "Fluence", data.fluence_j_cm2, FLUENCE_RANGE_J_CM2, "J/cm²")
    _in_range("spot_mm", "Spot size", data.spot_mm, SPOT_RANGE_MM, "mm")
    _in_range("passes", "Passes", data.passes, PASSES_RANGE, "")
    _in_range("wavelength_nm", "Wavelength", data.wavelength_nm, WAVELENGTH_RANGE_NM, "nm")
    _check_date(session, case.id, data.session_date)
    referral: Referral | None = latest_referral(session, case.id, facility_id=data.facility_id)
    if referral is None and data.facility_id is not None:
        referral = latest_referral(session, case.id)
    if referral is not None and data.session_date < referral.referred_on:
        raise InputError(
            f"the session date {data.session_date} is before the referral of "
            f"{referral.referred_on} (referral {referral.id})",
            "session_date",
        )
    check_not_duplicate(
        session, "laser", case.id, data.session_date, confirmed=confirmed, other_than=other_than
    )
    return referral


def check_smp(
    session: Session,
    case: Case,
    data: SmpSessionIn,
    *,
    confirmed: bool = False,
    other_than: int | None = None,
) -> None:
    """Check an SMP session for a case (practitioner, date, same day).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    case : Case
        The case.
    data : SmpSessionIn
        The session as typed.
    confirmed : bool, optional
        A second SMP session that day is confirmed.
    other_than : int, optional
        The session being corrected (not a duplicate of itself).

    Raises
    ------
    NotFoundError
        When there is no such practitioner.
    InputError
        When the date is in the future.
    DuplicateSessionError
        When another SMP session is logged that day and ``confirmed`` is false.
    """
    if data.practitioner_id is not None:
        get_or_raise(session, User, data.practitioner_id, "user")
    _check_date(session, case.id, data.session_date)
    check_not_duplicate(
        session, "smp", case.id, data.session_date, confirmed=confirmed, other_than=other_than
    )
