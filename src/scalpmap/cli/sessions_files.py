"""The ``scalpmap sessions`` commands that write files: ``report`` and ``calendar``.

``report`` writes the case's progress report (HTML, PDF) and its clearance chart (PNG) into a
folder; ``calendar`` writes the case's sessions as an ICS file. Both are registered on the
sessions group by :mod:`scalpmap.cli.sessions_cmd`, in the order its help lists them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scalpmap.cli.db_cmd import DataDirOption
from scalpmap.cli.errors import user_errors_exit_2
from scalpmap.cli.sessions_common import CaseArgument, console, open_database
from scalpmap.errors import InputError

__all__ = ["calendar", "report"]


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
    with open_database(data_dir) as db:
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
    with open_database(data_dir) as db:
        text = case_calendar(db.session, case)
    _write({out: text.encode("utf-8")}, out)
    console.print(f"wrote {out}")
