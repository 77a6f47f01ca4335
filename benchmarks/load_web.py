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
import asyncio
import datetime as dt
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select

from bench_common import DEFAULT_REPORT, machine_lines, markdown_table, replace_section
from scalpmap.config import get_settings
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.models import AuditEvent, Case, Patient, Role
from web_bench_common import CORES, limit_cores, load_average, percentiles_ms, software_line
from web_bench_db import (
    PASSWORD,
    POSTGRES_ADMIN_URL,
    create_users_direct,
    postgres_database,
    postgres_version,
    sqlite_url,
)
from web_bench_server import run_server

SECTION = "web-load"
USERS = 20
ITERATIONS = 25
TIME_LIMIT_S = 150.0
REQUEST_TIMEOUT_S = 30.0
SIGNIN_ATTEMPTS = 3
NAME_PREFIX = "Load"
OPERATIONS = (
    "POST /api/patients",
    "POST /api/cases",
    "GET /api/patients/{id}",
    "GET /api/cases/{id}",
    "PATCH /api/patients/{id} (1)",
    "PATCH /api/patients/{id} (2)",
    "GET /api/patients (list)",
    "GET /api/patients?q= (search)",
)
REASONS = ("reposition", "poor_work", "total_removal", "faded")


@dataclass
class Created:
    """One patient a user created, and what it wrote to it.

    Attributes
    ----------
    patient_id : int
        The patient.
    name : str
        Its name.
    case_id : int or None
        Its case, when the creation was acknowledged.
    acked_notes : list of str
        Notes values whose PATCH answered 2xx, in order.
    unacked_notes : list of str
        Notes values whose PATCH failed (they may or may not have been written).
    """

    patient_id: int
    name: str
    case_id: int | None = None
    acked_notes: list[str] = field(default_factory=list)
    unacked_notes: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    """What one backend measured.

    Attributes
    ----------
    name : str
        ``SQLite`` or ``PostgreSQL``.
    workers : int
        Server worker processes.
    latencies : dict
        Operation → seconds of each answered request.
    statuses : Counter
        ``(operation, status)`` → count; status ``"no answer: <Error>"`` for exceptions.
    wrong_answers : Counter
        Operation → 2xx answers that contradicted an earlier acknowledged write.
    created : list of Created
        Every acknowledged patient.
    iterations : int
        Iterations finished.
    duration_s : float
        Wall time of the concurrent phase.
    signin_s : list of float
        The token requests' times.
    signin_failures : Counter
        Token requests that failed, by status (each user tries up to 3 times).
    checks : dict
        Verification figures read from the database.
    server_log : dict
        Counts of notable lines in the server's log.
    error : str or None
        Why the backend could not be measured.
    """

    name: str
    workers: int
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[tuple[str, str]] = field(default_factory=Counter)
    wrong_answers: Counter[str] = field(default_factory=Counter)
    created: list[Created] = field(default_factory=list)
    iterations: int = 0
    duration_s: float = float("nan")
    signin_s: list[float] = field(default_factory=list)
    signin_failures: Counter[str] = field(default_factory=Counter)
    checks: dict[str, int] = field(default_factory=dict)
    server_log: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    @property
    def requests(self) -> int:
        """Requests sent in the concurrent phase."""
        return sum(self.statuses.values())

    @property
    def errors(self) -> int:
        """Requests not answered 2xx."""
        return sum(n for (_, status), n in self.statuses.items() if not status.startswith("2"))

    @property
    def lost_writes(self) -> int:
        """Acknowledged writes not found as written."""
        keys = ("missing patients", "missing or unlinked cases", "notes not the last written")
        return sum(self.checks.get(key, 0) for key in keys)


class User:
    """One simulated practitioner with its own client and token.

    Parameters
    ----------
    index : int
        0-based user number.
    client : httpx.AsyncClient
        Its client (its own connection).
    result : LoadResult
        Where figures go.
    """

    def __init__(self, index: int, client: httpx.AsyncClient, result: LoadResult) -> None:
        self.index = index
        self.client = client
        self.result = result

    async def send(self, operation: str, method: str, url: str, **kwargs: Any) -> Any:
        """Send a request, record its time and status; return its JSON when 2xx, else None."""
        start = time.perf_counter()
        try:
            answer = await self.client.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            self.result.statuses[(operation, f"no answer: {type(error).__name__}")] += 1
            return None
        self.result.latencies.setdefault(operation, []).append(time.perf_counter() - start)
        self.result.statuses[(operation, str(answer.status_code))] += 1
        if not 200 <= answer.status_code < 300:
            return None
        return answer.json()

    def wrong(self, operation: str) -> None:
        """Count a 2xx answer that contradicts an acknowledged write."""
        self.result.wrong_answers[operation] += 1

    async def iteration(self, number: int) -> None:
        """Create, read back, change, list and search, checking each answer."""
        name = f"{NAME_PREFIX} U{self.index:02d} I{number:02d}"
        body = {
            "name": name,
            "date_of_birth": f"{1960 + (self.index + number) % 40}-0{1 + number % 9}-1{number % 9}",
            "fitzpatrick_type": 1 + (self.index + number) % 6,
            "notes": "created",
        }
        answer = await self.send(OPERATIONS[0], "POST", "/api/patients", json=body)
        if answer is None:
            return
        patient = Created(patient_id=int(answer["id"]), name=name)
        self.result.created.append(patient)
        case_body = {"patient_id": patient.patient_id, "reason": REASONS[number % 4]}
        answer = await self.send(OPERATIONS[1], "POST", "/api/cases", json=case_body)
        if answer is not None:
            patient.case_id = int(answer["id"])
        read = await self.send(OPERATIONS[2], "GET", f"/api/patients/{patient.patient_id}")
        if read is not None and (
            read["name"] != name
            or (patient.case_id is not None and patient.case_id not in read["case_ids"])
        ):
            self.wrong(OPERATIONS[2])
        if patient.case_id is not None:
            read = await self.send(OPERATIONS[3], "GET", f"/api/cases/{patient.case_id}")
            if read is not None and read["patient_id"] != patient.patient_id:
                self.wrong(OPERATIONS[3])
        for revision, operation in ((1, OPERATIONS[4]), (2, OPERATIONS[5])):
            notes = f"user {self.index} iteration {number} revision {revision}"
            url = f"/api/patients/{patient.patient_id}"
            answer = await self.send(operation, "PATCH", url, json={"notes": notes})
            if answer is None:
                patient.unacked_notes.append(notes)
                continue
            patient.acked_notes.append(notes)
            if answer["notes"] != notes:
                self.wrong(operation)
        await self.send(OPERATIONS[6], "GET", "/api/patients", params={"limit": 20})
        query = f"{NAME_PREFIX} U{self.index:02d}"
        found = await self.send(OPERATIONS[7], "GET", "/api/patients", params={"q": query})
        if found is not None and patient.patient_id not in {row["id"] for row in found}:
            self.wrong(OPERATIONS[7])

    async def run(self, deadline: float, progress: Progress, task: Any) -> None:
        """Run the iterations until done or past the deadline."""
        for number in range(ITERATIONS):
            if time.perf_counter() > deadline:
                return
            await self.iteration(number)
            self.result.iterations += 1
            progress.advance(task)


async def sign_in_all(base_url: str, emails: Sequence[str], result: LoadResult) -> list[str | None]:
    """Get each user's token at once (``POST /api/auth/token``), each from its own address.

    Parameters
    ----------
    base_url : str
        The server.
    emails : sequence of str
        The users.
    result : LoadResult
        Sign-in times and errors go here.

    Returns
    -------
    list
        Token per user, ``None`` when its sign-in failed.
    """

    async def one(index: int, email: str) -> str | None:
        headers = {"X-Forwarded-For": f"10.20.0.{index + 1}"}
        body = {"email": email, "password": PASSWORD}
        async with httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT_S) as client:
            for _attempt in range(SIGNIN_ATTEMPTS):
                start = time.perf_counter()
                try:
                    answer = await client.post("/api/auth/token", json=body, headers=headers)
                except httpx.HTTPError as error:
                    result.signin_failures[f"no answer: {type(error).__name__}"] += 1
                    continue
                result.signin_s.append(time.perf_counter() - start)
                if answer.status_code == 201:
                    return str(answer.json()["token"])
                result.signin_failures[str(answer.status_code)] += 1
        return None

    return list(await asyncio.gather(*(one(i, email) for i, email in enumerate(emails))))


async def run_users(
    base_url: str, tokens: Sequence[str | None], result: LoadResult, progress: Progress
) -> None:
    """Run every signed-in user at once, each with its own connection.

    Parameters
    ----------
    base_url : str
        The server.
    tokens : sequence
        Token per user (``None``: that user does not run).
    result : LoadResult
        Filled in.
    progress : Progress
        The progress display.
    """
    task = progress.add_task(f"{result.name}: iterations", total=USERS * ITERATIONS)
    clients = [
        httpx.AsyncClient(
            base_url=base_url,
            timeout=REQUEST_TIMEOUT_S,
            headers={"Authorization": f"Bearer {token}"},
            limits=httpx.Limits(max_connections=1),
        )
        for token in tokens
        if token is not None
    ]
    users = [User(index, client, result) for index, client in enumerate(clients)]
    start = time.perf_counter()
    try:
        await asyncio.gather(*(user.run(start + TIME_LIMIT_S, progress, task) for user in users))
    finally:
        result.duration_s = time.perf_counter() - start
        await asyncio.gather(*(client.aclose() for client in clients))


def verify(data_dir: Path, database_url: str, result: LoadResult) -> None:
    """Read the database directly and check every acknowledged write.

    Parameters
    ----------
    data_dir : Path
        The data directory.
    database_url : str
        The database.
    result : LoadResult
        ``checks`` is filled in.
    """
    engine = create_engine_for(get_settings(data_dir=data_dir, database_url=database_url))
    checks = dict.fromkeys(
        (
            "patients acknowledged",
            "cases acknowledged",
            "changes acknowledged",
            "missing patients",
            "missing or unlinked cases",
            "notes not the last written",
            "notes ambiguous (a change failed)",
            "patient rows without an acknowledged creation",
            "audit rows missing",
        ),
        0,
    )
    try:
        with make_session_factory(engine)() as session:
            ids = [p.patient_id for p in result.created]
            patient_query = select(Patient.id, Patient.full_name, Patient.notes)
            patient_query = patient_query.where(Patient.id.in_(ids))
            rows = {row.id: row for row in session.execute(patient_query)}
            case_ids = [p.case_id for p in result.created if p.case_id is not None]
            case_query = select(Case.id, Case.patient_id).where(Case.id.in_(case_ids))
            cases = {row.id: row.patient_id for row in session.execute(case_query)}
            for patient in result.created:
                checks["patients acknowledged"] += 1
                row = rows.get(patient.patient_id)
                if row is None or row.full_name != patient.name:
                    checks["missing patients"] += 1
                    continue
                if patient.case_id is not None:
                    checks["cases acknowledged"] += 1
                    if cases.get(patient.case_id) != patient.patient_id:
                        checks["missing or unlinked cases"] += 1
                checks["changes acknowledged"] += len(patient.acked_notes)
                expected = patient.acked_notes[-1] if patient.acked_notes else "created"
                if patient.unacked_notes:
                    if row.notes not in {expected, *patient.unacked_notes}:
                        checks["notes not the last written"] += 1
                    else:
                        checks["notes ambiguous (a change failed)"] += 1
                elif row.notes != expected:
                    checks["notes not the last written"] += 1
            in_db = session.scalar(
                select(func.count())
                .select_from(Patient)
                .where(Patient.full_name.like(f"{NAME_PREFIX} U%"))
            )
            checks["patient rows without an acknowledged creation"] = int(in_db or 0) - len(rows)
            audit_query = select(AuditEvent.action, AuditEvent.entity).where(
                AuditEvent.entity.in_(("patient", "case")),
                AuditEvent.action.in_(("create", "update")),
            )
            audited = Counter(tuple(row) for row in session.execute(audit_query))
            expected_audit = {
                ("create", "patient"): checks["patients acknowledged"],
                ("create", "case"): checks["cases acknowledged"],
                ("update", "patient"): checks["changes acknowledged"],
            }
            checks["audit rows missing"] = sum(
                max(0, count - audited.get(key, 0)) for key, count in expected_audit.items()
            )
    finally:
        engine.dispose()
    result.checks = checks


def run_backend(
    result: LoadResult,
    data_dir: Path,
    database_url: str,
    progress: Progress,
    console: Console,
    keep_logs: Path | None = None,
) -> None:
    """Create the users, start the server, run the load, stop the server, verify.

    Parameters
    ----------
    result : LoadResult
        Filled in.
    data_dir : Path
        The server's data directory.
    database_url : str
        The database.
    progress : Progress
        The progress display.
    console : Console
        For log lines.
    keep_logs : Path, optional
        Folder to copy the server's log to.
    """
    emails = [f"practitioner{index:02d}@bench.example" for index in range(USERS)]
    start = time.perf_counter()
    create_users_direct(data_dir, database_url, emails, Role.PRACTITIONER)
    console.log(
        f"{result.name}: {USERS} practitioners created in {time.perf_counter() - start:.1f} s"
    )
    workers = None if result.workers == 1 else result.workers
    with run_server(data_dir, database_url, workers=workers) as server:
        tokens = asyncio.run(sign_in_all(server.base_url, emails, result))
        asyncio.run(run_users(server.base_url, tokens, result, progress))
        log_server = server
    if keep_logs is not None:
        keep_logs.mkdir(parents=True, exist_ok=True)
        shutil.copy(server.log_path, keep_logs / f"load-{result.name.lower()}-server.log")
    result.server_log = {
        "lines with 'Traceback' (2 per chained error)": log_server.count_in_log("Traceback"),
        "lines with 'database is locked'": log_server.count_in_log("database is locked"),
        "5xx in the access log": sum(
            log_server.count_in_log(f'" {code}') for code in (500, 502, 503, 504)
        ),
    }
    verify(data_dir, database_url, result)
    console.log(
        f"{result.name}: {result.requests} requests, {result.errors} errors, "
        f"{result.lost_writes} lost writes in {result.duration_s:.1f} s"
    )


def backend_ok(result: LoadResult) -> bool:
    """Tell whether a backend met the goal.

    Parameters
    ----------
    result : LoadResult
        The results.

    Returns
    -------
    bool
        Measured, every iteration done, no error, no wrong answer, no lost write, audit complete.
    """
    return (
        result.error is None
        and result.iterations == USERS * ITERATIONS
        and result.errors == 0
        and not result.signin_failures
        and result.lost_writes == 0
        and not result.wrong_answers
        and result.checks.get("audit rows missing", 1) == 0
    )


def summary_rows(results: Sequence[LoadResult]) -> tuple[list[str], list[list[str]]]:
    """Build the per-backend summary table.

    Parameters
    ----------
    results : sequence of LoadResult
        Per backend.

    Returns
    -------
    header, rows
        The table.
    """
    header = [
        "measure",
        *(f"{r.name} ({r.workers} worker{'s' if r.workers > 1 else ''})" for r in results),
    ]

    def row(label: str, values: list[str]) -> list[str]:
        return [label, *values]

    def each(fn: Any) -> list[str]:
        return [fn(r) if r.requests or r.checks else "n/a" for r in results]

    stats = {r.name: percentiles_ms([s for v in r.latencies.values() for s in v]) for r in results}
    signin = {r.name: percentiles_ms(r.signin_s) for r in results}
    rows = [
        row(
            "users x iterations finished",
            each(lambda r: f"{USERS} x {ITERATIONS} planned, {r.iterations} done"),
        ),
        row("requests", each(lambda r: str(r.requests))),
        row("errors (not 2xx or no answer)", each(lambda r: str(r.errors))),
        row(
            "wrong answers (2xx contradicting a write)",
            each(lambda r: str(sum(r.wrong_answers.values()))),
        ),
        row("duration s", each(lambda r: f"{r.duration_s:.1f}")),
        row("throughput requests/s", each(lambda r: f"{r.requests / r.duration_s:.1f}")),
        row("latency p50 ms", each(lambda r: f"{stats[r.name]['p50']:.1f}")),
        row("latency p95 ms", each(lambda r: f"{stats[r.name]['p95']:.1f}")),
        row("latency max ms", each(lambda r: f"{stats[r.name]['max']:.1f}")),
        row("lost writes", each(lambda r: str(r.lost_writes))),
        row(
            "failed token requests (all 20 at once, retried), p50 / max ms",
            each(
                lambda r: (
                    f"{sum(r.signin_failures.values())}, {signin[r.name]['p50']:.0f} / "
                    f"{signin[r.name]['max']:.0f}"
                )
            ),
        ),
    ]
    keys = list(next((r.checks for r in results if r.checks), {}))
    for key in keys:
        rows.append(row(f"check: {key}", [str(r.checks.get(key, "n/a")) for r in results]))
    log_keys = list(next((r.server_log for r in results if r.server_log), {}))
    for key in log_keys:
        rows.append(row(f"server log: {key}", [str(r.server_log.get(key, "n/a")) for r in results]))
    return header, rows


def operation_rows(results: Sequence[LoadResult]) -> tuple[list[str], list[list[str]]]:
    """Build the per-operation table: latency and errors.

    Parameters
    ----------
    results : sequence of LoadResult
        Per backend.

    Returns
    -------
    header, rows
        The table.
    """
    header = ["operation"]
    for result in results:
        header += [f"{result.name} p50 ms", f"{result.name} p95 ms", f"{result.name} errors"]
    rows = []
    for operation in OPERATIONS:
        row = [f"`{operation}`"]
        for result in results:
            stats = percentiles_ms(result.latencies.get(operation, []))
            errors = sum(
                n
                for (op, status), n in result.statuses.items()
                if op == operation and not status.startswith("2")
            )
            row += [f"{stats['p50']:.1f}", f"{stats['p95']:.1f}", str(errors)]
        rows.append(row)
    return header, rows


def error_lines(results: Sequence[LoadResult]) -> list[str]:
    """Bullets listing the errors by operation and status, and the backends not measured.

    Parameters
    ----------
    results : sequence of LoadResult
        Per backend.

    Returns
    -------
    list of str
        Markdown lines (empty when there is nothing to say).
    """
    lines = []
    for result in results:
        if result.error:
            lines.append(f"- {result.name}: **not measured**: {result.error}")
        failed = [
            f"`{op}` {status} x{n}"
            for (op, status), n in sorted(result.statuses.items())
            if not status.startswith("2")
        ]
        if failed:
            lines.append(f"- {result.name} errors: " + ", ".join(failed))
        if result.signin_failures:
            failures = ", ".join(f"{status} x{n}" for status, n in result.signin_failures.items())
            lines.append(f"- {result.name} failed token requests (retried): {failures}")
        if result.wrong_answers:
            wrong = ", ".join(f"`{op}` x{n}" for op, n in sorted(result.wrong_answers.items()))
            lines.append(f"- {result.name} wrong answers: {wrong}")
    return lines


def closed_connection_note(results: Sequence[LoadResult]) -> list[str]:
    """Explain *no answer* errors, when there are any.

    Parameters
    ----------
    results : sequence of LoadResult
        Per backend.

    Returns
    -------
    list of str
        Zero or one bullet.
    """
    if not any(status.startswith("no answer") for r in results for (_, status) in r.statuses):
        return []
    return [
        "- *no answer* (httpx `ReadError`/`RemoteProtocolError`) follows a 500 on the same "
        "connection: after an unexpected error Starlette's `ServerErrorMiddleware` sends the "
        "app's 500 and re-raises, and uvicorn then closes the keep-alive connection, so the "
        "user's next request on it fails (httpx does not retry)."
    ]


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
