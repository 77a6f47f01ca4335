"""Enquiries: saved with their photos all or nothing; converted to a patient and a case."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from scalpmap.errors import PhotoError
from scalpmap.services import audit, enquiries
from scalpmap.services.errors import ConflictError
from scalpmap.store.models import CaseReason, CaseStage, Enquiry, EnquiryStatus

FORM = {
    "name": "Chris",
    "email": "chris@example.com",
    "reason": "reposition",
    "message": "My hairline is too sharp.",
    "consent": True,
    "consent_text": "I agree that the clinic keeps my photos (v1).",
}


def test_enquiry_with_photos_is_converted_to_a_case(
    db_session, photo_store, photo_bytes, practitioner
):
    data = enquiries.EnquiryCreate(**FORM)
    sent = [photo_bytes(10), photo_bytes(11), photo_bytes(10)]
    enquiry = enquiries.submit_enquiry(db_session, photo_store, data, sent)
    assert enquiry.status == EnquiryStatus.NEW and enquiry.consent_given_at is not None
    assert len(enquiry.photos) == 2
    assert all(photo_store.exists(p.sha256) for p in enquiry.photos)
    assert enquiries.list_enquiries(db_session, status=EnquiryStatus.NEW)[0] is enquiry
    case = enquiries.convert_enquiry(db_session, enquiry.id, practitioner)
    assert case.stage == CaseStage.ENQUIRY and case.reason == CaseReason.REPOSITION
    assert case.patient.full_name == "Chris" and case.patient.consent_text == FORM["consent_text"]
    assert sorted(p.id for p in case.photos) == sorted(p.id for p in enquiry.photos)
    assert (enquiry.status, enquiry.case_id) == (EnquiryStatus.CONVERTED, case.id)
    events = audit.list_events(db_session, patient_id=case.patient_id)
    assert {(e.action, e.entity) for e in events} == {
        ("create", "patient"),
        ("create", "case"),
        ("update", "enquiry"),
    }
    with pytest.raises(ConflictError):
        enquiries.convert_enquiry(db_session, enquiry.id, practitioner)
    with pytest.raises(ConflictError):
        enquiries.close_enquiry(db_session, enquiry.id, practitioner)


def test_a_bad_photo_saves_nothing(db_session, photo_store, photo_bytes):
    count = select(func.count()).select_from(Enquiry)
    before = db_session.scalar(count)
    data = enquiries.EnquiryCreate(**FORM)
    with pytest.raises(PhotoError):
        enquiries.submit_enquiry(db_session, photo_store, data, [photo_bytes(12), b"junk"])
    assert db_session.scalar(count) == before
    assert [p for p in photo_store.root.rglob("*") if p.is_file()] == []


def test_form_needs_a_way_to_reply_and_consent():
    with pytest.raises(ValidationError, match="email address or a phone"):
        enquiries.EnquiryCreate(**{**FORM, "email": None})
    with pytest.raises(ValidationError, match="consent"):
        enquiries.EnquiryCreate(**{**FORM, "consent": False})
    assert enquiries.EnquiryCreate(**{**FORM, "email": None, "phone": "0123"}).phone == "0123"


def test_close_an_enquiry(db_session, photo_store, practitioner):
    enquiry = enquiries.submit_enquiry(
        db_session, photo_store, enquiries.EnquiryCreate(**{**FORM, "reason": None})
    )
    with pytest.raises(Exception, match="choose the case's reason"):
        enquiries.convert_enquiry(db_session, enquiry.id, practitioner)
    closed = enquiries.close_enquiry(db_session, enquiry.id, practitioner)
    assert closed.status == EnquiryStatus.CLOSED and closed.closed_at is not None
