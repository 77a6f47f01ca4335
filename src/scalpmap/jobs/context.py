"""What a job needs to run: the database, the photo store and the limits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from scalpmap.services.limited import Limits
from scalpmap.store.photos import PhotoStore

__all__ = ["WorkerContext"]


@dataclass(frozen=True)
class WorkerContext:
    """What a job needs to run.

    Attributes
    ----------
    session_factory : callable
        Makes database sessions (on SQLite, with lazy transactions).
    store : PhotoStore
        The photo store, shared by the web app and the workers.
    max_pixels : int
        Largest photo accepted.
    limits : Limits or None
        Memory and time of one analysis, run in a child process; in this process when None.
    """

    session_factory: Callable[[], Session]
    store: PhotoStore
    max_pixels: int
    limits: Limits | None
