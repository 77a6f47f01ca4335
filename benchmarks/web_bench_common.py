"""Helpers shared by the web benchmarks (``bench_web.py``, ``load_web.py``).

A real server: ``python -m scalpmap serve --port P --data-dir D`` in a subprocess (its own
process group), with ``SCALPMAP_DATABASE_URL`` set to a fresh SQLite file or a fresh PostgreSQL
database made for the run and dropped afterwards. Users and seed data go straight into the
database through the services or SQLAlchemy bulk inserts, which is fast; everything measured goes
through HTTP on 127.0.0.1.

This module holds the cores, the software line and the timing helpers; the databases and their
users are in :mod:`web_bench_db`, the server and signing in in :mod:`web_bench_server`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence

import numpy as np

from bench_common import package_version

CORES = 2


def limit_cores(cores: int = CORES) -> str:
    """Pin this process (and so the servers it starts) to ``cores`` CPUs.

    Set ``OMP_NUM_THREADS`` and friends in the script itself before numpy is imported; this only
    changes the CPU affinity, which child processes inherit.

    Parameters
    ----------
    cores : int
        CPUs to keep.

    Returns
    -------
    str
        One line saying what was done.
    """
    if not hasattr(os, "sched_getaffinity"):
        return "CPU affinity not supported here; not limited"
    available = sorted(os.sched_getaffinity(0))
    if len(available) > cores:
        os.sched_setaffinity(0, available[:cores])
    used = len(os.sched_getaffinity(0))
    return f"CPU affinity {len(available)} CPUs available, {used} used"


def software_line() -> str:
    """Markdown bullet naming the web stack's versions.

    Returns
    -------
    str
        The bullet.
    """
    names = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "psycopg", "httpx")
    parts = [f"{name} {package_version(name)}" for name in names]
    return f"- {', '.join(parts)}, SQLite {sqlite3.sqlite_version}"


def percentiles_ms(seconds: Sequence[float]) -> dict[str, float]:
    """Median, 95th percentile and maximum of durations, in milliseconds.

    Percentiles interpolate linearly between the closest ranks (numpy's default).

    Parameters
    ----------
    seconds : sequence of float
        Durations in seconds.

    Returns
    -------
    dict
        ``p50``, ``p95``, ``max`` (NaN when empty).
    """
    if not seconds:
        return {"p50": float("nan"), "p95": float("nan"), "max": float("nan")}
    values = np.asarray(seconds, dtype=float) * 1000.0
    p50, p95 = np.percentile(values, [50, 95])
    return {"p50": float(p50), "p95": float(p95), "max": float(values.max())}


def load_average() -> float:
    """Return the 1-minute load average (NaN when unknown).

    Returns
    -------
    float
        The load.
    """
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")
