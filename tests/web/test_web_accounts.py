"""Sessions that really end: sign-out, deactivation and password changes end the old cookie and
tokens; forced resets; token lifetimes; trusted proxies. Each runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from scalpmap.store.models import Role, User
from scalpmap.web.app import SESSION_COOKIE, create_app
from scalpmap.web.rate_limits import BackoffLimiter, RateLimits

PASSWORD = "correct horse battery"
NEW_PASSWORD = "violet lantern orbit"


def _freeze_limits(app: Any) -> None:
    """Sign-in limiters on a clock that stands still: every back-off wait is still running."""
    clock = lambda: 1000.0  # noqa: E731
    app.state.scalpmap.limits = RateLimits(
        signin_ip=BackoffLimiter(20, clock=clock), signin_account_ip=BackoffLimiter(5, clock=clock)
    )


def _sign_in(app: Any, user: User, parse: Any, password: str = PASSWORD) -> tuple[TestClient, str]:
    """A browser of its own, signed in through the form; returns it and its CSRF token."""
    browser = TestClient(app)
    form = parse(browser.get("/signin"))
    answer = browser.post(
        "/signin",
        data={"email": user.email, "password": password, "csrf_token": form.csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return browser, parse(browser.get("/")).csrf


def _cookie_works(app: Any, cookie: str) -> bool:
    """Whether a copy of a session cookie, replayed from elsewhere, still reads a page."""
    thief = TestClient(app, cookies={SESSION_COOKIE: cookie})
    return thief.get("/patients", follow_redirects=False).status_code == 200


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _token_works(client: TestClient, token: str) -> bool:
    answer = client.get("/api/me", headers=_bearer(token))
    assert answer.status_code in (200, 401), answer.text
    return answer.status_code == 200


def _api_token(client: TestClient, user: User, password: str = PASSWORD) -> str:
    answer = client.post("/api/auth/token", json={"email": user.email, "password": password})
    assert answer.status_code == 201, answer.text
    token: str = answer.json()["token"]
    return token


def test_sign_out_ends_the_old_cookie_and_the_tokens_made_with_it(app, client, make_user, parse):
    user = make_user()
    browser, csrf = _sign_in(app, user, parse)
    cookie = browser.cookies[SESSION_COOKIE]
    page_token = (
        parse(browser.post("/account/tokens", data={"name": "lab export", "csrf_token": csrf}))
        .find("pre", class_="token")
        .text.strip()
    )
    made = browser.post("/api/tokens", json={"name": "script"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    api_token = made.json()["token"]
    elsewhere = _api_token(client, user)  # a sign-in of its own: not made by this browser
    assert _cookie_works(app, cookie) and _token_works(client, page_token)
    assert _token_works(client, api_token)
    out = browser.post("/signout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/signin"
    assert not _cookie_works(app, cookie)  # the old cookie no longer reads ...
    thief = TestClient(app, cookies={SESSION_COOKIE: cookie})
    write = thief.post("/api/patients", json={"name": "X Y"}, headers={"X-CSRF-Token": csrf})
    assert write.status_code == 401  # ... nor writes
    assert not _token_works(client, page_token) and not _token_works(client, api_token)
    assert _token_works(client, elsewhere)
    listed = {
        row["name"]: row for row in client.get("/api/tokens", headers=_bearer(elsewhere)).json()
    }
    assert listed["lab export"]["revoke_reason"] == "the sign-in that made it ended"


def test_api_sign_out_ends_the_token_and_its_children(client, make_user):
    user = make_user()
    token = _api_token(client, user)
    child = client.post("/api/tokens", json={"name": "child"}, headers=_bearer(token)).json()
    other = _api_token(client, user)
    assert client.post("/api/auth/signout", headers=_bearer(token)).status_code == 204
    assert not _token_works(client, token) and not _token_works(client, child["token"])
    assert _token_works(client, other)
    assert client.post("/api/auth/signout", headers=_bearer(token)).status_code == 401


def test_deactivation_ends_cookie_and_tokens_and_reactivation_revives_nothing(
    app, client, make_user, parse
):
    user, admin = make_user(), make_user(Role.ADMIN)
    browser, _csrf = _sign_in(app, user, parse)
    cookie = browser.cookies[SESSION_COOKIE]
    token = _api_token(client, user)
    admin_browser, admin_csrf = _sign_in(app, admin, parse)
    long_lived = (
        parse(
            admin_browser.post(
                f"/admin/users/{user.id}/tokens",
                data={"name": "nightly export", "days": "30", "csrf_token": admin_csrf},
            )
        )
        .find("pre", class_="token")
        .text.strip()
    )
    assert _token_works(client, long_lived) and _cookie_works(app, cookie)
    deactivated = admin_browser.post(
        f"/admin/users/{user.id}/deactivate", data={"csrf_token": admin_csrf}
    )
    assert deactivated.status_code == 200
    assert browser.get("/patients", follow_redirects=False).status_code == 303
    assert not _cookie_works(app, cookie)
    for text in (token, long_lived):
        assert not _token_works(client, text)
    admin_browser.post(f"/admin/users/{user.id}/activate", data={"csrf_token": admin_csrf})
    assert not _cookie_works(app, cookie)  # reactivation revives no old cookie ...
    for text in (token, long_lived):
        assert not _token_works(client, text)  # ... and no old token
    assert _token_works(client, _api_token(client, user))  # the user signs in again


def test_password_change_ends_every_old_cookie_and_token(app, client, make_user, parse):
    user = make_user()
    browser, csrf = _sign_in(app, user, parse)
    old_cookie = browser.cookies[SESSION_COOKIE]
    other_browser, _other_csrf = _sign_in(app, user, parse)
    other_cookie = other_browser.cookies[SESSION_COOKIE]
    token = _api_token(client, user)
    page = parse(browser.get("/account/password"))
    assert page.title == "Change your password · scalpmap"
    changed = browser.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "repeat_password": NEW_PASSWORD,
            "csrf_token": csrf,
        },
    )
    assert changed.status_code == 200
    assert "password changed" in parse(changed).alerts()[0]
    assert not _cookie_works(app, old_cookie) and not _cookie_works(app, other_cookie)
    assert not _token_works(client, token)
    assert browser.cookies[SESSION_COOKIE] != old_cookie
    assert browser.get("/patients", follow_redirects=False).status_code == 200  # a fresh session
    refused = client.post("/api/auth/token", json={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 401
    assert _token_works(client, _api_token(client, user, NEW_PASSWORD))


@pytest.mark.parametrize(
    ("current", "new", "repeat", "status", "fragment"),
    [
        (PASSWORD, "too short", "too short", 422, "at least 12 characters"),
        (PASSWORD, "password1234", "password1234", 422, "common passwords"),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!", 422, "the two new passwords differ"),
        (PASSWORD, PASSWORD, PASSWORD, 422, "the one you have"),
        ("not my password", NEW_PASSWORD, NEW_PASSWORD, 403, "current password is wrong"),
        ("", NEW_PASSWORD, NEW_PASSWORD, 422, "type your current password"),
    ],
)
def test_password_page_refuses_bad_input_with_one_line(
    app, client, make_user, parse, current, new, repeat, status, fragment
):
    user = make_user()
    browser, csrf = _sign_in(app, user, parse)
    cookie = browser.cookies[SESSION_COOKIE]
    answer = browser.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "repeat_password": repeat,
            "csrf_token": csrf,
        },
    )
    assert answer.status_code == status
    [alert] = parse(answer).alerts()
    assert fragment in alert
    assert _cookie_works(app, cookie)  # nothing ended


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"current_password": PASSWORD, "new_password": "short"}, 422, "at least 12"),
        ({"current_password": PASSWORD, "new_password": "Sunshine2024!"}, 422, "common password"),
        ({"current_password": "wrong password!", "new_password": NEW_PASSWORD}, 403, "wrong"),
        ({"current_password": PASSWORD}, 422, "New password is required"),
        ({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "x": 1}, 422, "x"),
    ],
)
def test_api_password_change_refuses_bad_input(client, make_user, body, status, fragment):
    token = _api_token(client, make_user())
    answer = client.post("/api/me/password", json=body, headers=_bearer(token))
    assert answer.status_code == status
    detail = answer.json()["detail"]
    assert fragment in detail and "\n" not in detail
    assert _token_works(client, token)


def test_api_password_change_ends_the_tokens(client, make_user):
    user = make_user()
    token, other = _api_token(client, user), _api_token(client, user)
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert client.post("/api/me/password", json=body, headers=_bearer(token)).status_code == 204
    assert not _token_works(client, token) and not _token_works(client, other)
    assert _token_works(client, _api_token(client, user, NEW_PASSWORD))


def test_wrong_current_passwords_back_off_like_sign_ins(app, client, make_user):
    _freeze_limits(app)
    token = _api_token(client, make_user())
    body = {"current_password": "wrong password!", "new_password": NEW_PASSWORD}
    statuses = [
        client.post("/api/me/password", json=body, headers=_bearer(token)).status_code
        for _ in range(8)
    ]
    assert statuses == [403] * 6 + [429] * 2


def test_admin_forced_reset(app, client, make_user, parse):
    user, admin = make_user(), make_user(Role.ADMIN)
    browser, _csrf = _sign_in(app, user, parse)
    cookie = browser.cookies[SESSION_COOKIE]
    token = _api_token(client, user)
    admin_browser, admin_csrf = _sign_in(app, admin, parse)
    weak = admin_browser.post(
        f"/admin/users/{user.id}/reset-password",
        data={"temporary_password": "short", "csrf_token": admin_csrf},
    )
    assert weak.status_code == 422 and "at least 12" in parse(weak).alerts()[0]
    own = admin_browser.post(
        f"/admin/users/{admin.id}/reset-password", data={"csrf_token": admin_csrf}
    )
    assert own.status_code == 409
    reset = admin_browser.post(
        f"/admin/users/{user.id}/reset-password", data={"csrf_token": admin_csrf}
    )
    assert reset.status_code == 200
    temporary = parse(reset).find("pre", class_="token").text.strip()
    assert len(temporary) >= 16
    assert not _cookie_works(app, cookie) and not _token_works(client, token)
    listed = parse(admin_browser.get("/admin/users"))
    assert "Password reset" in [b.text for b in listed.find_all("span", class_="badge badge-warn")]

    again = TestClient(app)
    form = parse(again.get("/signin"))
    signed = again.post(
        "/signin",
        data={"email": user.email, "password": temporary, "csrf_token": form.csrf},
        follow_redirects=False,
    )
    assert signed.headers["location"] == "/account/password"
    assert again.get("/patients", follow_redirects=False).headers["location"] == "/account/password"
    forced_token = _api_token(client, user, temporary)
    blocked = client.get("/api/patients", headers=_bearer(forced_token))
    assert blocked.status_code == 403 and "POST /api/me/password" in blocked.json()["detail"]
    assert client.get("/api/me", headers=_bearer(forced_token)).json()["must_change_password"]
    page = parse(again.get("/account/password"))
    assert page.find("label", for_="current-password").text.strip() == "Temporary password"
    changed = again.post(
        "/account/password",
        data={
            "current_password": temporary,
            "new_password": NEW_PASSWORD,
            "repeat_password": NEW_PASSWORD,
            "csrf_token": page.csrf,
        },
    )
    assert changed.status_code == 200
    assert again.get("/patients", follow_redirects=False).status_code == 200
    assert not _token_works(client, forced_token)


def test_token_lifetimes(app, client, make_user, parse, web_settings):
    user, admin = make_user(), make_user(Role.ADMIN)
    browser, csrf = _sign_in(app, user, parse)
    headers = {"X-CSRF-Token": csrf}
    bound = browser.post("/api/tokens", json={"name": "a", "expires_in_days": 30}, headers=headers)
    expires = dt.datetime.fromisoformat(bound.json()["expires_at"])
    now = dt.datetime.now(dt.UTC)
    assert expires <= now + dt.timedelta(seconds=web_settings.session_max_age_s + 5)
    too_long = browser.post(
        "/api/tokens", json={"name": "b", "expires_in_days": 91}, headers=headers
    )
    assert too_long.status_code == 422 and "1 to 90 days" in too_long.json()["detail"]
    not_admin = browser.post(
        "/api/tokens", json={"name": "c", "independent": True}, headers=headers
    )
    assert not_admin.status_code == 403 and "only an admin" in not_admin.json()["detail"]
    admin_browser, admin_csrf = _sign_in(app, admin, parse)
    independent = admin_browser.post(
        "/api/tokens", json={"name": "d", "independent": True}, headers={"X-CSRF-Token": admin_csrf}
    )
    assert independent.status_code == 201
    lifetime = dt.datetime.fromisoformat(independent.json()["expires_at"]) - now
    assert dt.timedelta(days=89) < lifetime <= dt.timedelta(days=90, minutes=1)
    admin_browser.post("/signout", data={"csrf_token": admin_csrf})
    assert _token_works(client, independent.json()["token"])


def test_x_forwarded_for_is_ignored_unless_from_a_trusted_proxy(
    web_settings, cheap_password_hashing, make_user
):
    user = make_user()

    def spray(app: Any, peer: str, forwarded: list[str]) -> list[int]:
        browser = TestClient(app, client=(peer, 40000))
        return [
            browser.post(
                "/api/auth/token",
                json={"email": user.email, "password": "wrong password!"},
                headers={"X-Forwarded-For": address},
            ).status_code
            for address in forwarded
        ]

    spoofed = [f"192.0.2.{n}" for n in range(1, 9)]
    direct = create_app(web_settings, inline_jobs=True)
    _freeze_limits(direct)
    with TestClient(direct):
        statuses = spray(direct, "127.0.0.1", spoofed)  # even from 127.0.0.1
    assert statuses == [401] * 6 + [429] * 2  # one address, whatever the header says

    behind = create_app(
        web_settings.model_copy(update={"trusted_proxies": "10.0.0.5"}), inline_jobs=True
    )
    _freeze_limits(behind)
    with TestClient(behind):
        assert 429 not in spray(behind, "10.0.0.5", spoofed)  # each client its own count
        assert 429 in spray(behind, "10.0.0.6", spoofed)  # not a trusted proxy
        peer = TestClient(behind, client=("10.0.0.5", 1))
        seen = peer.get("/signin", headers={"X-Forwarded-For": "198.51.100.7"})
        assert seen.status_code == 200
