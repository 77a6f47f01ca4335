"""What the ``scalpmap sessions`` commands share: their console, the case argument, the database.

The database layer loads inside :func:`open_database`, when a command runs, so that
``scalpmap sessions --help`` answers at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scalpmap.cli.console import lazy_console

if TYPE_CHECKING:  # the database layer loads inside the commands, so that --help answers at once
    from sqlalchemy.orm import Session

    from scalpmap.config import Settings
    from scalpmap.store.photos import PhotoStore

__all__ = ["CaseArgument", "SessionsDb", "console", "open_database"]

console = lazy_console(highlight=False, soft_wrap=True)

CaseArgument = Annotated[int, typer.Argument(help="The case.", show_default=False)]


@dataclass(frozen=True)
class SessionsDb:
    """An open database session with the photo store and the settings.

    Attributes
    ----------
    session : sqlalchemy.orm.Session
        The database session, in the clinic's way of typing days.
    store : PhotoStore
        The photo store.
    settings : Settings
        The settings (upload limits among them).
    """

    session: Session
    store: PhotoStore
    settings: Settings


@contextmanager
def open_database(data_dir: Path | None) -> Iterator[SessionsDb]:
    """Open the clinic database (its schema made current) and the photo store.

    Parameters
    ----------
    data_dir : Path or None
        The data folder; the settings' default when None.

    Yields
    ------
    SessionsDb
        The session, the photo store and the settings; the engine is disposed afterwards.
    """
    from scalpmap.config import get_settings
    from scalpmap.services.clinic_locale import clinic_days
    from scalpmap.store.engine import create_engine_for, make_session_factory
    from scalpmap.store.migrate import ensure_schema
    from scalpmap.store.photos import PhotoStore

    settings = get_settings(data_dir=data_dir)
    engine = create_engine_for(settings)
    try:
        ensure_schema(engine)
        with make_session_factory(engine)() as session, clinic_days(session):
            yield SessionsDb(session, PhotoStore(settings.photos_dir), settings)
    finally:
        engine.dispose()
