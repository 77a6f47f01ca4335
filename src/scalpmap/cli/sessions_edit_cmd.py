"""Correct or void a logged session: ``scalpmap sessions correct-laser|correct-smp|void``.

A correction changes only the options given; the old values stay in the session's history
(``scalpmap sessions list`` marks corrected and void sessions). A void session is kept but
counts nowhere (progress report, calendar, due dates). See docs/referrals.md.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import typer

from scalpmap.cli.db_cmd import DataDirOption
from scalpmap.cli.errors import user_errors_exit_2
from scalpmap.cli.sessions_common import console, open_database
from scalpmap.cli.sessions_input import ConfirmMoveOption, same_day_hint, validated
from scalpmap.store.enums import PulseClass

__all__ = ["app", "correct_laser", "correct_smp", "void"]

app = typer.Typer(rich_markup_mode=None)

SessionArgument = Annotated[
    int, typer.Argument(help="The session (see 'scalpmap sessions list').", show_default=False)
]
ReasonOption = Annotated[
    str | None, typer.Option(help="Why it is corrected, e.g. 'facility report'.")
]


def _option(text: str) -> Any:
    return typer.Option(help=text, show_default=False)


def _changed(values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if value is not None}


def _print_history(kind: str, row: Any) -> None:
    from scalpmap.services.session_corrections import history_of

    last = history_of(row)[-1]
    changes = ", ".join(f"{name} {old} -> {new}" for name, (old, new) in last.changes.items())
    console.print(f"{kind} session {row.id} corrected: {changes}")


@app.command("correct-laser")
@user_errors_exit_2
def correct_laser(
    session_id: SessionArgument,
    date: Annotated[str | None, _option("The right date, YYYY-MM-DD.")] = None,
    facility: Annotated[int | None, _option("The right facility's id.")] = None,
    device: Annotated[str | None, _option("The right laser device.")] = None,
    wavelength: Annotated[int | None, _option("The right wavelength, nm.")] = None,
    pulse: Annotated[PulseClass | None, _option("The right pulse: ns or ps.")] = None,
    fluence: Annotated[float | None, _option("The right fluence, J/cm².")] = None,
    spot: Annotated[float | None, _option("The right spot size, mm.")] = None,
    passes: Annotated[int | None, _option("The right number of passes.")] = None,
    notes: Annotated[str | None, _option("The right notes.")] = None,
    adverse_effects: Annotated[str | None, _option("The right adverse effects.")] = None,
    reason: ReasonOption = None,
    confirm_duplicate: ConfirmMoveOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Correct a logged laser session: only the options given change (the old values are kept)."""
    from scalpmap.dates import parse_day
    from scalpmap.services._tx import get_or_raise
    from scalpmap.services.session_corrections import correct_laser_session, laser_values
    from scalpmap.services.treatment_sessions import LaserSessionIn
    from scalpmap.store.models import LaserSession

    with open_database(data_dir) as db:
        row = get_or_raise(db.session, LaserSession, session_id, "laser session")
        changes = _changed(
            {
                "session_date": None if date is None else parse_day(date, "--date"),
                "facility_id": facility,
                "device": None if device is None else device.strip(),
                "wavelength_nm": wavelength,
                "pulse": pulse,
                "fluence_j_cm2": fluence,
                "spot_mm": spot,
                "passes": passes,
                "notes": notes,
                "adverse_effects": adverse_effects,
            }
        )
        current = laser_values(row).model_dump()
        data = validated(lambda: LaserSessionIn.model_validate(current | changes))
        with same_day_hint():
            corrected = correct_laser_session(
                db.session, row.id, data, None, reason=reason, confirm_duplicate=confirm_duplicate
            )
        _print_history("laser", corrected)


@app.command("correct-smp")
@user_errors_exit_2
def correct_smp(
    session_id: SessionArgument,
    date: Annotated[str | None, _option("The right date, YYYY-MM-DD.")] = None,
    practitioner: Annotated[str | None, _option("Who did the session.")] = None,
    needle: Annotated[str | None, _option("The right needle.")] = None,
    area: Annotated[
        list[str] | None,
        typer.Option(
            help="An area worked; repeat for several (replaces the areas logged).",
            show_default=False,
            metavar="<str>",
        ),
    ] = None,
    notes: Annotated[str | None, _option("The right notes.")] = None,
    reason: ReasonOption = None,
    confirm_duplicate: ConfirmMoveOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Correct a logged SMP session: only the options given change (the old values are kept)."""
    from scalpmap.dates import parse_day
    from scalpmap.services._tx import get_or_raise
    from scalpmap.services.session_corrections import correct_smp_session, smp_values
    from scalpmap.services.treatment_sessions import SmpSessionIn
    from scalpmap.store.models import SmpSession

    with open_database(data_dir) as db:
        row = get_or_raise(db.session, SmpSession, session_id, "SMP session")
        changes = _changed(
            {
                "session_date": None if date is None else parse_day(date, "--date"),
                "practitioner_name": None if practitioner is None else practitioner.strip(),
                "needle": None if needle is None else needle.strip(),
                "areas": area or None,
                "notes": notes,
            }
        )
        current = smp_values(row).model_dump()
        data = validated(lambda: SmpSessionIn.model_validate(current | changes))
        with same_day_hint():
            corrected = correct_smp_session(
                db.session, row.id, data, None, reason=reason, confirm_duplicate=confirm_duplicate
            )
        _print_history("SMP", corrected)


@app.command("void")
@user_errors_exit_2
def void(
    kind: Annotated[
        Literal["laser", "smp"], typer.Argument(help="Which log: laser or smp.", show_default=False)
    ],
    session_id: SessionArgument,
    reason: Annotated[str, typer.Option(help="Why it is void, e.g. 'logged twice'.")],
    data_dir: DataDirOption = None,
) -> None:
    """Void a session logged by mistake: it is kept, but counts nowhere."""
    from scalpmap.services.session_corrections import void_session

    with open_database(data_dir) as db:
        row = void_session(db.session, kind, session_id, reason, None)
        console.print(
            f"{'laser' if kind == 'laser' else 'SMP'} session {row.id} of case {row.case_id} "
            f"({row.session_date}) is void: it counts nowhere now"
        )
