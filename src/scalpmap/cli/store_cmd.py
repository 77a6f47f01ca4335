"""Look after the photo store: ``scalpmap store prune [--delete]``.

Without ``--delete`` the command only lists the orphaned files (a dry run); with it, it deletes
the files that are still orphans and audits each deletion.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from scalpmap.cli.console import lazy_console
from scalpmap.cli.db_cmd import DataDirOption
from scalpmap.cli.errors import user_errors_exit_2
from scalpmap.errors import InputError

__all__ = ["app", "prune"]

console = lazy_console(highlight=False, soft_wrap=True)

app = typer.Typer(
    name="store",
    help="Look after the photo store.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("prune")
@user_errors_exit_2
def prune(
    delete: Annotated[
        bool,
        typer.Option(
            "--delete/--dry-run",
            help="Delete the orphaned files; by default only list them.",
        ),
    ] = False,
    min_age_hours: Annotated[
        float,
        typer.Option(help="Leave files younger than this alone (uploads in progress).", min=0),
    ] = 1.0,
    data_dir: DataDirOption = None,
) -> None:
    """List (or with --delete, delete) photo-store files no record refers to any more.

    These are overlays of replaced clearance checks, files of records deleted during a crash,
    and files an interrupted upload left behind.
    """
    from scalpmap.config import get_settings
    from scalpmap.services.store_prune import delete_orphans, find_orphans
    from scalpmap.store.engine import create_engine_for, make_session_factory, writer_engine
    from scalpmap.store.migrate import current_revision, head_revision
    from scalpmap.store.photos import PhotoStore

    settings = get_settings(data_dir=data_dir)
    if not settings.photos_dir.is_dir():
        raise InputError(f"there is no photo store at {settings.photos_dir}; check --data-dir")
    engine = create_engine_for(settings)
    try:
        revision = current_revision(engine)
        if revision != head_revision():
            raise InputError(
                f"the database is at revision {revision or 'empty'}, not {head_revision()}; "
                "run scalpmap db upgrade first"
            )
        store = PhotoStore(settings.photos_dir)
        with make_session_factory(writer_engine(engine))() as session:
            orphans = find_orphans(session, store, min_age_s=min_age_hours * 3600)
            for orphan in orphans:
                when = dt.datetime.fromtimestamp(orphan.modified, dt.UTC)
                kind = "staged" if orphan.staged else "file"
                console.print(
                    f"{kind:6} {orphan.path.relative_to(store.root)}  {orphan.byte_size:>10} B  "
                    f"{when:%Y-%m-%d %H:%M} UTC"
                )
            total = sum(orphan.byte_size for orphan in orphans)
            if not delete:
                console.print(
                    f"{len(orphans)} orphaned file(s), {total / 1e6:.1f} MB; nothing deleted "
                    "(a dry run: add --delete to delete them)"
                )
                return
            result = delete_orphans(session, store, orphans, actor=None)
    finally:
        engine.dispose()
    console.print(
        f"deleted {result.deleted} orphaned file(s), {result.bytes_freed / 1e6:.1f} MB freed"
        + (f"; {result.kept} kept (in use again or gone)" if result.kept else "")
    )
