"""Referrals: send a case's patient to a partner laser facility with a referral letter.

A referral is made from the case's latest plan version and moves the case to ``referred``
(a case already further on, e.g. back for a second laser session, keeps its stage). Its status
then moves forward only: drafted → sent → accepted → done. The letter (HTML and PDF) shows the
patient's identity only when the patient's consent is recorded
(:func:`scalpmap.services.disclosure.document_identity`); otherwise it says the details are
withheld. Every change, and every letter made, is audited (entity ``"referral"``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap.clinic_identity import ClinicIdentity
from scalpmap.reports.pdf import html_to_pdf
from scalpmap.reports.referral import render_referral_html
from scalpmap.services import audit
from scalpmap.services._tx import atomic, commit, get_or_raise
from scalpmap.services.cases import advance_stage
from scalpmap.services.clinic import clinic_today, get_clinic_settings
from scalpmap.services.disclosure import DocumentKind, disclosed_plan, document_identity
from scalpmap.services.errors import ConflictError, InputError, NotFoundError
from scalpmap.services.plan_design import load_plan_outputs
from scalpmap.store.models import (
    Case,
    CaseStage,
    Facility,
    Patient,
    PlanVersion,
    Referral,
    ReferralStatus,
    User,
    utcnow,
)
from scalpmap.store.photos import PhotoStore

__all__ = [
    "ReferralLetter",
    "create_referral",
    "latest_referral",
    "list_referrals",
    "referral_letter",
    "set_referral_status",
]

_STAMPS = {
    ReferralStatus.SENT: "sent_at",
    ReferralStatus.ACCEPTED: "accepted_at",
    ReferralStatus.DONE: "done_at",
}


@dataclass(frozen=True)
class ReferralLetter:
    """A referral letter.

    Attributes
    ----------
    html : str
        The self-contained HTML letter.
    pdf : bytes or None
        The letter as A4 PDF, when asked for.
    patient_details : bool
        Whether the letter shows the patient's identity.
    """

    html: str
    pdf: bytes | None
    patient_details: bool


def _latest_plan(session: Session, case_id: int) -> PlanVersion | None:
    query = select(PlanVersion).where(PlanVersion.case_id == case_id)
    return session.scalar(query.order_by(PlanVersion.version.desc()).limit(1))


def create_referral(
    session: Session,
    case_id: int,
    facility_id: int,
    actor: User | None,
    *,
    referred_on: dt.date | None = None,
    note: str | None = None,
) -> Referral:
    """Refer a case to a laser facility with its latest plan version (status ``drafted``).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    case_id : int
        The case.
    facility_id : int
        The laser facility.
    actor : User or None
        Who refers; ``None`` for the command line.
    referred_on : datetime.date, optional
        The letter's date; today at the clinic (its time zone) by default.
    note : str, optional
        A note for the clinic's records (not printed on the letter).

    Returns
    -------
    Referral
        The new referral; the case is at ``referred`` (or later) afterwards.

    Raises
    ------
    NotFoundError
        When there is no such case or facility.
    ConflictError
        When the case has no plan yet.
    """
    case = get_or_raise(session, Case, case_id, "case")
    facility = get_or_raise(session, Facility, facility_id, "facility")
    plan = _latest_plan(session, case.id)
    if plan is None:
        raise ConflictError(f"case {case_id} has no plan yet: save a plan before referring it")
    patient = get_or_raise(session, Patient, case.patient_id, "patient")
    referral = Referral(
        case_id=case.id,
        facility_id=facility.id,
        plan_id=plan.id,
        status=ReferralStatus.DRAFTED,
        referred_on=referred_on or clinic_today(session),
        patient_details=document_identity(
            patient, DocumentKind.REFERRAL_LETTER, case_id=case.id
        ).consented,
        note=note,
        created_by_id=actor.id if actor is not None else None,
    )
    with atomic(session):
        session.add(referral)
        session.flush()
        details = {"case_id": case.id, "facility_id": facility.id, "plan_version": plan.version}
        audit.record(
            session,
            actor,
            audit.Action.CREATE,
            "referral",
            referral.id,
            patient_id=case.patient_id,
            details=details,
        )
        advance_stage(session, case, CaseStage.REFERRED, actor)
    return referral


def list_referrals(session: Session, case_id: int) -> list[Referral]:
    """List a case's referrals, oldest first.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.
    case_id : int
        The case.

    Returns
    -------
    list of Referral
        The referrals.
    """
    query = select(Referral).where(Referral.case_id == case_id)
    return list(session.scalars(query.order_by(Referral.referred_on, Referral.id)))


def latest_referral(
    session: Session, case_id: int, *, facility_id: int | None = None
) -> Referral | None:
    """Return a case's most recent referral (to one facility, if given), or None."""
    query = select(Referral).where(Referral.case_id == case_id)
    if facility_id is not None:
        query = query.where(Referral.facility_id == facility_id)
    query = query.order_by(Referral.referred_on.desc(), Referral.id.desc()).limit(1)
    return session.scalar(query)


def set_referral_status(
    session: Session, referral_id: int, status: ReferralStatus, actor: User | None
) -> Referral:
    """Move a referral forward: drafted → sent → accepted → done (steps may be skipped).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    referral_id : int
        The referral.
    status : ReferralStatus
        The new status; its time stamp (``sent_at``, ...) is set, and those of skipped steps.
    actor : User or None
        Who changes it.

    Returns
    -------
    Referral
        The referral.

    Raises
    ------
    NotFoundError
        When there is no such referral.
    InputError
        When the status would go back.
    """
    new = ReferralStatus(status)
    referral = get_or_raise(session, Referral, referral_id, "referral")
    old = referral.status
    if new == old:
        return referral
    if new.order < old.order:
        raise InputError(f"referral {referral_id} is already {old}; it cannot go back to {new}")
    now = utcnow()
    with atomic(session):
        for step, field in _STAMPS.items():
            if old.order < step.order <= new.order and getattr(referral, field) is None:
                setattr(referral, field, now)
        referral.status = new
        audit.record(
            session,
            actor,
            audit.Action.UPDATE,
            "referral",
            referral.id,
            patient_id=referral.case.patient_id,
            details={"fields": ["status"], "from": str(old), "to": str(new)},
        )
    return referral


def referral_letter(
    session: Session,
    store: PhotoStore,
    referral_id: int,
    actor: User | None,
    *,
    clinic: ClinicIdentity | None = None,
    signed_by: str | None = None,
    pdf: bool = True,
    printed_by_job: bool = False,
) -> ReferralLetter:
    """Make a referral's letter from its plan version; making it is audited (a view).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed (the audit row).
    store : PhotoStore
        Where the plan's removal map is stored (the letter leaves it out when missing).
    referral_id : int
        The referral.
    actor : User or None
        Who makes it.
    clinic : ClinicIdentity, optional
        The referring clinic, in the header, the request to report back and the sign-off;
        the clinic's settings (:func:`scalpmap.services.clinic.get_clinic_settings`) when
        omitted.
    signed_by : str, optional
        Who signs; the actor's name when omitted.
    pdf : bool, optional
        Also print the letter to PDF.
    printed_by_job : bool, optional
        The HTML is made for a report job that prints it: the audit row records a PDF, although
        this call does not print it.

    Returns
    -------
    ReferralLetter
        The letter.

    Raises
    ------
    NotFoundError
        When there is no such referral.
    """
    referral = get_or_raise(session, Referral, referral_id, "referral")
    plan = get_or_raise(session, PlanVersion, referral.plan_id, "plan version")
    patient = get_or_raise(session, Patient, referral.case.patient_id, "patient")
    try:
        files = load_plan_outputs(session, plan.id, store, roles=["removal_map"])
        removal_map: bytes | None = files["removal_map"].data
    except NotFoundError:
        removal_map = None
    identity = document_identity(
        patient,
        DocumentKind.REFERRAL_LETTER,
        case_id=referral.case_id,
        allowed=referral.patient_details,
    )
    person = identity.letter_patient()
    shown = person is not None
    signer = signed_by or (actor.full_name or actor.email if actor is not None else None)
    html = render_referral_html(
        disclosed_plan(session, plan, identity),
        referral.facility,
        referral_id=referral.id,
        case_id=referral.case_id,
        referred_on=referral.referred_on,
        patient=person,
        removal_map=removal_map,
        clinic=clinic or get_clinic_settings(session),
        signed_by=signer,
    )
    audit.record(
        session,
        actor,
        audit.Action.VIEW,
        "referral",
        referral.id,
        patient_id=patient.id,
        details={"letter": True, "patient_details": shown, "pdf": pdf or printed_by_job},
    )
    commit(session)
    return ReferralLetter(html=html, pdf=html_to_pdf(html) if pdf else None, patient_details=shown)
