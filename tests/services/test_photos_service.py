"""Photos: stored once by sha256; a failed upload leaves no row and no file."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scalpmap.errors import PhotoError
from scalpmap.services import audit, cases, photos
from scalpmap.services.errors import InputError, NotFoundError
from scalpmap.store.models import CaseReason, Photo, PhotoView, ScaleSource


def files_in(store) -> list:
    return sorted(p for p in store.root.rglob("*") if p.is_file())


def photo_rows(session) -> int:
    return session.scalar(select(func.count()).select_from(Photo))


def test_same_photo_uploaded_twice_is_stored_once(
    db_session, photo_store, case, practitioner, photo_bytes
):
    data = photo_bytes(1)
    taken = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)
    first = photos.add_photo(
        db_session,
        photo_store,
        data,
        case_id=case.id,
        actor=practitioner,
        view=PhotoView.FRONT,
        taken_at=taken,
        mm_per_px=0.035,
        filename="front.png",
    )
    again = photos.add_photo(db_session, photo_store, data, case_id=case.id, actor=practitioner)
    assert again.id == first.id
    assert (first.view, first.taken_at, first.scale_source) == ("front", taken, ScaleSource.GIVEN)
    assert (first.width_px, first.height_px, first.source_format) == (64, 64, "PNG")
    other_case = cases.open_case(db_session, case.patient_id, CaseReason.FADED, practitioner)
    elsewhere = photos.add_photo(
        db_session, photo_store, data, case_id=other_case.id, actor=practitioner
    )
    assert elsewhere.id != first.id and elsewhere.sha256 == first.sha256
    assert files_in(photo_store) == [photo_store.path_for(first.sha256)]
    assert photo_store.read(first.sha256) == data
    assert photos.get_photo(db_session, first.id, practitioner) is first
    events = audit.list_events(db_session, patient_id=case.patient_id, limit=3)
    assert [(e.action, e.entity) for e in events] == [
        ("view", "photo"),
        ("create", "photo"),
        ("create", "case"),
    ]


def test_bad_file_leaves_no_row_and_no_file(db_session, photo_store, case, practitioner):
    before = photo_rows(db_session)
    for data in (b"", b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\0" * 40):
        with pytest.raises(PhotoError):
            photos.add_photo(db_session, photo_store, data, case_id=case.id, actor=practitioner)
    assert photo_rows(db_session) == before
    assert files_in(photo_store) == []


def test_limits_and_arguments_are_checked_first(
    db_session, photo_store, case, practitioner, photo_bytes
):
    data = photo_bytes(2)
    with pytest.raises(PhotoError, match="limit"):
        photos.add_photo(
            db_session, photo_store, data, case_id=case.id, actor=practitioner, max_bytes=10
        )
    with pytest.raises(PhotoError):
        photos.add_photo(
            db_session, photo_store, data, case_id=case.id, actor=practitioner, max_pixels=100
        )
    with pytest.raises(InputError):
        photos.add_photo(
            db_session, photo_store, data, case_id=case.id, actor=practitioner, mm_per_px=0
        )
    naive = dt.datetime(2025, 1, 1)
    with pytest.raises(InputError):
        photos.add_photo(
            db_session, photo_store, data, case_id=case.id, actor=practitioner, taken_at=naive
        )
    with pytest.raises(NotFoundError):
        photos.add_photo(db_session, photo_store, data, case_id=999_999, actor=practitioner)
    assert files_in(photo_store) == []


def test_failed_commit_leaves_no_row_and_no_orphan_file(
    db_session, photo_store, case, practitioner, photo_bytes, monkeypatch
):
    before = photo_rows(db_session)

    def crash(self):
        raise OSError("disk full while committing")

    monkeypatch.setattr(Session, "commit", crash)
    with pytest.raises(OSError, match="disk full"):
        photos.add_photo(
            db_session, photo_store, photo_bytes(3), case_id=case.id, actor=practitioner
        )
    monkeypatch.undo()
    assert photo_rows(db_session) == before
    assert files_in(photo_store) == []
    # and the same upload succeeds afterwards
    photo = photos.add_photo(
        db_session, photo_store, photo_bytes(3), case_id=case.id, actor=practitioner
    )
    assert files_in(photo_store) == [photo_store.path_for(photo.sha256)]


def test_recovery_finishes_an_upload_interrupted_after_its_commit(
    db_session, photo_store, case, practitioner, photo_bytes, monkeypatch
):
    from scalpmap.store.photos import StagedFile

    monkeypatch.setattr(StagedFile, "commit", lambda self: None)  # "crash" after the commit
    photo = photos.add_photo(
        db_session, photo_store, photo_bytes(4), case_id=case.id, actor=practitioner
    )
    monkeypatch.undo()
    assert not photo_store.exists(photo.sha256)
    assert photos.recover_photo_store(db_session, photo_store, min_age_s=0) == 1
    assert photo_store.read(photo.sha256) == photo_bytes(4)
