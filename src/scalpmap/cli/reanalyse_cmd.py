"""Analyse the cases' stored photos again (an analysis upgrade); old results stay as versions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from scalpmap.cli.console import lazy_console
from scalpmap.cli.db_cmd import DataDirOption
from scalpmap.cli.errors import user_errors_exit_2

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from scalpmap.config import Settings

__all__ = ["reanalyse"]

console = lazy_console(highlight=False, soft_wrap=True)

POLL_S = 1.0
"""How often the progress bar reads the analyses' statuses while the workers run them."""


@user_errors_exit_2
def reanalyse(
    since: Annotated[
        str | None,
        typer.Option(help="Only photos uploaded on this day (UTC) or later.", show_default=False),
    ] = None,
    case: Annotated[
        int | None, typer.Option(help="Only this case's photos.", show_default=False, min=1)
    ] = None,
    wait: Annotated[
        bool,
        typer.Option(
            help="With SCALPMAP_JOBS=procrastinate: show the workers' progress until all end."
        ),
    ] = True,
    data_dir: DataDirOption = None,
) -> None:
    """Analyse the cases' photos again, each as a new version; the old results are kept.

    With SCALPMAP_JOBS=inline (the default) the analyses run here, one after the other; with
    SCALPMAP_JOBS=procrastinate they are queued for the workers (scalpmap worker). A photo whose
    newest analysis is still waiting or running is left alone.
    """
    from scalpmap.config import get_settings
    from scalpmap.dates import parse_day
    from scalpmap.services.clinic_locale import clinic_days
    from scalpmap.services.reanalysis import choose_photos
    from scalpmap.store.engine import create_engine_for, make_session_factory
    from scalpmap.store.migrate import ensure_schema

    settings = get_settings(data_dir=data_dir)
    engine = create_engine_for(settings)
    try:
        ensure_schema(engine)
        with make_session_factory(engine)() as session:
            with clinic_days(session):
                day = parse_day(since, "--since") if since is not None else None
            chosen = choose_photos(session, since=day, case_id=case)
            if chosen.busy:
                console.print(f"{chosen.busy} photo(s) left alone: their analysis is under way")
            if not chosen.photo_ids:
                console.print("no photo to analyse again")
                return
            if settings.jobs == "procrastinate":
                ids = _queue(session, settings, chosen.photo_ids)
                console.print(f"queued {len(ids)} analysis(es) for the workers")
                if not wait:
                    return
                try:
                    _follow(session, ids)
                except KeyboardInterrupt:
                    console.print("stopped watching; the analyses stay queued for the workers")
                    return
            else:
                ids = _run_here(session, settings, chosen.photo_ids)
            _summary(session, ids)
    finally:
        engine.dispose()


def _queue(session: Session, settings: Settings, photo_ids: list[int]) -> list[int]:
    """Queue each photo's analysis, in the transaction that writes it when the queue is there."""
    from scalpmap.jobs.queue import enqueue, ensure_queue_schema, make_queue_app, queue_conninfo
    from scalpmap.services.reanalysis import queue_reanalyses

    conninfo = queue_conninfo(settings)
    ensure_queue_schema(conninfo)
    app = make_queue_app(conninfo)
    if settings.jobs_url is None:

        def in_transaction(work: Session, analysis_id: int) -> None:
            connection = work.connection().connection.driver_connection
            enqueue(app, "analysis", analysis_id, connection=connection)

        return queue_reanalyses(session, photo_ids, enqueue=in_transaction)
    ids = queue_reanalyses(session, photo_ids)
    with app.open():
        for analysis_id in ids:
            enqueue(app, "analysis", analysis_id)
    return ids


def _run_here(session: Session, settings: Settings, photo_ids: list[int]) -> list[int]:
    """Analyse each photo here, each in a child process with the analysis limits."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from scalpmap.services.analyses import run_analysis
    from scalpmap.services.limited import Limits
    from scalpmap.services.reanalysis import queue_reanalyses
    from scalpmap.store.photos import PhotoStore

    ids = queue_reanalyses(session, photo_ids)
    store = PhotoStore(settings.photos_dir)
    limits = Limits(memory_mb=settings.analysis_memory_mb, time_s=settings.analysis_time_s)
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("analysing", total=len(ids))
        for analysis_id in ids:
            run_analysis(
                session, store, analysis_id, max_pixels=settings.max_upload_pixels, limits=limits
            )
            progress.advance(task)
    return ids


def _counts(session: Session, ids: list[int]) -> dict[str, int]:
    from sqlalchemy import func, select

    from scalpmap.store.models import PhotoAnalysis

    session.expire_all()
    query = (
        select(PhotoAnalysis.status, func.count())
        .where(PhotoAnalysis.id.in_(ids))
        .group_by(PhotoAnalysis.status)
    )
    return {str(status): int(count) for status, count in session.execute(query)}


def _follow(session: Session, ids: list[int]) -> None:
    """Show the workers' progress on the queued analyses until every one has ended."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("analysed by the workers", total=len(ids))
        while True:
            counts = _counts(session, ids)
            ended = counts.get("done", 0) + counts.get("failed", 0)
            progress.update(task, completed=ended)
            if ended >= len(ids):
                return
            session.rollback()  # end the read transaction: see the workers' commits
            time.sleep(POLL_S)


def _summary(session: Session, ids: list[int]) -> None:
    from sqlalchemy import select

    from scalpmap.store.models import AnalysisStatus, PhotoAnalysis

    counts = _counts(session, ids)
    console.print(
        f"{len(ids)} photo(s) analysed again: {counts.get('done', 0)} done, "
        f"{counts.get('failed', 0)} failed; the earlier results are kept"
    )
    failed = select(PhotoAnalysis).where(
        PhotoAnalysis.id.in_(ids), PhotoAnalysis.status == AnalysisStatus.FAILED
    )
    for row in session.scalars(failed.order_by(PhotoAnalysis.id).limit(20)):
        console.print(f"  photo {row.photo_id}: {row.error_message}")
