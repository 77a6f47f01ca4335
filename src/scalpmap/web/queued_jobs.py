"""The job backend of ``SCALPMAP_JOBS=procrastinate``: the web app only queues, workers run.

Each job (an analysis, a plan save, a follow-up measure) is queued in the transaction that
writes its row when the queue shares the app's database, else right after the commit, and
``scalpmap worker`` processes run it (:mod:`scalpmap.jobs`).
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from scalpmap.config import Settings
from scalpmap.store.photos import PhotoStore
from scalpmap.web.jobs import AnalysisJobs

__all__ = ["QueuedAnalysisJobs"]

log = logging.getLogger(__name__)


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
        from scalpmap.jobs.queue_schema import QueueSchemaError

        try:
            ensure_queue_schema(self.conninfo)
        except QueueUnavailableError:
            log.warning("the job queue's database is not answering; analyses get 503 until it is")
        except QueueSchemaError as error:
            log.error("%s", error)  # one line; the jobs then fail to queue with their own 503
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

    def enqueue_in_transaction(
        self, session: Session, analysis_id: int, kind: str = "analysis"
    ) -> bool:
        """Queue the job in the session's transaction when the queue shares its database.

        Parameters
        ----------
        session : sqlalchemy.orm.Session
            The session whose open transaction writes the row.
        analysis_id : int
            The analysis or job row.
        kind : str, optional
            A name from :data:`scalpmap.jobs.kinds.KINDS`.

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
            enqueue(self.queue_app, kind, analysis_id, connection=connection)
        except QueueUnavailableError as error:
            raise HTTPException(503, str(error)) from None
        return True

    def submit(self, analysis_id: int, kind: str = "analysis") -> None:
        """Queue a job whose row is already committed (the queue is in another database).

        Parameters
        ----------
        analysis_id : int
            The analysis or job row (status ``pending``). The queue answered
            :meth:`check_available` a moment before; if it stopped since, the row stays
            pending and the workers queue it once they see it pending without a job.
        kind : str, optional
            A name from :data:`scalpmap.jobs.kinds.KINDS`.
        """
        from scalpmap.jobs.queue import QueueUnavailableError, enqueue

        try:
            enqueue(self.queue_app, kind, analysis_id)
        except QueueUnavailableError:
            log.warning("%s %s stays pending until the workers queue it", kind, analysis_id)

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
