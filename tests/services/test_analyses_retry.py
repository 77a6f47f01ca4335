"""An analysis whose database fails is left running for the job queue, which runs it again."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from scalpmap.services import analyses, photos
from scalpmap.services.errors import ConflictError
from scalpmap.store.models import AnalysisStatus


@pytest.fixture
def scalp_photo(db_session, photo_store, case, practitioner, scalp_png):
    return photos.add_photo(
        db_session, photo_store, scalp_png, case_id=case.id, actor=practitioner, mm_per_px=0.035
    )


def test_a_database_error_leaves_the_analysis_running_and_a_retry_finishes_it(
    db_session, photo_store, scalp_photo, practitioner, monkeypatch
):
    row = analyses.request_analysis(db_session, scalp_photo.id, practitioner)
    files_before = sorted(p for p in photo_store.root.rglob("*") if p.is_file())
    stage = photo_store.stage

    def lost_connection(data):
        raise OperationalError("INSERT ...", {}, Exception("server closed the connection"))

    monkeypatch.setattr(photo_store, "stage", lost_connection)
    with pytest.raises(OperationalError):
        analyses.run_analysis(db_session, photo_store, row.id, reclaim_running=True)
    db_session.expire_all()
    left = db_session.get(type(row), row.id)
    assert left.status == AnalysisStatus.RUNNING and left.error_message is None
    assert sorted(p for p in photo_store.root.rglob("*") if p.is_file()) == files_before

    monkeypatch.setattr(photo_store, "stage", stage)
    with pytest.raises(ConflictError, match="not pending"):  # a thread pool never takes it
        analyses.run_analysis(db_session, photo_store, row.id)
    done = analyses.run_analysis(db_session, photo_store, row.id, reclaim_running=True)
    assert done.status == AnalysisStatus.DONE and done.document["summary"]["count"] > 0
    with pytest.raises(ConflictError):  # done once: a third run changes nothing
        analyses.run_analysis(db_session, photo_store, row.id, reclaim_running=True)
