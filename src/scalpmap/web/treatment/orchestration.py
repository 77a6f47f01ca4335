"""The case page's treatment part: referrals, sessions, clearance, due dates; opening records.

A follow-up that could not be measured is shown with its reason (:func:`treatment_context`);
the upload workflow itself is in :mod:`scalpmap.web.treatment.follow_ups`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap.errors import ScalpmapError
from scalpmap.services import audit
from scalpmap.services._tx import commit, get_or_raise
from scalpmap.services.calendar import DueDate, due_dates
from scalpmap.services.clearance import clearance_inputs
from scalpmap.services.clearance_progress import advice_words, list_clearance_checks
from scalpmap.services.facilities import list_facilities
from scalpmap.services.referrals import list_referrals
from scalpmap.services.session_corrections import void_entry
from scalpmap.services.treatment_sessions import (
    list_laser_sessions,
    list_smp_sessions,
)
from scalpmap.store.models import (
    Case,
    ClearanceCheck,
    Facility,
    Job,
    JobKind,
    JobStatus,
    LaserSession,
    Referral,
    ReferralStatus,
    User,
)
from scalpmap.web.treatment.forms import AREAS, can_refer, laser_defaults, smp_defaults

__all__ = [
    "LaserRow",
    "ReferralRow",
    "not_measured_message",
    "open_check",
    "open_laser",
    "treatment_context",
]


@dataclass(frozen=True)
class ReferralRow:
    """A referral as the case page shows it, with the statuses it may move on to."""

    referral: Referral
    facility: Facility
    next_statuses: tuple[ReferralStatus, ...]


@dataclass(frozen=True)
class LaserRow:
    """A laser session as the case page shows it.

    Attributes
    ----------
    laser : LaserSession
        The session.
    number : int
        Its place in the case's log, from 1.
    facility : Facility or None
        Where it was done.
    check : ClearanceCheck or None
        Its clearance check.
    problem : str or None
        Why its follow-up is not measured ("follow-up of ... could not be measured: ..."), when
        it has a follow-up photo and no measured check, or its last measure failed.
    job : Job or None
        Its newest follow-up measure, when it is waiting or running (the page polls it).
    """

    laser: LaserSession
    number: int
    facility: Facility | None
    check: ClearanceCheck | None
    problem: str | None
    job: Job | None = None

    @property
    def percent(self) -> float | None:
        """The clearance in percent, only when measured."""
        check = self.check
        return check.percent if check is not None and check.measured else None

    @property
    def advice(self) -> str | None:
        """The check's recommendation in words, only when measured."""
        return advice_words(self.check)


def not_measured_message(laser: LaserSession, check: ClearanceCheck | None, reason: str) -> str:
    """Say that a session's follow-up could not be measured, and why, in one line.

    Parameters
    ----------
    laser : LaserSession
        The session.
    check : ClearanceCheck or None
        Its not-measured check (its document gives the follow-up's date), if any.
    reason : str
        Why.

    Returns
    -------
    str
        "follow-up of 2026-04-01 (laser session of 2026-03-11) could not be measured: ...".
    """
    day = laser.session_date.isoformat()
    taken = (check.document or {}).get("followup_date") if check is not None else None
    when = f"{taken} (laser session of {day})" if taken and taken != day else day
    return f"follow-up of {when} could not be measured: {reason}"


def _problem(
    session: Session, laser: LaserSession, check: ClearanceCheck | None, job: Job | None
) -> str | None:
    if job is not None and job.status in (JobStatus.PENDING, JobStatus.RUNNING):
        return None
    newer = job is not None and (check is None or check.created_at < job.created_at)
    if job is not None and job.status == JobStatus.FAILED and newer:
        return not_measured_message(laser, check, job.error_message or "the measure failed")
    if check is not None:
        return None if check.measured else not_measured_message(laser, check, check.reason)
    if laser.follow_up_photo_id is None:
        return None
    try:
        clearance_inputs(session, laser.id)
    except ScalpmapError as error:
        return not_measured_message(laser, None, str(error))
    return not_measured_message(laser, None, "not measured yet; press Measure again")


_WAITING = (JobStatus.PENDING, JobStatus.RUNNING)


def _latest_measures(session: Session, case_id: int) -> dict[int, Job]:
    """Return each laser session's newest follow-up measure job, by session id."""
    query = select(Job).where(Job.case_id == case_id, Job.kind == JobKind.FOLLOW_UP)
    latest: dict[int, Job] = {}
    for job in session.scalars(query.order_by(Job.created_at, Job.id)):
        laser_id = (job.payload or {}).get("laser_session_id")
        if isinstance(laser_id, int):
            latest[laser_id] = job
    return latest


def _referral_rows(session: Session, case_id: int) -> list[ReferralRow]:
    rows = []
    for referral in list_referrals(session, case_id):
        later = tuple(s for s in ReferralStatus if s.order > referral.status.order)
        rows.append(ReferralRow(referral, referral.facility, later))
    return rows


def treatment_context(session: Session, case: Case, user: User | None) -> dict[str, Any]:
    """Build the case page's referral, sessions, clearance and due-date part.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only; opening the case is what is audited).
    case : Case
        The case.
    user : User or None
        Who looks (whether the Refer buttons show).

    Returns
    -------
    dict
        Template variables: ``referrals``, ``laser_rows``, ``smp_sessions``, ``has_chart``,
        ``due``, ``latest_measured`` (the last session whose follow-up was measured: its
        recommendation is the latest), ``follow_up_photos`` (photo id to "after laser session 2"),
        ``facilities``, ``laser_form``, ``smp_form``, ``areas``, ``can_refer``, and
        ``voided_lasers`` and ``voided_smps`` (pairs of a session and its voiding: kept, shown
        apart, counted nowhere).
    """
    referrals = _referral_rows(session, case.id)
    checks = {check.laser_session_id: check for check in list_clearance_checks(session, case.id)}
    facilities = list_facilities(session)
    by_id = {facility.id: facility for facility in facilities}
    measures = _latest_measures(session, case.id)
    rows = []
    for number, laser in enumerate(list_laser_sessions(session, case.id), start=1):
        check = checks.get(laser.id)
        facility = by_id.get(laser.facility_id) if laser.facility_id is not None else None
        job = measures.get(laser.id)
        problem = _problem(session, laser, check, job)
        waiting = job if job is not None and job.status in _WAITING else None
        rows.append(LaserRow(laser, number, facility, check, problem, waiting))
    measured = [row for row in rows if row.advice is not None]
    smp_sessions = list_smp_sessions(session, case.id)
    voided_lasers = [
        (laser, void_entry(laser))
        for laser in list_laser_sessions(session, case.id, include_voided=True)
        if laser.voided_at is not None
    ]
    voided_smps = [
        (smp, void_entry(smp))
        for smp in list_smp_sessions(session, case.id, include_voided=True)
        if smp.voided_at is not None
    ]
    follow_ups = {row.laser.follow_up_photo_id: f"after laser session {row.number}" for row in rows}
    follow_ups |= {smp.follow_up_photo_id: "after the SMP session" for smp in smp_sessions}
    latest = referrals[-1].referral.facility_id if referrals else None
    due: list[DueDate] = due_dates(session, case.id)
    name = (user.full_name or "") if user is not None else ""
    return {
        "referrals": referrals,
        "laser_rows": rows,
        "smp_sessions": smp_sessions,
        "voided_lasers": voided_lasers,
        "voided_smps": voided_smps,
        "duplicate_of": "",
        "follow_up_photos": {key: words for key, words in follow_ups.items() if key is not None},
        "has_chart": bool(checks),
        "due": due,
        "latest_measured": measured[-1] if measured else None,
        "facilities": facilities,
        "laser_form": laser_defaults(latest),
        "smp_form": smp_defaults(name),
        "areas": AREAS,
        "can_refer": can_refer(user),
    }


def _audit_case_part(
    session: Session, user: User, entity: str, entity_id: int, case_id: int
) -> None:
    case = get_or_raise(session, Case, case_id, "case")
    audit.record(
        session,
        user,
        audit.Action.VIEW,
        entity,
        entity_id,
        patient_id=case.patient_id,
        details={"case_id": case_id},
    )
    commit(session)


def open_check(session: Session, check_id: int, user: User) -> ClearanceCheck:
    """Open a clearance check by id; the view is audited (entity ``clearance_check``).

    Raises
    ------
    NotFoundError
        When there is no such check.
    """
    check = get_or_raise(session, ClearanceCheck, check_id, "clearance check")
    _audit_case_part(session, user, "clearance_check", check.id, check.case_id)
    return check


def open_laser(session: Session, laser_id: int, user: User | None = None) -> LaserSession:
    """Load a laser session by id; with a user, the view is audited (entity ``laser_session``).

    Raises
    ------
    NotFoundError
        When there is no such session.
    """
    laser = get_or_raise(session, LaserSession, laser_id, "laser session")
    if user is not None:
        _audit_case_part(session, user, "laser_session", laser.id, laser.case_id)
    return laser
