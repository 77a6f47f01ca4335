"""The referral letter's and progress report's PDFs as report jobs (inline; SQLite, PostgreSQL).

A PDF is printed by a job keyed by what it prints: asked again with nothing changed it comes
at once (the same job, printed once); a change of the case's records prints a new one; a print
that fails is ``failed`` with its one-line reason; until printed, the page polls the job and
then offers the download; a job queue that does not answer is a 503 with nothing written.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select
from starlette.exceptions import HTTPException

from scalpmap.jobs.kinds import KINDS, WorkerContext
from scalpmap.jobs.queue import UNAVAILABLE
from scalpmap.store.models import AuditEvent, Job, JobKind, JobStatus, PlanVersion, Role, utcnow

LASER = {
    "session_date": (utcnow().date() - dt.timedelta(days=30)).isoformat(),
    "device": "PicoSure",
    "wavelength_nm": 755,
    "pulse": "ps",
    "fluence_j_cm2": 2.0,
    "spot_mm": 3.0,
    "passes": 1,
}


def _context(app) -> WorkerContext:
    state = app.state.scalpmap
    return WorkerContext(state.jobs.session_factory, state.store, 40_000_000, None)


def _report_jobs(app, case_id: int) -> list[Job]:
    with app.state.scalpmap.session_factory() as session:
        query = select(Job).where(Job.kind == JobKind.REPORT, Job.case_id == case_id)
        rows = list(session.scalars(query.order_by(Job.id)))
        for row in rows:
            session.expunge(row)
        return rows


def _audited_as(app, entity: str, entity_id: int) -> list[bool]:
    """Whether each document made of one record was a PDF (its audit row's ``details["pdf"]``)."""
    with app.state.scalpmap.session_factory() as session:
        query = select(AuditEvent).where(
            AuditEvent.entity == entity, AuditEvent.entity_id == entity_id
        )
        rows = session.scalars(query.order_by(AuditEvent.id))
        return [bool(row.details["pdf"]) for row in rows if row.details and "pdf" in row.details]


def _text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def test_a_letter_asked_twice_is_printed_once(app, client, token_headers, make_case, tmp_path):
    headers = token_headers(Role.PRACTITIONER)
    made = make_case(referred_on=utcnow().date())
    referral_id = client.get(f"/api/cases/{made.case_id}/referrals", headers=headers).json()[0][
        "id"
    ]
    url = f"/api/referrals/{referral_id}/letter.pdf"
    first = client.get(url, headers=headers)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "application/pdf" and first.content[:4] == b"%PDF"
    name = f"referral-R{referral_id}-case-{made.case_id}.pdf"
    assert name in first.headers["content-disposition"]
    assert f"R-{referral_id}" in _text(first.content, tmp_path)
    (job,) = _report_jobs(app, made.case_id)
    assert job.status == JobStatus.DONE and job.attempts == 1
    assert _audited_as(app, "referral", referral_id) == [True]  # the audit says a PDF was asked for

    again = client.get(url, headers=headers)  # nothing changed: the stored PDF, not printed again
    assert again.status_code == 200 and again.content == first.content
    KINDS["report"].run(_context(app), job.id)  # a queue's second delivery changes nothing
    (same,) = _report_jobs(app, made.case_id)
    assert same.id == job.id and same.attempts == 1 and same.result == job.result

    assert job.result is not None
    app.state.scalpmap.store.path_for(job.result["pdf_sha256"]).unlink()  # pruned from the store
    printed_again = client.get(url, headers=headers)
    assert printed_again.status_code == 200 and printed_again.content == first.content
    (reprinted,) = _report_jobs(app, made.case_id)
    assert reprinted.attempts == 2 and reprinted.id == job.id  # the same job, run again


def test_a_session_logged_prints_a_new_progress_report(
    app, client, token_headers, make_case, tmp_path
):
    headers = token_headers(Role.PRACTITIONER)
    made = make_case(referred_on=utcnow().date() - dt.timedelta(days=45))
    url = f"/api/cases/{made.case_id}/progress.pdf"
    before = client.get(url, headers=headers)
    assert before.status_code == 200, before.text
    assert "PicoSure" not in _text(before.content, tmp_path)
    assert _audited_as(app, "progress_report", made.case_id) == [
        True
    ]  # a PDF, though the job printed it

    body = LASER | {"facility_id": made.facility_id}
    logged = client.post(f"/api/cases/{made.case_id}/laser-sessions", json=body, headers=headers)
    assert logged.status_code == 201, logged.text
    after = client.get(url, headers=headers)
    assert after.status_code == 200 and after.content != before.content
    assert "PicoSure" in _text(after.content, tmp_path)
    first, second = _report_jobs(app, made.case_id)
    assert first.key != second.key and first.result != second.result
    assert client.get(url, headers=headers).content == after.content
    assert len(_report_jobs(app, made.case_id)) == 2


def test_a_print_that_fails_is_failed_with_its_reason(
    app, client, signed_in, parse, make_case, monkeypatch
):
    def broken(html: str) -> bytes:
        raise OSError("the fonts cannot be read\n(permission denied)")

    monkeypatch.setattr("scalpmap.reports.pdf.html_to_pdf", broken)
    user, _csrf = signed_in(Role.PRACTITIONER)
    made = make_case(user=user)
    answer = client.get(f"/api/cases/{made.case_id}/progress.pdf")
    assert answer.status_code == 422, answer.text
    job = answer.json()
    assert job["kind"] == "report" and job["status"] == "failed" and job["result"] is None
    assert job["error"] == (
        "the PDF could not be printed: the fonts cannot be read (permission denied)"
    )
    KINDS["report"].run(_context(app), job["id"])  # not run again by itself
    (row,) = _report_jobs(app, made.case_id)
    assert row.attempts == 1 and row.status == JobStatus.FAILED

    page = client.get(f"/cases/{made.case_id}/progress.pdf")
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert any(job["error"] in alert for alert in parse(page).alerts()), parse(page).alerts()


def test_the_page_polls_then_offers_the_download(app, client, signed_in, parse, make_case):
    user, _csrf = signed_in(Role.PRACTITIONER)
    made = make_case(user=user)
    state = app.state.scalpmap
    case_url = f"/cases/{made.case_id}"
    assert f"{case_url}/progress.pdf" in parse(client.get(case_url)).links()
    queued: list[tuple[int, str]] = []
    original = state.jobs.submit
    state.jobs.submit = lambda job_id, kind="analysis": queued.append((job_id, kind))
    try:
        waiting = client.get(f"{case_url}/progress.pdf")
    finally:
        state.jobs.submit = original
    assert waiting.status_code == 202 and waiting.headers["content-type"].startswith("text/html")
    ((job_id, kind),) = queued
    assert kind == "report"
    page = waiting.text
    assert f'data-analysis-url="/api/jobs/{job_id}"' in page and "Preparing the PDF" in page
    assert f'data-done-href="{case_url}/progress.pdf"' in page
    assert client.get(f"/api/jobs/{job_id}").json()["status"] == "pending"

    KINDS["report"].run(_context(app), job_id)  # the worker prints it while the page polls
    polled = client.get(f"/api/jobs/{job_id}").json()
    assert polled["status"] == "done" and polled["result"]["url"] == f"{case_url}/progress.pdf"
    download = client.get(polled["result"]["url"])
    assert download.status_code == 200 and download.content[:4] == b"%PDF"
    assert f"progress-case-{made.case_id}.pdf" in download.headers["content-disposition"]
    assert len(_report_jobs(app, made.case_id)) == 1


def test_a_queue_that_does_not_answer_is_503_and_writes_nothing(
    app, client, token_headers, make_case
):
    headers = token_headers(Role.PRACTITIONER)
    made = make_case()
    state = app.state.scalpmap

    def down() -> None:
        raise HTTPException(503, UNAVAILABLE)

    files_before = sorted(path.name for path in state.store.root.rglob("*") if path.is_file())
    state.jobs.check_available = down
    try:
        answer = client.get(f"/api/cases/{made.case_id}/progress.pdf", headers=headers)
    finally:
        del state.jobs.check_available
    assert answer.status_code == 503 and answer.json()["detail"] == UNAVAILABLE
    with state.session_factory() as session:
        count = select(func.count()).select_from(Job).where(Job.case_id == made.case_id)
        assert session.scalar(count) == 0
    files_after = sorted(path.name for path in state.store.root.rglob("*") if path.is_file())
    assert files_after == files_before


def test_a_plan_report_made_again_is_printed_by_a_report_job(
    app, client, token_headers, make_case, tmp_path
):
    headers = token_headers(Role.PRACTITIONER)
    made = make_case()  # its sample plan was saved without a patient label: made again now
    with app.state.scalpmap.session_factory() as session:
        plan_id = session.scalars(
            select(PlanVersion.id).where(PlanVersion.case_id == made.case_id)
        ).one()
    url = f"/api/plans/{plan_id}/files/facility_pdf"
    first = client.get(url, headers=headers)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "application/pdf" and first.content[:4] == b"%PDF"
    assert f"case-{made.case_id}-plan-v1-" in first.headers["content-disposition"]
    assert f"case #{made.case_id}" in _text(first.content, tmp_path)  # the label allowed now
    (job,) = _report_jobs(app, made.case_id)
    assert job.status == JobStatus.DONE and job.key.startswith(f"report:plan_facility:{plan_id}:")
    again = client.get(url, headers=headers)
    assert again.status_code == 200 and again.content == first.content
    assert len(_report_jobs(app, made.case_id)) == 1  # nothing changed: printed once
    zones = client.get(f"/api/plans/{plan_id}/files/zones", headers=headers)
    assert zones.status_code == 200 and len(_report_jobs(app, made.case_id)) == 1  # no job


def test_a_plan_report_waits_on_a_page_that_polls_then_downloads(app, client, signed_in, make_case):
    user, _csrf = signed_in(Role.PRACTITIONER)
    made = make_case(user=user)
    with app.state.scalpmap.session_factory() as session:
        plan_id = session.scalars(
            select(PlanVersion.id).where(PlanVersion.case_id == made.case_id)
        ).one()
    state = app.state.scalpmap
    url = f"/plans/{plan_id}/files/patient_pdf"
    queued: list[tuple[int, str]] = []
    original = state.jobs.submit
    state.jobs.submit = lambda job_id, kind="analysis": queued.append((job_id, kind))
    try:
        waiting = client.get(url)
    finally:
        state.jobs.submit = original
    assert waiting.status_code == 202 and waiting.headers["content-type"].startswith("text/html")
    ((job_id, kind),) = queued
    assert kind == "report"
    page = waiting.text
    assert "plan (PDF)" in page and "Preparing the PDF" in page
    assert f'data-analysis-url="/api/jobs/{job_id}"' in page and f'data-done-href="{url}"' in page
    assert f'href="/plans/{plan_id}">Back to the plan</a>' in page

    KINDS["report"].run(_context(app), job_id)  # the worker prints it while the page polls
    polled = client.get(f"/api/jobs/{job_id}").json()
    assert polled["status"] == "done" and polled["result"]["url"] == url
    download = client.get(url)
    assert download.status_code == 200 and download.content[:4] == b"%PDF"
