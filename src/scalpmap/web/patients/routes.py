"""Patient pages: list and search, create, view, edit, record consent."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scalpmap.errors import ScalpmapError
from scalpmap.services import cases, patients
from scalpmap.store.models import CaseReason, Patient
from scalpmap.web.deps import CurrentPatient, CurrentUser, SessionDep
from scalpmap.web.errors import one_line, status_for
from scalpmap.web.patients.schemas import FORM_FIELDS, form_values
from scalpmap.web.rendering import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form(max_length=20000)]


def patient_form(
    full_name: Annotated[str, Form(max_length=400)] = "",
    date_of_birth: Annotated[str, Form(max_length=40)] = "",
    email: Annotated[str, Form(max_length=400)] = "",
    phone: Annotated[str, Form(max_length=100)] = "",
    address: Text = "",
    fitzpatrick_type: Annotated[str, Form(max_length=10)] = "",
    notes: Text = "",
) -> dict[str, str]:
    """Collect the patient form's fields as submitted."""
    return {
        "full_name": full_name,
        "date_of_birth": date_of_birth,
        "email": email,
        "phone": phone,
        "address": address,
        "fitzpatrick_type": fitzpatrick_type,
        "notes": notes,
    }


PatientForm = Annotated[dict[str, str], Depends(patient_form)]


def _as_form(patient: Patient | None) -> dict[str, str]:
    if patient is None:
        return dict.fromkeys(FORM_FIELDS, "")
    values = {name: getattr(patient, name) for name in FORM_FIELDS}
    return {name: "" if value is None else str(value) for name, value in values.items()}


def _list_page(
    request: Request, found: list[Patient], query: str, *, status_code: int = 200
) -> Response:
    context = {"title": "Patients", "section": "patients", "patients": found, "query": query}
    return render(request, "patients/list.html", context, status_code=status_code)


@router.get("/patients")
def patient_list(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """List the newest patients."""
    return _list_page(request, patients.search_patients(session, user, None), "")


@router.post("/patients/search")
def patient_search(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    q: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Search patients by name (a POST, so that names stay out of URLs and logs)."""
    return _list_page(request, patients.search_patients(session, user, q), q)


def _form_page(
    request: Request,
    form: dict[str, str],
    *,
    patient: Patient | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    title = "New patient" if patient is None else f"Edit patient #{patient.id}"
    context: dict[str, Any] = {
        "title": title,
        "section": "patients",
        "form": form,
        "patient": patient,
        "error": error,
    }
    return render(request, "patients/form.html", context, status_code=status_code)


@router.get("/patients/new")
def new_patient_page(request: Request, user: CurrentUser) -> Response:
    """Show the new-patient form."""
    return _form_page(request, _as_form(None))


@router.post("/patients/new")
def create_patient(
    request: Request, session: SessionDep, user: CurrentUser, form: PatientForm
) -> Response:
    """Create a patient, or show the form again with the first problem."""
    try:
        data = patients.PatientCreate.model_validate(form_values(form))
        patient = patients.create_patient(session, data, user)
    except ValidationError as error:
        return _form_page(request, form, error=one_line(error), status_code=422)
    except ScalpmapError as error:
        return _form_page(request, form, error=str(error), status_code=status_for(error))
    return RedirectResponse(f"/patients/{patient.id}", status_code=303)


@router.get("/patients/{patient_id}")
def patient_page(
    request: Request, session: SessionDep, user: CurrentUser, patient: CurrentPatient
) -> Response:
    """Show a patient's record and cases."""
    context = {
        "title": f"Patient #{patient.id}",
        "section": "patients",
        "patient": patient,
        "cases": cases.list_cases(session, patient.id),
        "reasons": list(CaseReason),
    }
    return render(request, "patients/detail.html", context)


@router.get("/patients/{patient_id}/edit")
def edit_patient_page(request: Request, user: CurrentUser, patient: CurrentPatient) -> Response:
    """Show the patient's record in the form."""
    return _form_page(request, _as_form(patient), patient=patient)


@router.post("/patients/{patient_id}/edit")
def edit_patient(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    patient: CurrentPatient,
    form: PatientForm,
) -> Response:
    """Save the changed fields (audited), or show the form again with the first problem."""
    try:
        changes = patients.PatientUpdate.model_validate(form_values(form))
        patients.update_patient(session, patient.id, changes, user)
    except ValidationError as error:
        return _form_page(request, form, patient=patient, error=one_line(error), status_code=422)
    except ScalpmapError as error:
        session.rollback()
        status = status_for(error)
        return _form_page(request, form, patient=patient, error=str(error), status_code=status)
    return RedirectResponse(f"/patients/{patient.id}", status_code=303)


@router.post("/patients/{patient_id}/consent")
def record_consent(
    session: SessionDep,
    user: CurrentUser,
    patient: CurrentPatient,
    consent_text: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Record that the patient consented, to what and now."""
    patients.record_consent(session, patient.id, consent_text, user)
    return RedirectResponse(f"/patients/{patient.id}", status_code=303)
