"""Run the web app's queued jobs (SCALPMAP_JOBS=procrastinate) on this or any machine."""

from __future__ import annotations

import enum
from typing import Annotated

import typer

from scalpmap.cli.console import lazy_console
from scalpmap.cli.db_cmd import DataDirOption
from scalpmap.cli.errors import user_errors_exit_2
from scalpmap.errors import InputError

__all__ = ["worker"]

console = lazy_console(highlight=False, soft_wrap=True)


class Priority(enum.StrEnum):
    """The jobs' CPU priority (scalpmap.jobs.worker.lower_priority)."""

    IDLE = "idle"
    LOW = "low"
    NORMAL = "normal"


@user_errors_exit_2
def worker(
    concurrency: Annotated[
        int,
        typer.Option(help="Jobs run at the same time (each analysis in its own process).", min=1),
    ] = 1,
    stalled_after: Annotated[
        float,
        typer.Option(
            help=(
                "Seconds without a heartbeat after which a worker is taken for dead and its "
                "jobs are run again by another."
            ),
            min=3,
        ),
    ] = 60.0,
    priority: Annotated[
        Priority,
        typer.Option(
            help=(
                "CPU priority of the jobs: low (nice 10), idle (Linux SCHED_IDLE: only CPU "
                "time nothing else wants, so a web server on the same machine answers first, "
                "but on a busy machine the jobs may wait for minutes; nice 19 where "
                "unavailable), or normal (machines of their own)."
            ),
            case_sensitive=False,
        ),
    ] = Priority.LOW,
    data_dir: DataDirOption = None,
) -> None:
    """Run queued jobs until stopped (Ctrl-C or SIGTERM let the running jobs finish).

    Needs SCALPMAP_JOBS=procrastinate, the PostgreSQL database (SCALPMAP_DATABASE_URL, and
    SCALPMAP_JOBS_URL when the queue is elsewhere) and the shared photo store
    (SCALPMAP_DATA_DIR or SCALPMAP_PHOTO_STORAGE_DIR), as the web app has them.
    """
    import logging

    from scalpmap.config import get_settings
    from scalpmap.jobs.queue import QueueUnavailableError, queue_conninfo
    from scalpmap.jobs.worker import WorkerTiming, run_worker
    from scalpmap.store.engine import create_engine_for, safe_url

    settings = get_settings(data_dir=data_dir)
    if settings.jobs != "procrastinate":
        raise InputError(
            "the web app runs its jobs itself (SCALPMAP_JOBS=inline); set "
            "SCALPMAP_JOBS=procrastinate on the web app and the workers to use workers"
        )
    queue_conninfo(settings)  # PostgreSQL, or one line and exit code 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    engine = create_engine_for(settings)
    console.print(
        f"worker on {safe_url(engine)}, {concurrency} job(s) at a time, priority {priority.value}"
    )
    engine.dispose()
    try:
        timing = WorkerTiming(
            heartbeat_s=stalled_after / 6, stalled_after_s=stalled_after, watch_s=stalled_after / 4
        )
        run_worker(settings, concurrency, timing, priority=priority.value)
    except QueueUnavailableError as error:
        raise InputError(str(error)) from None
    except KeyboardInterrupt:
        console.print("worker stopped")
