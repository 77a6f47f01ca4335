"""JSON API of patients: create, list or search, read, change."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from scalpmap.services import patients
from scalpmap.web.deps import CurrentPatient, CurrentUser, Id, SessionDep
from scalpmap.web.patients.schemas import (
    Created,
    PatientIn,
    PatientPatch,
    PatientPublic,
    patient_public,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/patients", tags=["patients"])


@router.post(
    "",
    status_code=201,
    responses={422: {"description": "A field is invalid"}},
    summary="Create a patient",
)
def create_patient(body: PatientIn, session: SessionDep, user: CurrentUser) -> Created:
    """Create a patient; ``name`` and ``date_of_birth`` are required."""
    return Created(id=patients.create_patient(session, body.to_service(), user).id)


@router.get("", summary="List or search patients")
def list_patients(
    session: SessionDep,
    user: CurrentUser,
    q: Annotated[str | None, Query(max_length=200, description="Part of a name")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[PatientPublic]:
    """List patients, newest first; ``q`` keeps those whose name contains it (any case).

    The server's access log drops query strings, so a name searched for is not logged.
    """
    found = patients.search_patients(session, user, q, limit=limit)
    return [patient_public(patient) for patient in found]


@router.get(
    "/{patient_id}",
    responses={404: {"description": "No such patient"}},
    summary="Read a patient",
)
def get_patient(patient: CurrentPatient) -> PatientPublic:
    """Read a patient's record (the view is audited)."""
    return patient_public(patient)


@router.patch(
    "/{patient_id}",
    responses={404: {"description": "No such patient"}},
    summary="Change a patient",
)
def update_patient(
    patient_id: Id, body: PatientPatch, session: SessionDep, user: CurrentUser
) -> PatientPublic:
    """Change the fields sent (the names of the changed fields are audited)."""
    return patient_public(patients.update_patient(session, patient_id, body.to_service(), user))
