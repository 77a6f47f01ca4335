"""A real browser changes its password, and an admin opens a user's account actions.

Screenshots go to ``test-artifacts/browser/`` (``account-*.png``).
"""

from __future__ import annotations

from scalpmap.services.users import create_user
from scalpmap.store.models import Role

NEW_PASSWORD = "violet lantern orbit"


def _sign_in(page, base, email, password):
    page.goto(f"{base}/signin")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/")


def test_change_password_and_admin_actions_in_a_real_browser(live_server, page_in, staff, shot):
    base, app = live_server
    email, password = staff
    page, problems = page_in()
    _sign_in(page, base, email, password)

    page.click("a.who")  # the user's name leads to their password
    page.wait_for_url(f"{base}/account/password")
    shot(page, "account-01-password-page")
    page.fill("#current-password", password)
    page.fill("#new-password", "password1234")
    page.fill("#repeat-password", "password1234")
    page.click("button:has-text('Change password')")
    alert = page.wait_for_selector(".alert-error")
    problems[:] = [p for p in problems if "status of 422" not in p]  # the refusal itself
    assert "common passwords" in alert.inner_text()
    shot(page, "account-02-common-password-refused")
    page.fill("#current-password", password)
    page.fill("#new-password", NEW_PASSWORD)
    page.fill("#repeat-password", NEW_PASSWORD)
    page.click("button:has-text('Change password')")
    notice = page.wait_for_selector(".alert-ok")
    assert "password changed" in notice.inner_text()
    page.goto(f"{base}/patients")  # this browser stays signed in with a fresh session
    assert page.url == f"{base}/patients"

    with app.state.scalpmap.session_factory() as session:
        create_user(session, "browser.admin@clinic.example", password, Role.ADMIN)
    admin_page, admin_problems = page_in()
    _sign_in(admin_page, base, "browser.admin@clinic.example", password)
    admin_page.goto(f"{base}/admin/users")
    admin_page.click("tr:has-text('browser.practitioner') summary")
    admin_page.wait_for_selector("tr:has-text('browser.practitioner') details[open]")
    shot(admin_page, "account-03-admin-user-actions", full_page=True)
    admin_page.once("dialog", lambda dialog: dialog.accept())
    admin_page.click("tr:has-text('browser.practitioner') button:has-text('Reset password')")
    secret = admin_page.wait_for_selector("#secret pre.token")
    assert len(secret.inner_text().strip()) >= 16
    shot(admin_page, "account-04-temporary-password", full_page=True)

    page.goto(f"{base}/patients")  # the reset ended the practitioner's session
    assert page.url.startswith(f"{base}/signin")
    assert problems == [] and admin_problems == []
