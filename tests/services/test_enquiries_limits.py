"""Enquiries from the public form: a storage quota per 24 hours, and deletion by staff."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from scalpmap.errors import PhotoError
from scalpmap.services import audit, enquiries, photos
from scalpmap.store.models import Enquiry, Photo, utcnow
from scalpmap.store.photos import sha256_hex

FORM = {
    "name": "Quinn Quota",
    "email": "quinn@example.com",
    "reason": "reposition",
    "consent": True,
    "consent_text": "I agree (v1).",
}


def submit(db_session, photo_store, sent, **limits):
    data = enquiries.EnquiryCreate(**FORM)
    return enquiries.submit_enquiry(db_session, photo_store, data, sent, **limits)


def test_the_daily_quota_counts_stored_bytes_in_24_hours(db_session, photo_store, photo_bytes):
    first, second, third = photo_bytes(31), photo_bytes(32), photo_bytes(33)
    used = enquiries.enquiry_photo_bytes_since(db_session, utcnow() - enquiries.QUOTA_WINDOW)
    daily = used + len(first) + len(second)
    submit(db_session, photo_store, [first], daily_bytes=daily)
    submit(db_session, photo_store, [second], daily_bytes=daily)  # exactly the quota
    count = select(func.count()).select_from(Enquiry)
    before = db_session.scalar(count)
    with pytest.raises(enquiries.PhotoQuotaExceeded) as raised:
        submit(db_session, photo_store, [third], daily_bytes=daily)
    assert "without photos" in str(raised.value) and "tomorrow" in str(raised.value)
    assert db_session.scalar(count) == before and not photo_store.exists(sha256_hex(third))
    assert submit(db_session, photo_store, [], daily_bytes=daily).photos == []
    tomorrow = utcnow() + dt.timedelta(hours=25)
    later = submit(db_session, photo_store, [third], daily_bytes=daily, now=tomorrow)
    assert len(later.photos) == 1


def test_the_quota_is_checked_before_any_photo_is_decoded(
    db_session, photo_store, photo_bytes, monkeypatch
):
    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded")

    monkeypatch.setattr(enquiries, "inspect_upload", no_decoding)
    with pytest.raises(enquiries.PhotoQuotaExceeded):
        submit(db_session, photo_store, [photo_bytes(34)], daily_bytes=0)


def test_the_pixel_limit_applies_before_decoding(db_session, photo_store, photo_bytes):
    with pytest.raises(PhotoError, match="pixels"):
        submit(db_session, photo_store, [photo_bytes(35)], max_pixels=64 * 64 - 1)


def test_delete_removes_the_enquiry_its_photos_and_files(
    db_session, photo_store, photo_bytes, practitioner, case
):
    shared = photo_bytes(36)
    photos.add_photo(db_session, photo_store, shared, case_id=case.id, actor=practitioner)
    enquiry = submit(db_session, photo_store, [photo_bytes(37), shared])
    own = next(p.sha256 for p in enquiry.photos if p.sha256 != sha256_hex(shared))
    enquiry_id, photo_ids = enquiry.id, [p.id for p in enquiry.photos]
    result = enquiries.delete_enquiry(db_session, photo_store, enquiry_id, practitioner)
    assert (result.photos_deleted, result.photos_kept, result.files_removed) == (2, 0, 1)
    assert db_session.get(Enquiry, enquiry_id) is None
    assert db_session.scalars(select(Photo).where(Photo.id.in_(photo_ids))).all() == []
    assert not photo_store.exists(own)
    assert photo_store.exists(sha256_hex(shared))  # the case's photo still uses it
    (event,) = [
        e
        for e in audit.list_events(db_session, user_id=practitioner.id)
        if e.entity == "enquiry" and e.entity_id == enquiry_id
    ]
    assert event.action == "delete"
    assert event.details == {"status": "new", "photos_deleted": 2, "photos_kept": 0}
    assert "Quinn" not in str(event.details)


def test_a_converted_enquiry_is_deleted_but_its_photos_stay_with_the_case(
    db_session, photo_store, photo_bytes, practitioner
):
    enquiry = submit(db_session, photo_store, [photo_bytes(38)])
    case = enquiries.convert_enquiry(db_session, enquiry.id, practitioner)
    (photo,) = case.photos
    result = enquiries.delete_enquiry(db_session, photo_store, enquiry.id, practitioner)
    assert (result.photos_deleted, result.photos_kept, result.files_removed) == (0, 1, 0)
    db_session.refresh(photo)
    assert photo.case_id == case.id and photo.enquiry_id is None
    assert photo_store.exists(photo.sha256)
    events = audit.list_events(db_session, patient_id=case.patient_id)
    assert ("delete", "enquiry") in {(e.action, e.entity) for e in events}
