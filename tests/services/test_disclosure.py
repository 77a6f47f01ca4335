"""The one rule for the identity a document may carry: nothing without consent, and with it
only the fields each kind of document needs."""

from __future__ import annotations

import datetime as dt

import pytest

from scalpmap.services import photos, plans
from scalpmap.services.disclosure import (
    FIELDS,
    DocumentKind,
    disclosed_plan,
    document_identity,
)
from scalpmap.store.models import Patient, PhotoAnalysis, PlanVersion

DETAILS = ("full_name", "date_of_birth", "phone", "email")


def patient(consent: bool) -> Patient:
    return Patient(
        full_name="Sam Example",
        date_of_birth=dt.date(1990, 5, 17),
        phone="+44 113 496 0000",
        email="sam@example.org",
        address="1 High St, Leeds",
        consent_given_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC) if consent else None,
    )


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_without_consent_no_kind_shows_anything(kind: DocumentKind) -> None:
    identity = document_identity(patient(False), kind, case_id=12)
    assert [getattr(identity, name) for name in DETAILS] == [None] * 4
    assert identity.label == "case #12" and not identity.shows_identity
    assert identity.letter_patient() is None
    assert identity.photo_name("Sam_Example_front.jpg", 34) == "photo #34"
    assert identity.photo_name(None, None) == "the case's photo"


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_with_consent_each_kind_shows_only_its_fields(kind: DocumentKind) -> None:
    identity = document_identity(patient(True), kind, case_id=12)
    shown = {name for name in DETAILS if getattr(identity, name) is not None}
    assert shown == FIELDS[kind] and "full_name" in shown
    assert identity.label == "Sam Example (case #12)"
    assert identity.photo_name("Sam_Example_front.jpg", 34) == "Sam_Example_front.jpg"
    assert not hasattr(identity, "address")  # no document carries the address


def test_letters_show_contact_details_and_a_withholding_record_wins() -> None:
    letter = document_identity(patient(True), DocumentKind.REFERRAL_LETTER, case_id=3)
    person = letter.letter_patient()
    assert person is not None and person.date_of_birth == dt.date(1990, 5, 17)
    assert person.email == "sam@example.org"
    made_before_consent = document_identity(
        patient(True), DocumentKind.REFERRAL_LETTER, case_id=3, allowed=False
    )
    assert made_before_consent.letter_patient() is None and not made_before_consent.consented


def test_disclosed_plan_names_the_photo_as_allowed(
    db_session, photo_store, photo_bytes, case, practitioner
) -> None:
    photo = photos.add_photo(
        db_session, photo_store, photo_bytes(3), case_id=case.id, actor=practitioner,
        filename="Sam_Example_front.png",
    )  # fmt: skip
    analysis = PhotoAnalysis(photo_id=photo.id, status="done")
    db_session.add(analysis)
    db_session.flush()
    document = {"format": "scalpmap-plan/1", "photo": {"source": "Sam_Example_front.png"}}
    plan = plans.save_plan(db_session, case.id, document, practitioner, analysis_id=analysis.id)
    assert isinstance(plan, PlanVersion)
    without = document_identity(case.patient, DocumentKind.FACILITY_SUMMARY, case_id=case.id)
    assert disclosed_plan(db_session, plan, without)["photo"]["source"] == f"photo #{photo.id}"
    assert plan.document["photo"]["source"] == "Sam_Example_front.png"  # the record unchanged
    case.patient.consent_given_at = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    allowed = document_identity(case.patient, DocumentKind.FACILITY_SUMMARY, case_id=case.id)
    assert disclosed_plan(db_session, plan, allowed)["photo"]["source"] == "Sam_Example_front.png"
