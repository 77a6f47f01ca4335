"""The web benchmarks' databases: a fresh SQLite file or PostgreSQL database, and its users.

Users and seed data go straight into the database through the services or SQLAlchemy bulk
inserts, which is fast; everything measured goes through HTTP.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from scalpmap.config import get_settings
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.migrate import ensure_schema
from scalpmap.store.models import Case, CaseReason, CaseStage, Patient, Role, User

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
