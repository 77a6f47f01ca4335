"""Log and follow a case's sessions: ``scalpmap sessions laser|follow-up|smp|list|report|calendar``.

A follow-up photo is read and checked in full before anything is logged, so an unreadable photo
logs nothing. Once the session is logged, the photo is stored, attached and measured against the
plan's baseline; a follow-up that cannot be measured is kept with its session (the command then
says so in one ``error:`` line and exits with code 2). See docs/referrals.md.

The shared console and database are in :mod:`scalpmap.cli.sessions_common`, the follow-up
photos in :mod:`scalpmap.cli.sessions_photos`, ``report`` and ``calendar`` in
:mod:`scalpmap.cli.sessions_files`, the corrections in :mod:`scalpmap.cli.sessions_edit_cmd`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scalpmap.cli import sessions_edit_cmd
from scalpmap.cli.db_cmd import DataDirOption
from scalpmap.cli.errors import user_errors_exit_2
from scalpmap.cli.sessions_common import CaseArgument, console, open_database
from scalpmap.cli.sessions_files import calendar, report
from scalpmap.cli.sessions_input import ConfirmDuplicateOption, same_day_hint, validated
from scalpmap.cli.sessions_photos import measure_follow_up, read_photo, store_and_attach
from scalpmap.store.enums import PulseClass

__all__ = ["app", "calendar", "follow_up", "laser", "list_", "report", "smp"]

app = typer.Typer(
    name="sessions",
    help="Log laser and SMP sessions, correct or void them, measure follow-ups, write the "
    "progress report.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(sessions_edit_cmd.app)  # correct-laser, correct-smp, void

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

    with open_database(data_dir) as db:
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
            measure_follow_up(db, row, picture, follow_up.name, logged=True)


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

    with open_database(data_dir) as db:
        row = get_or_raise(db.session, LaserSession, session_id, "laser session")
        picture = read_photo(photo, db.settings)
        measure_follow_up(db, row, picture, photo.name, logged=False)


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

    with open_database(data_dir) as db:
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
            store_and_attach(db, "smp", row.id, case, picture, follow_up.name)
            console.print(f"follow-up photo {follow_up.name} attached")


@app.command("list")
@user_errors_exit_2
def list_(case: CaseArgument, data_dir: DataDirOption = None) -> None:
    """List a case's laser sessions (with clearance), SMP sessions and next due dates."""
    from scalpmap.cli.sessions_tables import laser_table, smp_table, voided_lines
    from scalpmap.services._tx import get_or_raise
    from scalpmap.services.due_dates import due_dates
    from scalpmap.store.models import Case

    with open_database(data_dir) as db:
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


# Registered here, after list, so that the group's help lists the commands in the same order.
app.command("report")(report)
app.command("calendar")(calendar)
