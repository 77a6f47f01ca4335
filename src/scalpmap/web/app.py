"""The clinic web app: ``create_app(settings)`` builds one; ``scalpmap serve`` runs it.

Each business area is a package with its page routes (``routes.py``), JSON API routes
(``api.py``), the web side's orchestration of the use cases (``orchestration.py``: checks, page
data, asking for jobs; the use cases themselves, with their transactions, are
:mod:`scalpmap.services`) and templates (``templates/<area>/``). The plans area
(``scalpmap.web.plans``) plugs in the same way: the ``router`` of each of its ``routes``,
``pages`` and ``api`` modules that exists is included, and the case page then links to
``/cases/{id}/plans``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine, text
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from scalpmap import __version__
from scalpmap.config import Settings, get_settings
from scalpmap.store.engine import BEGIN_IMMEDIATE, create_engine_for, make_session_factory
from scalpmap.store.photos import PhotoStore
from scalpmap.web import apidocs, job_progress
from scalpmap.web.admin import clinic as admin_clinic
from scalpmap.web.admin import routes as admin_routes
from scalpmap.web.auth import api as auth_api
from scalpmap.web.auth import routes as auth_routes
from scalpmap.web.cases import api as cases_api
from scalpmap.web.cases import routes as cases_routes
from scalpmap.web.clinic_days import ClinicDaysMiddleware
from scalpmap.web.clinic_pages import ClinicSettingsMiddleware
from scalpmap.web.dashboard import routes as dashboard_routes
from scalpmap.web.deps import StateDep
from scalpmap.web.enquiries import routes as enquiries_routes
from scalpmap.web.errors import install_error_handlers
from scalpmap.web.facilities import api as facilities_api
from scalpmap.web.facilities import routes as facilities_routes
from scalpmap.web.jobs import make_analysis_jobs
from scalpmap.web.middleware import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from scalpmap.web.patients import api as patients_api
from scalpmap.web.patients import routes as patients_routes
from scalpmap.web.photos import api as photos_api
from scalpmap.web.photos import routes as photos_routes
from scalpmap.web.plans import api as plans_api
from scalpmap.web.plans import routes as plans_routes
from scalpmap.web.rendering import build_templates
from scalpmap.web.security import RateLimits
from scalpmap.web.startup import prepare
from scalpmap.web.state import AppState
from scalpmap.web.treatment import api as treatment_api
from scalpmap.web.treatment import corrections_api
from scalpmap.web.treatment import routes as treatment_routes

__all__ = ["MAX_FILES_PER_REQUEST", "SESSION_COOKIE", "app_from_env", "create_app"]

MAX_FILES_PER_REQUEST = 5
"""Most photos in one form (the enquiry form, the upload form without JavaScript)."""

SESSION_COOKIE = "scalpmap_session"
STATIC_DIR = Path(__file__).resolve().parent / "static"

_ROUTERS: tuple[APIRouter, ...] = (
    auth_routes.router,
    dashboard_routes.router,
    patients_routes.router,
    cases_routes.router,
    photos_routes.router,
    enquiries_routes.router,
    admin_routes.router,
    admin_clinic.router,
    plans_routes.router,
    facilities_routes.router,
    treatment_routes.router,
    auth_api.router,
    patients_api.router,
    cases_api.router,
    photos_api.router,
    plans_api.router,
    facilities_api.router,
    treatment_api.router,
    corrections_api.router,
    job_progress.router,
    apidocs.router,
)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    state: AppState = app.state.scalpmap
    state.startup = await run_in_threadpool(
        prepare, state.engine, state.session_factory, state.store
    )
    state.jobs.start()
    if not state.jobs.inline:
        await run_in_threadpool(state.jobs.submit_pending)
    try:
        yield
    finally:
        await run_in_threadpool(state.jobs.shutdown)
        state.engine.dispose()


def create_app(
    settings: Settings | None = None, *, inline_jobs: bool = False, analysis_workers: int = 1
) -> FastAPI:
    """Build the web app.

    Nothing touches the database here: on start-up (the ASGI lifespan) the app migrates an
    empty database, recovers the photo store, fails analyses left running by a stopped worker
    and queues the pending ones.

    Parameters
    ----------
    settings : Settings, optional
        The settings; :func:`scalpmap.config.get_settings` by default.
    inline_jobs : bool, optional
        Run each analysis at once inside the request that queues it (deterministic tests).
    analysis_workers : int, optional
        Threads of the background analysis pool.

    Returns
    -------
    fastapi.FastAPI
        The app; run it with uvicorn.
    """
    settings = settings or get_settings()
    engine = create_engine_for(settings, hide_parameters=True)
    session_factory = make_session_factory(_writer_engine(engine))
    store = PhotoStore(settings.photos_dir)
    jobs = make_analysis_jobs(
        settings,
        create_engine_for(settings, hide_parameters=True),
        store,
        inline=inline_jobs,
        workers=analysis_workers,
    )
    app = FastAPI(
        title="scalpmap clinic API",
        version=__version__,
        summary="Patients, cases, photos and analyses of an SMP revision clinic.",
        lifespan=_lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.scalpmap = AppState(
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        store=store,
        jobs=jobs,
        limits=RateLimits(),
        templates=build_templates(),
    )
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_api_route("/healthz", _healthz, methods=["GET"], include_in_schema=False)
    for router in _ROUTERS:
        app.include_router(router)
    app.state.scalpmap.has_plans = True
    secret = settings.secret_key.get_secret_value() if settings.secret_key else None
    if not secret:
        raise ValueError("settings.secret_key is missing; build the settings with get_settings()")
    body_limit = settings.max_upload_bytes * (MAX_FILES_PER_REQUEST + 1) + 1_000_000
    app.add_middleware(ClinicDaysMiddleware)
    app.add_middleware(ClinicSettingsMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_upload_bytes=body_limit)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_s,
        same_site="lax",
        https_only=settings.session_https,
    )
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.session_https)
    if settings.trusted_proxy_list:  # X-Forwarded-For/-Proto from these proxies only
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    return app


def _writer_engine(engine: Engine) -> Engine:
    """Return the engine the app's sessions use: on SQLite every transaction is a writer.

    Nearly every request writes (views are audited) and the analysis job reads, computes, then
    writes. On SQLite a transaction that read before another connection committed cannot start
    writing ("database is locked", at once, whatever the busy timeout), so the app's
    transactions begin with ``BEGIN IMMEDIATE``: they take the write lock first and wait for
    it up to ``SCALPMAP_SQLITE_BUSY_TIMEOUT_MS``.
    """
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(**{BEGIN_IMMEDIATE: True})


def _healthz(state: StateDep) -> dict[str, str]:
    """Answer 200 when the app and its database work (no sign-in).

    It reads through a connection of its own that takes no write lock, so a long write (a
    facility import holding SQLite's lock) does not hold the health check up.
    """
    with state.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"status": "ok"}


def app_from_env() -> FastAPI:
    """Build the app from ``SCALPMAP_*`` variables (the factory ``scalpmap serve`` runs).

    Returns
    -------
    fastapi.FastAPI
        The app.
    """
    return create_app(get_settings())
