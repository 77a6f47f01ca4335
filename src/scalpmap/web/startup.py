"""What the app does once when it starts: migrate, recover the photo store, fail stale jobs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from scalpmap.services.analyses import fail_stale_analyses
from scalpmap.services.jobs import fail_stale_jobs
from scalpmap.services.photos import recover_photo_store
from scalpmap.store.migrate import ensure_schema
from scalpmap.store.models import User
from scalpmap.store.photos import PhotoStore

__all__ = ["STALE_ANALYSIS_AGE", "StartupReport", "prepare"]

STALE_ANALYSIS_AGE = dt.timedelta(minutes=30)
"""An analysis still ``running`` after this long belongs to a worker that stopped."""


@dataclass(frozen=True)
class StartupReport:
    """What :func:`prepare` did.

    Attributes
    ----------
    revision : str
        The database's schema revision.
    recovered_files : int
        Staged photo files promoted or removed.
    failed_analyses : list of int
        Analyses marked failed because their worker stopped.
    user_count : int
        Staff users in the database (0: print the first-admin hint).
    failed_jobs : list of int
        Plan saves and follow-up measures marked failed because their worker stopped.
    """

    revision: str
    recovered_files: int
    failed_analyses: list[int]
    user_count: int
    failed_jobs: list[int] = field(default_factory=list)


def prepare(
    engine: Engine, session_factory: Callable[[], Session], store: PhotoStore
) -> StartupReport:
    """Make the database and the photo store ready; safe to run from several workers at once.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The database; an empty one is migrated to the newest schema.
    session_factory : callable
        Makes sessions.
    store : PhotoStore
        The photo store; files staged by a crashed upload are finished or removed.

    Returns
    -------
    StartupReport
        What was done.
    """
    revision = ensure_schema(engine)
    with session_factory() as session:
        recovered = recover_photo_store(session, store)
        failed = fail_stale_analyses(session, older_than=STALE_ANALYSIS_AGE)
        failed_jobs = fail_stale_jobs(session, older_than=STALE_ANALYSIS_AGE)
        users = session.scalar(select(func.count()).select_from(User)) or 0
    return StartupReport(revision, recovered, failed, int(users), failed_jobs)
