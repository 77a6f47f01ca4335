"""A real browser: the designer shows the face's landmarks and rules; a dragged one is given.

Screenshots go to ``test-artifacts/browser/`` (``20-…`` to ``24-…``).
"""

from __future__ import annotations

import json
import re


def _landmark_centre(page, name):
    box = page.locator(f"g.landmark[data-landmark='{name}'] rect.landmark-dot").bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _guide_y(page, name):
    """The photo-pixel y of a guide line's first point (the path's ``M x y``)."""
    d = page.get_attribute(f"#guides-layer path[data-guide='{name}']", "d")
    return float(re.match(r"M(\S+) (\S+)", d).group(2))


def test_dragging_a_landmark_rederives_mature_and_saves_it_as_given(
    live_server, page_in, staff, shot, face_photo
):
    base, _app = live_server
    email, password = staff
    path, truth = face_photo
    page, problems = page_in()

    page.goto(f"{base}/signin")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/patients/new")
    page.fill("#full_name", "Lena Landmark")
    page.fill("#date_of_birth", "1985-07-08")
    page.click("button:has-text('Create patient')")
    page.wait_for_url(re.compile(r"/patients/\d+$"))
    page.select_option("#reason", "reposition")
    page.fill("#title", "Mature hairline by the published rules")
    page.click("button:has-text('Open case')")
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_url = page.url

    # A whole-head front photo without the marker: its scale is typed in the upload queue.
    page.set_input_files("#file-input", str(path))
    page.wait_for_selector("#upload-queue tbody tr")
    page.fill("#upload-queue tbody tr input[inputmode='decimal']", f"{truth.mm_per_px:.6f}")
    page.click("#upload-start")
    page.wait_for_selector(".photo-tile a.thumb", timeout=60_000)
    photo_id = re.search(r"/photos/(\d+)", page.get_attribute(".photo-tile a.thumb", "href"))[1]
    page.goto(f"{base}/photos/{photo_id}")
    page.wait_for_selector("img[src$='/overlay.png']", timeout=60_000)

    # The designer on the mature template: landmarks and the rules' guide lines.
    page.goto(f"{case_url}/designer?photo={photo_id}&template=mature")
    page.wait_for_selector("#designer.ready")
    page.wait_for_selector("#designer[data-sync='idle']")
    assert page.locator("g.landmark").count() == 3
    for name in ("midfrontal", "midline", "left_vertical", "right_vertical"):
        assert page.locator(f"#guides-layer path[data-guide='{name}']").count() == 1, name
    assert "8 cm above the glabella" in page.text_content("#guides-layer text.guide-label")
    assert page.inner_text("#landmark-sources").count("detected") == 3
    assert page.is_hidden("#reset-landmarks")
    shot(page, "20-designer-landmarks")
    shot(page.locator("#stage"), "21-designer-landmarks-stage")
    removal_before = float(page.inner_text("#removal-area"))
    midfrontal_before = _guide_y(page, "midfrontal")
    aria_before = page.get_attribute("g.landmark[data-landmark='glabella']", "aria-label")
    assert aria_before == "Glabella (detected)"

    # Drag the glabella up (as if it had been found too low): the rules follow it.
    x, y = _landmark_centre(page, "glabella")
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x, y - step * 4)
        page.wait_for_timeout(30)
    during = _guide_y(page, "midfrontal")
    assert during < midfrontal_before - 10  # the guides move with the landmark at once
    page.mouse.up()
    page.wait_for_function(
        "() => document.getElementById('landmark-sources').textContent.includes('Glabella: given')"
    )
    page.wait_for_selector("#designer[data-sync='idle']")
    page.wait_for_function(
        "limit => Number(document.getElementById('removal-area').textContent) > limit",
        arg=removal_before + 0.05,
    )
    assert page.get_attribute("g.landmark[data-landmark='glabella']", "aria-label") == (
        "Glabella (given)"
    )
    assert "given" in (page.get_attribute("g.landmark[data-landmark='glabella']", "class") or "")
    assert page.is_visible("#reset-landmarks")
    assert _guide_y(page, "midfrontal") < midfrontal_before - 10
    shot(page, "22-designer-glabella-dragged")
    shot(page.locator("#stage"), "23-designer-dragged-stage")
    state = page.evaluate("() => document.getElementById('design-notes').textContent")
    assert "8 cm above the glabella" in state

    # Save: the plan records the glabella as given, the eye corners as detected.
    page.select_option("#skin_type", "3")
    page.click("#save-plan")
    page.wait_for_selector("#save-progress:not([hidden])", timeout=10_000)
    shot(page.locator("#save-form"), "24-designer-saving")
    page.wait_for_url(re.compile(r"/plans/\d+$"), timeout=60_000)
    basis = " ".join(page.inner_text("#plan-basis").split())
    assert "glabella given; left canthus, right canthus detected" in basis
    shot(page, "25-plan-landmarks", full_page=True)
    plan_id = page.url.rsplit("/", 1)[1]
    document = json.loads(page.evaluate(f"() => fetch('/api/plans/{plan_id}').then(r => r.text())"))
    assert document["options"]["landmarks"]["sources"] == {
        "glabella": "given",
        "left_canthus": "detected",
        "right_canthus": "detected",
    }
    assert not problems, problems
