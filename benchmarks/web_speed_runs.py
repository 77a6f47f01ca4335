"""The web speed benchmark's measurements: the photos, the pages and the uploads, per backend."""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
from rich.console import Console
from rich.progress import Progress

from scalpmap.imaging.synth import SynthOptions, write_synthetic_photo
from web_bench_db import Seeded, create_admin_cli, seed_patients
from web_bench_server import api_token, run_server, sign_in_browser

PATIENTS = 10_000
PAGE_REQUESTS = 100
PAGE_WARMUP_ROUNDS = 5
UPLOAD_SEEDS = (7, 8, 9)
UPLOAD_WARMUP_SEED = 6
WIDTH_PX, HEIGHT_PX = 4000, 3000
POLL_S = 0.05
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
