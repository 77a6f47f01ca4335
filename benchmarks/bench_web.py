"""Speed of the clinic web app: a 12 MP upload analysed and shown, and pages over 10,000 patients.

Both measured against a real server, ``python -m scalpmap serve --port P --data-dir D`` in a
subprocess, from a client on 127.0.0.1; server and client share the same 2 cores. Written to
the ``web-speed`` section of ``docs/benchmarks.md``.

1. Upload (SQLite): an admin made with ``scalpmap users create --admin --password-stdin`` gets
   a token, creates a patient and a case, then for each of 3 synthetic 12 MP JPEGs (different
   seeds, so that none is deduplicated): ``POST /api/cases/{id}/photos``, poll
   ``GET /api/photos/{id}/analysis`` every 50 ms until ``done``, ``GET`` the overlay PNG.
   Median of 3 after one warm-up upload.
2. Pages: 10,000 patients with one case each are bulk-inserted, the admin signs in through the
   ``/signin`` form, and each page is requested 100 times (after 5 warm-up rounds, pages
   interleaved), on SQLite (1 worker) and on PostgreSQL (2 workers, a fresh database).

Run ``.venv/bin/python benchmarks/bench_web.py --help`` for the options.
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
from web_bench_common import CORES, limit_cores, load_average, software_line
from web_bench_db import POSTGRES_ADMIN_URL, postgres_database, postgres_version, sqlite_url
from web_speed_breakdown import analysis_breakdown
from web_speed_report import goal_rows, pages_section, print_summary, upload_section
from web_speed_runs import BackendResult, make_photos, run_backend

SECTION = "web-speed"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and write its report section.

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
    parser.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    args = parser.parse_args(argv)
    console = Console(width=None if sys.stdout.isatty() else 200)
    affinity = limit_cores(CORES)
    load_before = load_average()
    started = time.perf_counter()
    pg_version = None if args.no_postgres else postgres_version(args.postgres_url)
    sqlite = BackendResult("SQLite", workers=1)
    postgres = BackendResult("PostgreSQL", workers=2)
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
    with tempfile.TemporaryDirectory(prefix="scalpmap-bench-web-") as folder:
        root = Path(folder)
        with Progress(*columns, console=console) as progress:
            photos = make_photos(root, progress)
            for result in results:
                if result.error:
                    continue
                data_dir = root / result.name.lower()
                data_dir.mkdir()
                try:
                    if result is sqlite:
                        run_backend(
                            result, data_dir, sqlite_url(data_dir), photos, progress, console
                        )
                    else:
                        with postgres_database(args.postgres_url) as url:
                            run_backend(result, data_dir, url, [], progress, console)
                except Exception as error:  # reported in the section; the script goes on
                    result.error = f"{type(error).__name__}: {error}".splitlines()[0]
                    console.log(f"[red]{result.name} failed:[/red] {error}")
            task = progress.add_task("analysis steps in-process", total=None)
            sqlite.breakdown = analysis_breakdown(photos[1])
            progress.update(task, total=1, completed=1)
    seconds = time.perf_counter() - started
    finished = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    goals = goal_rows(results, sqlite)
    body = "\n".join(
        [
            "## Clinic web app: speed",
            "",
            "Reproduce with:",
            "",
            "```sh",
            ".venv/bin/python benchmarks/bench_web.py",
            "```",
            "",
            "A real server, `python -m scalpmap serve --port P --data-dir D` (uvicorn, the "
            "default log configuration, access log on) in a subprocess, with "
            "`SCALPMAP_DATABASE_URL` set to a fresh SQLite file in a temporary data directory, "
            "or to a fresh PostgreSQL database `scalpmap_bench_<random>` made for the run and "
            "dropped afterwards; the admin is made with `scalpmap users create ... --admin "
            "--password-stdin`. The client (httpx, one connection) runs on the same machine "
            "and the same cores as the server.",
            "",
            f"- Finished {finished}, after {seconds:.0f} s. Load average (1 min) "
            f"{load_before:.2f} before, {load_average():.2f} after.",
            *machine_lines(),
            software_line() + (f", PostgreSQL {pg_version} (127.0.0.1:5432)" if pg_version else ""),
            f"- Limited to {CORES} cores: `OMP_NUM_THREADS={CORES}` (and `OPENBLAS_NUM_THREADS`, "
            f"`MKL_NUM_THREADS`) for the benchmark and the servers it starts; {affinity}, "
            "inherited by the servers. PostgreSQL's own processes are not pinned.",
            "",
            *upload_section(sqlite),
            *pages_section(results),
            "### Goals",
            "",
            markdown_table(["goal", "target", "measured", "verdict"], goals, numeric=False),
        ]
    )
    replace_section(args.out, SECTION, body)
    print_summary(console, results)
    goal_table = Table(title="Goals")
    for column in ("goal", "target", "measured", "verdict"):
        goal_table.add_column(column)
    for row in goals:
        goal_table.add_row(*(cell.replace("**", "").replace("`", "") for cell in row))
    console.print(goal_table)
    console.print(f"wrote the '{SECTION}' section of {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
