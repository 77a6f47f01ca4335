"""``scalpmap worker``: run the queued jobs in this process (procrastinate backend).

A worker takes up to ``concurrency`` jobs at a time; each analysis runs in a child process with
its memory and time limits. Besides procrastinate's own worker loop, every ``watch_s`` seconds
it

- gives the jobs of a worker that stopped sending heartbeats (killed, its machine lost) back to
  the queue, where another worker takes them: the job runs again from the start and, being keyed
  and claimed, ends ``done`` once;
- queues the analyses, plan saves and follow-up measures left ``pending`` without a job
  (asked for while the queue was unreachable), so that no job is lost.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os

from procrastinate import App
from procrastinate.exceptions import UniqueViolation
from sqlalchemy import select

from scalpmap.config import Settings
from scalpmap.jobs.kinds import WorkerContext, job_key
from scalpmap.jobs.queue import (
    QUEUE,
    enqueue,
    ensure_queue_schema,
    make_queue_app,
    queue_conninfo,
    set_worker_context,
)
from scalpmap.services.jobs import pending_job_ids
from scalpmap.services.limited import Limits
from scalpmap.store.models import AnalysisStatus, PhotoAnalysis, utcnow
from scalpmap.store.photos import PhotoStore

__all__ = ["PRIORITIES", "WorkerTiming", "lower_priority", "requeue_stalled_jobs", "run_worker"]

log = logging.getLogger(__name__)

_LIVE_JOBS = (
    "SELECT lock FROM procrastinate_jobs WHERE status IN ('todo', 'doing') "
    "AND lock = ANY(%(locks)s)"
)


PRIORITIES = ("idle", "low", "normal")
"""``scalpmap worker --priority``: how the jobs yield to a web server on the same machine."""

LOW_NICENESS = 10


def _set_idle() -> bool:
    """Put every thread of this process under Linux's SCHED_IDLE; ``False`` where unavailable."""
    if not (hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE")):
        return False
    try:
        threads = [int(name) for name in os.listdir("/proc/self/task")]
    except OSError:
        threads = [0]
    try:
        for thread in threads:  # the policy is per thread; new threads and children inherit it
            os.sched_setscheduler(thread, os.SCHED_IDLE, os.sched_param(0))
    except OSError as error:
        log.warning("SCHED_IDLE refused (%s)", error)
        return False
    return True


def _lower_autogroup(niceness: int) -> str:
    """Raise the nice value of this session's autogroup, when the worker leads its session.

    With Linux's autogroups (``kernel.sched_autogroup_enabled``), every session competes for
    the CPU as one group: a worker's nice value or SCHED_IDLE only ranks it within its own
    session, and the session as a whole still takes a share equal to the web server's. Its
    autogroup's nice value ranks the session itself. Only a session the worker leads (a systemd
    service, ``setsid scalpmap worker``) is changed, never a terminal's shared with others.
    """
    group = "/proc/self/autogroup"
    if not os.path.exists(group):
        return ""
    if os.getsid(0) != os.getpid():
        return "; its session's autogroup is shared, so start it with setsid or as a service"
    try:
        with open(group, "w") as autogroup:
            autogroup.write(str(niceness))
    except OSError as error:
        return f"; its autogroup is unchanged ({error})"
    return f", autogroup nice {niceness}"


def lower_priority(priority: str) -> str:
    """Lower this process's CPU priority (its analyses, child processes, inherit it).

    Parameters
    ----------
    priority : {"idle", "low", "normal"}
        ``idle``: Linux's SCHED_IDLE, the jobs run only on CPU time nothing else wants (a web
        server on the same machine answers first); where it is not available, the lowest nice
        value (19) instead. ``low``: nice 10. ``normal``: unchanged (machines of their own).
        With ``idle`` and ``low``, a worker that leads its session also lowers its session's
        autogroup (19 or 10), without which Linux shares the CPU between sessions equally.

    Returns
    -------
    str
        What was applied, in words (``idle (SCHED_IDLE)``, ``low (nice 19: ...)``, ...).

    Raises
    ------
    ValueError
        For another value.
    """
    if priority not in PRIORITIES:
        raise ValueError(f"priority {priority!r} is not one of {', '.join(PRIORITIES)}")
    if priority == "idle":
        if _set_idle():
            return f"idle (SCHED_IDLE{_lower_autogroup(19)})"
        os.nice(19)
        return f"low (nice 19: SCHED_IDLE is not available here{_lower_autogroup(19)})"
    if priority == "low":
        os.nice(LOW_NICENESS)
        return f"low (nice {LOW_NICENESS}{_lower_autogroup(LOW_NICENESS)})"
    return "normal"


class WorkerTiming:
    """How often a worker beats and looks for lost jobs, in seconds.

    Parameters
    ----------
    heartbeat_s : float, optional
        Between two heartbeats of this worker.
    stalled_after_s : float, optional
        A worker silent this long is taken for dead and its jobs are run again.
    watch_s : float, optional
        Between two looks for stalled jobs and pending analyses without a job.
    """

    def __init__(
        self, heartbeat_s: float = 10.0, stalled_after_s: float = 60.0, watch_s: float = 15.0
    ) -> None:
        if not 0 < heartbeat_s < stalled_after_s:
            raise ValueError("the heartbeat must be shorter than the stalled-worker timeout")
        self.heartbeat_s = heartbeat_s
        self.stalled_after_s = stalled_after_s
        self.watch_s = watch_s


def _context(settings: Settings) -> WorkerContext:
    from scalpmap.store.engine import create_engine_for, make_session_factory
    from scalpmap.web.jobs import lazy_sqlite_transactions

    engine = create_engine_for(settings, hide_parameters=True)
    if engine.dialect.name == "sqlite":
        lazy_sqlite_transactions(engine)
    return WorkerContext(
        session_factory=make_session_factory(engine),
        store=PhotoStore(settings.photos_dir),
        max_pixels=settings.max_upload_pixels,
        limits=Limits(memory_mb=settings.analysis_memory_mb, time_s=settings.analysis_time_s),
    )


async def requeue_stalled_jobs(app: App, stalled_after_s: float) -> list[int]:
    """Put the jobs of workers silent for ``stalled_after_s`` seconds back in the queue.

    Parameters
    ----------
    app : procrastinate.App
        The opened app.
    stalled_after_s : float
        How long without a heartbeat makes a worker dead.

    Returns
    -------
    list of int
        The ids of the jobs given back.
    """
    stalled = await app.job_manager.get_stalled_jobs(
        queue=QUEUE, seconds_since_heartbeat=stalled_after_s
    )
    ids = []
    for job in stalled:
        try:
            await app.job_manager.retry_job(job)
        except UniqueViolation:  # a job of the same key already waits: that one runs
            log.warning("job %s lost its worker; another job of %s waits", job.id, job.lock)
            continue
        log.warning("job %s (%s) lost its worker; queued again", job.id, job.call_string)
        if job.id is not None:
            ids.append(job.id)
    return ids


def _queue_orphaned_analyses(app: App, context: WorkerContext, older_than_s: float) -> int:
    cutoff = utcnow() - dt.timedelta(seconds=older_than_s)
    with context.session_factory() as session:
        query = select(PhotoAnalysis.id).where(
            PhotoAnalysis.status == AnalysisStatus.PENDING, PhotoAnalysis.created_at < cutoff
        )
        targets = [("analysis", analysis_id) for analysis_id in session.scalars(query)]
        targets += pending_job_ids(session, created_before=cutoff)
    if not targets:
        return 0
    keys = {job_key(kind, target_id): (kind, target_id) for kind, target_id in targets}
    rows = app.connector.get_sync_connector().execute_query_all(
        query=_LIVE_JOBS,
        locks=list(keys),
    )
    for row in rows:
        keys.pop(row["lock"], None)
    return sum(enqueue(app, kind, target_id) for kind, target_id in keys.values())


async def _watch(app: App, context: WorkerContext, timing: WorkerTiming) -> None:
    while True:
        try:
            await requeue_stalled_jobs(app, timing.stalled_after_s)
            queued = await asyncio.to_thread(
                _queue_orphaned_analyses, app, context, timing.stalled_after_s
            )
            if queued:
                log.warning("queued %s pending analyses or jobs that had no job", queued)
        except Exception:  # the database away for a moment: look again next time
            log.exception("looking for lost jobs failed")
        await asyncio.sleep(timing.watch_s)


async def _serve(app: App, context: WorkerContext, concurrency: int, timing: WorkerTiming) -> None:
    async with app.open_async():
        watcher = asyncio.create_task(_watch(app, context, timing), name="scalpmap-watch")
        try:
            await app.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                update_heartbeat_interval=timing.heartbeat_s,
                stalled_worker_timeout=timing.stalled_after_s,
                delete_jobs="never",
            )
        finally:
            watcher.cancel()


def run_worker(
    settings: Settings,
    concurrency: int,
    timing: WorkerTiming | None = None,
    *,
    priority: str = "normal",
) -> None:
    """Run jobs until stopped (Ctrl-C or SIGTERM finish the running jobs first).

    Parameters
    ----------
    settings : Settings
        ``jobs_url`` or ``database_url`` (the queue), the photo store and the limits.
    concurrency : int
        Jobs run at the same time.
    timing : WorkerTiming, optional
        Heartbeat and watch intervals.
    priority : {"idle", "low", "normal"}, optional
        The jobs' CPU priority (:func:`lower_priority`), inherited by the analyses: a web
        server on the same machine answers first.
    """
    conninfo = queue_conninfo(settings)
    ensure_queue_schema(conninfo)
    log.info("priority: %s", lower_priority(priority))
    context = _context(settings)
    set_worker_context(context)
    app = make_queue_app(conninfo)
    asyncio.run(_serve(app, context, concurrency, timing or WorkerTiming()))
