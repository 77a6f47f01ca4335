"""A facility CSV import run by the web app in a child process, so the server never stalls.

Checking 100,000 rows is seconds of pure-Python work. In a thread of the server it would hold the
interpreter lock for most of that time, and every page, ``/healthz`` included, would wait its
turn; so the web app runs :func:`scalpmap.services.facility_csv.import_csv` in a child process
(:func:`scalpmap.services.limited.run_limited`, forked from a ready ``forkserver``) with its own
database connection, and waits for it in a thread of its pool. The command line imports in its
own process and calls ``import_csv`` directly.
"""

from __future__ import annotations

from scalpmap.config import Settings
from scalpmap.services._tx import get_or_raise
from scalpmap.services.errors import InputError
from scalpmap.services.facility_csv import ImportCounts, import_csv
from scalpmap.services.limited import Limits, LimitsExceeded, run_limited
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.models import User

__all__ = ["IMPORT_LIMITS", "import_csv_in_child"]

IMPORT_LIMITS = Limits(memory_mb=1024, time_s=600.0)
"""What one import may use: a 10 MB file of 100,000 rows needs a fraction of it."""


def _import(settings: Settings, data: bytes, source: str, actor_id: int | None) -> ImportCounts:
    """Run the import in this (child) process with a connection of its own."""
    engine = create_engine_for(settings, hide_parameters=True)
    try:
        with make_session_factory(engine)() as session:
            actor = get_or_raise(session, User, actor_id, "user") if actor_id else None
            return import_csv(session, data, source=source, actor=actor)
    finally:
        engine.dispose()


def import_csv_in_child(
    settings: Settings,
    data: bytes,
    *,
    source: str,
    actor_id: int | None,
    limits: Limits = IMPORT_LIMITS,
) -> ImportCounts:
    """Import a facility CSV in a child process (see :func:`~.facility_csv.import_csv`).

    Parameters
    ----------
    settings : Settings
        The app's settings (the child connects to the same database).
    data : bytes
        The CSV file.
    source : str
        The file's name, for messages.
    actor_id : int or None
        Who imports (audited).
    limits : Limits, optional
        Memory and time of the child.

    Returns
    -------
    ImportCounts
        How many facilities were created, updated and located by their city.

    Raises
    ------
    FacilityCsvError
        When a row is bad (every problem listed); nothing is imported.
    InputError
        When the import ran out of its memory or time.
    """
    try:
        return run_limited(_import, settings, data, source, actor_id, limits=limits)
    except LimitsExceeded:
        raise InputError(
            f"the import ran out of its limits ({limits.memory_mb} MB of memory, "
            f"{limits.time_s:g} s); split the file and import the parts one by one"
        ) from None
