"""The load test on one backend: the server, the users, and their writes checked in the database."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from sqlalchemy import func, select

from load_web_users import NAME_PREFIX, USERS, LoadResult, run_users, sign_in_all
from scalpmap.config import get_settings
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.models import AuditEvent, Case, Patient, Role
from web_bench_db import create_users_direct
from web_bench_server import run_server


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
