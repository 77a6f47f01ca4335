"""A real browser through the clinic app: sign in, patient, case, photo, designer, plan, enquiry.

Screenshots of every step go to ``test-artifacts/browser/``.
"""

from __future__ import annotations

import re
from pathlib import Path

from scalpmap.imaging.synth import SynthOptions, generate_scalp_jpeg


def test_clinic_workflow_in_a_real_browser(live_server, browser, page_in, staff, shot, tmp_path):
    base, _app = live_server
    email, password = staff
    jpeg, _truth = generate_scalp_jpeg(SynthOptions(seed=3, width_px=1200, height_px=900))
    page, problems = page_in()

    # Sign in.
    page.goto(f"{base}/signin")
    page.fill("#email", email)
    page.fill("#password", password)
    shot(page, "01-signin")
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
    shot(page, "02-patient")
    page.click("button:has-text('Open case')")
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_url = page.url

    # Upload the photo through the drop area's file input; the analysis runs in the background.
    photo_file = tmp_path / "front.jpg"
    photo_file.write_bytes(jpeg)
    page.set_input_files("#file-input", str(photo_file))
    page.wait_for_selector("#upload-queue tbody tr")
    shot(page, "03-upload-queue")
    page.click("#upload-start")
    page.wait_for_selector(".photo-tile a.thumb")
    page.click(".photo-tile a.thumb")
    page.wait_for_url(re.compile(r"/photos/\d+$"))
    overlay = page.wait_for_selector("img[src$='/overlay.png']")  # the page reloads when done
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=overlay)
    shot(page, "04-photo-overlay", full_page=True)

    # The designer: drag a target control point up into the pigment.
    page.goto(f"{case_url}/plans")
    page.click("a:has-text('Open designer')")
    page.wait_for_url(re.compile(r"/designer\?photo=\d+$"))
    page.wait_for_selector("#designer.ready")
    shot(page, "05-designer")
    page.click("button[data-template='mature']")  # age 34 from the date of birth
    page.wait_for_selector("button.seg.active[data-template='mature']")
    page.wait_for_selector("#designer[data-sync='idle']")
    shot(page, "06-designer-mature")
    page.click("button[data-template='soften']")
    page.wait_for_selector("button.seg.active[data-template='soften']")
    page.wait_for_selector("#designer[data-sync='idle']")
    page.wait_for_selector("#zones-layer path")
    before = float(page.inner_text("#removal-area"))
    handles = page.locator("g.handle")
    assert handles.count() >= 5
    # The top-most control point well inside the photo: just below the pigment.
    stage = page.locator("#stage").bounding_box()
    boxes = [handle.bounding_box() for handle in handles.all()]
    centres = [(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2) for b in boxes]
    inside = [
        i
        for i, (cx, cy) in enumerate(centres)
        if stage["x"] + 40 < cx < stage["x"] + stage["width"] - 60
        and stage["y"] + 40 < cy < stage["y"] + stage["height"] - 40
    ]
    index = min(inside, key=lambda i: centres[i][1])
    box = boxes[index]
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
    shot(page, "07-designer-dragged")

    # Save: progress, then the plan page.
    page.fill("#note", "Frontal point raised in the browser test")
    page.click("#save-plan")
    page.wait_for_selector("#save-progress:not([hidden])")
    shot(page, "08-designer-saving")
    page.wait_for_url(re.compile(r"/plans/\d+$"), timeout=45_000)
    assert page.locator("tr[data-factor]").count() == 6
    assert page.locator("tr[data-measure]").count() == 6
    page.wait_for_function(
        "() => [...document.images].every(img => img.complete && img.naturalWidth > 0)"
    )
    shot(page, "09-plan", full_page=True)

    # The before/after slider.
    page.eval_on_selector(
        "#compare-range",
        "r => { r.value = '30'; r.dispatchEvent(new Event('input', {bubbles: true})); }",
    )
    clip = page.eval_on_selector("#compare-before", "img => img.style.clipPath")
    assert clip == "inset(0px 70% 0px 0px)" or clip == "inset(0 70% 0 0)", clip
    page.locator("#compare").scroll_into_view_if_needed()
    shot(page, "10-plan-slider")
    shot(page.locator("#compare"), "11-slider-close")

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
    shot(enquiry, "12-enquiry-form", full_page=True)
    enquiry.click("button:has-text('Send enquiry')")
    enquiry.wait_for_url(re.compile(r"/enquire/thanks"))
    shot(enquiry, "13-enquiry-thanks")
    public.close()
