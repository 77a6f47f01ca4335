"""Helpers shared by the web benchmarks (``bench_web.py``, ``load_web.py``).

A real server: ``python -m scalpmap serve --port P --data-dir D`` in a subprocess (its own
process group), with ``SCALPMAP_DATABASE_URL`` set to a fresh SQLite file or a fresh PostgreSQL
database made for the run and dropped afterwards. Users and seed data go straight into the
database through the services or SQLAlchemy bulk inserts, which is fast; everything measured goes
through HTTP on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import numpy as np
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from bench_common import package_version
from scalpmap.config import get_settings
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.migrate import ensure_schema
from scalpmap.store.models import Case, CaseReason, CaseStage, Patient, Role, User

CORES = 2
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench-password-0123"  # a throwaway account in a throwaway database

FIRST_NAMES = (
    "Adam Alex Amir Andre Ben Carlos Chen Chris Dan David Eli Ethan Farid Felix Gary George "
    "Hamid Hugo Ian Ivan Jack James Jon Jose Karl Kevin Leo Liam Luca Marco Mark Matt Max Mo "
    "Nathan Neil Nick Noah Omar Oscar Owen Paul Pete Raj Ravi Rob Ryan Sam Sean Simon Tom Tony "
    "Victor Will Yusuf Zane"
).split()
LAST_NAMES = (
    "Abbott Adams Ahmed Ali Allen Baker Banerjee Barnes Bell Brooks Brown Campbell Carter Chen "
    "Clark Collins Cook Cooper Davies Dixon Doyle Edwards Evans Fischer Fleming Foster Garcia "
    "Gibson Gordon Graham Grant Green Hall Harris Hassan Hayes Hill Hughes Hunt Jackson James "
    "Jensen Johnson Jones Kaur Kelly Khan King Knight Kowalski Lee Lewis Lopez Marsh Martin "
    "Mason Miller Mills Moore Morgan Murphy Nguyen Novak Owen Palmer Parker Patel Perez Phillips "
    "Price Reid Reynolds Richards Roberts Robinson Rossi Russell Santos Scott Shah Silva Singh "
    "Smith Stewart Taylor Thomas Thompson Turner Walker Ward Watson White Wilson Wood Wright Young"
).split()


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


def postgres_version(admin_url: str = POSTGRES_ADMIN_URL) -> str | None:
    """Return the PostgreSQL server's version, or ``None`` when it does not answer.

    Parameters
    ----------
    admin_url : str
        URL of a database to connect to.

    Returns
    -------
    str or None
        E.g. ``"15.20"``.
    """
    try:
        engine = create_engine(_psycopg(admin_url))
        try:
            with engine.connect() as connection:
                return str(connection.execute(text("SHOW server_version")).scalar_one()).split()[0]
        finally:
            engine.dispose()
    except Exception:  # any failure means: no PostgreSQL to benchmark
        return None


def _psycopg(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


@contextmanager
def postgres_database(admin_url: str = POSTGRES_ADMIN_URL) -> Iterator[str]:
    """Create a fresh database ``scalpmap_bench_<random>``, yield its URL, drop it afterwards.

    Parameters
    ----------
    admin_url : str
        URL of a database of the same server, as a user allowed to create databases.

    Yields
    ------
    str
        The new database's SQLAlchemy URL (``postgresql+psycopg://...``).
    """
    name = f"scalpmap_bench_{secrets.token_hex(4)}"
    engine = create_engine(_psycopg(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield (
                make_url(_psycopg(admin_url))
                .set(database=name)
                .render_as_string(hide_password=False)
            )
        finally:
            with engine.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def sqlite_url(data_dir: Path) -> str:
    """Return the URL of the SQLite database inside a data directory.

    Parameters
    ----------
    data_dir : Path
        The data directory.

    Returns
    -------
    str
        ``sqlite:///<data_dir>/scalpmap.db``.
    """
    return f"sqlite:///{data_dir.resolve() / 'scalpmap.db'}"


def child_env(data_dir: Path, database_url: str) -> dict[str, str]:
    """Environment of a ``scalpmap`` subprocess: no inherited ``SCALPMAP_*`` but these two.

    Parameters
    ----------
    data_dir : Path
        The data directory.
    database_url : str
        The database.

    Returns
    -------
    dict
        The environment.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("SCALPMAP_")}
    env["SCALPMAP_DATA_DIR"] = str(data_dir)
    env["SCALPMAP_DATABASE_URL"] = database_url
    return env


def create_admin_cli(data_dir: Path, database_url: str, email: str) -> float:
    """Create an admin with ``scalpmap users create EMAIL --admin --password-stdin``.

    Parameters
    ----------
    data_dir : Path
        The data directory.
    database_url : str
        The database (migrated by the command when empty).
    email : str
        The admin's address; the password is :data:`PASSWORD`.

    Returns
    -------
    float
        Seconds the command took.
    """
    command = [sys.executable, "-m", "scalpmap", "users", "create", email, "--admin"]
    command += ["--password-stdin", "--name", "Bench Admin", "--data-dir", str(data_dir)]
    start = time.perf_counter()
    done = subprocess.run(
        command,
        input=PASSWORD + "\n",
        env=child_env(data_dir, database_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"scalpmap users create failed: {done.stderr.strip() or done.stdout}")
    return time.perf_counter() - start


def create_users_direct(
    data_dir: Path, database_url: str, emails: Sequence[str], role: Role
) -> list[int]:
    """Migrate the database if needed and create users through ``services.users.create_user``.

    Parameters
    ----------
    data_dir : Path
        The data directory.
    database_url : str
        The database.
    emails : sequence of str
        One user each; password :data:`PASSWORD`.
    role : Role
        Their role.

    Returns
    -------
    list of int
        Their ids.
    """
    from scalpmap.services.users import create_user

    engine = create_engine_for(get_settings(data_dir=data_dir, database_url=database_url))
    try:
        ensure_schema(engine)
        with make_session_factory(engine)() as session:
            return [
                create_user(session, email, PASSWORD, role, full_name=email.split("@")[0]).id
                for email in emails
            ]
    finally:
        engine.dispose()


@dataclass
class Seeded:
    """What :func:`seed_patients` put in the database.

    Attributes
    ----------
    patient_ids, case_ids : list of int
        The rows, case ``i`` belonging to patient ``i``.
    last_names : list of str
        Each patient's last name (for searches).
    seconds : float
        How long the inserts took.
    """

    patient_ids: list[int]
    case_ids: list[int]
    last_names: list[str]
    seconds: float


def seed_patients(
    data_dir: Path, database_url: str, count: int, *, seed: int, created_by: str | None = None
) -> Seeded:
    """Insert ``count`` patients, each with one case, with SQLAlchemy bulk inserts.

    Names are drawn from :data:`FIRST_NAMES` x :data:`LAST_NAMES`; dates of birth, contact
    fields, skin types, case reasons and stages are random with a fixed seed, and the cases'
    ``updated_at`` spread over the last year (the dashboard sorts by it).

    Parameters
    ----------
    data_dir : Path
        The data directory.
    database_url : str
        The database, already migrated.
    count : int
        Patients to add.
    seed : int
        Random seed.
    created_by : str, optional
        Email address of the user recorded as their creator.

    Returns
    -------
    Seeded
        The ids.
    """
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    engine = create_engine_for(get_settings(data_dir=data_dir, database_url=database_url))
    start = time.perf_counter()
    try:
        with make_session_factory(engine)() as session:
            creator = None
            if created_by is not None:
                creator = session.scalar(select(User.id).where(User.email == created_by))
            last_names = [rng.choice(LAST_NAMES) for _ in range(count)]
            patients: list[dict[str, Any]] = []
            for index, last in enumerate(last_names):
                first = rng.choice(FIRST_NAMES)
                created = now - dt.timedelta(days=rng.uniform(0, 1500))
                patients.append(
                    {
                        "full_name": f"{first} {last}",
                        "date_of_birth": dt.date(1950, 1, 1)
                        + dt.timedelta(days=rng.randrange(18000)),
                        "email": f"{first}.{last}.{index}@example.com".lower(),
                        "phone": f"+44 7700 {rng.randrange(1_000_000):06d}",
                        "address": f"{rng.randrange(1, 200)} High Street, Town",
                        "fitzpatrick_type": rng.randint(1, 6),
                        "notes": "Seeded patient for the web benchmark.",
                        "created_at": created,
                        "updated_at": created,
                        "created_by_id": creator,
                    }
                )
            statement = insert(Patient).returning(Patient.id, sort_by_parameter_order=True)
            patient_ids = list(session.scalars(statement, patients))
            stages = list(CaseStage)
            reasons = list(CaseReason)
            cases = []
            for patient_id, row in zip(patient_ids, patients, strict=True):
                created = row["created_at"]
                updated = created + (now - created) * rng.random()
                cases.append(
                    {
                        "patient_id": patient_id,
                        "reason": rng.choice(reasons),
                        "stage": rng.choice(stages),
                        "title": None,
                        "created_at": created,
                        "updated_at": updated,
                    }
                )
            statement = insert(Case).returning(Case.id, sort_by_parameter_order=True)
            case_ids = list(session.scalars(statement, cases))
            session.commit()
    finally:
        engine.dispose()
    return Seeded(patient_ids, case_ids, last_names, time.perf_counter() - start)


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now.

    Returns
    -------
    int
        The port.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A ``scalpmap serve`` subprocess.

    Attributes
    ----------
    base_url : str
        E.g. ``http://127.0.0.1:43211``.
    process : subprocess.Popen
        The server (leader of its own process group).
    log_path : Path
        Its standard output and error.
    start_seconds : float
        From launch to the first ``/healthz`` answering 200.
    """

    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    start_seconds: float = 0.0

    def log_tail(self, lines: int = 20) -> str:
        """Return the end of the server's log.

        Parameters
        ----------
        lines : int
            How many lines.

        Returns
        -------
        str
            The lines.
        """
        try:
            text_ = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text_.splitlines()[-lines:])

    def count_in_log(self, needle: str) -> int:
        """Count the log lines containing ``needle``.

        Parameters
        ----------
        needle : str
            The text.

        Returns
        -------
        int
            How many lines.
        """
        try:
            text_ = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return 0
        return sum(needle in line for line in text_.splitlines())


@contextmanager
def run_server(
    data_dir: Path, database_url: str, *, workers: int | None = None, timeout_s: float = 90.0
) -> Iterator[Server]:
    """Start ``python -m scalpmap serve``, wait for ``/healthz``, stop it (SIGINT) afterwards.

    Parameters
    ----------
    data_dir : Path
        The data directory (``--data-dir``).
    database_url : str
        ``SCALPMAP_DATABASE_URL``.
    workers : int, optional
        ``--workers``; the server's default when not given.
    timeout_s : float
        Longest wait for the server to answer.

    Yields
    ------
    Server
        The running server.
    """
    port = free_port()
    command = [sys.executable, "-m", "scalpmap", "serve", "--port", str(port)]
    command += ["--data-dir", str(data_dir)]
    if workers is not None:
        command += ["--workers", str(workers)]
    log_path = data_dir / f"server-{port}.log"
    started = time.perf_counter()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=child_env(data_dir, database_url),
            start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    try:
        deadline = started + timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"the server exited ({process.returncode}):\n{server.log_tail()}"
                )
            try:
                if httpx.get(server.base_url + "/healthz", timeout=2.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.perf_counter() > deadline:
                raise RuntimeError(f"the server did not answer in {timeout_s:.0f} s")
            time.sleep(0.1)
        server.start_seconds = time.perf_counter() - started
        yield server
    finally:
        stop_server(process)


def stop_server(process: subprocess.Popen[bytes], timeout_s: float = 30.0) -> None:
    """Stop a server started by :func:`run_server`: SIGINT, then SIGKILL to its group.

    Parameters
    ----------
    process : subprocess.Popen
        The server (leader of its own process group).
    timeout_s : float
        Grace period.
    """
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_from_page(html: str) -> str:
    """Return the CSRF token of a page (its meta tag, else its first form field).

    Parameters
    ----------
    html : str
        The page.

    Returns
    -------
    str
        The token.
    """
    found = _CSRF_META.search(html) or _CSRF_FIELD.search(html)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def sign_in_browser(client: httpx.Client, email: str, password: str = PASSWORD) -> str:
    """Sign in through the ``/signin`` form as a browser does; return the session's CSRF token.

    Parameters
    ----------
    client : httpx.Client
        A client with a cookie jar and the server's base URL.
    email, password : str
        The account.

    Returns
    -------
    str
        The CSRF token of the signed-in session (sign-in starts a fresh one).
    """
    page = client.get("/signin")
    page.raise_for_status()
    form = {"csrf_token": csrf_from_page(page.text), "email": email, "password": password}
    answer = client.post("/signin", data={**form, "next": "/"}, follow_redirects=False)
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in answered {answer.status_code}: {answer.text[:200]}")
    page = client.get("/patients")
    page.raise_for_status()
    return csrf_from_page(page.text)


def api_token(
    client: httpx.Client, email: str, password: str = PASSWORD, *, forwarded_for: str | None = None
) -> str:
    """Exchange an email and password for a token with ``POST /api/auth/token``.

    Parameters
    ----------
    client : httpx.Client
        A client with the server's base URL.
    email, password : str
        The account.
    forwarded_for : str, optional
        ``X-Forwarded-For`` (the server trusts it from 127.0.0.1), as a client behind a proxy.

    Returns
    -------
    str
        The token.
    """
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    answer = client.post(
        "/api/auth/token", json={"email": email, "password": password}, headers=headers
    )
    if answer.status_code != 201:
        raise RuntimeError(f"POST /api/auth/token answered {answer.status_code}: {answer.text}")
    return str(answer.json()["token"])


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
