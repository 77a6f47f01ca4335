"""The clinic's own settings: ``scalpmap clinic show`` and ``scalpmap clinic set``.

The name, address, contact and logo head every report, letter and calendar, and the public
enquiry page; dates and times are shown in the clinic's time zone. Both commands read the
database of ``--data-dir`` (or ``SCALPMAP_DATA_DIR``, or ``SCALPMAP_DATABASE_URL``), as
``scalpmap serve`` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scalpmap.cli.console import lazy_console
from scalpmap.cli.db_cmd import DataDirOption
from scalpmap.cli.errors import user_errors_exit_2
from scalpmap.errors import InputError

if TYPE_CHECKING:  # the database layer loads inside the commands, so that --help answers at once
    from sqlalchemy.orm import Session

    from scalpmap.clinic_identity import ClinicIdentity

__all__ = ["app", "set_settings", "show"]

console = lazy_console(highlight=False, soft_wrap=True)

app = typer.Typer(
    name="clinic",
    help="Show or change the clinic's name, address, contact, logo and time zone.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _text(help_text: str) -> Any:
    return typer.Option(help=f"{help_text} (an empty value clears it).", show_default=False)


@contextmanager
def _database(data_dir: Path | None) -> Iterator[Session]:
    from scalpmap.config import get_settings
    from scalpmap.store.engine import create_engine_for, make_session_factory
    from scalpmap.store.migrate import ensure_schema

    settings = get_settings(data_dir=data_dir)
    engine = create_engine_for(settings)
    try:
        ensure_schema(engine)
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _print(clinic: ClinicIdentity) -> None:
    from scalpmap.clinic_identity import REPORT_LANGUAGES

    def shown(value: str) -> str:
        return value or "-"

    logo = "-"
    if clinic.logo:
        kind = "SVG" if clinic.logo_media_type == "image/svg+xml" else "PNG"
        logo = f"{kind}, {len(clinic.logo) / 1000:.1f} kB"
    rows = [
        (
            "Clinic name",
            shown(clinic.name) if clinic.is_named else "- (not set: documents show none)",
        ),
        ("Address", shown("; ".join(clinic.address.splitlines()))),
        ("Postcode", shown(clinic.postcode)),
        ("City", shown(clinic.city)),
        ("Country", f"{clinic.country_name} ({clinic.country})" if clinic.country else "-"),
        ("Phone", shown(clinic.phone)),
        ("Email", shown(clinic.email)),
        ("Website", shown(clinic.website)),
        ("Logo", logo),
        ("Time zone", clinic.time_zone),
        ("Report language", REPORT_LANGUAGES.get(clinic.report_language, clinic.report_language)),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        console.print(f"{label:<{width}}  {value}")


@app.command("show")
@user_errors_exit_2
def show(data_dir: DataDirOption = None) -> None:
    """Show the clinic's settings."""
    from scalpmap.services.clinic import get_clinic_settings

    with _database(data_dir) as session:
        _print(get_clinic_settings(session))


@app.command("set")
@user_errors_exit_2
def set_settings(
    name: Annotated[str | None, _text("The clinic's name, as documents head it")] = None,
    address: Annotated[
        str | None, _text("Street and number; separate lines with ';' or a new line")
    ] = None,
    postcode: Annotated[str | None, _text("The postcode")] = None,
    city: Annotated[
        str | None, _text("The city (facility ranking uses it when a patient has none)")
    ] = None,
    country: Annotated[str | None, _text("The country, by name or code, e.g. 'DE'")] = None,
    phone: Annotated[str | None, _text("The phone number, e.g. '+44 20 7946 0000'")] = None,
    email: Annotated[
        str | None, _text("The email address facilities and patients write to")
    ] = None,
    website: Annotated[str | None, _text("The website, e.g. www.yourclinic.example")] = None,
    time_zone: Annotated[
        str | None,
        typer.Option(
            "--time-zone",
            help="IANA time zone that dates and times are shown in, e.g. Europe/London "
            "[default: UTC].",
            show_default=False,
        ),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(help="The reports' language: en (English).", show_default=False),
    ] = None,
    logo: Annotated[
        Path | None,
        typer.Option(
            help="A PNG or SVG logo of at most 1 MB (an SVG is cleaned of scripts and links).",
            show_default=False,
        ),
    ] = None,
    remove_logo: Annotated[
        bool, typer.Option("--remove-logo", help="Remove the logo.", show_default=False)
    ] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Change the clinic's settings; only the options given change, then all are shown."""
    from scalpmap.services.clinic import (
        check_clinic_changes,
        get_clinic_settings,
        remove_clinic_logo,
        set_clinic_logo,
        update_clinic_settings,
    )

    if logo is not None and remove_logo:
        raise InputError("--logo contradicts --remove-logo; give one of them")
    values = {
        "name": name,
        "address": None if address is None else address.replace(";", "\n"),
        "postcode": postcode,
        "city": city,
        "country": country,
        "phone": phone,
        "email": email,
        "website": website,
        "time_zone": time_zone,
        "report_language": language,
    }
    if all(value is None for value in values.values()) and logo is None and not remove_logo:
        raise InputError("nothing to set: give e.g. --name 'Your Clinic' (see --help)")
    check_clinic_changes(values)  # every typed value is checked before anything is stored
    data = None
    if logo is not None:
        from scalpmap.clinic_logo import check_logo, read_logo_file

        data = read_logo_file(logo)
        check_logo(data, logo.name)  # before anything is stored
    with _database(data_dir) as session:
        update_clinic_settings(session, values)
        if data is not None and logo is not None:
            checked = set_clinic_logo(session, data, logo.name)
            if checked.removed:
                console.print(f"note: removed from the SVG logo: {', '.join(checked.removed)}")
        if remove_logo and not remove_clinic_logo(session):
            console.print("note: there was no logo to remove")
        _print(get_clinic_settings(session))
