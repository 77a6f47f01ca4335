"""Fixtures of the browser tests: the app served by uvicorn, and Debian's Chromium.

Playwright drives Debian's Chromium (``/usr/bin/chromium``; browsers are never downloaded)
against uvicorn serving the app on a free port with a temporary SQLite database. Screenshots of
every step go to ``test-artifacts/browser/``. Without Chromium or Playwright the test is skipped
with the reason, unless ``CI=true``, where it fails.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scalpmap.config import get_settings
from scalpmap.services.users import create_user
from scalpmap.store.models import Role
from scalpmap.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "browser"
PASSWORD = "correct horse battery"
EMAIL = "browser.practitioner@clinic.example"


def unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def live_server(tmp_path: Path, cheap_password_hashing: Any) -> Iterator[tuple[str, Any]]:
    """Serve a fresh app with uvicorn in a thread; yield its base URL and the app."""
    import uvicorn

    settings = get_settings(data_dir=tmp_path / "data", secret_key="browser-test-secret-key")
    app = create_app(settings, analysis_workers=1)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", ws="none", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-browser-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    with app.state.scalpmap.session_factory() as session:
        create_user(session, EMAIL, PASSWORD, Role.PRACTITIONER, full_name="Dr Browser")
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (dev dependency group)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def staff() -> tuple[str, str]:
    """The signed-up practitioner's email and password."""
    return EMAIL, PASSWORD


@pytest.fixture
def shot() -> Callable[..., None]:
    """``shot(page, name, **options)``: a screenshot into ``test-artifacts/browser/NAME.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str, **options: Any) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), **options)

    return take


@pytest.fixture
def page_in(browser: Any) -> Iterator[Callable[[], tuple[Any, list[str]]]]:
    """Open a page in a fresh browser context; also return the list its errors collect into.

    Script errors and console errors (CSP violations show up there) are collected, so that a
    test can assert that none happened.
    """
    contexts: list[Any] = []

    def open_page() -> tuple[Any, list[str]]:
        context = browser.new_context(
            viewport={"width": 1360, "height": 900}, accept_downloads=True
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        return page, problems

    yield open_page
    for context in contexts:
        context.close()
