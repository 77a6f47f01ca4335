"""Log and follow a case's sessions: ``scalpmap sessions laser|follow-up|smp|list|report|calendar``.

A follow-up photo is read and checked in full before anything is logged, so an unreadable photo
logs nothing. Once the session is logged, the photo is stored, attached and measured against the
plan's baseline; a follow-up that cannot be measured is kept with its session (the command then
says so in one ``error:`` line and exits with code 2). See docs/referrals.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from scalpmap.cli import sessions_edit_cmd
from scalpmap.cli.console import lazy_console
from scalpmap.cli.db_cmd import DataDirOption
from scalpmap.cli.errors import fail, user_errors_exit_2
from scalpmap.cli.sessions_input import ConfirmDuplicateOption, same_day_hint, validated
from scalpmap.errors import InputError, ScalpmapError
from scalpmap.store.enums import PulseClass

if TYPE_CHECKING:  # the database layer loads inside the commands, so that --help answers at once
    from sqlalchemy.orm import Session

    from scalpmap.config import Settings
    from scalpmap.store.models import LaserSession
    from scalpmap.store.photos import PhotoStore

__all__ = ["app", "calendar", "follow_up", "laser", "list_", "report", "smp"]

console = lazy_console(highlight=False, soft_wrap=True)

app = typer.Typer(
    name="sessions",
    help="Log laser and SMP sessions, correct or void them, measure follow-ups, write the "
    "progress report.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(sessions_edit_cmd.app)  # correct-laser, correct-smp, void

CaseArgument = Annotated[int, typer.Argument(help="The case.", show_default=False)]
DateOption = Annotated[
    str,
    typer.Option(
        help="The session's date, YYYY-MM-DD (or as the clinic types days, e.g. DD/MM/YYYY).",
        show_default=False,
    ),
]
FollowUpOption = Annotated[
    Path | None,
    typer.Option(help="A follow-up photo to check, store and attach.", show_default=False),
]
NotesOption = Annotated[str | None, typer.Option(help="Notes.", show_default=False)]


@dataclass(frozen=True)
class _Db:
    """An open database session with the photo store and the settings."""

    session: Session
    store: PhotoStore
    settings: Settings


@contextmanager
def _database(data_dir: Path | None) -> Iterator[_Db]:
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
            yield _Db(session, PhotoStore(settings.photos_dir), settings)
    finally:
        engine.dispose()


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


def _store_and_attach(
    db: _Db, kind: Literal["laser", "smp"], row_id: int, case_id: int, data: bytes, name: str
) -> None:
    """Store a checked photo with the case and attach it to the session as its follow-up."""
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
    what = f"session {laser_id} logged, but its" if logged else f"laser session {laser_id}:"
    return fail(
        f"{what} follow-up could not be measured: {reason.rstrip('.')}; take a photo of the "
        f"same view as the baseline and attach it with "
        f"'scalpmap sessions follow-up {laser_id} PHOTO'"
    )


def _measure(db: _Db, laser: LaserSession, data: bytes, name: str, *, logged: bool) -> None:
    """Store, attach and measure a follow-up photo with a progress display, then print it."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from scalpmap.cli.sessions_tables import check_table
    from scalpmap.services.clearance import measure_clearance
    from scalpmap.services.clearance_progress import advice_words

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("storing the follow-up photo", total=None)
            _store_and_attach(db, "laser", laser.id, laser.case_id, data, name)
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


@app.command("laser")
@user_errors_exit_2
def laser(
    case: CaseArgument,
    date: DateOption,
    device: Annotated[str, typer.Option(help="The laser device, e.g. 'PicoWay'.")],
    pulse: Annotated[PulseClass, typer.Option(help="Pulse duration: ns or ps.")],
    fluence: Annotated[float, typer.Option(help="Fluence, J/cm² (0.1-20).")],
    spot: Annotated[float, typer.Option(help="Spot size, mm (1-10).")],
    passes: Annotated[int, typer.Option(help="Passes over the area (1-5).")],
    facility: Annotated[
        int | None,
        typer.Option(help="The facility's id [default: none].", show_default=False),
    ] = None,
    wavelength: Annotated[int, typer.Option(help="Wavelength, nm (400-1200).")] = 1064,
    notes: NotesOption = None,
    adverse_effects: Annotated[
        str | None, typer.Option(help="Adverse effects, as reported.", show_default=False)
    ] = None,
    follow_up: FollowUpOption = None,
    confirm_duplicate: ConfirmDuplicateOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Log a laser session; with --follow-up, store that photo and measure the clearance."""
    from scalpmap.dates import parse_day
    from scalpmap.services.treatment_sessions import LaserSessionIn, log_laser_session

    with _database(data_dir) as db:
        day = parse_day(date, "--date")  # as the clinic types days (its country)
        data = validated(
            lambda: LaserSessionIn(
                session_date=day,
                facility_id=facility,
                device=device.strip(),
                wavelength_nm=wavelength,
                pulse=pulse,
                fluence_j_cm2=fluence,
                spot_mm=spot,
                passes=passes,
                notes=notes,
                adverse_effects=adverse_effects,
            )
        )
        picture = read_photo(follow_up, db.settings) if follow_up is not None else None
        with same_day_hint():
            row = log_laser_session(
                db.session, case, data, None, confirm_duplicate=confirm_duplicate
            )
        console.print(
            f"laser session {row.id} logged for case {case} ({row.session_date}, {row.device}, "
            f"{row.wavelength_nm} nm {row.pulse})"
        )
        if picture is not None and follow_up is not None:
            _measure(db, row, picture, follow_up.name, logged=True)


@app.command("follow-up")
@user_errors_exit_2
def follow_up(
    session_id: Annotated[
        int, typer.Argument(help="The laser session (see 'scalpmap sessions list').")
    ],
    photo: Annotated[Path, typer.Argument(help="The follow-up photo.")],
    data_dir: DataDirOption = None,
) -> None:
    """Attach a follow-up photo to a logged laser session and measure the clearance."""
    from scalpmap.services._tx import get_or_raise
    from scalpmap.store.models import LaserSession

    with _database(data_dir) as db:
        row = get_or_raise(db.session, LaserSession, session_id, "laser session")
        picture = read_photo(photo, db.settings)
        _measure(db, row, picture, photo.name, logged=False)


@app.command("smp")
@user_errors_exit_2
def smp(
    case: CaseArgument,
    date: DateOption,
    practitioner: Annotated[str, typer.Option(help="Who did the session.")],
    needle: Annotated[str, typer.Option(help="The needle, e.g. '3RL 0.25'.")],
    area: Annotated[
        list[str],
        typer.Option(
            help="An area worked, e.g. frontal; repeat for several.",
            show_default=False,
            metavar="<str>",
        ),
    ],
    notes: NotesOption = None,
    follow_up: FollowUpOption = None,
    confirm_duplicate: ConfirmDuplicateOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Log an SMP session (usually the touch-up); with --follow-up, store and attach that photo."""
    from scalpmap.dates import parse_day
    from scalpmap.services.treatment_sessions import SmpSessionIn, log_smp_session

    with _database(data_dir) as db:
        day = parse_day(date, "--date")  # as the clinic types days (its country)
        data = validated(
            lambda: SmpSessionIn(
                session_date=day,
                practitioner_name=practitioner.strip(),
                needle=needle.strip(),
                areas=area,
                notes=notes,
            )
        )
        picture = read_photo(follow_up, db.settings) if follow_up is not None else None
        with same_day_hint():
            row = log_smp_session(db.session, case, data, None, confirm_duplicate=confirm_duplicate)
        console.print(
            f"SMP session {row.id} logged for case {case} ({row.session_date}, "
            f"{', '.join(row.areas)})"
        )
        if picture is not None and follow_up is not None:
            _store_and_attach(db, "smp", row.id, case, picture, follow_up.name)
            console.print(f"follow-up photo {follow_up.name} attached")


@app.command("list")
@user_errors_exit_2
def list_(case: CaseArgument, data_dir: DataDirOption = None) -> None:
    """List a case's laser sessions (with clearance), SMP sessions and next due dates."""
    from scalpmap.cli.sessions_tables import laser_table, smp_table, voided_lines
    from scalpmap.services._tx import get_or_raise
    from scalpmap.services.calendar import due_dates
    from scalpmap.store.models import Case

    with _database(data_dir) as db:
        get_or_raise(db.session, Case, case, "case")
        table, problems = laser_table(db.session, case)
        console.print(table)
        for line in problems:
            console.print(f"- {line}")
        console.print(smp_table(db.session, case))
        for line in voided_lines(db.session, case):
            console.print(f"- {line}")
        due = due_dates(db.session, case)
        if not due:
            console.print("nothing due")
        for item in due:
            what = "laser session" if item.kind == "laser" else "SMP touch-up"
            console.print(f"due: {what} from {item.due} until {item.until} ({item.reason})")


def _check_folder(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; give a folder")


def _write(files: dict[Path, bytes], out: Path) -> None:
    from scalpmap.reports.output import write_atomic

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        for path, content in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, content)
    except OSError as error:
        raise InputError(f"cannot write to {out}: {error.strerror or error}") from None


@app.command("report")
@user_errors_exit_2
def report(
    case: CaseArgument,
    out: Annotated[
        Path, typer.Option(help="Folder for progress.html, progress.pdf and clearance_chart.png.")
    ],
    clinic_name: Annotated[
        str | None,
        typer.Option(
            help="The clinic's name in the header and footer, for this report only "
            "[default: the name set with 'scalpmap clinic set'].",
            show_default=False,
        ),
    ] = None,
    pdf: Annotated[bool, typer.Option(help="Also write the PDF.")] = True,
    data_dir: DataDirOption = None,
) -> None:
    """Write the case's progress report (HTML, PDF) and its clearance chart (PNG)."""
    from scalpmap.services.clinic import clinic_named
    from scalpmap.services.progress import progress_report

    _check_folder(out)
    with _database(data_dir) as db:
        clinic = clinic_named(db.session, clinic_name)
        made = progress_report(db.session, db.store, case, None, clinic=clinic, pdf=pdf)
    files = {out / "progress.html": made.html.encode("utf-8")}
    if made.pdf is not None:
        files[out / "progress.pdf"] = made.pdf
    if made.chart_png is not None:
        files[out / "clearance_chart.png"] = made.chart_png
    _write(files, out)
    for path in files:
        console.print(f"wrote {path}")


@app.command("calendar")
@user_errors_exit_2
def calendar(
    case: CaseArgument,
    out: Annotated[Path, typer.Option(help="The .ics file to write.")],
    data_dir: DataDirOption = None,
) -> None:
    """Write the case's calendar (planned, logged and due sessions) as an ICS file."""
    from scalpmap.services.calendar import case_calendar

    if out.is_dir():
        raise InputError(f"--out {out} is a folder; give a file such as case.ics")
    with _database(data_dir) as db:
        text = case_calendar(db.session, case)
    _write({out: text.encode("utf-8")}, out)
    console.print(f"wrote {out}")
