"""What one app instance holds: settings, database, photo store, job pool, limiters, templates."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.templating import Jinja2Templates

from scalpmap.config import Settings
from scalpmap.store.photos import PhotoStore
from scalpmap.web.clinic_pages import ClinicCache
from scalpmap.web.jobs import AnalysisJobs
from scalpmap.web.security import RateLimits
from scalpmap.web.startup import StartupReport

__all__ = ["AppState"]


@dataclass
class AppState:
    """The state of one app, kept as ``app.state.scalpmap`` (never a module global).

    Attributes
    ----------
    settings : Settings
        The settings the app was built with.
    engine : sqlalchemy.Engine
        The database engine (disposed when the app stops).
    session_factory : sqlalchemy.orm.sessionmaker
        Makes one session per request or job.
    store : PhotoStore
        The photo store.
    jobs : AnalysisJobs
        The background analysis pool.
    limits : RateLimits
        In-memory rate limiters (per process).
    templates : starlette.templating.Jinja2Templates
        The page templates.
    has_plans : bool
        Whether the plans area (``scalpmap.web.plans``) is installed.
    startup : StartupReport or None
        What the start-up did, once it ran.
    clinic_cache : ClinicCache
        The clinic's settings as this worker last read them.
    """

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    store: PhotoStore
    jobs: AnalysisJobs
    limits: RateLimits
    templates: Jinja2Templates
    has_plans: bool = False
    startup: StartupReport | None = None
    clinic_cache: ClinicCache = field(default_factory=ClinicCache)
