"""Backup and restore: how long ``scalpmap backup``, ``verify-backup`` and ``restore`` take.

Written to the ``backup`` section of ``docs/benchmarks.md``. Two installations, each on SQLite
and on PostgreSQL (the server at ``SCALPMAP_TEST_POSTGRES_URL``, by default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``; skipped, with the reason, when it
does not answer):

1. *demo*: the bundled sample case made through the services, as the clinic would make it
   (:mod:`scalpmap.services.sample_case`): a practitioner, a consenting patient, the sample
   photo (1200 x 900 PNG) analysed and planned (``mature``, age 35), a facility, a referral, a
   laser session and a follow-up photo measured against the plan: the photo, its overlay, the
   plan's pictures and PDFs, the follow-up and its clearance overlay in the store.
2. *1,000 photos*: the demo plus 1,000 phone photos in 100 patients' cases (10 each). The
   photos are one synthetic 12-megapixel close-up (``SynthOptions(seed=7, width_px=4000,
   height_px=3000)``) as JPEG quality 92, each made distinct by a JPEG comment holding its
   number (the same size, a different sha256); their files go in through the store and their
   rows in one transaction (the upload's decoding is not what is measured here).

Each command runs as its own process (``.venv/bin/scalpmap ...``), timed from outside, with
the CPU time of the process and its children (``pg_dump``/``pg_restore``):
``backup OUT``, ``verify-backup OUT`` and ``restore OUT --data-dir NEW [--database-url
EMPTY]`` (which checks the backup, restores, and verifies every file and row count). The
files are read from the page cache where they are still there; the machine is shared, so the
load average is recorded.

Run ``.venv/bin/python benchmarks/bench_backup.py --help`` for the options.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bench_common import (
    DEFAULT_REPORT,
    finished_words,
    machine_lines,
    markdown_table,
    run_facts,
    run_process,
    scalpmap_command,
    write_section,
)
from scalpmap.config import get_settings
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.services import cases, patients, referrals, users
from scalpmap.services import treatment_sessions as ts
from scalpmap.services.clearance import measure_clearance
from scalpmap.services.photos import add_photo
from scalpmap.services.sample_case import (
    add_sample_facility,
    log_sample_laser_session,
    plan_sample_case,
    sample_baseline_png,
    sample_follow_up_png,
)
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.migrate import ensure_schema
from scalpmap.store.models import CaseReason, Photo, Role, utcnow
from scalpmap.store.photos import PhotoStore

SECTION = "backup"
PHOTOS, PER_CASE = 1000, 10
JPEG_QUALITY = 92
SERVER_ENV = "SCALPMAP_TEST_POSTGRES_URL"
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@dataclass
class Installation:
    """One installation to back up: its data folder, database URL and shared photo folder."""

    name: str
    backend: str
    data_dir: Path
    database_url: str
    photos_dir: Path


def server_url() -> str:
    return os.environ.get(SERVER_ENV) or DEFAULT_SERVER


def postgres_missing() -> str | None:
    """Return why PostgreSQL cannot be used, or ``None`` when it answers."""
    engine = create_engine(server_url(), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        return str(error.orig).strip().splitlines()[0]
    finally:
        engine.dispose()
    return None


@contextmanager
def new_database(backend: str, folder: Path) -> Iterator[str]:
    """Yield the URL of a new, empty database, dropped afterwards (PostgreSQL)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / f'{secrets.token_hex(4)}.db'}"
        return
    name = f"scalpmap_bench_{secrets.token_hex(6)}"
    admin = create_engine(server_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_demo(settings: Any) -> None:
    """Make the sample case: planned, referred, lasered and measured on a follow-up."""
    engine = create_engine_for(settings)
    ensure_schema(engine)
    store = PhotoStore(settings.photos_dir)
    today = utcnow().date()
    try:
        with make_session_factory(engine)() as session:
            actor = users.create_user(
                session, "bench@clinic.example", "benchmark password", Role.PRACTITIONER
            )
            sample = plan_sample_case(
                session, store, actor, photo_png=sample_baseline_png(), consent=True,
                plan_day=today - dt.timedelta(days=70),
            )  # fmt: skip
            facility = add_sample_facility(session, actor)
            referrals.create_referral(
                session, sample.case_id, facility.id, actor,
                referred_on=today - dt.timedelta(days=60),
            )  # fmt: skip
            laser = log_sample_laser_session(
                session, sample.case_id, actor, session_date=today - dt.timedelta(days=30),
                facility_id=facility.id,
            )  # fmt: skip
            follow = sample_follow_up_png(sample, erase_share=0.5, seed=1)
            photo = add_photo(session, store, follow, case_id=sample.case_id, actor=actor)
            ts.attach_follow_up_photo(session, "laser", laser.id, photo.id, actor)
            measure_clearance(session, store, laser.id, actor)
    finally:
        engine.dispose()


def phone_photo() -> bytes:
    """One synthetic 12 MP close-up as a phone's JPEG."""
    rgb, _truth = generate_scalp_photo(SynthOptions(seed=7, width_px=4000, height_px=3000))
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def numbered(jpeg: bytes, number: int) -> bytes:
    """Return the JPEG with a comment segment holding ``number`` after its start marker."""
    comment = f"scalpmap benchmark photo {number}".encode()
    segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    return jpeg[:2] + segment + jpeg[2:]


def write_photo_files(store: PhotoStore, jpeg: bytes) -> list[str]:
    """Store the ``PHOTOS`` numbered photos once; return their sha256 in order."""
    return [store.put(numbered(jpeg, number)) for number in range(PHOTOS)]


def add_photo_rows(settings: Any, hashes: list[str], byte_size: int) -> None:
    """Add the photos' rows in ``PHOTOS // PER_CASE`` new patients' cases (files stored)."""
    engine = create_engine_for(settings)
    try:
        with make_session_factory(engine)() as session:
            actor = users.get_user_by_email(session, "bench@clinic.example")
            assert actor is not None
            for first in range(0, PHOTOS, PER_CASE):
                details = patients.PatientCreate(full_name=f"Bench Patient {first // PER_CASE}")
                person = patients.create_patient(session, details, actor)
                case = cases.open_case(session, person.id, CaseReason.REPOSITION, actor)
                session.add_all(
                    Photo(case_id=case.id, sha256=sha256, source_format="JPEG",
                          byte_size=byte_size + len(f"{number}"), width_px=4000,
                          height_px=3000, uploaded_by_id=actor.id)
                    for number, sha256 in enumerate(hashes[first : first + PER_CASE], first)
                )  # fmt: skip
                session.commit()
    finally:
        engine.dispose()


def time_command(*args: str | Path, env: dict[str, str | None]) -> dict[str, float]:
    """Run ``scalpmap ARGS`` as a fresh process (``env``: variables set, or unset for None)."""
    previous = {key: os.environ.get(key) for key in env}
    for key, value in env.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        wall, cpu, code = run_process([*scalpmap_command(), *map(str, args)])
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    if code != 0:
        raise SystemExit(f"scalpmap {' '.join(map(str, args))} failed with exit code {code}")
    return {"wall": wall, "cpu": cpu}


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def measure(install: Installation, work: Path) -> dict[str, Any]:
    """Back up, verify and restore one installation; return the times and sizes."""
    env: dict[str, str | None] = {
        "SCALPMAP_DATABASE_URL": install.database_url,
        "SCALPMAP_PHOTO_STORAGE_DIR": str(install.photos_dir),
    }
    out = work / f"backup-{install.name}-{install.backend}"
    backup = time_command("backup", out, "--data-dir", install.data_dir, env=env)
    verify = time_command("verify-backup", out, env={})
    target = work / f"restored-{install.name}-{install.backend}"
    with new_database(install.backend, work) as empty:
        options = [] if install.backend == "sqlite" else ["--database-url", empty]
        clean: dict[str, str | None] = {
            "SCALPMAP_DATABASE_URL": None,
            "SCALPMAP_PHOTO_STORAGE_DIR": None,
        }
        restore = time_command("restore", out, "--data-dir", target, *options, env=clean)
    size = folder_bytes(out)
    files = sum(1 for path in out.rglob("*") if path.is_file())
    shutil.rmtree(out)
    shutil.rmtree(target)
    print(f"{install.name} {install.backend}: backup {backup['wall']:.1f} s, "
          f"verify {verify['wall']:.1f} s, restore {restore['wall']:.1f} s")  # fmt: skip
    return {"backup": backup, "verify": verify, "restore": restore, "bytes": size, "files": files}


def run(work: Path) -> dict[str, Any]:
    """Make the installations in ``work`` and measure each; return every figure."""
    missing = postgres_missing()
    backends = ["sqlite"] if missing else ["sqlite", "postgresql"]
    jpeg = phone_photo()
    base = PhotoStore(work / "thousand-photos")
    hashes = write_photo_files(base, jpeg)
    fixed = len(numbered(jpeg, 0)) - 1  # a photo's size without its number's digits
    results: dict[str, Any] = {"postgres_missing": missing, "rows": [], "jpeg_bytes": len(jpeg)}
    with contextlib.ExitStack() as databases:
        for backend in backends:
            url = databases.enter_context(new_database(backend, work))
            data_dir, photos_dir = work / f"data-{backend}", work / f"photos-{backend}"
            settings = get_settings(
                data_dir=data_dir, database_url=url, photo_storage_dir=photos_dir
            )
            make_demo(settings)
            demo = Installation("demo", backend, data_dir, url, photos_dir)
            results["rows"].append(("demo", backend, measure(demo, work)))
            shutil.copytree(base.root, photos_dir, dirs_exist_ok=True, copy_function=os.link)
            add_photo_rows(settings, hashes, fixed)
            thousand = Installation("thousand", backend, data_dir, url, photos_dir)
            results["rows"].append((f"demo + {PHOTOS:,} photos", backend, measure(thousand, work)))
    return results


def render(results: dict[str, Any], facts: dict[str, Any]) -> str:
    """Return the markdown section."""
    rows = []
    for name, backend, figures in results["rows"]:
        backup, verify, restore = figures["backup"], figures["verify"], figures["restore"]
        rows.append([
            name, backend, f"{figures['files']:,}", f"{figures['bytes'] / 1e6:,.1f} MB",
            f"{backup['wall']:.1f} s ({backup['cpu']:.1f} s)",
            f"{verify['wall']:.1f} s ({verify['cpu']:.1f} s)",
            f"{restore['wall']:.1f} s ({restore['cpu']:.1f} s)",
            f"{backup['wall'] + restore['wall']:.1f} s",
        ])  # fmt: skip
    header = ["Installation", "Database", "Files", "Backup size", "backup", "verify-backup",
              "restore (checks, restores, verifies)", "backup + restore"]  # fmt: skip
    lines = [
        "## Backup and restore",
        "",
        "Reproduce with:",
        "",
        "```sh",
        ".venv/bin/python benchmarks/bench_backup.py",
        "```",
        "",
        "How long the clinic's backup and restore take ([backup.md](backup.md)). *demo*: the "
        "bundled sample case made through the services (the sample photo analysed and planned, "
        "a facility, a referral, a laser session and a follow-up measured), so every kind of "
        f"stored file is there. *demo + {PHOTOS:,} photos*: the same with {PHOTOS:,} phone "
        f"photos in {PHOTOS // PER_CASE} more patients' cases: one synthetic 12-megapixel "
        f"close-up as JPEG quality {JPEG_QUALITY} ({results['jpeg_bytes'] / 1e6:.2f} MB), each "
        "made distinct by a numbered JPEG comment. Each command runs as its own process "
        "(`.venv/bin/scalpmap backup OUT`, `verify-backup OUT`, `restore OUT --data-dir NEW "
        "[--database-url EMPTY]`), timed from outside: wall time, and in brackets the CPU time "
        "of the command and its children (`pg_dump`, `pg_restore`). `restore` includes checking "
        "the backup before it writes and verifying every file's sha256 and every row count "
        "after. The files are read from the page cache where they still are.",
        "",
        f"- {finished_words(facts)} (a machine shared with other work).",
        *machine_lines(),
    ]
    if results["postgres_missing"]:
        lines.append(f"- PostgreSQL not measured: {results['postgres_missing']}.")
    lines += ["", markdown_table(header, rows)]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Measure and rewrite the section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT, help="report to update")
    parser.add_argument("--work", type=Path, help="folder for the data (default: a temporary one)")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(dir=args.work) as work:
        results = run(Path(work))
    write_section(Path(args.out), SECTION, render(results, run_facts(load_before)))


if __name__ == "__main__":
    main()
