"""Security: sign-in, CSRF, upload limits, roles, rate limits, no names in URLs or logs."""

from __future__ import annotations

import logging
import re
import struct
import zlib

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from scalpmap.store.models import Role
from scalpmap.web.app import create_app
from scalpmap.web.deps import CanEditPlans
from scalpmap.web.rate_limits import BackoffLimiter, RateLimits

PUBLIC = {"/signin", "/enquire", "/enquire/thanks", "/healthz", "/api/auth/token"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _api_routes(routes):
    """Every APIRoute, also inside included routers (newer FastAPI keeps them nested)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        nested = getattr(route, "original_router", None)
        if nested is not None:
            yield from _api_routes(nested.routes)


def _routes(app):
    for route in _api_routes(app.routes):
        for method in sorted(route.methods - {"HEAD"}):
            yield method, route.path


def test_anonymous_is_refused_on_every_protected_route(app, client):
    checked = 0
    for method, path in _routes(app):
        if path in PUBLIC:
            continue
        answer = client.request(method, _concrete(path), follow_redirects=False)
        if path.startswith("/api"):
            assert answer.status_code == 401, (method, path, answer.status_code)
            assert answer.json()["detail"]
        else:
            assert answer.status_code == 303, (method, path, answer.status_code)
            assert answer.headers["location"].startswith("/signin")
        checked += 1
    assert checked >= 40
    assert client.get("/healthz").status_code == 200
    assert client.get("/signin").status_code == 200
    assert client.get("/enquire").status_code == 200
    assert client.get("/static/app.js").status_code == 200


def test_unsafe_requests_without_the_csrf_token_are_403(app, client, signed_in):
    signed_in(Role.ADMIN)
    checked = 0
    for method, path in _routes(app):
        if method not in UNSAFE or path == "/api/auth/token":
            continue
        answer = client.request(method, _concrete(path), data={"x": "1"}, follow_redirects=False)
        assert answer.status_code == 403, (method, path, answer.status_code)
        wrong = client.request(
            method, _concrete(path), headers={"X-CSRF-Token": "forged"}, follow_redirects=False
        )
        assert wrong.status_code == 403, (method, path)
        checked += 1
    assert checked >= 15


def test_csrf_header_works_for_fetch_and_tokens_need_none(client, signed_in, token_headers):
    _user, csrf = signed_in()
    body = {"name": "Fetch Person", "date_of_birth": "1990-01-01"}
    assert client.post("/api/patients", json=body).status_code == 403
    assert (
        client.post("/api/patients", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    )
    fresh = TestClient(client.app)
    assert fresh.post("/api/patients", json=body, headers=token_headers()).status_code == 201


@pytest.fixture
def small_client(web_settings, cheap_password_hashing):
    settings = web_settings.model_copy(update={"max_upload_bytes": 60_000})
    with TestClient(create_app(settings, inline_jobs=True)) as test_client:
        yield test_client


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _case_for(client, headers):
    patient = client.post(
        "/api/patients", json={"name": "Up Loader", "date_of_birth": "1990-01-01"}, headers=headers
    ).json()["id"]
    return client.post(
        "/api/cases", json={"patient_id": patient, "reason": "faded"}, headers=headers
    ).json()["id"]


def test_upload_limits_size_type_and_pixels(small_client, make_user, scalp_jpeg, other_jpeg):
    user = make_user()
    token = small_client.post(
        "/api/auth/token", json={"email": user.email, "password": "correct horse battery"}
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    case_id = _case_for(small_client, headers)
    url = f"/api/cases/{case_id}/photos"

    def upload(name, content, kind="image/jpeg"):
        return small_client.post(
            url, files={"file": (name, content, kind)}, data={"view": "front"}, headers=headers
        )

    assert len(scalp_jpeg) > 60_000
    too_big = upload("big.jpg", scalp_jpeg)
    assert too_big.status_code == 413 and "limit" in too_big.json()["detail"]
    pdf = upload("scan.jpg", b"%PDF-1.7\n" + b"0" * 500)
    assert pdf.status_code == 415 and "not a photo" in pdf.json()["detail"]
    text = upload("notes.png", b"hello, this is not an image", "image/png")
    assert text.status_code == 415
    bomb = upload("bomb.png", _png_header(30_000, 30_000), "image/png")
    assert bomb.status_code in (413, 422) and "pixels" in bomb.json()["detail"]
    damaged = upload("cut.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    assert damaged.status_code == 422
    empty = upload("empty.jpg", b"")
    assert empty.status_code == 422
    huge_body = small_client.post(
        url,
        content=b"x" * 2_000_000,
        headers={**headers, "Content-Type": "multipart/form-data; boundary=z"},
    )
    assert huge_body.status_code == 413
    assert len(other_jpeg) <= 60_000
    assert upload("../../etc/passwd", other_jpeg).status_code == 201


def test_upload_limits_on_the_page_form(small_client, make_user):
    user = make_user()
    signin = small_client.get("/signin")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', signin.text).group(1)
    small_client.post(
        "/signin",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": csrf},
    )
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', small_client.get("/").text).group(1)
    headers = {"X-CSRF-Token": csrf}
    case_id = _case_for(small_client, headers)
    answer = small_client.post(
        f"/cases/{case_id}/photos",
        data={"view": "front", "csrf_token": csrf},
        files=[("files", ("a.txt", b"plain text", "text/plain"))],
    )
    assert answer.status_code == 415
    assert "not a photo" in answer.text


def test_roles_reception_cannot_admin_or_edit_plans(
    web_settings, cheap_password_hashing, make_user
):
    app = create_app(web_settings, inline_jobs=True)
    plans = APIRouter()

    @plans.post("/cases/{case_id}/plans/test-edit")
    def edit_plan(case_id: int, user: CanEditPlans) -> dict[str, int]:
        return {"user": user.id}

    app.include_router(plans)
    with TestClient(app) as client:
        from scalpmap.services.users import create_user

        with app.state.scalpmap.session_factory() as session:
            reception = create_user(
                session, f"rec{id(app)}@clinic.example", "correct horse battery", Role.RECEPTION
            )
            practitioner = create_user(
                session, f"pra{id(app)}@clinic.example", "correct horse battery", Role.PRACTITIONER
            )

        def token(user):
            answer = client.post(
                "/api/auth/token", json={"email": user.email, "password": "correct horse battery"}
            )
            return {"Authorization": f"Bearer {answer.json()['token']}"}

        refused = client.post("/cases/1/plans/test-edit", headers=token(reception))
        assert refused.status_code == 403 and "reception cannot do this" in refused.text
        assert (
            client.post("/cases/1/plans/test-edit", headers=token(practitioner)).status_code == 200
        )
        rec = token(reception)
        assert client.get("/admin/users", headers=rec).status_code == 403
        assert client.post("/admin/users", headers=rec, data={}).status_code == 403
        assert (
            client.post(f"/admin/users/{practitioner.id}/deactivate", headers=rec).status_code
            == 403
        )


@pytest.fixture
def frozen_limits(app):
    """Sign-in limiters on a clock that stands still, so that every wait is still running."""
    clock = lambda: 1000.0  # noqa: E731
    state = app.state.scalpmap
    state.limits = RateLimits(
        signin_ip=BackoffLimiter(20, clock=clock), signin_account_ip=BackoffLimiter(5, clock=clock)
    )
    return state.limits


def test_signin_backs_off_per_account_and_ip_without_locking_out_the_user(
    app, make_user, parse, frozen_limits
):
    user = make_user()
    attacker = TestClient(app, client=("203.0.113.7", 40000))
    csrf = parse(attacker.get("/signin")).csrf
    for _ in range(5):
        wrong = attacker.post(
            "/signin", data={"email": user.email, "password": "bad password", "csrf_token": csrf}
        )
        assert wrong.status_code == 401
    sixth = attacker.post(
        "/signin", data={"email": user.email, "password": "bad password", "csrf_token": csrf}
    )
    assert sixth.status_code == 401  # counted: the next try from here waits
    slowed = attacker.post(
        "/signin",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": csrf},
    )
    assert slowed.status_code == 429 and int(slowed.headers["retry-after"]) >= 1
    assert (
        "too many failed sign-ins for this account from your address" in parse(slowed).alerts()[0]
    )
    api = attacker.post(
        "/api/auth/token", json={"email": user.email, "password": "correct horse battery"}
    )
    assert api.status_code == 429
    real = TestClient(app, client=("198.51.100.20", 40000))
    token = real.post(
        "/api/auth/token", json={"email": user.email, "password": "correct horse battery"}
    )
    assert token.status_code == 201  # the real user, elsewhere, is not locked out


def test_signin_backs_off_per_ip_across_accounts(app, make_user, frozen_limits):
    user = make_user()
    sprayer = TestClient(app, client=("203.0.113.9", 40000))
    statuses = []
    for index in range(22):
        answer = sprayer.post(
            "/api/auth/token", json={"email": f"nobody{index}@clinic.example", "password": "x"}
        )
        statuses.append(answer.status_code)
    assert statuses[:21] == [401] * 21 and statuses[21] == 429
    assert "too many failed sign-ins from your address" in answer.json()["detail"]
    refused = sprayer.post(
        "/api/auth/token", json={"email": user.email, "password": "correct horse battery"}
    )
    assert refused.status_code == 429
    elsewhere = TestClient(app, client=("198.51.100.21", 40000))
    assert (
        elsewhere.post(
            "/api/auth/token", json={"email": user.email, "password": "correct horse battery"}
        ).status_code
        == 201
    )


def test_public_enquiries_are_rate_limited_per_ip(client, parse):
    csrf = parse(client.get("/enquire")).csrf
    statuses = [
        client.post("/enquire", data={"name": "Spam", "csrf_token": csrf}).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [422] * 5 and statuses[5] == 429


def test_patient_name_never_in_urls_or_logs(client, signed_in, parse, caplog, scalp_jpeg):
    caplog.set_level(logging.DEBUG)
    name = "Zebedee Quintrell"
    _user, csrf = signed_in()
    seen_urls: list[str] = []

    def go(response):
        for step in [*response.history, response]:
            seen_urls.append(str(step.url))
            seen_urls.append(step.headers.get("location", ""))
        if response.headers.get("content-type", "").startswith("text/html"):
            html = parse(response)
            for element in html.elements:
                for attribute in ("href", "src", "action", "data-upload-url", "data-analysis-url"):
                    seen_urls.append(element.get(attribute) or "")
        return response

    created = go(client.post("/patients/new", data={"full_name": name, "csrf_token": csrf}))
    patient_url = str(created.url)
    go(client.post("/patients/search", data={"q": "Zebedee", "csrf_token": csrf}))
    go(client.get("/patients"))
    case = go(client.post(f"{patient_url}/cases", data={"reason": "faded", "csrf_token": csrf}))
    go(
        client.post(
            f"{case.url}/photos",
            data={"view": "front", "csrf_token": csrf},
            files=[("files", (f"{name}.jpg", scalp_jpeg, "image/jpeg"))],
        )
    )
    go(client.get("/"))
    go(client.get("/cases"))
    assert seen_urls and not [url for url in seen_urls if "Zebedee" in url or "Quintrell" in url]
    messages = [record.getMessage() for record in caplog.records]
    assert messages  # the app does log (ids only)
    assert not [m for m in messages if "Zebedee" in m or "Quintrell" in m]


def test_security_headers_everywhere(client, signed_in):
    for path in ("/signin", "/healthz", "/static/app.css", "/api/me", "/nowhere"):
        headers = client.get(path, follow_redirects=False).headers
        assert headers["content-security-policy"].startswith("default-src 'self'"), path
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"
    assert client.get("/signin").headers["cache-control"] == "no-store"


def test_session_cookie_flags(client, web_settings, cheap_password_hashing):
    answer = client.get("/signin")
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    https = web_settings.model_copy(update={"session_https": True})
    with TestClient(create_app(https, inline_jobs=True), base_url="https://testserver") as secure:
        assert "secure" in secure.get("/signin").headers["set-cookie"].lower()


def test_signin_ignores_foreign_next_and_renews_the_csrf_token(client, make_user, parse):
    user = make_user()
    before = parse(client.get("/signin?next=//evil.example/x")).csrf
    answer = client.post(
        "/signin",
        data={
            "email": user.email,
            "password": "correct horse battery",
            "csrf_token": before,
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/"
    assert parse(client.get("/")).csrf != before
