"""Patients: every view and change is in the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from scalpmap.services import audit, patients
from scalpmap.services.errors import InputError, NotFoundError


def actions(session, patient_id):
    events = reversed(audit.list_events(session, patient_id=patient_id))
    return [(e.action, e.entity, e.user_id) for e in events]


def test_create_view_update_and_consent_are_audited(db_session, practitioner, make_user):
    reception = make_user()
    data = patients.PatientCreate(
        full_name="  Alex Doe ",
        date_of_birth=dt.date(1990, 4, 2),
        email="alex@example.com",
        phone="+44 20 7946 0000",
        fitzpatrick_type=4,
        notes="prefers mornings",
    )
    patient = patients.create_patient(db_session, data, practitioner)
    assert patient.full_name == "Alex Doe" and patient.created_by_id == practitioner.id
    assert patients.get_patient(db_session, patient.id, reception) is patient
    changes = patients.PatientUpdate(notes="prefers evenings", fitzpatrick_type=4, phone=None)
    patients.update_patient(db_session, patient.id, changes, practitioner)
    assert patient.notes == "prefers evenings" and patient.phone is None
    patients.record_consent(db_session, patient.id, "SMP removal consent v2", practitioner)
    assert patient.consent_text == "SMP removal consent v2"
    assert patient.consent_given_at is not None and patient.consent_given_at.tzinfo is not None
    assert actions(db_session, patient.id) == [
        ("create", "patient", practitioner.id),
        ("view", "patient", reception.id),
        ("update", "patient", practitioner.id),
        ("update", "patient", practitioner.id),
    ]
    update = audit.list_events(db_session, patient_id=patient.id)[1]
    assert update.details == {"fields": ["notes", "phone"]}  # names only, never values
    assert update.at.tzinfo is not None


def test_unchanged_update_writes_no_audit_row(db_session, patient, practitioner):
    before = len(audit.list_events(db_session, patient_id=patient.id))
    patients.update_patient(db_session, patient.id, patients.PatientUpdate(), practitioner)
    same = patients.PatientUpdate(full_name=patient.full_name)
    patients.update_patient(db_session, patient.id, same, practitioner)
    assert len(audit.list_events(db_session, patient_id=patient.id)) == before


def test_search_is_audited_with_the_ids_listed(db_session, practitioner):
    names = ["Jo Smith", "Joanne Smythe", "Kim Lee"]
    made = [
        patients.create_patient(db_session, patients.PatientCreate(full_name=n), practitioner)
        for n in names
    ]
    found = patients.search_patients(db_session, practitioner, "smith")
    assert found == [made[0]]
    assert len(patients.search_patients(db_session, practitioner, "%")) >= 3
    event = audit.list_events(db_session, user_id=practitioner.id, limit=2)[1]
    assert (event.action, event.details) == ("search", {"ids": [made[0].id]})


def test_bad_input_and_missing_patient(db_session, practitioner):
    with pytest.raises(ValidationError):
        patients.PatientCreate(full_name=" ")
    with pytest.raises(ValidationError):
        patients.PatientCreate(full_name="A", fitzpatrick_type=7)
    with pytest.raises(ValidationError):
        patients.PatientCreate(full_name="A", date_of_birth=dt.date.today() + dt.timedelta(1))
    with pytest.raises(NotFoundError, match="no patient with id 999999"):
        patients.get_patient(db_session, 999_999, practitioner)
    patient = patients.create_patient(
        db_session, patients.PatientCreate(full_name="B"), practitioner
    )
    with pytest.raises(InputError):
        patients.update_patient(
            db_session, patient.id, patients.PatientUpdate(full_name=None), practitioner
        )
    with pytest.raises(InputError):
        patients.record_consent(db_session, patient.id, "  ", practitioner)
