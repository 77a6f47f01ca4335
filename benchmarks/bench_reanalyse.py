"""Batch re-analysis on the queue, and a 20-user load with a worker killed in the middle.

Written to the ``reanalyse`` section of ``docs/benchmarks.md``. On a fresh PostgreSQL database
of the server at ``SCALPMAP_TEST_POSTGRES_URL`` (default 127.0.0.1:5432), with
``SCALPMAP_JOBS=procrastinate``:

1. ``--photos`` small synthetic close-ups (``--size`` pixels wide, 4:3, with their scale given,
   each made distinct by a numbered JPEG comment; small so that the run fits a 2-core machine)
   are stored on one case, without analyses.
2. For 2 and then 4 ``scalpmap worker --concurrency 1`` processes: ``scalpmap reanalyse --case
   ID --no-wait`` queues an analysis of every photo; timed until the last one ended.
3. The load: ``scalpmap serve --workers 2`` and 2 workers (``--stalled-after 10``); ``--users``
   clients each upload ``--per-user`` photos through the API and poll each one's analysis
   until it ends, while one worker is killed with SIGKILL (its whole process group) once a
   third of the analyses are done. Counted: HTTP errors, analyses that never ended (lost),
   and photos with more than one analysis or an analysis that ended more than once
   (duplicates: procrastinate's succeeded jobs per key).

Run ``.venv/bin/python benchmarks/bench_reanalyse.py --help`` for the options.
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx
import psycopg
from PIL import Image
from sqlalchemy import func, select

from bench_backup import new_database, numbered, postgres_missing
from bench_common import (
    DEFAULT_REPORT,
    finished_words,
    machine_lines,
    markdown_table,
    run_facts,
    write_section,
)
from bench_jobs import EMAIL, PASSWORD, setup, start, stop
from scalpmap.config import Settings, get_settings
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.jobs.queue import queue_conninfo
from scalpmap.services import photos
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.models import AnalysisStatus, PhotoAnalysis, User
from scalpmap.store.photos import PhotoStore
from web_bench_server import free_port, stop_server

SECTION = "reanalyse"
WORKER_COUNTS = (2, 4)
ENDED = (AnalysisStatus.DONE, AnalysisStatus.FAILED)


def small_photo(width: int) -> tuple[bytes, float]:
    """One synthetic close-up, ``width`` x 3/4 ``width`` pixels, as JPEG, and its scale.

    At this size the printed marker is too small to read, so the photos are stored and
    uploaded with their scale, as staff give it for a photo without the sticker.
    """
    rgb, truth = generate_scalp_photo(
        SynthOptions(seed=7, width_px=width, height_px=width * 3 // 4)
    )
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=92)
    return buffer.getvalue(), float(truth.mm_per_px)


def store_photos(
    settings: Settings, case_id: int, jpeg: bytes, mm_per_px: float, count: int
) -> None:
    """Store ``count`` numbered copies on the case (no analysis)."""
    engine = create_engine_for(settings)
    store = PhotoStore(settings.photos_dir)
    try:
        with make_session_factory(engine)() as session:
            user = session.scalar(select(User).where(User.email == EMAIL))
            for number in range(count):
                photos.add_photo(
                    session,
                    store,
                    numbered(jpeg, number),
                    case_id=case_id,
                    actor=user,
                    mm_per_px=mm_per_px,
                )
    finally:
        engine.dispose()


def counts(settings: Settings, since_id: int) -> tuple[int, int, int]:
    """Return the analyses after ``since_id``: all, ended, failed."""
    engine = create_engine_for(settings)
    try:
        with make_session_factory(engine)() as session:
            base = select(func.count()).select_from(PhotoAnalysis)
            base = base.where(PhotoAnalysis.id > since_id)
            every = int(session.scalar(base) or 0)
            ended = int(session.scalar(base.where(PhotoAnalysis.status.in_(ENDED))) or 0)
            failed = base.where(PhotoAnalysis.status == AnalysisStatus.FAILED)
            return every, ended, int(session.scalar(failed) or 0)
    finally:
        engine.dispose()


def last_analysis_id(settings: Settings) -> int:
    engine = create_engine_for(settings)
    try:
        with make_session_factory(engine)() as session:
            return int(session.scalar(select(func.max(PhotoAnalysis.id))) or 0)
    finally:
        engine.dispose()


def batch(settings: Settings, work: Path, case_id: int, count: int, workers: int) -> dict[str, Any]:
    """Re-analyse the case's photos with ``workers`` workers; return the figures."""
    started = [
        start(["worker", "--concurrency", "1"], settings, work / f"r{workers}-{i}.log")
        for i in range(workers)
    ]
    try:
        before = last_analysis_id(settings)
        began = time.monotonic()
        queued = start(
            ["reanalyse", "--case", str(case_id), "--no-wait"], settings, work / "reanalyse.log"
        )
        queued.wait(timeout=600)
        queue_s = time.monotonic() - began
        while (now := counts(settings, before))[1] < count:
            time.sleep(1.0)
        elapsed = time.monotonic() - began
    finally:
        for process in started:
            stop(process)
    return {"workers": workers, "photos": now[0], "failed": now[2], "queue_s": queue_s,
            "elapsed": elapsed}  # fmt: skip


class Client(threading.Thread):
    """One client: upload photos through the API, poll each analysis until it ends."""

    def __init__(
        self, base: str, token: str, case_id: int, jpegs: list[bytes], mm_per_px: float
    ) -> None:
        super().__init__(daemon=True)
        self.base, self.case_id, self.jpegs = base, case_id, jpegs
        self.mm_per_px = mm_per_px
        self.headers = {"Authorization": f"Bearer {token}"}
        self.errors: list[str] = []
        self.waits: list[float] = []
        self.ended = 0

    def run(self) -> None:
        """Upload and poll each photo in turn, counting errors."""
        with httpx.Client(base_url=self.base, headers=self.headers, timeout=60) as client:
            for number, jpeg in enumerate(self.jpegs):
                began = time.monotonic()
                files = {"file": (f"p{number}.jpg", jpeg, "image/jpeg")}
                answer = client.post(
                    f"/api/cases/{self.case_id}/photos",
                    files=files,
                    data={"mm_per_px": str(self.mm_per_px), "view": "top"},
                )
                if answer.status_code >= 300:
                    self.errors.append(f"upload {answer.status_code}: {answer.text[:200]}")
                    continue
                photo_id = answer.json()["id"]
                deadline = time.monotonic() + 600
                while time.monotonic() < deadline:
                    polled = client.get(f"/api/photos/{photo_id}/analysis?document=false")
                    if polled.status_code != 200:
                        self.errors.append(f"poll {polled.status_code}")
                    elif polled.json()["status"] in ("done", "failed"):
                        self.ended += 1
                        self.waits.append(time.monotonic() - began)
                        break
                    time.sleep(1.0)


def duplicates(settings: Settings, since_id: int) -> int:
    """Count the load's duplicates: photos with two analyses, or keys that succeeded twice.

    Only the analyses after ``since_id`` (the load's uploads) count: the batches before them
    re-analyse every photo on purpose.
    """
    engine = create_engine_for(settings)
    try:
        with make_session_factory(engine)() as session:
            per_photo = (
                select(PhotoAnalysis.photo_id)
                .where(PhotoAnalysis.id > since_id)
                .group_by(PhotoAnalysis.photo_id)
            )
            extra = per_photo.having(func.count() > 1)
            photos_twice = len(list(session.scalars(extra)))
    finally:
        engine.dispose()
    with psycopg.connect(queue_conninfo(settings)) as connection:
        rows = connection.execute(
            "SELECT lock FROM procrastinate_jobs WHERE status = 'succeeded' "
            "AND (args->>'target_id')::bigint > %s GROUP BY lock HAVING count(*) > 1",
            (since_id,),
        ).fetchall()
    return photos_twice + len(rows)


def load(
    settings: Settings, work: Path, case_id: int, jpeg: bytes, mm_per_px: float, args: Any
) -> dict[str, Any]:
    """Run the 20-user load with a worker killed; return the figures."""
    port = free_port()
    server = start(["serve", "--port", str(port), "--workers", "2"], settings, work / "s.log")
    base = f"http://127.0.0.1:{port}"
    workers = [
        start(["worker", "--stalled-after", "10"], settings, work / f"l{i}.log") for i in range(2)
    ]
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        token = httpx.post(
            base + "/api/auth/token", json={"email": EMAIL, "password": PASSWORD}, timeout=30
        ).json()["token"]
        before = last_analysis_id(settings)
        total = args.users * args.per_user
        clients = [
            Client(base, token, case_id, [numbered(jpeg, 100_000 + u * 1000 + n)
                                         for n in range(args.per_user)], mm_per_px)
            for u in range(args.users)
        ]  # fmt: skip
        for client in clients:
            client.start()
        killed_at = None
        while any(client.is_alive() for client in clients):
            if killed_at is None and counts(settings, before)[1] >= total // 3:
                os.killpg(workers[0].pid, signal.SIGKILL)
                killed_at = counts(settings, before)[1]
            time.sleep(0.5)
        every, ended, failed = counts(settings, before)
    finally:
        for process in workers:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=10)
        stop_server(server)
    waits = [w for client in clients for w in client.waits]
    return {
        "users": args.users, "photos": total, "analyses": every, "ended": ended,
        "failed": failed, "lost": total - ended, "killed_after": killed_at,
        "errors": sum(len(client.errors) for client in clients),
        "duplicates": duplicates(settings, before),
        "wait_median": statistics.median(waits) if waits else float("nan"),
        "wait_max": max(waits, default=float("nan")),
        "error_kinds": sorted({e for client in clients for e in client.errors})[:5],
    }  # fmt: skip


def render(
    batches: list[dict[str, Any]], loaded: dict[str, Any], facts: dict[str, Any], args: Any
) -> str:
    """Return the markdown section."""
    rows = [[str(b["workers"]), str(b["photos"]), f"{b['photos'] * 60 / b['elapsed']:.0f}",
             f"{b['queue_s']:.1f} s", f"{b['elapsed']:.0f} s", str(b["failed"])]
            for b in batches]  # fmt: skip
    header = ["Workers", "Photos", "Analyses per minute", "Queueing (reanalyse)",
              "Queued to last done", "Failed"]  # fmt: skip
    height = args.size * 3 // 4
    lines = [
        "## Batch re-analysis and a worker killed under load",
        "",
        "Reproduce with:",
        "",
        "```sh",
        ".venv/bin/python benchmarks/bench_reanalyse.py",
        "```",
        "",
        f"`scalpmap reanalyse --case ID --no-wait` queues {args.photos} stored photos "
        f"(synthetic close-ups, {args.size} x {height} pixels, stored with their scale, small "
        "so that the run fits this 2-core machine; a 12 MP analysis takes 7-12 s here, see "
        "*Jobs on the queue*), and 2 or 4 `scalpmap worker --concurrency 1` processes "
        "(`--priority low`, the default) analyse them; the time runs from the command's start "
        "to the last analysis ended.",
        "",
        f"- {finished_words(facts)}.",
        *machine_lines(),
        "",
        markdown_table(header, rows),
        "",
        f"**A worker killed under load.** `scalpmap serve --workers 2` and 2 workers "
        f"(`--stalled-after 10`); {loaded['users']} clients each upload {args.per_user} photos "
        "through the API and poll each analysis until it ends; one worker's process group is "
        f"killed with SIGKILL once {loaded['killed_after']} of the {loaded['photos']} analyses "
        f"had ended. Errors (HTTP answers not 2xx): **{loaded['errors']}**; lost jobs "
        f"(analyses that never ended): **{loaded['lost']}**; duplicate results (photos with "
        "two analyses, or a job key that succeeded twice): "
        f"**{loaded['duplicates']}**; failed analyses: {loaded['failed']}. Upload to analysis "
        f"ended: median {loaded['wait_median']:.0f} s, slowest {loaded['wait_max']:.0f} s.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Measure and rewrite the section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT, help="report to update")
    parser.add_argument("--photos", type=int, default=1000, help="stored photos re-analysed")
    parser.add_argument("--size", type=int, default=640, help="photo width in pixels")
    parser.add_argument("--users", type=int, default=20, help="clients of the load test")
    parser.add_argument("--per-user", type=int, default=3, help="uploads per client")
    args = parser.parse_args()
    missing = postgres_missing()
    if missing:
        raise SystemExit(f"PostgreSQL does not answer ({missing}); nothing measured")
    load_before = os.getloadavg()[0]
    jpeg, mm_per_px = small_photo(args.size)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        with new_database("postgresql", work) as url:
            settings = get_settings(data_dir=work / "data", database_url=url, jobs="procrastinate")
            case_id, _user = setup(settings)
            store_photos(settings, case_id, jpeg, mm_per_px, args.photos)
            batches = [batch(settings, work, case_id, args.photos, n) for n in WORKER_COUNTS]
            print(batches, flush=True)
            loaded = load(settings, work, case_id, jpeg, mm_per_px, args)
            print(loaded, flush=True)
    write_section(Path(args.out), SECTION, render(batches, loaded, run_facts(load_before), args))


if __name__ == "__main__":
    main()
