"""What the queue holds: jobs by state, the oldest waiting, the workers (scalpmap jobs status)."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from scalpmap.jobs.queue import QUEUE, UNAVAILABLE, QueueUnavailableError

__all__ = ["QueueStatus", "queue_status"]


@dataclass(frozen=True)
class QueueStatus:
    """A snapshot of the queue.

    Attributes
    ----------
    jobs : dict of str to int
        Jobs by procrastinate state: ``todo`` (waiting), ``doing`` (running), ``succeeded``,
        ``failed`` (an error out of the job after its retries), ``cancelled``, ``aborted``.
    oldest_waiting_s : float or None
        How long the oldest waiting job has waited, in seconds.
    workers : list of tuple of (int, float)
        Each registered worker's id and seconds since its last heartbeat.
    """

    jobs: dict[str, int]
    oldest_waiting_s: float | None
    workers: list[tuple[int, float]]


def queue_status(conninfo: str) -> QueueStatus:
    """Read the queue's state.

    Parameters
    ----------
    conninfo : str
        The queue's database (:func:`scalpmap.jobs.queue.queue_conninfo`).

    Returns
    -------
    QueueStatus
        The snapshot.

    Raises
    ------
    QueueUnavailableError
        When the database does not answer.
    """
    try:
        with psycopg.connect(conninfo, connect_timeout=5) as connection:
            found = connection.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if found is None or found[0] is None:
                return QueueStatus({}, None, [])
            counts = connection.execute(
                "SELECT status::text, count(*) FROM procrastinate_jobs WHERE queue_name = %s "
                "GROUP BY status",
                (QUEUE,),
            ).fetchall()
            oldest = connection.execute(
                "SELECT extract(epoch FROM now() - min(event.at)) FROM procrastinate_jobs job "
                "JOIN procrastinate_events event ON event.job_id = job.id "
                "AND event.type = 'deferred' WHERE job.status = 'todo' AND job.queue_name = %s",
                (QUEUE,),
            ).fetchone()
            workers = connection.execute(
                "SELECT id, extract(epoch FROM now() - last_heartbeat) "
                "FROM procrastinate_workers ORDER BY id"
            ).fetchall()
    except psycopg.OperationalError as error:
        raise QueueUnavailableError(UNAVAILABLE) from error
    waited = float(oldest[0]) if oldest and oldest[0] is not None else None
    return QueueStatus(
        {str(status): int(count) for status, count in counts},
        waited,
        [(int(worker), float(seconds)) for worker, seconds in workers],
    )
