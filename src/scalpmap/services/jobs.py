"""Jobs besides analyses (plan saves, follow-up measures): ask for one, claim it, end it.

A job row (:class:`~scalpmap.store.models.Job`) is unique by its ``key``, what it computes:
asking again for the same work gives the same job (and so one result), unless the earlier one
failed, which is then asked again. A job is claimed with a conditional UPDATE
(``pending`` → ``running``), so a job handed out twice runs once at a time and a finished one
is never run again. A failure for good is saved with its one-line reason and is not retried.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scalpmap.services._tx import atomic, commit, get_or_raise
from scalpmap.store.models import Job, JobKind, JobStatus, User, utcnow

__all__ = [
    "claim_job",
    "fail_job",
    "fail_stale_jobs",
    "finish_job",
    "JobSuperseded",
    "STALE_RUNNING_AGE",
    "pending_job_ids",
    "request_job",
]

Enqueue = Callable[[Session, int], None]
"""Called with the session and a job's id inside the transaction that writes it."""

INTERRUPTED = "interrupted: the worker stopped; ask for it again"


def request_job(
    session: Session,
    kind: JobKind,
    key: str,
    *,
    case_id: int,
    payload: dict[str, Any],
    actor: User | None,
    enqueue: Enqueue | None = None,
    still_current: Callable[[Session, Job], bool] | None = None,
) -> tuple[Job, bool]:
    """Ask for a job, or find the one already asked for the same work.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    kind : JobKind
        What it computes.
    key : str
        What it computes, exactly (unique): asking twice gives one job.
    case_id : int
        The case it belongs to (who may see it).
    payload : dict
        What the job needs (JSON).
    actor : User or None
        Who asks.
    enqueue : callable, optional
        Called inside the transaction that writes the job (or asks a failed one again), so a
        job queue in the same database commits the job with the row.
    still_current : callable, optional
        For a job already ``done``: whether its result still stands; if not, it runs again.

    Returns
    -------
    tuple of (Job, bool)
        The job, and whether it was (re)queued now (``False``: it was waiting, running or
        done already, and nothing was queued).
    """
    existing = session.scalar(select(Job).where(Job.key == key))
    if existing is not None:
        done_and_current = existing.status == JobStatus.DONE and (
            still_current is None or still_current(session, existing)
        )
        stale = session.scalar(
            select(Job.id).where(
                Job.id == existing.id,
                Job.status == JobStatus.RUNNING,
                Job.started_at < utcnow() - STALE_RUNNING_AGE,
            )
        )
        waiting = existing.status in (JobStatus.PENDING, JobStatus.RUNNING) and stale is None
        if waiting or done_and_current:
            commit(session)
            return existing, False
        with atomic(session):
            existing.status = JobStatus.PENDING
            existing.payload = payload
            existing.result = None
            existing.error_message = None
            # attempts keep counting: a run still going from before cannot finish this one
            existing.started_at = existing.finished_at = None
            existing.requested_by_id = actor.id if actor is not None else None
            existing.created_at = utcnow()
            if enqueue is not None:
                session.flush()
                enqueue(session, existing.id)
        return existing, True
    row = Job(
        kind=kind,
        key=key,
        case_id=case_id,
        payload=payload,
        requested_by_id=actor.id if actor is not None else None,
    )
    try:
        with atomic(session):
            session.add(row)
            session.flush()
            if enqueue is not None:
                enqueue(session, row.id)
    except IntegrityError:  # the same work asked for at the same moment: that job it is
        found = session.scalar(select(Job).where(Job.key == key))
        if found is None:
            raise
        commit(session)
        return found, False
    return row, True


STALE_RUNNING_AGE = dt.timedelta(minutes=30)
"""A job ``running`` this long has lost its run (a stopped process): asking again restarts it."""


class JobSuperseded(Exception):  # noqa: N818 - it names what happened, like a state
    """The job was handed to another run while this one worked; this run's work is dropped."""


def claim_job(session: Session, job_id: int, *, reclaim_running: bool) -> Job | None:
    """Take a pending job (``running``), or return ``None`` when it is not to be run.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    job_id : int
        The job.
    reclaim_running : bool
        Also take a job left ``running`` (the queue's workers: a job whose worker died is
        handed to another one).

    Returns
    -------
    Job or None
        The job, now ``running``; ``None`` when it is done, failed, gone or taken.
    """
    claimable = [JobStatus.PENDING]
    if reclaim_running:
        claimable.append(JobStatus.RUNNING)
    claimed = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(claimable))
        .values(status=JobStatus.RUNNING, started_at=utcnow(), attempts=Job.attempts + 1)
    ).rowcount  # type: ignore[attr-defined]
    commit(session)
    if not claimed:
        return None
    row = get_or_raise(session, Job, job_id, "job")
    session.refresh(row)
    return row


def finish_job(session: Session, job_id: int, result: dict[str, Any], *, attempt: int) -> None:
    """Mark a job done with its result, in the caller's transaction (not committed here).

    Only the run that holds the job finishes it: one that was handed to another worker (this
    worker seemed stalled) or asked again meanwhile raises :class:`JobSuperseded`, and the
    caller's transaction, with what it made, must be rolled back.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session whose transaction saves the job's result.
    job_id : int
        The job.
    result : dict
        What it made (ids and URLs, JSON).
    attempt : int
        The job's ``attempts`` when this run claimed it (:func:`claim_job`).

    Raises
    ------
    JobSuperseded
        When the job is no longer this run's.
    """
    finished = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING, Job.attempts == attempt)
        .values(status=JobStatus.DONE, result=result, error_message=None, finished_at=utcnow())
    ).rowcount  # type: ignore[attr-defined]
    if not finished:
        raise JobSuperseded(f"job {job_id} was taken over by another run; this one is dropped")


def fail_job(session: Session, job_id: int, message: str, *, attempt: int | None = None) -> bool:
    """Save a job as failed with its one-line reason (committed); it is not run again.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; rolled back first, then committed.
    job_id : int
        The job.
    message : str
        Why, in one line (longer ones are cut to 2,000 characters).
    attempt : int, optional
        The ``attempts`` of the run that failed (:func:`claim_job`): when given, the job is
        failed only while that run still holds it, so a run taken over by another never
        overwrites the other's result.

    Returns
    -------
    bool
        Whether the job was saved as failed.
    """
    session.rollback()
    conditions = [Job.id == job_id]
    if attempt is not None:
        conditions += [Job.status == JobStatus.RUNNING, Job.attempts == attempt]
    changed = session.execute(
        update(Job)
        .where(*conditions)
        .values(
            status=JobStatus.FAILED,
            error_message=" ".join(message.split())[:2000],
            finished_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    commit(session)
    if attempt is None:
        get_or_raise(session, Job, job_id, "job")  # an unknown job: NotFoundError, as before
    return bool(getattr(changed, "rowcount", 0))


def fail_stale_jobs(session: Session, *, older_than: dt.timedelta) -> list[int]:
    """Mark jobs left ``running`` by a stopped web process as failed (start-up, inline jobs).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    older_than : datetime.timedelta
        Only those started longer ago than this.

    Returns
    -------
    list of int
        The ids of the jobs marked failed.
    """
    cutoff = utcnow() - older_than
    query = select(Job).where(Job.status == JobStatus.RUNNING, Job.started_at < cutoff)
    rows = list(session.scalars(query))
    for row in rows:
        row.status = JobStatus.FAILED
        row.error_message = INTERRUPTED
        row.finished_at = utcnow()
    commit(session)
    return [row.id for row in rows]


def pending_job_ids(
    session: Session, *, created_before: dt.datetime | None = None
) -> list[tuple[str, int]]:
    """List the pending jobs as ``(kind, id)``, oldest first.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    created_before : datetime.datetime, optional
        Only those asked for before this.

    Returns
    -------
    list of tuple of (str, int)
        The kind's name and the job's id.
    """
    query = select(Job.kind, Job.id).where(Job.status == JobStatus.PENDING)
    if created_before is not None:
        query = query.where(Job.created_at < created_before)
    return [(str(kind), int(job_id)) for kind, job_id in session.execute(query.order_by(Job.id))]
