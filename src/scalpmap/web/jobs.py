"""Background jobs: a small thread pool inside the app process, each analysis in a child.

An upload queues an analysis (``pending``) with :func:`scalpmap.services.analyses.request_analysis`
and hands its id to :class:`AnalysisJobs`, which runs
:func:`scalpmap.services.analyses.run_analysis` off the request path. ``run_analysis`` claims the
job with a conditional UPDATE (``pending`` → ``running``), so when several app workers pick up the
same pending job (each re-queues the pending ones at start-up) only one runs it; the others get a
:class:`~scalpmap.services.errors.ConflictError` and move on.

Each analysis runs in a child process with a memory and a time limit
(:func:`scalpmap.services.limited.run_limited`): a photo that makes it blow up fails its job
("the analysis ran out of its limits") and the app lives on.

The pool runs the other kinds of :data:`scalpmap.jobs.kinds.KINDS` the same way (plan saves,
follow-up measures: rows of ``jobs``, claimed alike); ``kind`` names which.

With ``inline=True`` (tests) a job runs at once in the caller's thread.

With ``SCALPMAP_JOBS=procrastinate`` the app builds
:class:`~scalpmap.web.queued_jobs.QueuedAnalysisJobs` instead: it only queues each job (in the
transaction that writes its row, when the queue shares the app's database) and ``scalpmap
worker`` processes run it (:mod:`scalpmap.jobs`).

SQLite: the jobs use an engine of their own whose transactions start lazily, with
``BEGIN IMMEDIATE`` right before the first write. ``run_analysis`` reads the photo, analyses it
(seconds, for a large photo) and then writes; in an ordinary transaction its read snapshot would
go stale as soon as any request commits (every page view writes an audit row), and SQLite then
refuses the final write at once ("database is locked"). Taking the write lock at ``BEGIN``
instead would block every request for the whole analysis. With lazy transactions the reads
autocommit and only the short final write holds the lock.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from typing import Any

from sqlalchemy import Connection, Engine, event, select
from sqlalchemy.orm import Session

from scalpmap.config import Settings
from scalpmap.jobs.kinds import KINDS, WorkerContext
from scalpmap.services.jobs import pending_job_ids
from scalpmap.services.limited import Limits
from scalpmap.store.engine import make_session_factory
from scalpmap.store.models import AnalysisStatus, PhotoAnalysis
from scalpmap.store.photos import PhotoStore

__all__ = [
    "AnalysisJobs",
    "analysis_limits",
    "lazy_sqlite_transactions",
    "make_analysis_jobs",
]

log = logging.getLogger(__name__)

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def analysis_limits(settings: Settings) -> Limits:
    """Return the limits of one analysis, from ``SCALPMAP_ANALYSIS_MEMORY_MB`` and ``..._TIME_S``.

    Parameters
    ----------
    settings : Settings
        The app's settings.

    Returns
    -------
    Limits
        The memory and time one analysis or follow-up measure may use.
    """
    return Limits(memory_mb=settings.analysis_memory_mb, time_s=settings.analysis_time_s)


def lazy_sqlite_transactions(engine: Engine) -> None:
    """Make an SQLite engine's transactions begin at their first write, with the write lock.

    The ``BEGIN`` that :mod:`scalpmap.store.engine` emits is dropped; reads before the first
    write run in autocommit mode (no read snapshot to go stale), and the first INSERT, UPDATE or
    DELETE is preceded by ``BEGIN IMMEDIATE``, so the writes of one commit stay atomic.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        An SQLite engine made by :func:`scalpmap.store.engine.create_engine_for`, used only
        by code whose reads need not be isolated from its writes (the analysis jobs).
    """

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _lazy_begin(
        conn: Connection,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> tuple[str, Any]:
        if statement in ("BEGIN", "BEGIN IMMEDIATE"):
            return "SELECT 1", parameters
        in_transaction = bool(getattr(conn.connection.dbapi_connection, "in_transaction", True))
        if statement.lstrip()[:7].upper().startswith(_WRITES) and not in_transaction:
            cursor.execute("BEGIN IMMEDIATE")
        return statement, parameters


class AnalysisJobs:
    """Run analyses in a thread pool (or inline).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        An engine for the jobs alone (disposed on :meth:`shutdown`); on SQLite its transactions
        are made lazy (:func:`lazy_sqlite_transactions`).
    store : PhotoStore
        The photo store.
    max_pixels : int
        Largest photo accepted by the analysis.
    inline : bool, optional
        Run each job at once in the caller's thread (deterministic tests).
    workers : int, optional
        Threads in the pool.
    limits : Limits, optional
        Run each analysis in a child process with these limits (see
        :mod:`scalpmap.services.limited`); in this process when omitted.
    """

    def __init__(
        self,
        engine: Engine,
        store: PhotoStore,
        *,
        max_pixels: int,
        inline: bool = False,
        workers: int = 1,
        limits: Limits | None = None,
    ) -> None:
        if engine.dialect.name == "sqlite":
            lazy_sqlite_transactions(engine)
        self.engine = engine
        self.session_factory = make_session_factory(engine)
        self.store = store
        self.max_pixels = max_pixels
        self.inline = inline
        self.workers = workers
        self.limits = limits
        self._pool: ThreadPoolExecutor | None = None
        self._futures: set[Future[None]] = set()
        self._lock = threading.Lock()

    def check_available(self) -> None:
        """Raise 503 when jobs cannot be queued now (never: this backend needs no service)."""

    def enqueue_in_transaction(
        self, session: Session, analysis_id: int, kind: str = "analysis"
    ) -> bool:
        """Queue the job in the transaction that writes its row, where the backend can.

        Parameters
        ----------
        session : sqlalchemy.orm.Session
            The session whose open transaction writes the row.
        analysis_id : int
            The analysis or job row (flushed, not yet committed).
        kind : str, optional
            A name from :data:`scalpmap.jobs.kinds.KINDS`.

        Returns
        -------
        bool
            ``False`` here: the thread pool takes the job after the commit (:meth:`submit`).
        """
        return False

    def start(self) -> None:
        """Start the pool (nothing to start inline)."""
        if not self.inline and self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="scalpmap-analysis")

    def submit(self, analysis_id: int, kind: str = "analysis") -> None:
        """Queue a pending analysis or job.

        Parameters
        ----------
        analysis_id : int
            The analysis or job row (status ``pending``).
        kind : str, optional
            A name from :data:`scalpmap.jobs.kinds.KINDS`.
        """
        if self.inline:
            self.run(analysis_id, kind)
            return
        if self._pool is None:
            raise RuntimeError("the analysis pool is not running; call start() first")
        future = self._pool.submit(self.run, analysis_id, kind)
        with self._lock:
            self._futures.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._futures.discard(future)

    def submit_pending(self) -> int:
        """Queue every pending analysis and job (left by a process that stopped before them).

        Returns
        -------
        int
            How many were queued.
        """
        with self.session_factory() as session:
            query = select(PhotoAnalysis.id).where(PhotoAnalysis.status == AnalysisStatus.PENDING)
            targets = [("analysis", i) for i in session.scalars(query.order_by(PhotoAnalysis.id))]
            targets += pending_job_ids(session)
        for kind, target_id in targets:
            self.submit(target_id, kind)
        return len(targets)

    def run(self, analysis_id: int, kind: str = "analysis") -> None:
        """Run one analysis or job in a session of its own; never raises.

        Parameters
        ----------
        analysis_id : int
            The analysis or job row.
        kind : str, optional
            A name from :data:`scalpmap.jobs.kinds.KINDS`.
        """
        context = WorkerContext(self.session_factory, self.store, self.max_pixels, self.limits)
        try:
            KINDS[kind].run(context, analysis_id, reclaim_running=False)
        except Exception:  # saved as failed and logged by the job
            return

    def wait_idle(self, timeout_s: float = 60.0) -> bool:
        """Wait for the queued jobs to finish (for tests and shutdown).

        Parameters
        ----------
        timeout_s : float, optional
            Longest wait.

        Returns
        -------
        bool
            ``True`` when nothing is left running.
        """
        with self._lock:
            pending = set(self._futures)
        _done, not_done = wait_futures(pending, timeout=timeout_s)
        return not not_done

    def shutdown(self) -> None:
        """Stop the pool; queued jobs that have not started stay ``pending`` for the next start."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self.engine.dispose()


def make_analysis_jobs(
    settings: Settings, engine: Engine, store: PhotoStore, *, inline: bool, workers: int
) -> AnalysisJobs:
    """Build the app's job backend from ``SCALPMAP_JOBS``.

    Parameters
    ----------
    settings : Settings
        The settings.
    engine : sqlalchemy.Engine
        An engine for the jobs alone.
    store : PhotoStore
        The photo store.
    inline : bool
        Run analyses in the request (tests; the inline backend only).
    workers : int
        Threads of the inline backend's pool.

    Returns
    -------
    AnalysisJobs
        The thread pool (``inline``) or the queue (``procrastinate``).
    """
    if settings.jobs == "procrastinate":
        from scalpmap.web.queued_jobs import QueuedAnalysisJobs

        return QueuedAnalysisJobs(engine, store, settings=settings)
    return AnalysisJobs(
        engine,
        store,
        max_pixels=settings.max_upload_pixels,
        inline=inline,
        workers=workers,
        limits=analysis_limits(settings),
    )
