"""Input and output schemas of the patients API, and the page form's fields."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from scalpmap.dates import BirthDay
from scalpmap.services.patients import PatientCreate, PatientUpdate
from scalpmap.store.models import Patient

__all__ = [
    "FORM_FIELDS",
    "Created",
    "PatientIn",
    "PatientPatch",
    "PatientPublic",
    "form_values",
    "patient_public",
]

FORM_FIELDS = (
    "full_name",
    "date_of_birth",
    "email",
    "phone",
    "address",
    "fitzpatrick_type",
    "notes",
)
"""The patient form's fields, named as in :class:`scalpmap.services.patients.PatientCreate`."""

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Created(BaseModel):
    """The id of a new record."""

    id: int


class PatientIn(BaseModel):
    """A new patient: ``name`` and ``date_of_birth`` are required."""

    model_config = ConfigDict(extra="forbid")

    name: Name = Field(examples=["Alex Example"])
    date_of_birth: BirthDay = Field(examples=["1990-04-01"])
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=50)
    address: str | None = Field(default=None, max_length=2000)
    fitzpatrick_type: int | None = Field(default=None, ge=1, le=6)
    notes: str | None = Field(default=None, max_length=20000)

    def to_service(self) -> PatientCreate:
        """Return the service's input model."""
        values = self.model_dump(exclude={"name"})
        return PatientCreate(full_name=self.name, **values)


class PatientPatch(BaseModel):
    """Changes to a patient: only the fields sent are changed (``null`` clears one)."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    date_of_birth: BirthDay | None = None
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=50)
    address: str | None = Field(default=None, max_length=2000)
    fitzpatrick_type: int | None = Field(default=None, ge=1, le=6)
    notes: str | None = Field(default=None, max_length=20000)

    def to_service(self) -> PatientUpdate:
        """Return the service's input model with the same fields set."""
        values = self.model_dump(exclude_unset=True)
        if "name" in values:
            values["full_name"] = values.pop("name")
        return PatientUpdate.model_validate(values)


class PatientPublic(BaseModel):
    """A patient's record as the API returns it."""

    id: int
    name: str
    date_of_birth: dt.date | None
    email: str | None
    phone: str | None
    address: str | None
    fitzpatrick_type: int | None
    notes: str | None
    consent_given_at: dt.datetime | None
    created_at: dt.datetime
    case_ids: list[int]


def patient_public(patient: Patient) -> PatientPublic:
    """Build the API's view of a patient.

    Parameters
    ----------
    patient : Patient
        The record.

    Returns
    -------
    PatientPublic
        Its public fields.
    """
    return PatientPublic(
        id=patient.id,
        name=patient.full_name,
        date_of_birth=patient.date_of_birth,
        email=patient.email,
        phone=patient.phone,
        address=patient.address,
        fitzpatrick_type=patient.fitzpatrick_type,
        notes=patient.notes,
        consent_given_at=patient.consent_given_at,
        created_at=patient.created_at,
        case_ids=[case.id for case in patient.cases],
    )


def form_values(form: dict[str, str]) -> dict[str, Any]:
    """Turn the page form's strings into model input: blank fields become ``None``.

    Parameters
    ----------
    form : dict
        Field name → submitted text.

    Returns
    -------
    dict
        Values for :class:`PatientCreate` or :class:`PatientUpdate`.

    Examples
    --------
    >>> form_values({"full_name": " Sam ", "email": "", "fitzpatrick_type": "3"})
    {'full_name': 'Sam', 'email': None, 'fitzpatrick_type': '3'}
    """
    return {name: (value.strip() or None) for name, value in form.items()}
