"""The hardening benchmark's admin account and its facility CSV imports, timed while probed."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
from rich.console import Console

from scalpmap.config import get_settings
from scalpmap.facilities.csv_io import COLUMNS
from scalpmap.services.users import create_user
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.migrate import ensure_schema
from scalpmap.store.models import Role
from web_bench_common import percentiles_ms
from web_bench_server import api_token, run_server

EMAIL = "hardening-admin@clinic.example"
PASSWORD = "quartz lantern meadow 4417"  # a throwaway account in a throwaway database
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


def make_admin(data_dir: Path, database_url: str) -> None:
    engine = create_engine_for(get_settings(data_dir=data_dir, database_url=database_url))
    try:
        ensure_schema(engine)
        with make_session_factory(engine)() as session:
            create_user(session, EMAIL, PASSWORD, Role.ADMIN, full_name="Bench Admin")
    finally:
        engine.dispose()
