"""Watch the job queue (SCALPMAP_JOBS=procrastinate): ``scalpmap jobs status``."""

from __future__ import annotations

import typer

from scalpmap.cli.console import lazy_console
from scalpmap.cli.db_cmd import DataDirOption
from scalpmap.cli.errors import user_errors_exit_2

__all__ = ["app", "status"]

console = lazy_console(highlight=False, soft_wrap=True)

app = typer.Typer(
    name="jobs", help="Watch the job queue.", no_args_is_help=True, rich_markup_mode=None
)


@app.command("status")
@user_errors_exit_2
def status(data_dir: DataDirOption = None) -> None:
    """Show the queue's jobs by state, the oldest waiting one, the workers and the analyses."""
    from sqlalchemy import func, select

    from scalpmap.config import get_settings
    from scalpmap.errors import InputError
    from scalpmap.jobs.queue import QueueUnavailableError, queue_conninfo
    from scalpmap.jobs.status import queue_status
    from scalpmap.store.engine import create_engine_for, make_session_factory
    from scalpmap.store.models import PhotoAnalysis

    settings = get_settings(data_dir=data_dir)
    if settings.jobs != "procrastinate":
        raise InputError(
            "there is no queue: the web app runs its jobs itself (SCALPMAP_JOBS=inline)"
        )
    try:
        snapshot = queue_status(queue_conninfo(settings))
    except QueueUnavailableError as error:
        raise InputError(str(error)) from None
    jobs = snapshot.jobs
    line = (
        f"jobs: {jobs.get('todo', 0)} waiting, {jobs.get('doing', 0)} running, "
        f"{jobs.get('succeeded', 0)} ended, {jobs.get('failed', 0)} failed after their retries"
    )
    if snapshot.oldest_waiting_s is not None:
        line += f"; the oldest has waited {snapshot.oldest_waiting_s:.0f} s"
    console.print(line)
    if snapshot.workers:
        beats = ", ".join(f"#{worker} {seconds:.0f} s ago" for worker, seconds in snapshot.workers)
        console.print(f"workers: {len(snapshot.workers)} (last heartbeat: {beats})")
    else:
        console.print("workers: none running; start one with  scalpmap worker")
    engine = create_engine_for(settings)
    try:
        with make_session_factory(engine)() as session:
            query = select(PhotoAnalysis.status, func.count()).group_by(PhotoAnalysis.status)
            counts = {str(state): int(count) for state, count in session.execute(query)}
    finally:
        engine.dispose()
    console.print(
        f"analyses: {counts.get('pending', 0)} pending, {counts.get('running', 0)} running, "
        f"{counts.get('done', 0)} done, {counts.get('failed', 0)} failed"
    )
