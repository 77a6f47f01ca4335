"""Asking for a plan save or follow-up measure, and its progress for the browser to poll.

:func:`ask_job` writes the job (or finds the one already asked for the same work) and hands it
to the app's job backend (:mod:`scalpmap.web.jobs`): the thread pool, or the queue, in the
same transaction when the queue shares the app's database. A queue that does not answer is a
503 before anything is written. ``GET /api/jobs/{id}`` answers the job's state, which the
pages poll every second (``static/job.js``, the designer's ``save.js``) until it is ``done``
or ``failed``; nothing waits for the work inside a request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from scalpmap.services import jobs
from scalpmap.services._tx import get_or_raise
from scalpmap.store.models import Job, JobKind, User
from scalpmap.web.deps import CurrentUser, Id, SessionDep
from scalpmap.web.state import AppState

__all__ = ["JobPublic", "ask_job", "job_public", "router"]

router = APIRouter(prefix="/api", tags=["jobs"])


class JobPublic(BaseModel):
    """A plan save, follow-up measure or report's PDF, and its progress."""

    id: int
    kind: Literal["plan_save", "follow_up", "report"] = Field(description="What it computes")
    status: Literal["pending", "running", "done", "failed"]
    error: str | None = Field(description="Why it failed, in one line (status failed)")
    result: dict[str, Any] | None = Field(
        description="What it made (status done): plan_save: plan_id, version, case_id, url; "
        "follow_up: check_id, laser_session_id, measured, reason, url; "
        "report: pdf_sha256, bytes, filename, url (ask it again for the PDF)"
    )
    case_id: int
    created_at: dt.datetime
    finished_at: dt.datetime | None
    status_url: str = Field(description="Poll this until status is done or failed")


def job_public(job: Job) -> JobPublic:
    """Return a job as the API shows it.

    Parameters
    ----------
    job : Job
        The job.

    Returns
    -------
    JobPublic
        Its state, reason and result.
    """
    return JobPublic(
        id=job.id,
        kind=job.kind.value,
        status=job.status.value,
        error=job.error_message,
        result=job.result,
        case_id=job.case_id,
        created_at=job.created_at,
        finished_at=job.finished_at,
        status_url=f"/api/jobs/{job.id}",
    )


def ask_job(
    session: Session,
    state: AppState,
    user: User,
    kind: JobKind,
    key: str,
    *,
    case_id: int,
    payload: dict[str, Any],
    still_current: Callable[[Session, Job], bool] | None = None,
) -> Job:
    """Ask for a job and hand it to the app's job backend; the same work asked twice is one job.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The request's session; committed.
    state : AppState
        The app (its job backend).
    user : User
        Who asks.
    kind : JobKind
        What it computes.
    key : str
        What it computes, exactly.
    case_id : int
        The case.
    payload : dict
        What the job needs.
    still_current : callable, optional
        See :func:`scalpmap.services.jobs.request_job`.

    Returns
    -------
    Job
        The job as it is now (already done when the app runs its jobs inline).

    Raises
    ------
    starlette.exceptions.HTTPException
        503 when the job queue does not answer (nothing written).
    """
    backend = state.jobs
    backend.check_available()
    queued = False

    def enqueue(work: Session, job_id: int) -> None:
        nonlocal queued
        queued = backend.enqueue_in_transaction(work, job_id, kind.value)

    job, fresh = jobs.request_job(
        session,
        kind,
        key,
        case_id=case_id,
        payload=payload,
        actor=user,
        enqueue=enqueue,
        still_current=still_current,
    )
    job_id = job.id
    if fresh and not queued:
        backend.submit(job_id, kind.value)
    row = get_or_raise(session, Job, job_id, "job")
    session.refresh(row)
    return row


@router.get(
    "/jobs/{job_id}",
    responses={404: {"description": "No such job"}},
    summary="A plan save's or follow-up measure's progress",
)
def get_job(job_id: Id, session: SessionDep, user: CurrentUser) -> JobPublic:
    """Return the job's state: ``pending``, ``running``, ``done`` (with its result) or ``failed``.

    Poll it every second or so after ``POST /api/cases/{id}/plans`` or a follow-up upload
    (both answer 202 with this object); its ``result.url`` is the page to open when done.
    """
    job = get_or_raise(session, Job, job_id, "job")
    answer = job_public(job)
    session.commit()
    return answer
