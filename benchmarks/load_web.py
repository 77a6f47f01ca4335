"""A bounded load test of the clinic web app: 20 concurrent users, no errors, no lost writes.

Against a real server, ``python -m scalpmap serve --port P --data-dir D`` on 127.0.0.1, on SQLite
(the default, 1 worker) and on PostgreSQL (``--workers 2``, a fresh database made for the run and
dropped afterwards). 20 practitioners are created through ``scalpmap.services.users``; each signs
in for its own API token (``POST /api/auth/token``), then all 20 run at once, each for a fixed
number of iterations (25) within a time limit (150 s): create a patient, open a case, read both
back, change the patient's notes twice, list the patients, search for its own patients. Every
answer that is not 2xx (or no answer) is an error. After the run the server is stopped and the
database is read directly: every patient and case whose creation was acknowledged must exist,
linked, with the notes of the last acknowledged change (else it is a lost write), and every
acknowledged creation and change must have its audit row. Written to the ``web-load`` section of
``docs/benchmarks.md``.

Run ``.venv/bin/python benchmarks/load_web.py --help`` for the options.
"""

from __future__ import annotations

import os

os.environ["OMP_NUM_THREADS"] = "2"
os.environ["OPENBLAS_NUM_THREADS"] = "2"
os.environ["MKL_NUM_THREADS"] = "2"

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench_common import DEFAULT_REPORT, machine_lines, markdown_table, replace_section
from load_web_backend import run_backend
from load_web_report import (
    backend_ok,
    closed_connection_note,
    error_lines,
    operation_rows,
    summary_rows,
)
from load_web_users import (
    ITERATIONS,
    REQUEST_TIMEOUT_S,
    SIGNIN_ATTEMPTS,
    TIME_LIMIT_S,
    USERS,
    LoadResult,
)
from web_bench_common import CORES, limit_cores, load_average, software_line
from web_bench_db import POSTGRES_ADMIN_URL, postgres_database, postgres_version, sqlite_url

SECTION = "web-load"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load test and write its report section.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments.

    Returns
    -------
    int
        0 (the report says whether the goals were met).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT, help="markdown report")
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_ADMIN_URL,
        help="a database of the PostgreSQL server, as a user that may create databases "
        "(a fresh scalpmap_bench_<random> database is made there and dropped afterwards)",
    )
    parser.add_argument("--no-postgres", action="store_true", help="test SQLite only")
    parser.add_argument("--keep-logs", type=Path, help="copy the servers' logs to this folder")
    args = parser.parse_args(argv)
    console = Console(width=None if sys.stdout.isatty() else 200)
    affinity = limit_cores(CORES)
    load_before = load_average()
    started = time.perf_counter()
    pg_version = None if args.no_postgres else postgres_version(args.postgres_url)
    sqlite = LoadResult("SQLite", workers=1)
    postgres = LoadResult("PostgreSQL", workers=2)
    results = [sqlite, postgres]
    if args.no_postgres:
        postgres.error = "skipped (--no-postgres)"
    elif pg_version is None:
        postgres.error = f"no PostgreSQL answered at {args.postgres_url}"
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with (
        tempfile.TemporaryDirectory(prefix="scalpmap-load-web-") as folder,
        Progress(*columns, console=console) as progress,
    ):
        for result in results:
            if result.error:
                continue
            data_dir = Path(folder) / result.name.lower()
            data_dir.mkdir()
            try:
                if result is sqlite:
                    run_backend(
                        result, data_dir, sqlite_url(data_dir), progress, console, args.keep_logs
                    )
                else:
                    with postgres_database(args.postgres_url) as url:
                        run_backend(result, data_dir, url, progress, console, args.keep_logs)
            except Exception as error:  # reported in the section; the script goes on
                result.error = f"{type(error).__name__}: {error}".splitlines()[0]
                console.log(f"[red]{result.name} failed:[/red] {error}")
    seconds = time.perf_counter() - started
    finished = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    summary_header, summary = summary_rows(results)
    op_header, ops = operation_rows(results)
    goals = [
        [
            f"{USERS} concurrent users, {result.name}",
            "every iteration done, 0 errors, 0 lost writes",
            (
                f"{result.iterations}/{USERS * ITERATIONS} iterations, {result.errors} errors, "
                f"{result.lost_writes} lost writes, {sum(result.wrong_answers.values())} wrong "
                f"answers, {result.checks.get('audit rows missing', 'n/a')} audit rows missing, "
                f"{sum(result.signin_failures.values())} failed token requests"
                if result.error is None
                else f"not measured: {result.error}"
            ),
            "pass" if backend_ok(result) else "**FAIL**",
        ]
        for result in results
    ]
    body = "\n".join(
        [
            "## Clinic web app: load (20 concurrent users)",
            "",
            "Reproduce with:",
            "",
            "```sh",
            ".venv/bin/python benchmarks/load_web.py",
            "```",
            "",
            "A real server, `python -m scalpmap serve --port P --data-dir D`, on a fresh SQLite "
            "file (default: 1 worker) and on a fresh PostgreSQL database "
            "`scalpmap_bench_<random>` (`--workers 2`; dropped afterwards). "
            f"{USERS} practitioners are created through `scalpmap.services.users.create_user`; "
            "each gets its own token from `POST /api/auth/token`, all at once, each with its own "
            "`X-Forwarded-For` address (the server trusts it from 127.0.0.1), as workstations "
            "behind the clinic's proxy would: from one address the sign-in limit, 20 attempts "
            "per 5 minutes, would leave no room for a retry. A failed token request is retried "
            f"(up to {SIGNIN_ATTEMPTS} attempts) and counts against the goal. Then the "
            f"{USERS} users run at once (asyncio, httpx, one keep-alive connection each), each "
            f"for {ITERATIONS} iterations or until {TIME_LIMIT_S:.0f} s have passed, with no "
            "pause between requests: `POST /api/patients` (notes `created`), `POST /api/cases`, "
            "`GET` both back (the patient must list the case), `PATCH` the patient's notes "
            "twice, list 20 patients and search its own (the new patient must be found). "
            f"Any answer that is not 2xx, or none within {REQUEST_TIMEOUT_S:.0f} s, is an error; "
            "a 2xx answer that contradicts an acknowledged write is a wrong answer. Then the "
            "server is stopped (SIGINT) and the database read directly: a patient or case whose "
            "creation was acknowledged but is missing or unlinked, or a patient whose notes are "
            "not the last acknowledged value, is a lost write; every acknowledged creation and "
            "change must have its audit row. Latencies are the client's, on the same 2 cores "
            "as the server.",
            "",
            f"- Finished {finished}, after {seconds:.0f} s. Load average (1 min) "
            f"{load_before:.2f} before, {load_average():.2f} after.",
            *machine_lines(),
            software_line() + (f", PostgreSQL {pg_version} (127.0.0.1:5432)" if pg_version else ""),
            f"- Limited to {CORES} cores: `OMP_NUM_THREADS={CORES}` (and `OPENBLAS_NUM_THREADS`, "
            f"`MKL_NUM_THREADS`); {affinity}, inherited by the servers. PostgreSQL's own "
            "processes are not pinned.",
            *error_lines(results),
            *closed_connection_note(results),
            "",
            markdown_table(summary_header, summary),
            "",
            markdown_table(op_header, ops),
            "",
            "### Goals",
            "",
            markdown_table(["goal", "target", "measured", "verdict"], goals, numeric=False),
        ]
    )
    replace_section(args.out, SECTION, body)
    table = Table(title=f"Load: {USERS} concurrent users")
    for column in summary_header:
        table.add_column(column, justify="left" if column == "measure" else "right")
    for row in summary:
        table.add_row(*row)
    console.print(table)
    table = Table(title="Per operation")
    for column in op_header:
        table.add_column(column.replace("`", ""))
    for row in ops:
        table.add_row(*(cell.replace("`", "") for cell in row))
    console.print(table)
    for goal in goals:
        style = "green" if goal[3] == "pass" else "red"
        console.print(f"[{style}]{goal[3].replace('**', '')}[/{style}] {goal[0]}: {goal[2]}")
    console.print(f"wrote the '{SECTION}' section of {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
