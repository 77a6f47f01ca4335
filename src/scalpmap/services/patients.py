"""Patients: create, view, search, update and record consent; every access is audited."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scalpmap.dates import BirthDay
from scalpmap.services import audit
from scalpmap.services._tx import atomic, commit, get_or_raise
from scalpmap.services.errors import InputError
from scalpmap.store.models import Patient, User, utcnow

__all__ = [
    "PatientCreate",
    "PatientUpdate",
    "create_patient",
    "get_patient",
    "record_consent",
    "search_patients",
    "update_patient",
]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]
Fitzpatrick = Annotated[int, Field(ge=1, le=6)]


class PatientCreate(BaseModel):
    """A new patient's record (the form the web app shows)."""

    model_config = ConfigDict(extra="forbid")

    full_name: Name
    date_of_birth: BirthDay | None = None
    email: EmailStr | None = None
    phone: Short | None = None
    address: str | None = None
    fitzpatrick_type: Fitzpatrick | None = None
    notes: str | None = None


class PatientUpdate(BaseModel):
    """Changes to a patient's record: only the fields that are set are changed."""

    model_config = ConfigDict(extra="forbid")

    full_name: Name | None = None
    date_of_birth: BirthDay | None = None
    email: EmailStr | None = None
    phone: Short | None = None
    address: str | None = None
    fitzpatrick_type: Fitzpatrick | None = None
    notes: str | None = None


def create_patient(session: Session, data: PatientCreate, actor: User) -> Patient:
    """Create a patient record.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    data : PatientCreate
        The validated record.
    actor : User
        Who creates it.

    Returns
    -------
    Patient
        The new patient.
    """
    patient = Patient(**data.model_dump(), created_by_id=actor.id)
    with atomic(session):
        session.add(patient)
        session.flush()
        audit.record(
            session, actor, audit.Action.CREATE, "patient", patient.id, patient_id=patient.id
        )
    return patient


def get_patient(session: Session, patient_id: int, actor: User) -> Patient:
    """Open a patient's record; the view is audited.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed (the audit row).
    patient_id : int
        The patient.
    actor : User
        Who looks.

    Returns
    -------
    Patient
        The patient.

    Raises
    ------
    NotFoundError
        When there is no such patient.
    """
    patient = get_or_raise(session, Patient, patient_id, "patient")
    audit.record(session, actor, audit.Action.VIEW, "patient", patient.id, patient_id=patient.id)
    commit(session)
    return patient


def search_patients(
    session: Session, actor: User, query: str | None = None, *, limit: int = 50
) -> list[Patient]:
    """List patients whose name contains ``query`` (all when empty), newest first.

    The search is audited once, with the ids of the patients listed.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed (the audit row).
    actor : User
        Who searches.
    query : str, optional
        Part of the name, any case.
    limit : int, optional
        At most this many patients.

    Returns
    -------
    list of Patient
        The patients.
    """
    # The lists show each patient's cases: load them in one more query, not one per patient.
    statement = (
        select(Patient)
        .options(selectinload(Patient.cases))
        .order_by(Patient.id.desc())
        .limit(limit)
    )
    if query and query.strip():
        pattern = "%" + query.strip().lower().replace("\\", "").replace("%", "").replace("_", "")
        statement = statement.where(Patient.full_name.ilike(pattern + "%"))
    patients = list(session.scalars(statement))
    ids = [patient.id for patient in patients]
    audit.record(session, actor, audit.Action.SEARCH, "patient", None, details={"ids": ids})
    commit(session)
    return patients


def update_patient(
    session: Session, patient_id: int, changes: PatientUpdate, actor: User
) -> Patient:
    """Change fields of a patient's record; the names of the changed fields are audited.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    patient_id : int
        The patient.
    changes : PatientUpdate
        The fields to set (a field explicitly set to ``None`` is cleared).
    actor : User
        Who changes it.

    Returns
    -------
    Patient
        The updated patient.

    Raises
    ------
    NotFoundError
        When there is no such patient.
    InputError
        When the name would be cleared.
    """
    patient = get_or_raise(session, Patient, patient_id, "patient")
    values: dict[str, Any] = changes.model_dump(exclude_unset=True)
    if "full_name" in values and values["full_name"] is None:
        raise InputError("a patient needs a name")
    changed = sorted(name for name, value in values.items() if getattr(patient, name) != value)
    for name in changed:
        setattr(patient, name, values[name])
    if changed:
        audit.record(
            session,
            actor,
            audit.Action.UPDATE,
            "patient",
            patient.id,
            patient_id=patient.id,
            details={"fields": changed},
        )
        commit(session)
    return patient


def record_consent(
    session: Session,
    patient_id: int,
    consent_text: str,
    actor: User,
    *,
    given_at: dt.datetime | None = None,
) -> Patient:
    """Record that the patient gave consent, to what and when.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    patient_id : int
        The patient.
    consent_text : str
        What the patient agreed to (the text shown, or its version).
    actor : User
        Who records it.
    given_at : datetime.datetime, optional
        When (timezone-aware); now by default.

    Returns
    -------
    Patient
        The patient.

    Raises
    ------
    InputError
        When the text is empty or the time is naive.
    """
    if not consent_text.strip():
        raise InputError("say what the patient consented to")
    if given_at is not None and given_at.tzinfo is None:
        raise InputError("the consent time needs a time zone")
    patient = get_or_raise(session, Patient, patient_id, "patient")
    patient.consent_text = consent_text.strip()
    patient.consent_given_at = given_at or utcnow()
    audit.record(
        session,
        actor,
        audit.Action.UPDATE,
        "patient",
        patient.id,
        patient_id=patient.id,
        details={"fields": ["consent_given_at", "consent_text"]},
    )
    commit(session)
    return patient
