"""Follow-up photos of the ``scalpmap sessions`` commands: read and check, store, attach, measure.

A follow-up photo is read and checked in full (:func:`read_photo`) before anything is logged,
so an unreadable photo logs nothing. Once the session is logged, the photo is stored, attached
and measured against the plan's baseline (:func:`measure_follow_up`); a follow-up that cannot
be measured is kept with its session, and the command says so in one ``error:`` line and exits
with code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer

from scalpmap.cli.errors import fail
from scalpmap.cli.sessions_common import SessionsDb, console
from scalpmap.errors import InputError, ScalpmapError

if TYPE_CHECKING:  # the database layer loads inside the commands, so that --help answers at once
    from scalpmap.config import Settings
    from scalpmap.store.models import LaserSession

__all__ = ["measure_follow_up", "read_photo", "store_and_attach"]


def read_photo(path: Path, settings: Settings) -> bytes:
    """Read a follow-up photo and check it in full (size, type, pixels, decoding).

    Parameters
    ----------
    path : Path
        The photo file.
    settings : Settings
        The upload limits.

    Returns
    -------
    bytes
        The file's content.

    Raises
    ------
    InputError
        When the file cannot be read.
    PhotoError
        When it is empty, too large, not an image or damaged.
    """
    from scalpmap.services import photos

    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(
            f"cannot read the follow-up photo {path}: {error.strerror or error}"
        ) from None
    photos.inspect_upload(
        data,
        filename=path.name,
        max_bytes=settings.max_upload_bytes,
        max_pixels=settings.max_upload_pixels,
    )
    return data


def store_and_attach(
    db: SessionsDb, kind: Literal["laser", "smp"], row_id: int, case_id: int, data: bytes, name: str
) -> None:
    """Store a checked photo with the case and attach it to the session as its follow-up.

    Parameters
    ----------
    db : SessionsDb
        The open database and photo store.
    kind : {"laser", "smp"}
        The session's kind.
    row_id : int
        The session.
    case_id : int
        Its case.
    data : bytes
        The photo, checked by :func:`read_photo`.
    name : str
        The file's name.
    """
    from scalpmap.services import photos
    from scalpmap.services.treatment_sessions import attach_follow_up_photo

    photo = photos.add_photo(
        db.session,
        db.store,
        data,
        case_id=case_id,
        actor=None,
        filename=name,
        max_bytes=db.settings.max_upload_bytes,
        max_pixels=db.settings.max_upload_pixels,
    )
    attach_follow_up_photo(db.session, kind, row_id, photo.id, None)


def _not_measured(laser_id: int, reason: str, logged: bool) -> typer.Exit:
    """Return the exit (one ``error:`` line, code 2) for a follow-up that was not measured."""
    what = f"session {laser_id} logged, but its" if logged else f"laser session {laser_id}:"
    return fail(
        f"{what} follow-up could not be measured: {reason.rstrip('.')}; take a photo of the "
        f"same view as the baseline and attach it with "
        f"'scalpmap sessions follow-up {laser_id} PHOTO'"
    )


def measure_follow_up(
    db: SessionsDb, laser: LaserSession, data: bytes, name: str, *, logged: bool
) -> None:
    """Store, attach and measure a follow-up photo with a progress display, then print it.

    Parameters
    ----------
    db : SessionsDb
        The open database and photo store.
    laser : LaserSession
        The laser session the photo follows.
    data : bytes
        The photo, checked by :func:`read_photo`.
    name : str
        The file's name.
    logged : bool
        Whether the session was logged by this command (for the message when it fails).

    Raises
    ------
    typer.Exit
        Code 2, after one ``error:`` line, when the follow-up could not be measured.
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from scalpmap.cli.sessions_tables import check_table
    from scalpmap.services.clearance import measure_clearance
    from scalpmap.services.clearance_progress import advice_words

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("storing the follow-up photo", total=None)
            store_and_attach(db, "laser", laser.id, laser.case_id, data, name)
            progress.update(task, description="registering and comparing with the baseline")
            check = measure_clearance(
                db.session, db.store, laser.id, None, max_pixels=db.settings.max_upload_pixels
            )
    except ScalpmapError as error:
        raise _not_measured(laser.id, str(error), logged) from None
    if not check.measured:
        raise _not_measured(laser.id, check.reason, logged)
    console.print(check_table(laser, check))
    words = advice_words(check)
    if words:
        console.print(f"- {words}")
    if check.outside_flagged:
        console.print("- unintended loss outside the removal zone: see the progress report")
