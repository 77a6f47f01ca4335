"""Pages that list photos read their analyses' statuses without the analyses' documents.

A 12 MP close-up's analysis.json lists every impression (hundreds of kB); the case page showed
each photo's status only, yet loaded every document, and grew slower with every photo analysed
(bench_jobs: its p95 rose with the photos). Now the statuses are read with the document deferred.
"""

from __future__ import annotations

from sqlalchemy import inspect, select

from scalpmap.store.models import Case, PhotoAnalysis
from scalpmap.web.photos.orchestration import latest_statuses


def test_the_newest_analysis_of_each_photo_comes_without_its_document(app, make_case):
    made = make_case()
    with app.state.scalpmap.session_factory() as session:
        case = session.get(Case, made.case_id)
        assert case is not None and case.photos
        photo = case.photos[0]
        newest = session.scalars(
            select(PhotoAnalysis.id)
            .where(PhotoAnalysis.photo_id == photo.id)
            .order_by(PhotoAnalysis.id.desc())
        ).first()
        session.expunge_all()
        case = session.get(Case, made.case_id)
        rows = latest_statuses(session, list(case.photos))
        row = rows[photo.id]
        assert row.id == newest and str(row.status) == "done"
        assert "document" in inspect(row).unloaded  # not read with the row
        assert row.document["summary"]["count"] > 0  # read when asked, in the session


def test_the_poll_answers_the_status_without_the_document(app, client, token_headers, make_case):
    made = make_case()
    headers = token_headers()
    with app.state.scalpmap.session_factory() as session:
        photo_id = session.get(Case, made.case_id).photos[0].id
    poll = client.get(f"/api/photos/{photo_id}/analysis?document=false", headers=headers)
    assert poll.status_code == 200 and poll.json()["status"] == "done"
    assert poll.json()["analysis"] is None
    full = client.get(f"/api/photos/{photo_id}/analysis", headers=headers)
    assert full.json()["analysis"]["summary"]["count"] > 0
