"""Hardening of the web app against big bodies and big CSV imports, against a real server.

Both measured against ``python -m scalpmap serve --port P --data-dir D`` in a subprocess, from a
client on 127.0.0.1 on the same 2 cores. Written to the ``hardening`` section of
``docs/benchmarks.md``.

1. Bodies (SQLite, 1 worker): raw sockets send 150 MB JSON bodies to ``POST /api/auth/token``,
   five with ``Content-Length`` and five chunked (no length), and five 40 MB bodies to
   ``POST /api/patients`` without sign-in. Each time is from the first byte sent to the 413's
   status line; the server's resident memory (``VmRSS``) and its peak (``VmHWM``, from
   ``/proc/PID/status``) are read before and after.
2. CSV import (SQLite with 1 worker, PostgreSQL with 2): after a 10-row warm-up import per
   worker (a process's first geocoding loads the offline gazetteer, about 0.5 s, once), an
   admin's API token imports a
   40,000-row facility CSV (new facilities, then the same file again: 40,000 updates), a
   100 KB header of 50,000 columns and a 100,001-row file, while ``GET /healthz`` is asked
   every 20 ms on another connection; the import's time and every ``/healthz`` time during it
   are recorded.

Run ``.venv/bin/python benchmarks/bench_hardening.py --help`` for the options.
"""

from __future__ import annotations

import os

os.environ["OMP_NUM_THREADS"] = "2"
os.environ["OPENBLAS_NUM_THREADS"] = "2"
os.environ["MKL_NUM_THREADS"] = "2"

import argparse
import datetime as dt
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
from rich.console import Console

from bench_common import DEFAULT_REPORT, machine_lines, markdown_table, replace_section
from scalpmap.config import get_settings
from scalpmap.facilities.csv_io import COLUMNS
from scalpmap.services.users import create_user
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.migrate import ensure_schema
from scalpmap.store.models import Role
from web_bench_common import (
    CORES,
    POSTGRES_ADMIN_URL,
    api_token,
    limit_cores,
    load_average,
    percentiles_ms,
    postgres_database,
    postgres_version,
    run_server,
    software_line,
    sqlite_url,
)

SECTION = "hardening"
EMAIL = "hardening-admin@clinic.example"
PASSWORD = "quartz lantern meadow 4417"  # a throwaway account in a throwaway database
MB = 1_000_000
CHUNK = b"a" * 65536
PROBE_EVERY_S = 0.02
PLACES = (
    ("Leeds", "GB", 53.80, -1.55),
    ("Berlin", "DE", 52.52, 13.40),
    ("Paris", "FR", 48.86, 2.35),
    ("Madrid", "ES", 40.42, -3.70),
    ("Toronto", "CA", 43.65, -79.38),
    ("Sydney", "AU", -33.87, 151.21),
)
LASERS = ("Nd:YAG 1064 ps", "PicoWay 1064/532 ps", "Q-switched Nd:YAG 1064/532 ns")


def facility_csv(rows: int, prefix: str = "Bench Laser") -> bytes:
    """Return a valid facility CSV: every 10th row without coordinates (located by its city)."""
    lines = [",".join(COLUMNS)]
    for i in range(rows):
        city, country, lat, lon = PLACES[i % len(PLACES)]
        where = ("", "") if i % 10 == 0 else (f"{lat:.2f}", f"{lon:.2f}")
        email = f"laser{i}@example.org" if i % 2 else ""
        cells = [f"{prefix} {i:06d}", "", city, country, *where, "", email]
        cells += [LASERS[i % len(LASERS)], "yes" if i % 3 else "no", "I-VI" if i % 4 else "", ""]
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode()


def memory_kb(pid: int) -> dict[str, int]:
    """Return ``VmRSS`` and ``VmHWM`` (peak) of a process, in kB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


def refuse_time(port: int, path: str, size: int, *, chunked: bool) -> tuple[float, int]:
    """Send a ``size``-byte JSON body on a raw socket; return seconds to the status, the status."""
    head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}")
    answered = threading.Event()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:

        def send_body() -> None:
            sent = 0
            try:
                while sent < size and not answered.is_set():
                    part = CHUNK[: min(len(CHUNK), size - sent)]
                    sock.sendall(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
                    sent += len(part)
                if chunked and not answered.is_set():
                    sock.sendall(b"0\r\n\r\n")
            except OSError:
                pass  # the server answered and closed the connection

        start = time.perf_counter()
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        sender = threading.Thread(target=send_body, daemon=True)
        sender.start()
        received = b""
        while b"\r\n" not in received:
            data = sock.recv(4096)
            if not data:
                break
            received += data
        seconds = time.perf_counter() - start
        answered.set()
        sender.join(timeout=30)
    status = int(received.split(b" ", 2)[1]) if received.startswith(b"HTTP/") else 0
    return seconds, status


@dataclass
class Import:
    """One import while ``/healthz`` is probed."""

    name: str
    rows: str
    status: int = 0
    seconds: float = 0.0
    probes: list[float] = field(default_factory=list)


def import_while_probing(base: str, token: str, name: str, rows: str, data: bytes) -> Import:
    """POST a CSV import in a thread while the main thread asks ``/healthz`` every 20 ms."""
    result = Import(name, rows)
    headers = {"Authorization": f"Bearer {token}"}

    def run() -> None:
        with httpx.Client(base_url=base, timeout=900) as client:
            start = time.perf_counter()
            answer = client.post(
                "/api/facilities/import", files={"file": ("f.csv", data)}, headers=headers
            )
            result.seconds = time.perf_counter() - start
            result.status = answer.status_code

    with httpx.Client(base_url=base, timeout=60) as probe:
        probe.get("/healthz")
        worker = threading.Thread(target=run)
        worker.start()
        while worker.is_alive():
            start = time.perf_counter()
            probe.get("/healthz").raise_for_status()
            result.probes.append(time.perf_counter() - start)
            time.sleep(PROBE_EVERY_S)
        worker.join()
    return result


def probe_idle(base: str, seconds: float) -> Import:
    """Ask ``/healthz`` every 20 ms for ``seconds`` while nothing else runs (the baseline)."""
    result = Import("nothing (the idle server, for comparison)", "", status=200, seconds=seconds)
    with httpx.Client(base_url=base, timeout=60) as probe:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            start = time.perf_counter()
            probe.get("/healthz").raise_for_status()
            result.probes.append(time.perf_counter() - start)
            time.sleep(PROBE_EVERY_S)
    return result


def make_admin(data_dir: Path, database_url: str) -> None:
    engine = create_engine_for(get_settings(data_dir=data_dir, database_url=database_url))
    try:
        ensure_schema(engine)
        with make_session_factory(engine)() as session:
            create_user(session, EMAIL, PASSWORD, Role.ADMIN, full_name="Bench Admin")
    finally:
        engine.dispose()


@dataclass
class Bodies:
    """The 413s' table rows, their worst times and the server's memory in kB."""

    rows: list[list[str]]
    worst_ms: dict[str, float]
    before: dict[str, int]
    after: dict[str, int]


def measure_bodies(data_dir: Path, console: Console) -> Bodies:
    """Time the 413s and read the server's memory; one table row per kind of body."""
    make_admin(data_dir, sqlite_url(data_dir))
    rows, worst = [], {}
    with run_server(data_dir, sqlite_url(data_dir), workers=1) as server:
        port = int(server.base_url.rsplit(":", 1)[1])
        pid = server.process.pid
        with httpx.Client(base_url=server.base_url) as client:
            for _ in range(3):
                client.get("/healthz")
            api_token(client, EMAIL, PASSWORD)
        before = memory_kb(pid)
        cases = (
            ("150 MB JSON, Content-Length", "/api/auth/token", 150 * MB, False),
            ("150 MB JSON, chunked", "/api/auth/token", 150 * MB, True),
            ("40 MB JSON without sign-in", "/api/patients", 40 * MB, False),
        )
        for label, path, size, chunked in cases:
            times, statuses = [], set()
            for _ in range(5):
                seconds, status = refuse_time(port, path, size, chunked=chunked)
                times.append(seconds)
                statuses.add(status)
            console.log(f"{label}: {max(times) * 1000:.1f} ms at most, status {statuses}")
            rows.append([label, f"`POST {path}`", ", ".join(map(str, sorted(statuses)))])
            rows[-1] += [f"{statistics_ms(times, 'p50')}", f"{statistics_ms(times, 'max')}"]
            worst[label] = max(times) * 1000
        after = memory_kb(pid)
    rows.append(
        [
            "server memory",
            "before → after the 15 requests",
            "",
            f"RSS {before['VmRSS'] / 1000:.1f} → {after['VmRSS'] / 1000:.1f} MB",
            f"peak {before['VmHWM'] / 1000:.1f} → {after['VmHWM'] / 1000:.1f} MB",
        ]
    )
    return Bodies(rows, worst, before, after)


def statistics_ms(seconds: Sequence[float], key: str) -> str:
    return f"{percentiles_ms(seconds)[key]:.1f}"


def measure_imports(data_dir: Path, url: str, workers: int, console: Console) -> list[Import]:
    """Run the imports against one backend."""
    make_admin(data_dir, url)
    files = (
        ("40,000 new facilities", "40,000", facility_csv(40_000)),
        ("the same file again (40,000 updates)", "40,000", facility_csv(40_000)),
        ("a header of 50,000 columns (100 KB)", "0", (",".join(["name"] * 50_000)).encode()),
        ("100,001 rows (refused)", "100,001", facility_csv(100_001)),
    )
    results = []
    with run_server(data_dir, url, workers=workers) as server:
        with httpx.Client(base_url=server.base_url) as client:
            token = api_token(client, EMAIL, PASSWORD)
            for _ in range(workers):  # each worker's first geocoding loads the gazetteer
                warm_up = client.post(
                    "/api/facilities/import",
                    files={"file": ("warm-up.csv", facility_csv(10, "Warm-up Laser"))},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=120,
                )
                warm_up.raise_for_status()
        results.append(probe_idle(server.base_url, 10.0))
        for name, rows, data in files:
            result = import_while_probing(server.base_url, token, name, rows, data)
            console.log(
                f"{name}: {result.status} in {result.seconds:.1f} s; /healthz max "
                f"{max(result.probes) * 1000:.0f} ms over {len(result.probes)} probes"
            )
            results.append(result)
    return results


def import_rows(results: Sequence[Import], backend: str) -> list[list[str]]:
    table = []
    for result in results:
        ms = percentiles_ms(result.probes)
        table.append(
            [
                backend,
                result.name,
                str(result.status),
                f"{result.seconds:.1f}",
                str(len(result.probes)),
                f"{ms['p50']:.1f}",
                f"{ms['p95']:.1f}",
                f"{ms['max']:.1f}",
            ]
        )
    return table


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
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL, help="PostgreSQL admin URL")
    parser.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    args = parser.parse_args(argv)
    console = Console(width=None if sys.stdout.isatty() else 200)
    affinity = limit_cores(CORES)
    load_before = load_average()
    started = time.perf_counter()
    pg_version = None if args.no_postgres else postgres_version(args.postgres_url)
    imports: dict[str, list[Import]] = {}
    with tempfile.TemporaryDirectory(prefix="scalpmap-bench-hardening-") as folder:
        root = Path(folder)
        (root / "bodies").mkdir()
        bodies = measure_bodies(root / "bodies", console)
        (root / "sqlite").mkdir()
        imports["SQLite, 1 worker"] = measure_imports(
            root / "sqlite", sqlite_url(root / "sqlite"), 1, console
        )
        if pg_version is not None:
            (root / "postgresql").mkdir()
            with postgres_database(args.postgres_url) as url:
                imports["PostgreSQL, 2 workers"] = measure_imports(
                    root / "postgresql", url, 2, console
                )
    seconds = time.perf_counter() - started
    finished = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    refusal = max(ms for label, ms in bodies.worst_ms.items() if label.startswith("150 MB"))
    peak = (bodies.after["VmHWM"] - bodies.before["VmHWM"]) / 1000
    rss = (bodies.after["VmRSS"] - bodies.before["VmRSS"]) / 1000
    big = [r for rs in imports.values() for r in rs if r.rows == "40,000"]
    healthz_max = max(max(r.probes) for r in big) * 1000
    goals = [
        ["a 150 MB JSON body is refused", "< 100 ms", f"{refusal:.1f} ms at most"],
        [
            "the server's memory is unchanged",
            "peak grows < 5 MB",
            f"peak {peak:+.1f} MB, RSS {rss:+.1f} MB",
        ],
        ["`/healthz` during a 40,000-row import", "< 100 ms", f"{healthz_max:.1f} ms at most"],
    ]
    ok = [refusal < 100, peak < 5, healthz_max < 100]
    goals = [
        row + ["**pass**" if good else "**FAIL**"] for row, good in zip(goals, ok, strict=True)
    ]
    body = "\n".join(
        [
            "## Hardening: big bodies and big CSV imports",
            "",
            "Reproduce with:",
            "",
            "```sh",
            ".venv/bin/python benchmarks/bench_hardening.py",
            "```",
            "",
            "A real server, `python -m scalpmap serve --port P --data-dir D` (uvicorn) in a "
            "subprocess, with a fresh SQLite file or a fresh PostgreSQL database; the admin is "
            "made through `services.users.create_user` and gets an API token. Client and server "
            "share the machine and its cores.",
            "",
            f"- Finished {finished}, after {seconds:.0f} s. Load average (1 min) "
            f"{load_before:.2f} before, {load_average():.2f} after.",
            *machine_lines(),
            software_line() + (f", PostgreSQL {pg_version}" if pg_version else ""),
            f"- Limited to {CORES} cores; {affinity}.",
            "",
            "### Request bodies (SQLite, 1 worker)",
            "",
            "Raw sockets; each time from the first byte sent to the answer's status line, 5 "
            "requests each. JSON and form bodies are limited to 1 MB before routing, sign-in "
            "and parsing; a declared length over it is refused without reading, a chunked body "
            "is read up to the first byte past it. Memory from `/proc/PID/status` of the server.",
            "",
            markdown_table(["body", "route", "status", "p50 ms", "max ms"], bodies.rows),
            "",
            "### `/healthz` during facility CSV imports",
            "",
            "The import is `POST /api/facilities/import` (multipart, admin token), which the "
            "server checks and writes in a child process; `/healthz` is "
            "asked on another connection every 20 ms while it runs (and for 10 s before, with "
            "nothing running, as the baseline of this machine at that time). Each worker first "
            "imports "
            "10 other rows (its first geocoding loads the offline gazetteer, about 0.5 s, once). "
            "The 40,000-row file is "
            f"{len(facility_csv(40_000)) / MB:.1f} MB: six cities in six countries, every tenth "
            "row without coordinates (located offline by its city), half with an email address.",
            "",
            markdown_table(
                ["backend", "file", "status", "import s", "probes", "p50 ms", "p95 ms", "max ms"],
                [row for name, rs in imports.items() for row in import_rows(rs, name)],
            ),
            "",
            "### Goals",
            "",
            markdown_table(["goal", "target", "measured", "verdict"], goals, numeric=False),
        ]
    )
    replace_section(args.out, SECTION, body)
    console.print(f"wrote the '{SECTION}' section of {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
