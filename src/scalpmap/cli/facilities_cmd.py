"""Manage the laser facility directory: ``scalpmap facilities import|export|list|match``."""

from __future__ import annotations

import csv
import functools
import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer

from scalpmap.cli.console import lazy_console
from scalpmap.cli.db_cmd import DataDirOption
from scalpmap.cli.errors import USER_ERROR_EXIT_CODE, stderr_console, user_errors_exit_2
from scalpmap.errors import InputError

if TYPE_CHECKING:  # the database layer loads inside the commands, so that --help answers at once
    from sqlalchemy.orm import Session

__all__ = ["app", "export", "import_", "list_", "match"]

console = lazy_console(highlight=False, soft_wrap=True)
P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="facilities",
    help="Manage the directory of partner laser facilities (docs/facilities-csv.md).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@contextmanager
def _session(data_dir: Path | None) -> Iterator[Session]:
    from scalpmap.config import get_settings
    from scalpmap.store.engine import create_engine_for, make_session_factory
    from scalpmap.store.migrate import ensure_schema

    engine = create_engine_for(get_settings(data_dir=data_dir))
    try:
        ensure_schema(engine)
        with make_session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _bad_rows_exit_2(func: Callable[P, R]) -> Callable[P, R]:
    """Print a bad CSV as ``error: summary`` then one ``  line N: reason`` line per problem."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from scalpmap.facilities.csv_io import FacilityCsvError

        try:
            return func(*args, **kwargs)
        except FacilityCsvError as error:
            stderr_console.print(f"[bold red]error:[/] {error}", markup=True)
            for problem in error.problems:
                stderr_console.print(f"  {problem}", markup=False)
            raise typer.Exit(code=USER_ERROR_EXIT_CODE) from None

    return wrapper


@app.command("import")
@user_errors_exit_2
@_bad_rows_exit_2
def import_(
    file: Annotated[Path, typer.Argument(help="The CSV file (docs/facilities-csv.md).")],
    data_dir: DataDirOption = None,
) -> None:
    """Import facilities from CSV: all rows or, when any row is bad, none."""
    from scalpmap.services import facility_csv as service

    try:
        data = file.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read {file}: {error.strerror or error}") from None
    with _session(data_dir) as session:
        counts = service.import_csv(session, data, source=file.name)
    total = counts.created + counts.updated
    console.print(
        f"imported {total} facilit{'y' if total == 1 else 'ies'} from {file.name}: "
        f"{counts.created} new, {counts.updated} updated, {counts.geocoded} located by city"
    )


@app.command("export")
@user_errors_exit_2
def export(
    file: Annotated[Path, typer.Argument(help="The CSV file to write; '-' for standard output.")],
    data_dir: DataDirOption = None,
) -> None:
    """Export the directory as CSV that 'scalpmap facilities import' reads back."""
    from scalpmap.services import facility_csv as service

    with _session(data_dir) as session:
        text = service.export_csv(session)
    count = max(0, len(list(csv.reader(io.StringIO(text, newline="")))) - 1)
    if str(file) == "-":
        sys.stdout.write(text)
        return
    try:
        file.write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        raise InputError(f"cannot write {file}: {error.strerror or error}") from None
    console.print(f"exported {count} facilit{'y' if count == 1 else 'ies'} to {file}")


@app.command("list")
@user_errors_exit_2
def list_(
    country: Annotated[
        str | None, typer.Option(help="Only this country (name or ISO code).", show_default=False)
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """List the directory: id, name, place, lasers, SMP and skin types."""
    from scalpmap.facilities.fields import Laser, format_fitzpatrick
    from scalpmap.services import facilities as service

    with _session(data_dir) as session:
        facilities = service.list_facilities(session, country=country)
    if not facilities:
        console.print("no facilities; add some with 'scalpmap facilities import FILE.csv'")
    for f in facilities:
        lasers = "; ".join(str(Laser.from_json(item)) for item in f.lasers) or "no laser"
        skin = format_fitzpatrick(f.fitzpatrick_min, f.fitzpatrick_max) or "not stated"
        where = f"{f.city}, {f.country}" + (" (city centre)" if f.geocoded else "")
        smp = "treats SMP" if f.treats_smp else "no SMP"
        console.print(f"{f.id:>4}  {f.name} — {where} — {lasers} — {smp} — skin {skin}")


@app.command("match")
@user_errors_exit_2
def match(
    case_id: Annotated[int, typer.Argument(help="The case whose patient is referred.")],
    data_dir: DataDirOption = None,
) -> None:
    """Rank the facilities for a case's patient and say why each is ranked or excluded."""
    from scalpmap.services import facility_match as service

    with _session(data_dir) as session:
        result = service.match_for_case(session, case_id)
    for note in result.notes:
        console.print(f"note: {note}")
    for entry in result.ranked:
        distance = "" if entry.distance_km is None else f", {entry.distance_km:.0f} km"
        console.print(
            f"{entry.rank}. {entry.facility.name} ({entry.facility.city}{distance}; "
            f"score {entry.score:g})"
        )
        for reason in entry.reasons:
            console.print(f"   - {reason}")
    for excluded in result.excluded:
        console.print(f"x  {excluded.facility.name} ({excluded.facility.city})")
        for reason in excluded.reasons:
            console.print(f"   - {reason}")
