"""The kinds of job a worker runs, each keyed by the row it computes.

- ``analysis``: a photo's analysis (row ``analyses``);
- ``plan_save``: make and save a design's plan (row ``jobs``, :mod:`scalpmap.jobs.plan_saves`);
- ``follow_up``: measure a follow-up photo (row ``jobs``, :mod:`scalpmap.jobs.follow_ups`);
- ``report``: print a letter's or progress report's PDF (row ``jobs``,
  :mod:`scalpmap.jobs.reports`).

A kind's ``run`` takes a :class:`WorkerContext` (the database, the photo store, the limits)
and the row's id, and is safe to run again: the row is claimed with a conditional UPDATE, and a
row already finished is left alone. A failure for good (a damaged photo, no scale) is saved on
the row with its one-line reason and is not retried; only errors raised out of ``run`` are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from scalpmap.jobs.context import WorkerContext
from scalpmap.jobs.follow_ups import run_follow_up_job
from scalpmap.jobs.plan_saves import run_plan_save_job
from scalpmap.jobs.reports import run_report_job
from scalpmap.services.errors import ConflictError, NotFoundError

__all__ = ["KINDS", "KindRunner", "WorkerContext", "job_key", "run_analysis_job"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KindRunner:
    """One kind of job and how it runs.

    Attributes
    ----------
    name : str
        Its name, the first part of its key (``analysis``).
    run : callable
        ``run(context, target_id, *, reclaim_running=True)``; returns when the row is finished
        (done or failed). ``reclaim_running=False`` (the web app's thread pool) leaves a row
        already ``running`` to the process that runs it.
    """

    name: str
    run: Callable[..., None]


def job_key(kind: str, target_id: int) -> str:
    """Return the key of a job: what it computes, e.g. ``analysis:42``.

    Parameters
    ----------
    kind : str
        The kind's name.
    target_id : int
        The row it computes.

    Returns
    -------
    str
        The key; the queue runs one job per key at a time and queues it once.
    """
    return f"{kind}:{target_id}"


def run_analysis_job(
    context: WorkerContext, analysis_id: int, *, reclaim_running: bool = True
) -> None:
    """Run one analysis in a session of its own; one already taken or finished is skipped.

    Parameters
    ----------
    context : WorkerContext
        The database, photo store and limits.
    analysis_id : int
        The analysis.
    reclaim_running : bool, optional
        Also take an analysis left ``running`` (the queue's workers; not the web app's thread
        pool, where several app processes may hold the same pending analysis).

    Raises
    ------
    Exception
        An unexpected error or a database error (see
        :func:`scalpmap.services.analyses.run_analysis`), for the queue to record or retry.
    """
    from scalpmap.services.analyses import run_analysis

    with context.session_factory() as session:
        try:
            row = run_analysis(
                session,
                context.store,
                analysis_id,
                max_pixels=context.max_pixels,
                limits=context.limits,
                reclaim_running=reclaim_running,
            )
        except (ConflictError, NotFoundError) as error:
            log.info("analysis %s skipped: %s", analysis_id, error)
            return
        log.info("analysis %s %s", analysis_id, row.status)


KINDS: dict[str, KindRunner] = {
    "analysis": KindRunner("analysis", run_analysis_job),
    "plan_save": KindRunner("plan_save", run_plan_save_job),
    "follow_up": KindRunner("follow_up", run_follow_up_job),
    "report": KindRunner("report", run_report_job),
}
"""Every kind a worker runs, by name."""
