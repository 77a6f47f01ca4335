"""Refer a case to a laser facility: write the referral letter (HTML and PDF), case to referred.

Uses the case's latest plan version. The letter shows the patient's details only when the
patient's consent is recorded (docs/referrals.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scalpmap.cli.console import lazy_console
from scalpmap.cli.db_cmd import DataDirOption
from scalpmap.cli.errors import user_errors_exit_2
from scalpmap.errors import InputError

__all__ = ["refer"]

console = lazy_console(highlight=False, soft_wrap=True)


@user_errors_exit_2
def refer(
    case: Annotated[int, typer.Argument(help="The case to refer.", show_default=False)],
    facility: Annotated[
        int, typer.Option(help="The laser facility's id (see 'scalpmap facilities list').")
    ],
    out: Annotated[Path, typer.Option(help="Folder for referral-ID.html and referral-ID.pdf.")],
    date: Annotated[
        str | None,
        typer.Option(help="The letter's date, YYYY-MM-DD [default: today].", show_default=False),
    ] = None,
    clinic_name: Annotated[
        str | None,
        typer.Option(
            help="The referring clinic's name in the header and sign-off, for this letter only "
            "[default: the name set with 'scalpmap clinic set'].",
            show_default=False,
        ),
    ] = None,
    signed_by: Annotated[
        str | None, typer.Option(help="Who signs the letter.", show_default=False)
    ] = None,
    pdf: Annotated[bool, typer.Option(help="Also write the PDF.")] = True,
    data_dir: DataDirOption = None,
) -> None:
    """Refer a case to a laser facility and write the referral letter (HTML and PDF)."""
    from scalpmap.config import get_settings
    from scalpmap.dates import parse_day
    from scalpmap.reports.output import write_atomic
    from scalpmap.services import referrals
    from scalpmap.services.clinic import clinic_named
    from scalpmap.store.engine import create_engine_for, make_session_factory
    from scalpmap.store.migrate import ensure_schema
    from scalpmap.store.photos import PhotoStore

    day = None if date is None else parse_day(date, "--date")
    settings = get_settings(data_dir=data_dir)
    engine = create_engine_for(settings)
    try:
        ensure_schema(engine)
        with make_session_factory(engine)() as session:
            referral = referrals.create_referral(session, case, facility, None, referred_on=day)
            letter = referrals.referral_letter(
                session,
                PhotoStore(settings.photos_dir),
                referral.id,
                None,
                clinic=clinic_named(session, clinic_name),
                signed_by=signed_by,
                pdf=pdf,
            )
            name, stage = referral.facility.name, referral.case.stage
    finally:
        engine.dispose()
    try:
        out.mkdir(parents=True, exist_ok=True)
        written = [out / f"referral-{referral.id}.html"]
        write_atomic(written[0], letter.html.encode("utf-8"))
        if letter.pdf is not None:
            written.append(out / f"referral-{referral.id}.pdf")
            write_atomic(written[1], letter.pdf)
    except OSError as error:
        raise InputError(f"cannot write to {out}: {error.strerror or error}") from None
    details = "with" if letter.patient_details else "without (no consent recorded)"
    console.print(
        f"referral {referral.id}: case {case} referred to {name} (drafted; case at {stage}), "
        f"letter {details} patient details"
    )
    for path in written:
        console.print(f"wrote {path}")
