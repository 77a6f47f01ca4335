"""Analyses: pending → running → done with analysis.json and overlay, or failed with a message."""

from __future__ import annotations

import datetime as dt

import pytest

from scalpmap.services import analyses, photos
from scalpmap.services.errors import ConflictError
from scalpmap.store.models import AnalysisStatus, utcnow


@pytest.fixture
def scalp_photo(db_session, photo_store, case, practitioner, scalp_png):
    return photos.add_photo(
        db_session, photo_store, scalp_png, case_id=case.id, actor=practitioner, mm_per_px=0.035
    )


def test_analysis_saves_its_document_and_overlay(
    db_session, photo_store, scalp_photo, practitioner
):
    row = analyses.request_analysis(db_session, scalp_photo.id, practitioner)
    assert row.status == AnalysisStatus.PENDING and row.mm_per_px == 0.035
    done = analyses.run_analysis(db_session, photo_store, row.id)
    assert done.status == AnalysisStatus.DONE and done.error_message is None
    assert done.document["scale"]["mm_per_px"] == pytest.approx(0.035)
    assert done.document["summary"]["count"] > 0
    assert photo_store.read(done.overlay_sha256)[:8] == b"\x89PNG\r\n\x1a\n"
    assert done.started_at <= done.finished_at
    db_session.expire_all()
    assert db_session.get(type(done), done.id).document == done.document
    with pytest.raises(ConflictError, match="not pending"):
        analyses.run_analysis(db_session, photo_store, row.id)


def test_failed_analysis_keeps_its_message_and_writes_no_overlay(
    db_session, photo_store, case, practitioner, scalp_png
):
    unscaled = photos.add_photo(
        db_session, photo_store, scalp_png, case_id=case.id, actor=practitioner
    )
    files_before = sorted(p for p in photo_store.root.rglob("*") if p.is_file())
    row = analyses.request_analysis(db_session, unscaled.id, practitioner)
    failed = analyses.run_analysis(db_session, photo_store, row.id)
    assert failed.status == AnalysisStatus.FAILED
    assert "no scale" in failed.error_message and "\n" not in failed.error_message
    assert failed.document is None and failed.overlay_sha256 is None
    assert sorted(p for p in photo_store.root.rglob("*") if p.is_file()) == files_before


def test_unexpected_error_is_saved_as_failed_and_raised(
    db_session, photo_store, scalp_photo, practitioner, monkeypatch
):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(analyses, "analyse_photo", broken)
    row = analyses.request_analysis(db_session, scalp_photo.id, practitioner)
    with pytest.raises(ZeroDivisionError):
        analyses.run_analysis(db_session, photo_store, row.id)
    assert row.status == AnalysisStatus.FAILED
    assert row.error_message.startswith("internal error (ZeroDivisionError)")


def test_analyses_left_running_by_a_crash_are_failed(db_session, scalp_photo, practitioner):
    row = analyses.request_analysis(db_session, scalp_photo.id, practitioner)
    row.status = AnalysisStatus.RUNNING
    row.started_at = utcnow() - dt.timedelta(hours=2)
    db_session.commit()
    assert analyses.fail_stale_analyses(db_session, older_than=dt.timedelta(hours=1)) == [row.id]
    assert row.status == AnalysisStatus.FAILED and "interrupted" in row.error_message
