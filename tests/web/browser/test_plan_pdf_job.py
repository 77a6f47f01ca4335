"""A plan's PDF made again after the clinic was renamed: printed by a report job, in a browser.

The plan was saved under the clinic's old name, so its stored PDF may not leave the clinic as it
is: the link opens *Preparing the PDF…*, which polls the report job and starts the download.
"""

from __future__ import annotations

from pypdf import PdfReader
from sqlalchemy import select

from scalpmap.services.clinic import update_clinic_settings
from scalpmap.services.sample_case import plan_sample_case, sample_baseline_png
from scalpmap.store.models import User


def test_a_plan_pdf_made_again_is_prepared_then_downloaded(live_server, page_in, staff, shot):
    base, app = live_server
    email, password = staff
    state = app.state.scalpmap
    with state.session_factory() as session:
        actor = session.scalar(select(User).where(User.email == email))
        sample = plan_sample_case(
            session,
            state.store,
            actor,
            photo_png=sample_baseline_png(),
            patient_name="Robin Tracker",
            address="12 Park Row, Leeds",
            consent=True,
        )
        update_clinic_settings(session, {"name": "Renamed Clinic"}, actor)
    page, problems = page_in()
    page.goto(f"{base}/signin")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/")

    with page.expect_download(timeout=60_000) as download_info:
        page.goto(f"{base}/plans/{sample.plan_id}/files/patient_pdf")
        page.wait_for_selector("text=Preparing the PDF")
        assert page.locator("h1").inner_text() == "Patient's plan (PDF)"
        shot(page, "40-plan-pdf-preparing")
    download = download_info.value
    assert download.suggested_filename == f"case-{sample.case_id}-plan-v1-plan.pdf"
    pdf = PdfReader(download.path())
    assert "Renamed Clinic" in "".join(page.extract_text() for page in pdf.pages)
    page.wait_for_selector("[data-done-show] a:has-text('Download the PDF')")
    shot(page, "40-plan-pdf-ready")
    page.click("a:has-text('Back to the plan')")
    page.wait_for_url(f"{base}/plans/{sample.plan_id}")
    assert not problems, problems
