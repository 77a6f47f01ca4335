"""A real browser from a planned case to ``complete``: referral, laser sessions, touch-up.

The case is planned through the services (the designer has its own browser test); from there
everything goes through the pages: refer the case from its ranked facilities, mark the referral
sent and accepted, log two laser sessions each with a follow-up photo (measured on upload), see
the clearance chart, log the SMP touch-up, and close the case. Screenshots go to
``test-artifacts/browser/2*.png``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from sqlalchemy import select

from scalpmap.facilities.schemas import FacilityCreate
from scalpmap.imaging.analysis_from_json import analysis_from_json
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.planning.plan import PlanOptions
from scalpmap.services import analyses, cases, facilities, patients, photos, plan_design
from scalpmap.store.models import Case, CaseReason, CaseStage, ClearanceCheck, User
from scalpmap.tracking.plan_facts import plan_facts
from scalpmap.tracking.synth_followup import FollowupOptions, make_followup

ERASED = (0.5, 1.0)  # share of the removal zone's impressions gone after each laser session


def _png(rgb: NDArray[np.uint8]) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _planned_case(app: Any, email: str, tmp_path: Path) -> tuple[int, list[Path]]:
    """A consenting patient's case with a saved mature plan, a facility, and two follow-ups.

    The follow-ups are the baseline after the laser (half of the removal zone's impressions
    erased, then all of them), each photographed again with the camera moved and other light.
    """
    state = app.state.scalpmap
    options = SynthOptions(
        seed=41, width_px=1200, height_px=900, silhouette=False, density_per_cm2=60, fitzpatrick=3
    )
    rgb = generate_scalp_photo(options)[0]
    with state.session_factory() as session:
        actor = session.scalar(select(User).where(User.email == email))
        assert actor is not None
        details = patients.PatientCreate(
            full_name="Robin Tracker", fitzpatrick_type=3, address="12 Park Row, Leeds"
        )
        person = patients.create_patient(session, details, actor)
        patients.record_consent(session, person.id, "treatment and referral", actor)
        case = cases.open_case(session, person.id, CaseReason.REPOSITION, actor)
        photo = photos.add_photo(session, state.store, _png(rgb), case_id=case.id, actor=actor)
        pending = analyses.request_analysis(session, photo.id, actor)
        analysis = analyses.run_analysis(session, state.store, pending.id)
        plan = plan_design.save_design(
            session,
            state.store,
            analysis.id,
            case_id=case.id,
            actor=actor,
            options=PlanOptions(template="mature", age=35, skin_type=3),
        )
        cases.set_stage(session, case.id, CaseStage.PLANNED, actor)
        place = FacilityCreate(
            name="Leeds Laser Rooms",
            city="Leeds",
            country="GB",
            lasers="PicoWay 1064/532 ps",
            treats_smp=True,
        )
        facilities.create_facility(session, place, actor)
        removal = plan_facts(plan.document).removal
        baseline = analysis_from_json(analysis.document or {})
        case_id = case.id
    files = []
    for number, erase in enumerate(ERASED, start=1):
        follow = FollowupOptions(seed=number, erase_share=erase, fade_share=0.0)
        picture, _truth = make_followup(rgb, baseline, removal, follow)
        path = tmp_path / f"follow-up-{number}.png"
        path.write_bytes(_png(picture))
        files.append(path)
    return case_id, files


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
    row = page.locator("table.laser-sessions tbody tr").nth(number - 1).inner_text()
    found = re.search(r"([\d.]+)% clear", row)
    assert found, row
    return float(found.group(1))


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
    with page.expect_download() as download_info:
        page.click("#referral a:has-text('PDF')")
    letter = download_info.value
    assert Path(letter.path()).read_bytes().startswith(b"%PDF")
    assert "Robin" not in letter.suggested_filename

    # Two laser sessions, each with its follow-up photo, measured as it is uploaded.
    _log_laser(page, today, follow_ups[0])
    first = _clearance_of(page, 1)
    assert 45 <= first <= 55, first  # half of the removal zone erased
    assert "Laser" in page.locator(".subtitle .badge").inner_text()
    assert "another laser session" in page.locator("p.advice").inner_text()
    _log_laser(page, today, follow_ups[1])
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
    shot(page, "23-complete", full_page=True)
    with page.expect_download() as download_info:
        page.click("a:has-text('Progress report (PDF)')")
    assert Path(download_info.value.path()).read_bytes().startswith(b"%PDF")
    assert not problems, problems
