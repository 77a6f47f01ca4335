"""Request bodies: JSON and form requests are refused past 1 MB before parsing and sign-in."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient

from scalpmap.web.app import create_app
from scalpmap.web.middleware import HSTS, MAX_JSON_BYTES, BodySizeLimitMiddleware

OVER = MAX_JSON_BYTES + 1


def _json_of_size(size: int) -> bytes:
    head, tail = b'{"email": "a@clinic.example", "password": "', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        part = min(size, total - sent)
        sent += part
        yield b" " * part


def _is_one_line_413(response: Any) -> None:
    assert response.status_code == 413, response.text
    detail = response.json()["detail"]
    assert "\n" not in detail and f"{MAX_JSON_BYTES:,} bytes" in detail


def test_json_over_1_mb_is_refused_before_sign_in(client: TestClient) -> None:
    body = _json_of_size(OVER)
    headers = {"Content-Type": "application/json"}
    _is_one_line_413(client.post("/api/auth/token", content=body, headers=headers))
    # Anonymous: 413 comes before the 401 of the missing sign-in.
    _is_one_line_413(client.post("/api/patients", content=body, headers=headers))
    assert client.post("/api/patients", json={"name": "A"}).status_code == 401


def test_chunked_json_without_length_is_counted(client: TestClient) -> None:
    headers = {"Content-Type": "application/json"}
    answer = client.post("/api/patients", content=_chunks(3 * MAX_JSON_BYTES), headers=headers)
    _is_one_line_413(answer)
    small = client.post("/api/patients", content=iter([b'{"name": ', b'"A"}']), headers=headers)
    assert small.status_code == 401  # read whole, then judged by the route


def test_forms_and_untyped_bodies_have_the_json_limit(client: TestClient) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    _is_one_line_413(client.post("/signin", content=b"a=" + b"b" * MAX_JSON_BYTES, headers=form))
    _is_one_line_413(client.post("/api/auth/token", content=b"z" * OVER))


def test_bodies_under_the_limit_reach_the_app(client: TestClient) -> None:
    answer = client.post(
        "/api/auth/token",
        content=_json_of_size(MAX_JSON_BYTES),
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code in (401, 422), answer.text  # parsed and judged by the route


def test_multipart_uploads_keep_their_own_larger_limit(client: TestClient) -> None:
    files = {"file": ("big.csv", b"name\n" + b"a" * (2 * MAX_JSON_BYTES), "text/csv")}
    answer = client.post("/api/facilities/import", files=files)
    assert answer.status_code == 401  # through the body limit, refused by sign-in


def _run(middleware: BodySizeLimitMiddleware, scope: dict[str, Any], chunks: int) -> tuple:
    reads = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal reads
        reads += 1
        more = reads < chunks
        return {"type": "http.request", "body": b"x" * 1000, "more_body": more}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(middleware(scope, receive, send))
    return reads, sent


def test_reading_stops_at_the_first_chunk_past_the_limit() -> None:
    called = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        called.append(await receive())

    middleware = BodySizeLimitMiddleware(app, max_upload_bytes=10**9, max_json_bytes=5500)
    scope = {"type": "http", "method": "POST", "path": "/api/x", "headers": []}
    reads, sent = _run(middleware, scope, chunks=10**6)  # an endless chunked body
    assert reads == 6 and not called
    assert sent[0]["status"] == 413 and (b"connection", b"close") in sent[0]["headers"]
    assert "5,500 bytes" in json.loads(sent[1]["body"])["detail"]
    reads, sent = _run(middleware, scope, chunks=5)  # 5000 bytes: let through, in one message
    assert called == [{"type": "http.request", "body": b"x" * 5000, "more_body": False}]


def test_a_declared_length_over_the_limit_reads_nothing() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the app must not run")

    middleware = BodySizeLimitMiddleware(app, max_upload_bytes=10**9, max_json_bytes=5500)
    headers = [(b"content-type", b"application/json"), (b"content-length", b"150000000")]
    scope = {"type": "http", "method": "POST", "path": "/api/x", "headers": headers}
    reads, sent = _run(middleware, scope, chunks=1)
    assert reads == 0 and sent[0]["status"] == 413


def test_hsts_only_when_served_over_https(web_settings, cheap_password_hashing, client) -> None:
    assert "strict-transport-security" not in client.get("/signin").headers
    https = web_settings.model_copy(update={"session_https": True})
    with TestClient(create_app(https, inline_jobs=True), base_url="https://testserver") as secure:
        for path in ("/signin", "/healthz", "/api/me"):
            assert secure.get(path).headers["strict-transport-security"] == HSTS, path
