"""The web speed benchmark's goals and tables: the markdown sections and the console summary."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from bench_common import markdown_table
from web_bench_common import percentiles_ms
from web_speed_breakdown import BREAKDOWN_STEPS, breakdown_lines
from web_speed_runs import (
    PAGE_REQUESTS,
    PAGE_WARMUP_ROUNDS,
    PAGES,
    PATIENTS,
    POLL_S,
    UPLOAD_SEEDS,
    UPLOAD_STEPS,
    BackendResult,
)

PAGE_GOAL_MS = 100.0
UPLOAD_GOAL_S = 2.0


def median_upload(result: BackendResult) -> dict[str, float]:
    """Median of each upload step over the measured runs (the warm-up left out).

    Parameters
    ----------
    result : BackendResult
        The results.

    Returns
    -------
    dict
        Step → median seconds (empty when no run).
    """
    runs = result.uploads[1:]
    if not runs:
        return {}
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def verdict(ok: bool) -> str:
    return "pass" if ok else "**FAIL**"


def upload_section(result: BackendResult) -> list[str]:
    """Build the upload subsection's lines.

    Parameters
    ----------
    result : BackendResult
        The SQLite results.

    Returns
    -------
    list of str
        Markdown lines.
    """
    lines = [
        f"### A 12-megapixel upload, analysed and shown ({result.name}, {result.workers} worker)",
        "",
    ]
    if result.error and not result.uploads:
        return [*lines, f"Not measured: {result.error}", ""]
    header = ["run", *(f"{step} s" for step in UPLOAD_STEPS), "server analysis s", "polls"]
    rows = []
    for index, run in enumerate(result.uploads):
        label = "warm-up (not counted)" if index == 0 else f"seed {UPLOAD_SEEDS[index - 1]}"
        rows.append(
            [
                label,
                *(f"{run[step]:.2f}" for step in UPLOAD_STEPS),
                f"{run['server analysis']:.2f}",
                f"{run['polls']:.0f}",
            ]
        )
    median = median_upload(result)
    if median:
        rows.append(
            [
                f"**median of {len(result.uploads) - 1}**",
                *(f"**{median[step]:.2f}**" for step in UPLOAD_STEPS),
                f"{median['server analysis']:.2f}",
                f"{median['polls']:.0f}",
            ]
        )
        browser = median["upload"] + math.ceil(median["analysis wait"]) + median["overlay fetch"]
    lines += [
        "`SynthOptions(seed=s, width_px=4000, height_px=3000)` close-ups, "
        + ", ".join(f"{run['photo MB']:.1f} MB" for run in result.uploads)
        + " JPEGs (warm-up first), uploaded with a bearer token as multipart "
        "(`view=front`, scale from the printed marker) to a case of a fresh patient in the "
        f"seeded database. *upload*: the POST until its 201 answer (the photo stored and its "
        f"analysis queued); *analysis wait*: from there, polling `GET /api/photos/{{id}}/analysis` "
        f"every {POLL_S * 1000:.0f} ms until `done` (the last poll carries the analysis.json, "
        "so up to 50 ms of the wait is the polling step); *overlay fetch*: "
        "`GET /api/photos/{id}/overlay.png`; *server analysis*: `finished_at - started_at` of "
        "the analysis row (decode, analysis, overlay PNG, write).",
        "",
        markdown_table(header, rows),
        "",
    ]
    if median:
        found = ", ".join(f"{run['count']:.0f}" for run in result.uploads[1:])
        lines += [
            f"Impressions found: {found}. The photo page (`/photos/{{id}}`, `analysis.js`) polls "
            "once a second, starting 1 s after it loads, so in a browser the result appears "
            f"about {browser:.1f} s after the upload starts (upload + the analysis wait rounded "
            "up to whole seconds + overlay), plus the page reload; the API client above polls "
            "every 50 ms.",
            "",
        ]
    return lines + breakdown_lines(result.breakdown)


def pages_section(results: Sequence[BackendResult]) -> list[str]:
    """Build the pages subsection's lines.

    Parameters
    ----------
    results : sequence of BackendResult
        Per backend.

    Returns
    -------
    list of str
        Markdown lines.
    """
    measured = [r for r in results if r.pages]
    lines = [f"### Pages over {PATIENTS:,} patients", ""]
    for result in results:
        if result.error:
            lines += [f"- {result.name}: **not fully measured**: {result.error}"]
    lines += [
        f"{PATIENTS:,} patients, each with one case (random stage, `updated_at` spread over a "
        "year), bulk-inserted with SQLAlchemy (`insert(...).returning(...)`; "
        + ", ".join(f"{r.name} {r.seed_seconds:.1f} s" for r in measured)
        + "). The admin signs in through the `/signin` form (its CSRF token), then one client "
        f"with the session cookie sends {PAGE_WARMUP_ROUNDS} warm-up rounds and "
        f"{PAGE_REQUESTS} measured rounds, each round one request per page in turn, one at a "
        "time over a keep-alive connection; times are the client's, from sending to the last "
        "byte of the answer. Random seeded patients and cases (fixed seed); the searches "
        "(`POST /patients/search` with the form's `csrf_token` and `q`, and "
        "`GET /api/patients?q=`) look for the last name of a random seeded patient, about "
        f"1 % of the patients (each answers at most 50). Every view is audited, so each "
        "request also writes an audit row. Servers: "
        + ", ".join(
            f"{r.name} {r.workers} worker{'s' if r.workers > 1 else ''}, started in "
            f"{r.start_seconds:.1f} s"
            for r in measured
        )
        + ".",
        "",
    ]
    header = ["page"]
    for result in measured:
        header += [f"{result.name} p50 ms", f"{result.name} p95 ms", f"{result.name} max ms"]
    header += ["answer KB", "not 200"]
    rows = []
    for page in PAGES:
        row = [f"`{page}`"]
        for result in measured:
            stats = percentiles_ms(result.pages[page])
            row += [f"{stats['p50']:.1f}", f"{stats['p95']:.1f}", f"{stats['max']:.1f}"]
        row.append(
            " / ".join(f"{r.sizes[page] / 1000:.1f}" for r in measured) if measured else "n/a"
        )
        row.append(" / ".join(str(r.wrong[page]) for r in measured) if measured else "n/a")
        rows.append(row)
    lines += [markdown_table(header, rows), ""]
    if len(measured) > 1:
        lines += [
            "*answer KB* and *not 200* list "
            + " / ".join(r.name for r in measured)
            + " (answers counted under *not 200* include those that showed no record).",
            "",
        ]
    return lines


def goal_rows(results: Sequence[BackendResult], upload: BackendResult) -> list[list[str]]:
    """Build the goals table's rows.

    Parameters
    ----------
    results : sequence of BackendResult
        Per backend.
    upload : BackendResult
        The backend with the uploads.

    Returns
    -------
    list of list of str
        Rows.
    """
    median = median_upload(upload)
    if median:
        total = median["total"]
        rows = [
            [
                "12 MP upload analysed and shown (median total)",
                f"< {UPLOAD_GOAL_S:g} s",
                f"{total:.2f} s (upload {median['upload']:.2f} + wait "
                f"{median['analysis wait']:.2f} + overlay {median['overlay fetch']:.2f})",
                verdict(total < UPLOAD_GOAL_S),
            ]
        ]
    else:
        rows = [
            [
                "12 MP upload analysed and shown",
                f"< {UPLOAD_GOAL_S:g} s",
                "not measured",
                "**FAIL**",
            ]
        ]
    for result in results:
        if not result.pages:
            rows.append(
                [f"pages p95, {result.name}", f"< {PAGE_GOAL_MS:g} ms", "not measured", "**FAIL**"]
            )
            continue
        p95 = {page: percentiles_ms(times)["p95"] for page, times in result.pages.items()}
        worst = max(p95, key=lambda page: p95[page])
        wrong = sum(result.wrong.values())
        ok = p95[worst] < PAGE_GOAL_MS and wrong == 0 and result.error is None
        measured = f"worst `{worst}` {p95[worst]:.1f} ms"
        if wrong:
            measured += f"; {wrong} answers not 200"
        rows.append(
            [f"every page's p95, {result.name}", f"< {PAGE_GOAL_MS:g} ms", measured, verdict(ok)]
        )
    return rows


def print_summary(console: Console, results: Sequence[BackendResult]) -> None:
    """Print the figures as rich tables.

    Parameters
    ----------
    console : Console
        Where.
    results : sequence of BackendResult
        Per backend.
    """
    for result in results:
        if result.uploads:
            table = Table(title=f"12 MP upload, {result.name} (s)")
            table.add_column("run")
            for step in (*UPLOAD_STEPS, "server analysis"):
                table.add_column(step, justify="right")
            for index, run in enumerate(result.uploads):
                label = "warm-up" if index == 0 else f"seed {UPLOAD_SEEDS[index - 1]}"
                table.add_row(label, *(f"{run[s]:.2f}" for s in (*UPLOAD_STEPS, "server analysis")))
            median = median_upload(result)
            if median:
                table.add_row(
                    "median", *(f"{median[s]:.2f}" for s in (*UPLOAD_STEPS, "server analysis"))
                )
            console.print(table)
        if result.breakdown:
            table = Table(title="Analysis steps, in-process (s)")
            table.add_column("step")
            for index in range(len(result.breakdown)):
                table.add_column(f"run {index + 1}", justify="right")
            for step in BREAKDOWN_STEPS:
                table.add_row(step, *(f"{run[step]:.2f}" for run in result.breakdown))
            console.print(table)
    table = Table(title=f"Pages over {PATIENTS:,} patients (ms)")
    table.add_column("page")
    measured = [r for r in results if r.pages]
    for result in measured:
        table.add_column(f"{result.name} p50", justify="right")
        table.add_column(f"{result.name} p95", justify="right")
        table.add_column("not 200", justify="right")
    for page in PAGES:
        cells = [page]
        for result in measured:
            stats = percentiles_ms(result.pages[page])
            style = "red" if stats["p95"] >= PAGE_GOAL_MS else "green"
            cells += [
                f"{stats['p50']:.1f}",
                f"[{style}]{stats['p95']:.1f}[/{style}]",
                str(result.wrong[page]),
            ]
        table.add_row(*cells)
    console.print(table)
