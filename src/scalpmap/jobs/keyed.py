"""How a keyed job runs: claim its row, do its work, finish it, or save why it failed.

The plan saves, follow-up measures and reports (rows ``jobs``) run the same way; only their
work differs (:mod:`scalpmap.jobs.plan_saves`, :mod:`scalpmap.jobs.follow_ups`,
:mod:`scalpmap.jobs.reports`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from scalpmap.errors import ScalpmapError
from scalpmap.jobs.context import WorkerContext
from scalpmap.services import jobs

__all__ = ["ClaimedJob", "run_keyed_job"]


@dataclass(frozen=True)
class ClaimedJob:
    """A job this run holds, as it was when claimed.

    Attributes
    ----------
    id : int
        The job.
    attempt : int
        Its ``attempts`` when this run claimed it.
    payload : dict
        What to do (a copy).
    requested_by_id : int or None
        Who asked for it.
    """

    id: int
    attempt: int
    payload: dict[str, Any]
    requested_by_id: int | None

    def finish(self, session: Session, result: dict[str, Any]) -> None:
        """Mark the job done in the session's transaction (not committed here).

        Parameters
        ----------
        session : sqlalchemy.orm.Session
            The session whose transaction saves what the job made.
        result : dict
            What it made (ids and URLs, JSON).

        Raises
        ------
        scalpmap.services.jobs.JobSuperseded
            When the job was handed to another run meanwhile.
        """
        jobs.finish_job(session, self.id, result, attempt=self.attempt)


def run_keyed_job(
    context: WorkerContext,
    job_id: int,
    kind_words: str,
    work: Callable[[WorkerContext, Session, ClaimedJob], str],
    *,
    reclaim_running: bool,
    log: logging.Logger,
    failures: tuple[type[Exception], ...] = (ScalpmapError,),
    reason: Callable[[Exception], str] = str,
) -> None:
    """Claim a job, run its work and finish it; one done, failed or taken is skipped.

    Parameters
    ----------
    context : WorkerContext
        The database and photo store (and the limits, for the work).
    job_id : int
        The job.
    kind_words : str
        What the logs call the job (``plan save``).
    work : callable
        ``work(context, session, claimed) -> str``: does the job, marks it done with
        :meth:`ClaimedJob.finish` and commits; returns what the log adds after ``done``
        (``" (12 bytes)"``).
    reclaim_running : bool
        Also take a job left ``running`` (the queue's workers).
    log : logging.Logger
        The job's module's logger.
    failures : tuple of exception types, optional
        The expected failures: the job is saved as failed with ``reason(error)`` and not run
        again. :class:`~scalpmap.errors.ScalpmapError` by default.
    reason : callable, optional
        The one-line reason of an expected failure; ``str`` by default.

    Raises
    ------
    sqlalchemy.exc.DBAPIError
        When the database fails; the job is left ``running`` for the queue to retry.
    Exception
        An unexpected error, after the job is saved as failed.
    """
    with context.session_factory() as session:
        job = jobs.claim_job(session, job_id, reclaim_running=reclaim_running)
        if job is None:
            log.info("%s %s skipped: not pending", kind_words, job_id)
            return
        claimed = ClaimedJob(job_id, job.attempts, dict(job.payload), job.requested_by_id)
        try:
            detail = work(context, session, claimed)
        except jobs.JobSuperseded:
            session.rollback()
            log.warning(
                "%s %s: taken over by another run; this run's work dropped", kind_words, job_id
            )
            return
        except failures as error:
            if jobs.fail_job(session, job_id, reason(error), attempt=claimed.attempt):
                log.info("%s %s failed: %s", kind_words, job_id, error)
            else:
                log.warning(
                    "%s %s failed after another run took it over: %s", kind_words, job_id, error
                )
            return
        except DBAPIError:
            session.rollback()
            log.warning("%s %s: the database failed; left running", kind_words, job_id)
            raise
        except Exception as error:
            log.exception("%s %s failed", kind_words, job_id)
            words = f"internal error ({type(error).__name__}); see the logs"
            jobs.fail_job(session, job_id, words, attempt=claimed.attempt)
            raise
        log.info("%s %s done%s", kind_words, job_id, detail)
