"""Jobs on the queue: analyses per minute with 1, 2 and 4 workers, and the pages meanwhile.

Written to the ``jobs`` section of ``docs/benchmarks.md``. On a fresh PostgreSQL database of the
server at ``SCALPMAP_TEST_POSTGRES_URL`` (by default ``postgresql+psycopg://postgres@127.0.0.1:5432/
postgres``), with ``SCALPMAP_JOBS=procrastinate``:

1. ``scalpmap serve`` runs (2 app workers) and 1, 2 or 4 ``scalpmap worker --concurrency 1``
   processes (at ``--priority``, ``idle`` unless told: Linux's SCHED_IDLE) are started and
   registered with the queue.
2. ``--photos`` 12-megapixel photos (one synthetic close-up with the printed marker, 4000 x 3000,
   JPEG quality 92, each made distinct by a numbered JPEG comment; their files put in the store
   and their rows written directly) get an analysis each, queued at once, each with its job in
   its transaction, as an upload does.
3. Until every analysis has ended, a client asks the server for a case's page and a photo's
   analysis status (the browser's poll), one after the other, and times each answer.

Reported per worker count: analyses per minute (from the queueing to the last one done), the time
from queueing to done (median and slowest), and the median and p95 of the page requests. The
machine is shared (2 cores), so the load average is recorded.

Run ``.venv/bin/python benchmarks/bench_jobs.py --help`` for the options.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx
import psycopg
from sqlalchemy import select

from bench_backup import new_database, numbered, phone_photo, postgres_missing
from bench_common import (
    DEFAULT_REPORT,
    finished_words,
    machine_lines,
    markdown_table,
    run_facts,
    write_section,
)
from scalpmap.config import Settings, get_settings
from scalpmap.jobs.queue import enqueue, ensure_queue_schema, make_queue_app, queue_conninfo
from scalpmap.services import analyses, cases, patients, users
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.migrate import ensure_schema
from scalpmap.store.models import AnalysisStatus, CaseReason, Photo, PhotoAnalysis, Role
from scalpmap.store.photos import PhotoStore
from web_bench_server import free_port, stop_server

SECTION = "jobs"
WORKER_COUNTS = (1, 2, 4)
BASELINE_S = 20.0
GOAL_P95_S = 0.1
BUSY_LOAD = 3.0  # load average (1 min) above which the 2 shared cores were busy before the run
PASSWORD = "benchmark password"
EMAIL = "bench-jobs@clinic.example"


def env_for(settings: Settings) -> dict[str, str]:
    """Environment of the server and the workers: these settings only."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCALPMAP_")}
    env.update(
        SCALPMAP_DATA_DIR=str(settings.data_dir),
        SCALPMAP_DATABASE_URL=str(settings.database_url),
        SCALPMAP_JOBS="procrastinate",
    )
    return env


def start(args: list[str], settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    """Start ``python -m scalpmap ARGS`` in its own process group."""
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "scalpmap", *args],
            env=env_for(settings),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a worker (SIGTERM to its group), then anything left (SIGKILL)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def setup(settings: Settings) -> tuple[int, int]:
    """Migrate, make the queue's tables, a practitioner and a case; return the case and a user."""
    engine = create_engine_for(settings)
    try:
        ensure_schema(engine)
        with make_session_factory(engine)() as session:
            user = users.create_user(session, EMAIL, PASSWORD, Role.PRACTITIONER)
            details = patients.PatientCreate(full_name="Bench Jobs")
            patient = patients.create_patient(session, details, user)
            case = cases.open_case(session, patient.id, CaseReason.REPOSITION, user)
            return case.id, user.id
    finally:
        engine.dispose()
        ensure_queue_schema(queue_conninfo(settings))


def queue_photos(settings: Settings, case_id: int, jpeg: bytes, numbers: range) -> list[int]:
    """Store numbered copies of the photo and queue an analysis of each; return their ids."""
    store = PhotoStore(settings.photos_dir)
    app = make_queue_app(queue_conninfo(settings))
    engine = create_engine_for(settings)
    ids = []
    try:
        with make_session_factory(engine)() as session:
            user = users.get_user_by_email(session, EMAIL)
            photo_ids = []
            for number in numbers:
                data = numbered(jpeg, number)
                photo = Photo(case_id=case_id, sha256=store.put(data), source_format="JPEG",
                              byte_size=len(data), width_px=4000, height_px=3000)  # fmt: skip
                session.add(photo)
                session.flush()
                photo_ids.append(photo.id)
            session.commit()

            def in_transaction(work: Any, analysis_id: int) -> None:
                connection = work.connection().connection.driver_connection
                enqueue(app, "analysis", analysis_id, connection=connection)

            for photo_id in photo_ids:
                row = analyses.request_analysis(session, photo_id, user, enqueue=in_transaction)
                ids.append(row.id)
    finally:
        engine.dispose()
    return ids


def ended(settings: Settings, ids: list[int]) -> list[PhotoAnalysis]:
    """Return the analyses among ``ids`` that have ended."""
    engine = create_engine_for(settings)
    try:
        with make_session_factory(engine)() as session:
            query = select(PhotoAnalysis).where(
                PhotoAnalysis.id.in_(ids),
                PhotoAnalysis.status.in_([AnalysisStatus.DONE, AnalysisStatus.FAILED]),
            )
            rows = list(session.scalars(query))
            for row in rows:
                session.expunge(row)
            return rows
    finally:
        engine.dispose()


def registered_workers(settings: Settings) -> int:
    with psycopg.connect(queue_conninfo(settings)) as connection:
        row = connection.execute("SELECT count(*) FROM procrastinate_workers").fetchone()
        return int(row[0]) if row else 0


class PagePoller(threading.Thread):
    """Ask for a case's page and a photo's analysis status in turn, timing each answer."""

    def __init__(self, base_url: str, token: str, case_id: int, photo_id: int) -> None:
        super().__init__(daemon=True)
        self.client = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"})
        self.paths = [f"/cases/{case_id}", f"/api/photos/{photo_id}/analysis?document=false"]
        self.seconds: list[float] = []
        self.by_path: dict[str, list[float]] = {path: [] for path in self.paths}
        self.errors = 0
        self.stop_event = threading.Event()

    def run(self) -> None:
        """Ask and time until stopped."""
        turn = 0
        while not self.stop_event.is_set():
            started = time.perf_counter()
            try:
                answer = self.client.get(self.paths[turn % 2], timeout=30)
                if answer.status_code != 200:
                    self.errors += 1
            except httpx.HTTPError:
                self.errors += 1
            self.seconds.append(time.perf_counter() - started)
            self.by_path[self.paths[turn % 2]].append(self.seconds[-1])
            turn += 1
            self.stop_event.wait(0.1)


def measure(settings: Settings, work: Path, photos: int, priority: str) -> list[dict[str, Any]]:
    """Run the three worker counts; return their figures."""
    case_id, _user = setup(settings)
    jpeg = phone_photo()
    port = free_port()
    server = start(["serve", "--port", str(port), "--workers", "2"], settings, work / "serve.log")
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        token = httpx.post(
            base + "/api/auth/token", json={"email": EMAIL, "password": PASSWORD}, timeout=30
        ).json()["token"]
        results = [baseline(base, token, case_id, settings, jpeg)]
        print(results[-1], flush=True)
        offset = 1
        for count in WORKER_COUNTS:
            workers = [
                start(
                    ["worker", "--concurrency", "1", "--priority", priority],
                    settings,
                    work / f"w{count}-{i}.log",
                )
                for i in range(count)
            ]
            try:
                while registered_workers(settings) < count:
                    time.sleep(0.2)
                queued_at = time.monotonic()
                ids = queue_photos(settings, case_id, jpeg, range(offset, offset + photos))
                offset += photos
                poller = PagePoller(base, token, case_id, photo_id_of(settings, ids[0]))
                poller.start()
                while len(rows := ended(settings, ids)) < len(ids):
                    time.sleep(0.5)
                elapsed = time.monotonic() - queued_at
                poller.stop_event.set()
                poller.join()
            finally:
                for worker in workers:
                    stop(worker)
            waits = [(row.finished_at - row.created_at).total_seconds() for row in rows]
            results.append({
                "workers": count, "photos": len(ids), "elapsed": elapsed,
                "failed": sum(row.status == AnalysisStatus.FAILED for row in rows),
                "wait_median": statistics.median(waits), "wait_max": max(waits),
                "page_median": statistics.median(poller.seconds),
                "page_p95": p95(poller.seconds),
                "requests": len(poller.seconds), "errors": poller.errors,
                "case_p95": p95(poller.by_path[poller.paths[0]]),
                "poll_p95": p95(poller.by_path[poller.paths[1]]),
            })  # fmt: skip
            print(results[-1], flush=True)
        return results
    finally:
        stop_server(server)


def baseline(
    base: str, token: str, case_id: int, settings: Settings, jpeg: bytes
) -> dict[str, Any]:
    """Time the same requests for ``BASELINE_S`` seconds with no worker and nothing to analyse."""
    photo_id = photo_id_of(settings, queue_photos(settings, case_id, jpeg, range(1))[0])
    poller = PagePoller(base, token, case_id, photo_id)
    poller.start()
    time.sleep(BASELINE_S)
    poller.stop_event.set()
    poller.join()
    return {
        "workers": 0, "photos": 0, "page_median": statistics.median(poller.seconds),
        "page_p95": p95(poller.seconds), "case_p95": p95(poller.by_path[poller.paths[0]]),
        "poll_p95": p95(poller.by_path[poller.paths[1]]), "requests": len(poller.seconds),
        "errors": poller.errors,
    }  # fmt: skip


def p95(seconds: list[float]) -> float:
    """Return the 95th percentile (the largest value of fewer than 20)."""
    return statistics.quantiles(seconds, n=20)[-1] if len(seconds) >= 20 else max(seconds)


def photo_id_of(settings: Settings, analysis_id: int) -> int:
    engine = create_engine_for(settings)
    try:
        with make_session_factory(engine)() as session:
            row = session.get(PhotoAnalysis, analysis_id)
            assert row is not None
            return row.photo_id
    finally:
        engine.dispose()


def render(results: list[dict[str, Any]], facts: dict[str, Any], priority: str) -> str:
    """Return the markdown section."""
    rows = [
        [
            str(r["workers"]) if r["workers"] else "none (baseline)", str(r["photos"]),
            f"{r['photos'] * 60 / r['elapsed']:.1f}" if r["photos"] else "-",
            f"{r['wait_median']:.0f} s" if r["photos"] else "-",
            f"{r['wait_max']:.0f} s" if r["photos"] else "-", str(r.get("failed", "-")),
            f"{r['page_median'] * 1000:.0f} ms", f"{r['page_p95'] * 1000:.0f} ms",
            f"{r['case_p95'] * 1000:.0f} ms", f"{r['poll_p95'] * 1000:.0f} ms",
            f"{r['requests']} ({r['errors']} errors)",
        ]
        for r in results
    ]  # fmt: skip
    base = next(r for r in results if r["workers"] == 0)
    four = next(r for r in results if r["workers"] == 4)
    header = ["Workers", "12 MP photos", "Analyses per minute", "Queued to done (median)",
              "Queued to done (slowest)", "Failed", "Requests median", "Requests p95",
              "Case page p95", "Status poll p95", "Requests"]  # fmt: skip
    lines = [
        "## Jobs on the queue",
        "",
        "Reproduce with:",
        "",
        "```sh",
        ".venv/bin/python benchmarks/bench_jobs.py",
        "```",
        "",
        "`SCALPMAP_JOBS=procrastinate` on PostgreSQL ([jobs.md](jobs.md)): `scalpmap serve "
        "--workers 2` runs, and 1, 2 or 4 `scalpmap worker --concurrency 1 --priority "
        f"{priority}` processes on the same machine. The photos (a synthetic 12-megapixel "
        "close-up with the printed marker, "
        "4000 x 3000, JPEG quality 92, made distinct by a numbered comment) are queued at once, "
        "each analysis with its job in one transaction as an upload does; analyses per minute "
        "count from the queueing to the last one done. Meanwhile a client asks the server for "
        "a case's page and a photo's analysis status (the browser's poll, `?document=false`) in "
        "turn, 0.1 s apart, and times each answer; the baseline row times the same requests "
        f"for {BASELINE_S:.0f} s with no worker running (one photo queued, not analysed).",
        "",
        f"- {finished_words(facts)}, on a machine shared with other work: the web server, "
        f"the workers (at `--priority {priority}`) and that other work share its 2 cores.",
        *busy_words(facts["load"][0], priority),
        f"- Goal: the p95 of the requests under {GOAL_P95_S * 1000:.0f} ms while 4 workers "
        f"analyse: {'met' if four['page_p95'] < GOAL_P95_S else 'not met'} on this machine "
        f"({four['page_p95'] * 1000:.0f} ms; {base['page_p95'] * 1000:.0f} ms with no worker "
        "at all). The layout in the README puts the workers on machines of their own.",
        *machine_lines(),
        "",
        markdown_table(header, rows),
    ]
    return "\n".join(lines) + "\n"


def busy_words(load_before: float, priority: str) -> list[str]:
    """Return the caveat of a machine already busy before the run (none when it was not)."""
    if load_before <= BUSY_LOAD:
        return []
    idle = " (the SCHED_IDLE workers yield to them all)" if priority == "idle" else ""
    return [
        f"- The machine was busy before the run: load average {load_before:.2f} on 2 cores "
        f"(over {BUSY_LOAD:.0f}). Other people's processes at the ordinary priority competed with "
        f"the web server and the workers{idle}, so the page times, the baseline's too, are "
        "slower than on a machine of its own."
    ]


def main() -> None:
    """Measure and rewrite the section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT, help="report to update")
    parser.add_argument("--photos", type=int, default=8, help="photos per worker count")
    parser.add_argument(
        "--priority", choices=("idle", "low", "normal"), default="idle", help="workers' priority"
    )
    args = parser.parse_args()
    missing = postgres_missing()
    if missing:
        raise SystemExit(f"PostgreSQL does not answer ({missing}); nothing measured")
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        with new_database("postgresql", work) as url:
            settings = get_settings(data_dir=work / "data", database_url=url, jobs="procrastinate")
            results = measure(settings, work, args.photos, args.priority)
    facts = run_facts(load_before)
    write_section(Path(args.out), SECTION, render(results, facts, args.priority))


if __name__ == "__main__":
    main()
