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
import math
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench_common import DEFAULT_REPORT, machine_lines, markdown_table, replace_section
from scalpmap.imaging.synth import SynthOptions, write_synthetic_photo
from web_bench_common import CORES, limit_cores, load_average, percentiles_ms, software_line
from web_bench_db import (
    POSTGRES_ADMIN_URL,
    Seeded,
    create_admin_cli,
    postgres_database,
    postgres_version,
    seed_patients,
    sqlite_url,
)
from web_bench_server import api_token, run_server, sign_in_browser

SECTION = "web-speed"
PATIENTS = 10_000
PAGE_REQUESTS = 100
PAGE_WARMUP_ROUNDS = 5
PAGE_GOAL_MS = 100.0
UPLOAD_SEEDS = (7, 8, 9)
UPLOAD_WARMUP_SEED = 6
WIDTH_PX, HEIGHT_PX = 4000, 3000
POLL_S = 0.05
UPLOAD_GOAL_S = 2.0
ANALYSIS_TIMEOUT_S = 120.0
ADMIN_EMAIL = "admin@bench.example"
SEED = 20240601

PAGES = (
    "GET /",
    "GET /patients",
    "POST /patients/search",
    "GET /patients/{id}",
    "GET /cases/{id}",
    "GET /api/patients?q=",
)
UPLOAD_STEPS = ("upload", "analysis wait", "overlay fetch", "total")


@dataclass
class BackendResult:
    """What one backend measured.

    Attributes
    ----------
    name : str
        ``SQLite`` or ``PostgreSQL``.
    workers : int
        Server worker processes.
    pages : dict
        Page → durations in seconds.
    wrong : dict
        Page → answers that were not 200 (or lacked what they should show).
    sizes : dict
        Page → median body size in bytes.
    uploads : list of dict
        Upload runs (SQLite only); the first is the warm-up.
    breakdown : list of dict
        In-process timings of the analysis steps (SQLite only).
    seed_seconds, start_seconds : float
        Bulk insert and server start-up times.
    error : str or None
        Why the backend could not be measured.
    """

    name: str
    workers: int
    pages: dict[str, list[float]] = field(default_factory=dict)
    wrong: dict[str, int] = field(default_factory=dict)
    sizes: dict[str, float] = field(default_factory=dict)
    uploads: list[dict[str, float]] = field(default_factory=list)
    breakdown: list[dict[str, float]] = field(default_factory=list)
    seed_seconds: float = float("nan")
    start_seconds: float = float("nan")
    error: str | None = None


def make_photos(folder: Path, progress: Progress) -> list[Path]:
    """Write the warm-up and measured 12 MP JPEGs.

    Parameters
    ----------
    folder : Path
        Where.
    progress : Progress
        The progress display.

    Returns
    -------
    list of Path
        Warm-up photo first.
    """
    seeds = (UPLOAD_WARMUP_SEED, *UPLOAD_SEEDS)
    task = progress.add_task("12 MP photos", total=len(seeds))
    paths = []
    for seed in seeds:
        path = folder / f"closeup-{seed}.jpg"
        write_synthetic_photo(path, SynthOptions(seed=seed, width_px=WIDTH_PX, height_px=HEIGHT_PX))
        paths.append(path)
        progress.advance(task)
    return paths


def page_requests(
    client: httpx.Client, csrf: str, seeded: Seeded, rng: random.Random
) -> dict[str, Callable[[], httpx.Response]]:
    """Build one request per page, with a random patient, case or name each time.

    Parameters
    ----------
    client : httpx.Client
        The signed-in client.
    csrf : str
        The session's CSRF token.
    seeded : Seeded
        The seeded rows.
    rng : random.Random
        Chooses the records.

    Returns
    -------
    dict
        Page → a function that sends the request.
    """

    def pick() -> int:
        return rng.randrange(len(seeded.patient_ids))

    def search() -> httpx.Response:
        query = seeded.last_names[pick()]
        return client.post("/patients/search", data={"csrf_token": csrf, "q": query})

    return {
        "GET /": lambda: client.get("/"),
        "GET /patients": lambda: client.get("/patients"),
        "POST /patients/search": search,
        "GET /patients/{id}": lambda: client.get(f"/patients/{seeded.patient_ids[pick()]}"),
        "GET /cases/{id}": lambda: client.get(f"/cases/{seeded.case_ids[pick()]}"),
        "GET /api/patients?q=": lambda: client.get(
            "/api/patients", params={"q": seeded.last_names[pick()]}
        ),
    }


def measure_pages(
    client: httpx.Client,
    csrf: str,
    seeded: Seeded,
    result: BackendResult,
    progress: Progress,
) -> None:
    """Request every page ``PAGE_REQUESTS`` times after warm-up rounds, pages interleaved.

    Parameters
    ----------
    client : httpx.Client
        The signed-in client.
    csrf : str
        The session's CSRF token.
    seeded : Seeded
        The seeded rows.
    result : BackendResult
        Filled in.
    progress : Progress
        The progress display.
    """
    senders = page_requests(client, csrf, seeded, random.Random(SEED))
    rounds = PAGE_WARMUP_ROUNDS + PAGE_REQUESTS
    task = progress.add_task(f"{result.name}: pages", total=rounds * len(PAGES))
    sizes: dict[str, list[int]] = {page: [] for page in PAGES}
    result.pages = {page: [] for page in PAGES}
    result.wrong = dict.fromkeys(PAGES, 0)
    for round_ in range(rounds):
        for page in PAGES:
            start = time.perf_counter()
            answer = senders[page]()
            elapsed = time.perf_counter() - start
            progress.advance(task)
            if round_ < PAGE_WARMUP_ROUNDS:
                continue
            result.pages[page].append(elapsed)
            sizes[page].append(len(answer.content))
            if answer.status_code != 200 or not _shows_something(page, answer):
                result.wrong[page] += 1
    result.sizes = {page: statistics.median(values) for page, values in sizes.items()}


def _shows_something(page: str, answer: httpx.Response) -> bool:
    """Tell whether an answer shows records (a search for a seeded name finds someone)."""
    if page == "GET /api/patients?q=":
        return bool(answer.json())
    if page in ("GET /patients", "POST /patients/search"):
        return "/patients/" in answer.text and "<table" in answer.text
    return True


def measure_upload(client: httpx.Client, photo: Path, case_id: int) -> dict[str, float]:
    """Upload one photo, wait for its analysis, fetch its overlay; time each step.

    Parameters
    ----------
    client : httpx.Client
        A client with a bearer token.
    photo : Path
        The JPEG (read before the clock starts).
    case_id : int
        The case.

    Returns
    -------
    dict
        Seconds per step, plus the server's own analysis time, the polls and the count found.
    """
    data = photo.read_bytes()
    t0 = time.perf_counter()
    answer = client.post(
        f"/api/cases/{case_id}/photos",
        files={"file": (photo.name, data, "image/jpeg")},
        data={"view": "front"},
    )
    t1 = time.perf_counter()
    if answer.status_code != 201:
        raise RuntimeError(f"upload answered {answer.status_code}: {answer.text[:300]}")
    photo_id = answer.json()["id"]
    polls = 0
    while True:
        status = client.get(f"/api/photos/{photo_id}/analysis")
        polls += 1
        if status.status_code != 200:
            raise RuntimeError(f"analysis status answered {status.status_code}: {status.text}")
        body = status.json()
        if body["status"] in ("done", "failed"):
            break
        if time.perf_counter() - t1 > ANALYSIS_TIMEOUT_S:
            raise RuntimeError(f"the analysis was not done after {ANALYSIS_TIMEOUT_S:.0f} s")
        time.sleep(POLL_S)
    t2 = time.perf_counter()
    if body["status"] != "done":
        raise RuntimeError(f"the analysis failed: {body.get('error')}")
    overlay = client.get(body["overlay_url"])
    t3 = time.perf_counter()
    if overlay.status_code != 200 or not overlay.content.startswith(b"\x89PNG"):
        raise RuntimeError(f"the overlay answered {overlay.status_code}")
    started = dt.datetime.fromisoformat(body["started_at"])
    finished = dt.datetime.fromisoformat(body["finished_at"])
    return {
        "upload": t1 - t0,
        "analysis wait": t2 - t1,
        "overlay fetch": t3 - t2,
        "total": t3 - t0,
        "server analysis": (finished - started).total_seconds(),
        "polls": polls,
        "count": float(body["analysis"]["summary"]["count"]),
        "photo MB": len(data) / 1e6,
        "overlay MB": len(overlay.content) / 1e6,
    }


def measure_uploads(
    base_url: str, photos: Sequence[Path], result: BackendResult, progress: Progress
) -> None:
    """Get a token, create a patient and a case, upload each photo.

    Parameters
    ----------
    base_url : str
        The server.
    photos : sequence of Path
        Warm-up photo first.
    result : BackendResult
        Filled in.
    progress : Progress
        The progress display.
    """
    task = progress.add_task(f"{result.name}: uploads", total=len(photos))
    with httpx.Client(base_url=base_url, timeout=120.0) as client:
        client.headers["Authorization"] = f"Bearer {api_token(client, ADMIN_EMAIL)}"
        created = client.post(
            "/api/patients", json={"name": "Upload Bench", "date_of_birth": "1980-05-06"}
        )
        created.raise_for_status()
        case = client.post(
            "/api/cases", json={"patient_id": created.json()["id"], "reason": "reposition"}
        )
        case.raise_for_status()
        for photo in photos:
            result.uploads.append(measure_upload(client, photo, case.json()["id"]))
            progress.advance(task)


def run_backend(
    result: BackendResult,
    data_dir: Path,
    database_url: str,
    photos: Sequence[Path],
    progress: Progress,
    console: Console,
) -> None:
    """Seed a database, start a server on it and measure its pages (and uploads, if any).

    Parameters
    ----------
    result : BackendResult
        Filled in.
    data_dir : Path
        The server's data directory.
    database_url : str
        The database.
    photos : sequence of Path
        Photos to upload (none: skip the uploads).
    progress : Progress
        The progress display.
    console : Console
        For log lines.
    """
    create_admin_cli(data_dir, database_url, ADMIN_EMAIL)
    seeded = seed_patients(data_dir, database_url, PATIENTS, seed=SEED, created_by=ADMIN_EMAIL)
    result.seed_seconds = seeded.seconds
    console.log(f"{result.name}: {PATIENTS} patients and cases inserted in {seeded.seconds:.1f} s")
    with run_server(data_dir, database_url, workers=result.workers) as server:
        result.start_seconds = server.start_seconds
        with httpx.Client(base_url=server.base_url, timeout=60.0) as browser:
            csrf = sign_in_browser(browser, ADMIN_EMAIL)
            measure_pages(browser, csrf, seeded, result, progress)
        if photos:
            measure_uploads(server.base_url, photos, result, progress)


def analysis_breakdown(photo: Path, runs: int = 2) -> list[dict[str, float]]:
    """Time, in this process, the steps ``services.analyses.run_analysis`` runs for a photo.

    Decoding, the analysis, analysis.json, the overlay picture and its PNG encoding, exactly as
    ``run_analysis`` calls them (without the database and the photo store).

    Parameters
    ----------
    photo : Path
        The JPEG.
    runs : int
        How many times.

    Returns
    -------
    list of dict
        Seconds per step, per run; also the overlay's size in pixels and bytes.
    """
    import io

    from PIL import Image

    from scalpmap.imaging.analysis import analyse_photo
    from scalpmap.imaging.analysis_json import analysis_to_json
    from scalpmap.imaging.overlay import render_overlay
    from scalpmap.imaging.photo_io import decode_photo

    data = photo.read_bytes()
    found = []
    for _ in range(runs):
        t0 = time.perf_counter()
        loaded = decode_photo(data)
        t1 = time.perf_counter()
        result = analyse_photo(loaded.rgb, mm_per_px=None)
        t2 = time.perf_counter()
        analysis_to_json(result, source=photo.name)
        t3 = time.perf_counter()
        overlay = render_overlay(loaded.rgb, result)
        t4 = time.perf_counter()
        buffer = io.BytesIO()
        Image.fromarray(overlay).save(buffer, format="PNG")
        t5 = time.perf_counter()
        found.append(
            {
                "decode_photo": t1 - t0,
                "analyse_photo": t2 - t1,
                "analysis_to_json": t3 - t2,
                "render_overlay": t4 - t3,
                "overlay PNG (Pillow, default level)": t5 - t4,
                "total": t5 - t0,
                "overlay px": float(overlay.shape[0] * overlay.shape[1]),
                "overlay w": float(overlay.shape[1]),
                "overlay h": float(overlay.shape[0]),
                "overlay MB": len(buffer.getvalue()) / 1e6,
            }
        )
    return found


BREAKDOWN_STEPS = (
    "decode_photo",
    "analyse_photo",
    "analysis_to_json",
    "render_overlay",
    "overlay PNG (Pillow, default level)",
    "total",
)


def breakdown_lines(runs: Sequence[dict[str, float]]) -> list[str]:
    """Build the lines of the server analysis's breakdown.

    Parameters
    ----------
    runs : sequence of dict
        From :func:`analysis_breakdown`.

    Returns
    -------
    list of str
        Markdown lines (empty without runs).
    """
    if not runs:
        return []
    last = runs[-1]
    rows = [
        [f"`{step}`" if step != "total" else "**total**", *(f"{run[step]:.2f}" for run in runs)]
        for step in BREAKDOWN_STEPS
    ]
    header = ["step (as `run_analysis` calls it)", *(f"run {i + 1} s" for i in range(len(runs)))]
    return [
        "Where the server's analysis time goes: the same calls as "
        "`scalpmap.services.analyses.run_analysis` (decode, analyse, analysis.json, overlay, "
        f"PNG), timed in the benchmark process on the seed-{UPLOAD_SEEDS[0]} photo, "
        f"{len(runs)} runs. The overlay is {last['overlay w']:.0f} x {last['overlay h']:.0f} px "
        f"(`MAX_OVERLAY_SIDE` = 4000 keeps a 12 MP photo at full size) and its PNG "
        f"{last['overlay MB']:.1f} MB.",
        "",
        markdown_table(header, rows),
        "",
    ]


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
