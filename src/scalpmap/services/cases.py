"""Cases: open one for a patient, view it, and move it through the workflow stages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap.services import audit
from scalpmap.services._tx import atomic, commit, get_or_raise
from scalpmap.services.errors import InputError
from scalpmap.store.models import Case, CaseReason, CaseStage, Patient, User

__all__ = ["advance_stage", "get_case", "list_cases", "open_case", "set_stage"]


def open_case(
    session: Session,
    patient_id: int,
    reason: CaseReason,
    actor: User,
    *,
    stage: CaseStage = CaseStage.ENQUIRY,
    title: str | None = None,
    practitioner_id: int | None = None,
) -> Case:
    """Open a case for a patient.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    patient_id : int
        The patient.
    reason : CaseReason
        Reposition, poor work, total removal or faded.
    actor : User
        Who opens it.
    stage : CaseStage, optional
        Where it starts; an enquiry by default.
    title : str, optional
        A short label.
    practitioner_id : int, optional
        The practitioner in charge.

    Returns
    -------
    Case
        The new case.

    Raises
    ------
    NotFoundError
        When there is no such patient or practitioner.
    """
    patient = get_or_raise(session, Patient, patient_id, "patient")
    if practitioner_id is not None:
        get_or_raise(session, User, practitioner_id, "user")
    case = Case(
        patient_id=patient.id,
        reason=CaseReason(reason),
        stage=CaseStage(stage),
        title=title,
        practitioner_id=practitioner_id,
    )
    with atomic(session):
        session.add(case)
        session.flush()
        audit.record(session, actor, audit.Action.CREATE, "case", case.id, patient_id=patient.id)
    return case


def get_case(session: Session, case_id: int, actor: User) -> Case:
    """Open a case; the view is audited.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed (the audit row).
    case_id : int
        The case.
    actor : User
        Who looks.

    Returns
    -------
    Case
        The case.

    Raises
    ------
    NotFoundError
        When there is no such case.
    """
    case = get_or_raise(session, Case, case_id, "case")
    audit.record(session, actor, audit.Action.VIEW, "case", case.id, patient_id=case.patient_id)
    commit(session)
    return case


def list_cases(session: Session, patient_id: int) -> list[Case]:
    """List a patient's cases, oldest first (not audited: opening the patient is).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.
    patient_id : int
        The patient.

    Returns
    -------
    list of Case
        The cases.
    """
    query = select(Case).where(Case.patient_id == patient_id).order_by(Case.id)
    return list(session.scalars(query))


def set_stage(
    session: Session,
    case_id: int,
    stage: CaseStage,
    actor: User,
    *,
    allow_backwards: bool = False,
) -> Case:
    """Move a case to another workflow stage.

    The stages run enquiry → assessment → planned → referred → laser → touch-up → complete.
    Stages may be skipped (a clinic with its own laser never refers; a total removal needs no
    touch-up); going back needs ``allow_backwards`` (to correct a mistake).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    case_id : int
        The case.
    stage : CaseStage
        The new stage.
    actor : User
        Who moves it.
    allow_backwards : bool, optional
        Allow moving to an earlier stage.

    Returns
    -------
    Case
        The case.

    Raises
    ------
    NotFoundError
        When there is no such case.
    InputError
        When the move goes backwards without ``allow_backwards``.
    """
    new = CaseStage(stage)
    case = get_or_raise(session, Case, case_id, "case")
    old = case.stage
    if new == old:
        return case
    if new.order < old.order and not allow_backwards:
        raise InputError(f"case {case_id} is already at {old}; it cannot go back to {new}")
    case.stage = new
    audit.record(
        session,
        actor,
        audit.Action.UPDATE,
        "case",
        case.id,
        patient_id=case.patient_id,
        details={"fields": ["stage"], "from": str(old), "to": str(new)},
    )
    commit(session)
    return case


def advance_stage(session: Session, case: Case, stage: CaseStage, actor: User | None) -> bool:
    """Move a case forward to ``stage`` inside the caller's transaction, if it is not there yet.

    Used when an event implies a stage: a referral (``referred``), a logged laser session
    (``laser``), a logged SMP session (``touch_up``). A case already at that stage or further on
    keeps its stage. The change is audited but not committed.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; not committed.
    case : Case
        The case.
    stage : CaseStage
        The stage the event implies.
    actor : User or None
        Who caused it.

    Returns
    -------
    bool
        Whether the stage changed.
    """
    if case.stage.order >= stage.order:
        return False
    old, case.stage = case.stage, stage
    audit.record(
        session,
        actor,
        audit.Action.UPDATE,
        "case",
        case.id,
        patient_id=case.patient_id,
        details={"fields": ["stage"], "from": str(old), "to": str(stage)},
    )
    return True
