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
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
from rich.console import Console

from bench_common import DEFAULT_REPORT, machine_lines, markdown_table, replace_section
from hardening_imports import (
    EMAIL,
    PASSWORD,
    Import,
    facility_csv,
    import_rows,
    make_admin,
    measure_imports,
)
from web_bench_common import CORES, limit_cores, load_average, percentiles_ms, software_line
from web_bench_db import POSTGRES_ADMIN_URL, postgres_database, postgres_version, sqlite_url
from web_bench_server import api_token, run_server

SECTION = "hardening"
MB = 1_000_000
CHUNK = b"a" * 65536


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
