"""A real browser corrects and voids logged sessions, at desktop width and at 390 px.

The case and its two sessions (the second logged twice by mistake) are made through the
services; the correction, the wrong value, the voiding and the history go through the pages.
Screenshots go to ``test-artifacts/browser/3*.png``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import select

from scalpmap.services import plans, referrals
from scalpmap.services import treatment_sessions as ts
from scalpmap.services.sample_case import add_sample_facility, open_sample_case
from scalpmap.store.models import PulseClass, User

PHONE = {"width": 390, "height": 844}


def _logged_twice(app: Any, email: str) -> tuple[int, int]:
    """A referred case with one laser session logged twice; return the case and the copy's id."""
    state = app.state.scalpmap
    with state.session_factory() as session:
        actor = session.scalar(select(User).where(User.email == email))
        assert actor is not None
        case = open_sample_case(session, actor, patient_name="Vera Void")
        plans.save_plan(session, case.id, {"format": "scalpmap-plan/1"}, actor)
        facility = add_sample_facility(session, actor, name="Leeds Laser Rooms")
        day = dt.date.today() - dt.timedelta(days=14)
        referrals.create_referral(
            session, case.id, facility.id, actor, referred_on=day - dt.timedelta(days=7)
        )
        values = ts.LaserSessionIn(
            session_date=day,
            facility_id=facility.id,
            device="PicoWay",
            wavelength_nm=1064,
            pulse=PulseClass.PS,
            fluence_j_cm2=2.5,
            spot_mm=4.0,
            passes=2,
        )
        ts.log_laser_session(session, case.id, values, actor)
        copy = ts.log_laser_session(session, case.id, values, actor, confirm_duplicate=True)
        return case.id, copy.id


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_correct_then_void_a_session(live_server, page_in, staff, shot, viewport):
    base, app = live_server
    email, password = staff
    case_id, copy_id = _logged_twice(app, email)
    page, problems = page_in()
    if viewport == "phone":
        page.set_viewport_size(PHONE)
    page.goto(f"{base}/signin")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/cases/{case_id}#sessions")
    page.click(f"#laser-session-{copy_id} a:has-text('Correct or void')")
    page.wait_for_url(f"{base}/laser-sessions/{copy_id}/edit")
    assert page.input_value("#laser-fluence") == "2.5"
    shot(page, f"30-session-edit-{viewport}", full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, width  # no sideways scrolling

    page.fill("#laser-fluence", "25")
    with page.expect_navigation():
        page.click("button:has-text('Save the correction')")
    assert page.locator(".alert-error").inner_text() == "Fluence must be 0.1-20 J/cm²; got 25"
    page.fill("#laser-fluence", "3")
    page.fill("#correct-reason", "the facility's report said 3 J/cm²")
    with page.expect_navigation():
        page.click("button:has-text('Save the correction')")
    assert re.search(rf"/cases/{case_id}#sessions$", page.url)
    row = page.locator(f"#laser-session-{copy_id}").inner_text()
    assert "3 J/cm²" in row and "corrected" in row

    page.goto(f"{base}/laser-sessions/{copy_id}/edit")
    history = page.locator(".session-history").inner_text()
    assert "Fluence: 2.5 → 3" in history and "the facility's report said 3 J/cm²" in history
    page.fill("#void-reason", "logged twice")
    with page.expect_navigation():
        page.click("button:has-text('Void this session')")
    assert page.locator("table.laser-sessions tbody tr").count() == 1
    page.click(".voided-sessions summary")
    voided = page.locator(f"li#laser-session-{copy_id}").inner_text()
    assert "logged twice" in voided
    shot(page, f"31-session-voided-{viewport}", full_page=True)
    expected = "the server responded with a status of 422"  # the wrong value, shown again
    assert [p for p in problems if expected not in p] == [], problems
