"""A real browser from a planned case to ``complete``: referral, laser sessions, touch-up.

The case is planned through the services (the designer has its own browser test); from there
everything goes through the pages: refer the case from its ranked facilities, mark the referral
sent and accepted, log two laser sessions each with a follow-up photo (measured on upload), see
the clearance chart, log the SMP touch-up, and close the case. Screenshots go to
``test-artifacts/browser/2*.png``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select

from scalpmap.services import cases
from scalpmap.services.sample_case import (
    add_sample_facility,
    plan_sample_case,
    sample_baseline_png,
    sample_follow_up_png,
)
from scalpmap.store.models import Case, CaseStage, ClearanceCheck, User

ERASED = (0.5, 1.0)  # share of the removal zone's impressions gone after each laser session


def _planned_case(app: Any, email: str, tmp_path: Path) -> tuple[int, list[Path]]:
    """A consenting patient's case with a saved mature plan, a facility, and two follow-ups.

    The follow-ups are the baseline after the laser (half of the removal zone's impressions
    erased, then all of them), each photographed again with the camera moved and other light.
    """
    state = app.state.scalpmap
    with state.session_factory() as session:
        actor = session.scalar(select(User).where(User.email == email))
        assert actor is not None
        sample = plan_sample_case(
            session,
            state.store,
            actor,
            photo_png=sample_baseline_png(),
            patient_name="Robin Tracker",
            address="12 Park Row, Leeds",
            consent=True,
        )
        cases.set_stage(session, sample.case_id, CaseStage.PLANNED, actor)
        add_sample_facility(session, actor, name="Leeds Laser Rooms")
    files = []
    for number, erase in enumerate(ERASED, start=1):
        path = tmp_path / f"follow-up-{number}.png"
        path.write_bytes(sample_follow_up_png(sample, erase_share=erase, seed=number))
        files.append(path)
    return sample.case_id, files


def _log_laser(page: Any, day: str, follow_up: Path) -> None:
    page.click("#log-laser summary")
    page.fill("#laser-date", day)
    page.fill("#laser-device", "PicoWay")
    page.select_option("#laser-pulse", "ps")
    page.fill("#laser-fluence", "2.5")
    page.fill("#laser-spot", "4")
    page.fill("#laser-passes", "2")
    page.fill("#laser-adverse", "mild erythema")
    page.set_input_files("#laser-follow-up", str(follow_up))
    with page.expect_navigation(timeout=60_000):  # the follow-up is measured on upload
        page.click("button:has-text('Log laser session')")


def _clearance_of(page: Any, number: int) -> float:
    """Wait for the follow-up job of laser session ``number`` (the page polls, then reloads)."""
    cell = f"table.laser-sessions tbody tr:nth-child({number}) td.clearance"
    page.wait_for_selector(f"{cell} .percent, {cell} .not-measured", timeout=90_000)
    row = page.locator("table.laser-sessions tbody tr").nth(number - 1).inner_text()
    found = re.search(r"([\d.]+)% clear", row)
    assert found, row
    return float(found.group(1))


def _pdf_of(page: Any, shot: Any, link: str, name: str) -> Any:
    """Click a PDF's link: *Preparing the PDF…* polls its report job, then the download starts."""
    with page.expect_download(timeout=60_000) as download_info:
        page.click(link)
        page.wait_for_selector("text=Preparing the PDF")  # the report job's progress page
        shot(page, f"{name}-preparing")
    download = download_info.value
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    page.wait_for_selector("[data-done-show] a:has-text('Download the PDF')")  # offered too
    shot(page, f"{name}-ready")
    return download


def test_referral_sessions_and_touch_up_in_a_real_browser(
    live_server, page_in, staff, shot, tmp_path
):
    base, app = live_server
    email, password = staff
    case_id, follow_ups = _planned_case(app, email, tmp_path)
    case_url = f"{base}/cases/{case_id}"
    today = dt.date.today().isoformat()
    page, problems = page_in()

    page.goto(f"{base}/signin")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/")

    # Refer the case from its ranked facilities; the case moves to "referred".
    page.goto(f"{case_url}/facilities")
    shot(page, "20-facilities-ranked", full_page=True)
    page.click("button:has-text('Refer to this facility')")
    page.wait_for_url(re.compile(rf"/cases/{case_id}(#referral)?$"))
    referral = page.locator("#referral")
    assert "Leeds Laser Rooms" in referral.inner_text()
    assert "Referred" in page.locator(".subtitle .badge").inner_text()
    for step in ("sent", "accepted"):
        page.click(f"#referral button:has-text('Mark {step}')")
        page.wait_for_selector(f"#referral .referral-{step}")
    shot(page, "21-referral-accepted")
    letter = _pdf_of(page, shot, "#referral a:has-text('PDF')", "21b-letter-pdf")
    assert "Robin" not in letter.suggested_filename
    page.goto(case_url)

    # Two laser sessions, each with its follow-up photo, measured as it is uploaded.
    _log_laser(page, today, follow_ups[0])
    first = _clearance_of(page, 1)
    assert 45 <= first <= 55, first  # half of the removal zone erased
    assert "Laser" in page.locator(".subtitle .badge").inner_text()
    assert "another laser session" in page.locator("p.advice").inner_text()
    _log_laser(page, today, follow_ups[1])  # the same day: the page asks first
    asked = page.locator(".alert-error").inner_text()
    assert "already has a laser session on" in asked and "tick" in asked, asked
    assert page.locator("table.laser-sessions tbody tr").count() == 1  # nothing logged yet
    shot(page, "22a-same-day-confirm", full_page=True)
    page.check("input[name='confirm_duplicate']")
    page.set_input_files("#laser-follow-up", str(follow_ups[1]))
    with page.expect_navigation(timeout=60_000):
        page.click("button:has-text('Log laser session')")
    second = _clearance_of(page, 2)
    assert second >= 95, second
    assert "touch-up" in page.locator("p.advice").inner_text()
    chart = page.wait_for_selector(".clearance-chart img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart)
    page.locator("#sessions").scroll_into_view_if_needed()
    shot(page, "22-sessions-and-chart", full_page=True)
    assert "SMP touch-up" in page.locator(".due-list").inner_text()
    assert page.locator(".photo-tile .badge:has-text('Follow-up')").count() == 2
    with app.state.scalpmap.session_factory() as session:
        query = select(ClearanceCheck.percent).where(ClearanceCheck.case_id == case_id)
        stored = sorted(session.scalars(query))
    assert [round(value, 1) for value in stored] == sorted([first, second])

    # The touch-up, then the case is complete.
    page.click("#log-smp summary")
    page.fill("#smp-date", today)
    page.fill("#smp-practitioner", "Dr Browser")
    page.fill("#smp-needle", "0.25 mm 3RL")
    page.check("input[name='areas'][value='frontal']")
    with page.expect_navigation():
        page.click("button:has-text('Log SMP session')")
    assert "Touch" in page.locator(".subtitle .badge").inner_text()
    assert "Nothing due" in page.locator("#sessions").inner_text()
    page.select_option("#stage", "complete")
    with page.expect_navigation():
        page.click("button:has-text('Change stage')")
    assert "Complete" in page.locator(".subtitle .badge").inner_text()
    with app.state.scalpmap.session_factory() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.stage == CaseStage.COMPLETE
    page.wait_for_function(
        "() => [...document.querySelectorAll('.photo-tile img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    shot(page, "23-complete", full_page=True)
    _pdf_of(page, shot, "a:has-text('Progress report (PDF)')", "24-progress-pdf")
    asked = "the server responded with a status of 409"  # the same-day confirm step
    assert [p for p in problems if asked not in p] == [], problems
