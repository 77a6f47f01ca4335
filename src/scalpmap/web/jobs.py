"""Background analyses: a small thread pool inside the app process, each analysis in a child.

An upload queues an analysis (``pending``) with :func:`scalpmap.services.analyses.request_analysis`
and hands its id to :class:`AnalysisJobs`, which runs
:func:`scalpmap.services.analyses.run_analysis` off the request path. ``run_analysis`` claims the
job with a conditional UPDATE (``pending`` → ``running``), so when several app workers pick up the
same pending job (each re-queues the pending ones at start-up) only one runs it; the others get a
:class:`~scalpmap.services.errors.ConflictError` and move on.

Each analysis runs in a child process with a memory and a time limit
(:func:`scalpmap.services.limited.run_limited`): a photo that makes it blow up fails its job
("the analysis ran out of its limits") and the app lives on.

With ``inline=True`` (tests) a job runs at once in the caller's thread.

With ``SCALPMAP_JOBS=procrastinate`` the app builds :class:`QueuedAnalysisJobs` instead: it only
queues each analysis (in the transaction that writes it, when the queue shares the app's
database) and ``scalpmap worker`` processes run it (:mod:`scalpmap.jobs`).

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
from starlette.exceptions import HTTPException

from scalpmap.config import Settings
from scalpmap.jobs.kinds import WorkerContext, run_analysis_job
from scalpmap.services.limited import Limits
from scalpmap.store.engine import make_session_factory
from scalpmap.store.models import AnalysisStatus, PhotoAnalysis
from scalpmap.store.photos import PhotoStore

__all__ = [
    "AnalysisJobs",
    "QueuedAnalysisJobs",
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

    def enqueue_in_transaction(self, session: Session, analysis_id: int) -> bool:
        """Queue the analysis in the transaction that writes it, where the backend can.

        Parameters
        ----------
        session : sqlalchemy.orm.Session
            The session whose open transaction writes the analysis.
        analysis_id : int
            The analysis (flushed, not yet committed).

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

    def submit(self, analysis_id: int) -> None:
        """Queue a pending analysis.

        Parameters
        ----------
        analysis_id : int
            The analysis (status ``pending``).
        """
        if self.inline:
            self.run(analysis_id)
            return
        if self._pool is None:
            raise RuntimeError("the analysis pool is not running; call start() first")
        future = self._pool.submit(self.run, analysis_id)
        with self._lock:
            self._futures.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._futures.discard(future)

    def submit_pending(self) -> int:
        """Queue every pending analysis (those queued by a worker that stopped before it ran them).

        Returns
        -------
        int
            How many were queued.
        """
        with self.session_factory() as session:
            query = select(PhotoAnalysis.id).where(PhotoAnalysis.status == AnalysisStatus.PENDING)
            ids = list(session.scalars(query.order_by(PhotoAnalysis.id)))
        for analysis_id in ids:
            self.submit(analysis_id)
        return len(ids)

    def run(self, analysis_id: int) -> None:
        """Run one analysis in a session of its own; never raises.

        Parameters
        ----------
        analysis_id : int
            The analysis.
        """
        context = WorkerContext(self.session_factory, self.store, self.max_pixels, self.limits)
        try:
            run_analysis_job(context, analysis_id, reclaim_running=False)
        except Exception:  # saved as failed and logged by the service
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


class QueuedAnalysisJobs(AnalysisJobs):
    """Hand each analysis to the procrastinate queue; ``scalpmap worker`` processes run it.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        As for :class:`AnalysisJobs` (the plan pages use its sessions).
    store : PhotoStore
        The photo store.
    settings : Settings
        The queue's database: ``jobs_url``, else ``database_url``.
    """

    def __init__(self, engine: Engine, store: PhotoStore, *, settings: Settings) -> None:
        from scalpmap.jobs.queue import make_queue_app, queue_conninfo

        super().__init__(engine, store, max_pixels=settings.max_upload_pixels)
        self.conninfo = queue_conninfo(settings)
        self.shares_database = settings.jobs_url is None
        self.queue_app = make_queue_app(self.conninfo)
        self._opened = False

    def start(self) -> None:
        """Make the queue's tables if needed and open a pool that connects on use."""
        from psycopg_pool import NullConnectionPool

        from scalpmap.jobs.queue import QueueUnavailableError, ensure_queue_schema

        try:
            ensure_queue_schema(self.conninfo)
        except QueueUnavailableError:
            log.warning("the job queue's database is not answering; analyses get 503 until it is")
        if not self._opened:
            pool: NullConnectionPool = NullConnectionPool(
                self.conninfo, open=False, timeout=5, kwargs={"connect_timeout": 5}
            )
            pool.open()
            self.queue_app.open(pool)
            self._opened = True

    def check_available(self) -> None:
        """Raise 503 when the queue's own database (``SCALPMAP_JOBS_URL``) does not answer."""
        import psycopg

        from scalpmap.jobs.queue import UNAVAILABLE

        if self.shares_database:
            return  # queued in the app's own transaction: both are written, or neither
        try:
            with psycopg.connect(self.conninfo, connect_timeout=3) as connection:
                connection.execute("SELECT 1")
        except psycopg.OperationalError:
            raise HTTPException(503, UNAVAILABLE) from None

    def enqueue_in_transaction(self, session: Session, analysis_id: int) -> bool:
        """Queue the analysis in the session's transaction when the queue shares its database.

        Parameters
        ----------
        session : sqlalchemy.orm.Session
            The session whose open transaction writes the analysis.
        analysis_id : int
            The analysis.

        Returns
        -------
        bool
            Whether it was queued (else :meth:`submit` queues it after the commit).
        """
        from scalpmap.jobs.queue import QueueUnavailableError, enqueue

        if not self.shares_database:
            return False
        connection = session.connection().connection.driver_connection
        try:
            enqueue(self.queue_app, "analysis", analysis_id, connection=connection)
        except QueueUnavailableError as error:
            raise HTTPException(503, str(error)) from None
        return True

    def submit(self, analysis_id: int) -> None:
        """Queue an analysis already committed (the queue is in another database).

        Parameters
        ----------
        analysis_id : int
            The analysis (status ``pending``). The queue answered :meth:`check_available` a
            moment before; if it stopped since, the analysis stays pending and the workers
            queue it once they see it pending without a job.
        """
        from scalpmap.jobs.queue import QueueUnavailableError, enqueue

        try:
            enqueue(self.queue_app, "analysis", analysis_id)
        except QueueUnavailableError:
            log.warning("analysis %s stays pending until the workers queue it", analysis_id)

    def submit_pending(self) -> int:
        """Queue nothing: the workers queue the pending analyses that have no job.

        Returns
        -------
        int
            0.
        """
        return 0

    def wait_idle(self, timeout_s: float = 60.0) -> bool:
        """Return at once: the jobs run in the workers."""
        return True

    def shutdown(self) -> None:
        """Close the queue's pool and the engine."""
        if self._opened:
            self.queue_app.close()
            self._opened = False
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
        return QueuedAnalysisJobs(engine, store, settings=settings)
    return AnalysisJobs(
        engine,
        store,
        max_pixels=settings.max_upload_pixels,
        inline=inline,
        workers=workers,
        limits=analysis_limits(settings),
    )
