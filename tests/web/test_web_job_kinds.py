"""Plan saves and follow-up measures as jobs, inline (SQLite or PostgreSQL, no queue).

Each job is keyed by what it computes: asking twice gives one job and one result, and a job
run a second time (a queue's second delivery) changes nothing. A job that fails for good is
``failed`` with its one-line reason, shown on the case page, and is not run again by itself.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from scalpmap.jobs.kinds import KINDS, WorkerContext
from scalpmap.services import jobs as job_service
from scalpmap.store.models import (
    ClearanceCheck,
    Job,
    JobKind,
    JobStatus,
    LaserSession,
    PlanVersion,
    Role,
    User,
    utcnow,
)
from scalpmap.web.treatment.follow_ups import measure, store_session_photo

LASER = {
    "session_date": (utcnow().date() - dt.timedelta(days=60)).isoformat(),
    "device": "PicoWay",
    "wavelength_nm": 1064,
    "pulse": "ps",
    "fluence_j_cm2": 2.5,
    "spot_mm": 4.0,
    "passes": 2,
}


def _context(app) -> WorkerContext:
    state = app.state.scalpmap
    return WorkerContext(state.jobs.session_factory, state.store, 40_000_000, None)


def _job(app, job_id: int) -> Job:
    with app.state.scalpmap.session_factory() as session:
        row = session.get(Job, job_id)
        assert row is not None
        session.expunge(row)
        return row


def _count(app, query) -> int:
    with app.state.scalpmap.session_factory() as session:
        return int(session.scalar(query) or 0)


def test_a_plan_save_asked_twice_is_one_job_and_one_version(app, client, token_headers, make_case):
    headers = token_headers(Role.PRACTITIONER)
    made = make_case()
    analysis_id = client.get(f"/api/cases/{made.case_id}/plans", headers=headers).json()[0][
        "analysis_id"
    ]
    body = {"analysis_id": analysis_id, "template": "soften", "note": "asked twice"}
    url = f"/api/cases/{made.case_id}/plans"
    first = client.post(url, json=body, headers=headers)
    assert first.status_code == 202, first.text
    job = first.json()
    assert job["kind"] == "plan_save" and job["status"] == "done", job
    assert (
        job["result"]["version"] == 2
        and job["result"]["url"] == f"/plans/{job['result']['plan_id']}"
    )
    assert client.get(job["status_url"], headers=headers).json() == job

    again = client.post(url, json=body, headers=headers)  # a double click, a retried request
    assert again.status_code == 202 and again.json()["id"] == job["id"]
    assert again.json()["result"] == job["result"]
    KINDS["plan_save"].run(_context(app), job["id"])  # a second delivery of the same job
    versions = client.get(url, headers=headers).json()
    assert [v["version"] for v in versions] == [2, 1]
    assert (
        _count(
            app,
            select(func.count())
            .select_from(PlanVersion)
            .where(PlanVersion.case_id == made.case_id),
        )
        == 2
    )
    assert _job(app, job["id"]).attempts == 1

    changed = client.post(url, json=body | {"note": "another note"}, headers=headers)
    assert changed.json()["id"] != job["id"] and changed.json()["result"]["version"] == 3


def test_a_wrong_hairline_is_refused_before_any_job(app, client, token_headers, make_case):
    headers = token_headers(Role.PRACTITIONER)
    made = make_case()
    analysis_id = client.get(f"/api/cases/{made.case_id}/plans", headers=headers).json()[0][
        "analysis_id"
    ]
    before = _count(app, select(func.count()).select_from(Job))
    answer = client.post(
        f"/api/cases/{made.case_id}/plans",
        json={"analysis_id": analysis_id, "template": "soften", "hairline": {"nope": 1}},
        headers=headers,
    )
    assert answer.status_code == 422 and "segments" in answer.json()["detail"]
    assert _count(app, select(func.count()).select_from(Job)) == before


def test_a_follow_up_measured_twice_leaves_one_check(
    app, client, token_headers, make_case, followups
):
    headers = token_headers(Role.PRACTITIONER)
    made = make_case()
    laser_id = client.post(
        f"/api/cases/{made.case_id}/laser-sessions", json=LASER, headers=headers
    ).json()["id"]
    files = {"file": ("after.png", followups["forty"], "image/png")}
    answer = client.post(f"/api/laser-sessions/{laser_id}/follow-up", files=files, headers=headers)
    assert answer.status_code == 202, answer.text
    job = answer.json()
    assert job["status"] == "done" and job["result"]["measured"] is True, job
    checks = select(func.count()).select_from(ClearanceCheck)
    checks = checks.where(ClearanceCheck.laser_session_id == laser_id)

    clearance_url = f"/api/laser-sessions/{laser_id}/clearance"
    measured = client.get(clearance_url, headers=headers).json()["clearance"]["percent"]
    state = app.state.scalpmap
    with state.session_factory() as session:  # "Measure again" with nothing changed
        user = session.get(User, made.user_id)
        assert user is not None
        again = measure(session, state, laser_id, user)
        assert again.id == job["id"] and again.status == JobStatus.DONE
    with state.session_factory() as session:  # a worker died after saving the check
        row = session.get(Job, job["id"])
        assert row is not None
        row.status = JobStatus.RUNNING
        session.commit()
    KINDS["follow_up"].run(_context(app), job["id"])  # handed to another worker
    rerun = _job(app, job["id"])
    assert rerun.status == JobStatus.DONE and rerun.attempts == 2
    assert _count(app, checks) == 1
    again_measured = client.get(clearance_url, headers=headers).json()["clearance"]["percent"]
    assert again_measured == measured  # the same photos, the same clearance, one check


def test_a_corrupt_follow_up_fails_with_its_reason_once(
    app, client, signed_in, parse, make_case, followups
):
    user, csrf = signed_in(Role.PRACTITIONER)
    made = make_case(user=user)
    state = app.state.scalpmap
    laser_id = client.post(
        f"/api/cases/{made.case_id}/laser-sessions",
        json=LASER,
        headers={"X-CSRF-Token": csrf},
    ).json()["id"]
    corrupt = followups["forty"][:2000]  # a photo cut short in the store
    with state.session_factory() as session:
        actor = session.get(User, user.id)
        assert actor is not None
        laser = session.get(LaserSession, laser_id)
        assert laser is not None
        photo = store_session_photo(session, state, actor, laser, followups["all"], "all.png")
        state.store.path_for(photo.sha256).write_bytes(corrupt)
        job = measure(session, state, laser_id, actor)
        job_id = job.id
    failed = client.get(f"/api/jobs/{job_id}").json()
    assert failed["status"] == "failed" and failed["result"] is None
    reason = failed["error"]
    assert reason and "\n" not in reason and "internal error" not in reason, reason
    KINDS["follow_up"].run(_context(app), job_id)  # not run again by itself
    assert _job(app, job_id).attempts == 1 and _job(app, job_id).status == JobStatus.FAILED

    page = parse(client.get(f"/cases/{made.case_id}"))
    alerts = page.alerts()
    shown = " ".join(reason.split())
    assert any("could not be measured" in text and shown in text for text in alerts), alerts


def test_the_case_page_polls_a_waiting_measure(app, client, signed_in, parse, make_case):
    user, csrf = signed_in(Role.PRACTITIONER)
    made = make_case(user=user)
    laser_id = client.post(
        f"/api/cases/{made.case_id}/laser-sessions", json=LASER, headers={"X-CSRF-Token": csrf}
    ).json()["id"]
    with app.state.scalpmap.session_factory() as session:  # asked, not yet run (no worker)
        job, fresh = job_service.request_job(
            session,
            JobKind.FOLLOW_UP,
            f"follow_up:laser:{laser_id}:waiting",
            case_id=made.case_id,
            payload={"laser_session_id": laser_id},
            actor=session.get(User, user.id),
        )
        assert fresh
        job_id = job.id
    page = parse(client.get(f"/cases/{made.case_id}"))
    badge = page.find("span", data_analysis_url=f"/api/jobs/{job_id}")
    assert badge.get("data-reload") == "true"
    assert "Queued" in badge.text
    status = client.get(f"/api/jobs/{job_id}")
    assert status.status_code == 200 and status.json()["status"] == "pending"
    assert client.get("/api/jobs/2147483000").status_code == 404


def test_a_job_whose_run_was_lost_can_be_asked_again_and_the_lost_run_cannot_finish_it(
    app, signed_in, make_case
):
    user, _csrf = signed_in(Role.PRACTITIONER)
    made = make_case(user=user)
    key = f"follow_up:laser:{made.case_id}:lost-run"

    def ask() -> tuple[int, bool]:
        with app.state.scalpmap.session_factory() as session:
            job, fresh = job_service.request_job(
                session,
                JobKind.FOLLOW_UP,
                key,
                case_id=made.case_id,
                payload={"laser_session_id": 0},
                actor=session.get(User, user.id),
            )
            return job.id, fresh

    job_id, fresh = ask()
    assert fresh
    with app.state.scalpmap.session_factory() as session:
        first = job_service.claim_job(session, job_id, reclaim_running=False)
        assert first is not None
        first_attempt = first.attempts
    assert ask() == (job_id, False)  # running, and recently: the same job, nothing queued

    with app.state.scalpmap.session_factory() as session:  # its process stopped long ago
        row = session.get(Job, job_id)
        assert row is not None
        row.started_at = utcnow() - job_service.STALE_RUNNING_AGE * 2
        session.commit()
    assert ask() == (job_id, True)  # asked again: queued again
    assert _job(app, job_id).status == JobStatus.PENDING

    with app.state.scalpmap.session_factory() as session:
        second = job_service.claim_job(session, job_id, reclaim_running=False)
        assert second is not None and second.attempts == first_attempt + 1
        with pytest.raises(job_service.JobSuperseded):  # the lost run comes back: dropped
            job_service.finish_job(session, job_id, {"from": "lost"}, attempt=first_attempt)
        session.rollback()
        job_service.finish_job(session, job_id, {"from": "second"}, attempt=second.attempts)
        session.commit()
    done = _job(app, job_id)
    assert done.status == JobStatus.DONE and done.result == {"from": "second"}
    with app.state.scalpmap.session_factory() as session:  # the lost run fails late: ignored
        assert not job_service.fail_job(session, job_id, "lost run's error", attempt=first_attempt)
    still = _job(app, job_id)
    assert still.status == JobStatus.DONE and still.error_message is None
