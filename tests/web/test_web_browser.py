"""A real browser through the clinic app: sign in, patient, case, photo, designer, plan, enquiry.

Playwright drives Debian's Chromium (``/usr/bin/chromium``; browsers are never downloaded)
against uvicorn serving the app on a free port with a temporary SQLite database. Screenshots of
every step go to ``test-artifacts/browser/``. Without Chromium or Playwright the test is skipped
with the reason, unless ``CI=true``, where it fails.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scalpmap.config import get_settings
from scalpmap.imaging.synth import SynthOptions, generate_scalp_jpeg
from scalpmap.services.users import create_user
from scalpmap.store.models import Role
from scalpmap.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PASSWORD = "correct horse battery"
EMAIL = "browser.practitioner@clinic.example"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
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
    port = _free_port()
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
        _unavailable(f"{CHROMIUM} is missing: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (dev dependency group)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            launched.close()


def _shot(page: Any, name: str, **options: Any) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), **options)


def test_clinic_workflow_in_a_real_browser(live_server, browser, tmp_path):
    base, _app = live_server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    jpeg, _truth = generate_scalp_jpeg(SynthOptions(seed=3, width_px=1200, height_px=900))
    context = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console", lambda m: problems.append(m.text) if m.type == "error" else None
    )  # CSP violations and script errors show up here

    # Sign in.
    page.goto(f"{base}/signin")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    _shot(page, "01-signin")
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/")

    # A patient and a case.
    page.goto(f"{base}/patients/new")
    page.fill("#full_name", "Morgan Browser")
    page.fill("#date_of_birth", "1992-03-04")
    page.click("button:has-text('Create patient')")
    page.wait_for_url(re.compile(r"/patients/\d+$"))
    assert "Morgan Browser" not in page.url
    page.select_option("#reason", "reposition")
    page.fill("#title", "Soften the frontal hairline")
    _shot(page, "02-patient")
    page.click("button:has-text('Open case')")
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_url = page.url

    # Upload the photo through the drop area's file input; the analysis runs in the background.
    photo_file = tmp_path / "front.jpg"
    photo_file.write_bytes(jpeg)
    page.set_input_files("#file-input", str(photo_file))
    page.wait_for_selector("#upload-queue tbody tr")
    _shot(page, "03-upload-queue")
    page.click("#upload-start")
    page.wait_for_selector(".photo-tile a.thumb")
    page.click(".photo-tile a.thumb")
    page.wait_for_url(re.compile(r"/photos/\d+$"))
    overlay = page.wait_for_selector("img[src$='/overlay.png']")  # the page reloads when done
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=overlay)
    _shot(page, "04-photo-overlay", full_page=True)

    # The designer: drag a target control point up into the pigment.
    page.goto(f"{case_url}/plans")
    page.click("a:has-text('Open designer')")
    page.wait_for_url(re.compile(r"/designer\?photo=\d+$"))
    page.wait_for_selector("#designer.ready")
    _shot(page, "05-designer")
    page.click("button[data-template='mature']")  # age 34 from the date of birth
    page.wait_for_selector("button.seg.active[data-template='mature']")
    page.wait_for_selector("#designer[data-sync='idle']")
    _shot(page, "06-designer-mature")
    page.click("button[data-template='soften']")
    page.wait_for_selector("button.seg.active[data-template='soften']")
    page.wait_for_selector("#designer[data-sync='idle']")
    page.wait_for_selector("#zones-layer path")
    before = float(page.inner_text("#removal-area"))
    handles = page.locator("circle.handle")
    assert handles.count() >= 5
    # The top-most control point inside the photo: just below the pigment.
    index = page.eval_on_selector_all(
        "circle.handle",
        """nodes => {
            const inside = nodes.map((n, i) => [i, +n.getAttribute('cx'), +n.getAttribute('cy')])
                .filter(([i, x, y]) => x > 60 && x < 1140 && y > 60 && y < 880);
            inside.sort((a, b) => a[2] - b[2]);
            return inside[0][0];
        }""",
    )
    box = handles.nth(index).bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 13):
        page.mouse.move(x + step, y - step * 8)
        page.wait_for_timeout(30)
    page.mouse.up()
    page.wait_for_function(
        "limit => Number(document.getElementById('removal-area').textContent) > limit",
        arg=before + 0.05,
    )
    page.wait_for_selector("#designer[data-sync='idle']")
    after = float(page.inner_text("#removal-area"))
    assert after > before
    assert page.locator("path[data-zone='removal']").count() == 1
    assert page.locator("[data-line='current']").count() == 1
    assert page.locator("[data-line='target']").count() == 1
    _shot(page, "07-designer-dragged")

    # Save: progress, then the plan page.
    page.fill("#note", "Frontal point raised in the browser test")
    page.click("#save-plan")
    page.wait_for_selector("#save-progress:not([hidden])")
    _shot(page, "08-designer-saving")
    page.wait_for_url(re.compile(r"/plans/\d+$"), timeout=45_000)
    assert page.locator("tr[data-factor]").count() == 6
    assert page.locator("tr[data-measure]").count() == 6
    page.wait_for_function(
        "() => [...document.images].every(img => img.complete && img.naturalWidth > 0)"
    )
    _shot(page, "09-plan", full_page=True)

    # The before/after slider.
    page.eval_on_selector(
        "#compare-range",
        "r => { r.value = '30'; r.dispatchEvent(new Event('input', {bubbles: true})); }",
    )
    clip = page.eval_on_selector("#compare-before", "img => img.style.clipPath")
    assert clip == "inset(0px 70% 0px 0px)" or clip == "inset(0 70% 0 0)", clip
    page.locator("#compare").scroll_into_view_if_needed()
    _shot(page, "10-plan-slider")
    page.locator("#compare").screenshot(path=str(ARTIFACTS / "11-slider-close.png"))

    # The patient PDF.
    with page.expect_download() as download_info:
        page.click("a:has-text('Patient PDF')")
    download = download_info.value
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert "Morgan" not in download.suggested_filename
    assert not problems, problems

    # The public enquiry form, signed out.
    public = browser.new_context(viewport={"width": 1100, "height": 900})
    enquiry = public.new_page()
    enquiry.goto(f"{base}/enquire")
    enquiry.fill("#name", "Riley Enquirer")
    enquiry.fill("#email", "riley@example.org")
    enquiry.fill("#message", "I would like my hairline softened.")
    enquiry.set_input_files("#photos", str(photo_file))
    enquiry.check("input[name='consent']")
    _shot(enquiry, "12-enquiry-form", full_page=True)
    enquiry.click("button:has-text('Send enquiry')")
    enquiry.wait_for_url(re.compile(r"/enquire/thanks"))
    _shot(enquiry, "13-enquiry-thanks")
    public.close()
    context.close()
