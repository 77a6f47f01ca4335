"""The procrastinate queue: its app, its schema, and putting jobs on it.

Jobs live in the ``procrastinate_jobs`` table of a PostgreSQL database (the app's own by
default, ``SCALPMAP_JOBS_URL`` otherwise). Each job is task ``scalpmap.<kind>`` with the
argument ``target_id``, the lock and queueing lock of its key (:func:`scalpmap.jobs.kinds.job_key`):
one job per key waits in the queue, and jobs of one key never run at the same time.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from procrastinate import App, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued, ConnectorException
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from scalpmap.config import Settings
from scalpmap.jobs.kinds import KINDS, WorkerContext, job_key
from scalpmap.jobs.queue_schema import UNAVAILABLE, QueueUnavailableError, ensure_queue_schema

__all__ = [
    "QUEUE",
    "UNAVAILABLE",
    "QueueUnavailableError",
    "enqueue",
    "ensure_queue_schema",
    "make_queue_app",
    "queue_conninfo",
    "set_worker_context",
]

log = logging.getLogger(__name__)

QUEUE = "scalpmap"
"""The procrastinate queue all jobs go to."""

RETRY = RetryStrategy(
    max_attempts=5, exponential_wait=5, retry_exceptions={psycopg.Error, DBAPIError}
)
"""Retries for errors out of a job: only the database's (a connection lost, ...); a job whose
work fails for good saves its reason on its row and ends without error."""

_context: WorkerContext | None = None


def queue_conninfo(settings: Settings) -> str:
    """Return the libpq URL of the queue's database.

    Parameters
    ----------
    settings : Settings
        ``jobs_url``, else ``database_url``.

    Returns
    -------
    str
        A ``postgresql://`` URL.

    Raises
    ------
    InputError
        When the database is not PostgreSQL.
    """
    from scalpmap.errors import InputError

    given = settings.jobs_url.get_secret_value() if settings.jobs_url else settings.database_url
    url = make_url(given or "sqlite://")
    if not url.drivername.startswith("postgresql"):
        raise InputError(
            "SCALPMAP_JOBS=procrastinate needs PostgreSQL: set SCALPMAP_JOBS_URL or "
            "SCALPMAP_DATABASE_URL to a postgresql:// URL, or use SCALPMAP_JOBS=inline"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def set_worker_context(context: WorkerContext) -> None:
    """Give the tasks of this process what they need (called once by the worker).

    Parameters
    ----------
    context : WorkerContext
        The database, photo store and limits.
    """
    global _context
    _context = context


def _task_for(kind_name: str) -> Any:
    def run(target_id: int) -> None:
        if _context is None:
            raise RuntimeError("the worker's context is not set; run jobs with scalpmap worker")
        KINDS[kind_name].run(_context, target_id)

    run.__name__ = f"run_{kind_name}"
    return run


def make_queue_app(conninfo: str) -> App:
    """Build the procrastinate app with a task per job kind.

    Parameters
    ----------
    conninfo : str
        The queue's database (:func:`queue_conninfo`).

    Returns
    -------
    procrastinate.App
        Not opened yet.
    """
    connector = PsycopgConnector(conninfo=conninfo, kwargs={"connect_timeout": 5})
    app = App(connector=connector)
    for name in KINDS:
        app.task(name=f"scalpmap.{name}", queue=QUEUE, retry=RETRY)(_task_for(name))
    return app


def enqueue(app: App, kind: str, target_id: int, *, connection: Any = None) -> bool:
    """Queue one job.

    Parameters
    ----------
    app : procrastinate.App
        The opened app.
    kind : str
        A name from :data:`scalpmap.jobs.kinds.KINDS`.
    target_id : int
        The row to compute.
    connection : psycopg.Connection, optional
        Queue in this connection's open transaction (the one that writes the row), so that
        the row and its job are committed together; through the app's pool otherwise.

    Returns
    -------
    bool
        ``False`` when a job of the same key was already waiting (nothing added).

    Raises
    ------
    QueueUnavailableError
        When the queue's database does not answer.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    key = job_key(kind, target_id)
    options: dict[str, Any] = {"lock": key, "queueing_lock": key}
    if connection is not None:
        options["connection"] = connection
    try:
        app.configure_task(f"scalpmap.{kind}", **options).defer(target_id=target_id)
    except AlreadyEnqueued:
        return False
    except (ConnectorException, psycopg.OperationalError) as error:
        log.warning("could not queue %s: %s", key, error)
        raise QueueUnavailableError(UNAVAILABLE) from error
    return True
