"""Middlewares: security headers on every answer, and limits on request bodies (413).

Both are plain ASGI middlewares (no ``BaseHTTPMiddleware``), so nothing is buffered on their
account and the body limit applies before routing, authentication and parsing.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "HSTS",
    "MAX_JSON_BYTES",
    "BodySizeLimitMiddleware",
    "SecurityHeadersMiddleware",
]

MAX_JSON_BYTES = 1_000_000
"""Largest body of a request that is not a multipart upload (JSON, forms): 1 MB."""

HSTS = "max-age=31536000; includeSubDomains"
"""``Strict-Transport-Security``, sent when the app is served over HTTPS (one year)."""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' blob: data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeadersMiddleware:
    """Add the security headers to every response; pages and data are never cached.

    Parameters
    ----------
    app : ASGI app
        The wrapped app.
    hsts : bool, optional
        Also send ``Strict-Transport-Security`` (:data:`HSTS`): set it when the app is only
        reached over HTTPS (``SCALPMAP_SESSION_HTTPS=true``).
    """

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.headers = (
            [*_HEADERS, (b"strict-transport-security", HSTS.encode())] if hsts else _HEADERS
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the app, adding headers to its response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"cache-control"]
                headers.extend(self.headers)
                cache = b"public, max-age=3600" if static else b"no-store"
                headers.append((b"cache-control", cache))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _BodyTooLarge(HTTPException):
    """Raised from ``receive``; an HTTPException so that body parsers let it through."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(status_code=413, detail=_too_large(max_bytes, upload=True))


def _too_large(max_bytes: int, *, upload: bool) -> str:
    if upload:
        return f"the request is too large: at most {max_bytes:,} bytes are accepted"
    return (
        f"the request body is larger than {max_bytes:,} bytes, the limit for JSON and form "
        "requests; send less data (photos and CSV files go as multipart uploads)"
    )


def _is_multipart(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return bytes(value).lower().lstrip().startswith(b"multipart/form-data")
    return False


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = bytes(value).strip()
            return int(text) if text.isdigit() else None
    return None


class BodySizeLimitMiddleware:
    """Refuse request bodies over their limit with 413 before the app parses or authenticates.

    Two limits apply, chosen by the ``Content-Type``:

    * ``multipart/form-data`` (photo and CSV uploads): at most ``max_upload_bytes``, counted as
      the body streams to the app; each upload route then applies its own, smaller limit;
    * anything else (JSON, forms, no type): at most ``max_json_bytes``. The body is read here,
      before the app runs, so the check comes before routing, authentication and parsing; a
      chunked body without ``Content-Length`` is counted as it arrives and reading stops at the
      first byte past the limit. The app then receives the body in one message.

    A declared ``Content-Length`` above the limit is refused without reading anything. The
    refusal is one line of JSON, ``{"detail": "..."}``, and closes the connection.

    Parameters
    ----------
    app : ASGI app
        The wrapped app.
    max_upload_bytes : int
        Largest multipart body, all files of a form together.
    max_json_bytes : int, optional
        Largest body of any other request (1 MB by default).
    """

    def __init__(
        self, app: ASGIApp, max_upload_bytes: int, max_json_bytes: int = MAX_JSON_BYTES
    ) -> None:
        if max_upload_bytes < 1 or max_json_bytes < 1:
            raise ValueError("body limits must be positive")
        self.app = app
        self.max_upload_bytes = max_upload_bytes
        self.max_json_bytes = max_json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the body's size, then run the app."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = _is_multipart(scope)
        limit = self.max_upload_bytes if upload else self.max_json_bytes
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, _too_large(limit, upload=upload))
            return
        if upload:
            await self._stream_counted(scope, receive, send)
            return
        first = await _read_small_body(receive, limit)
        if first is None:
            await _refuse(send, _too_large(limit, upload=False))
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return first
            return await receive()

        await self.app(scope, replay, send)

    async def _stream_counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_upload_bytes:
                    raise _BodyTooLarge(self.max_upload_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await _refuse(send, _too_large(self.max_upload_bytes, upload=True))


async def _read_small_body(receive: Receive, limit: int) -> Message | None:
    """Read a whole request body of at most ``limit`` bytes; ``None`` once it passes the limit.

    A disconnect before the end is returned as it is, for the app to see.
    """
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return message
        body = message.get("body", b"")
        size += len(body)
        if size > limit:
            return None
        if body:
            chunks.append(body)
        if not message.get("more_body", False):
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}


async def _refuse(send: Send, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
