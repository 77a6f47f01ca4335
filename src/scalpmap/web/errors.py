"""Map errors to answers: JSON ``{"detail": "..."}`` under ``/api``, a page with one line elsewhere.

=====================================  ======
Error                                  Status
=====================================  ======
``NotSignedIn``                        401 (API) or a redirect to the sign-in page
``PasswordChangeRequired``             403 (API) or a redirect to the password page
``PermissionDeniedError``, CSRF        403
``NotFoundError``                      404
``ConflictError``                      409
``InputError``, ``PhotoError``, ...    422
request validation                     422
``RateLimited``                        429
=====================================  ======
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from scalpmap.errors import ScalpmapError
from scalpmap.services.errors import ConflictError, NotFoundError, PermissionDeniedError
from scalpmap.web.rendering import render
from scalpmap.web.security import CsrfError, RateLimited

__all__ = [
    "NotSignedIn",
    "PasswordChangeRequired",
    "install_error_handlers",
    "is_api",
    "one_line",
    "status_for",
]

log = logging.getLogger(__name__)

_TITLES = {
    400: "Bad request",
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    415: "Unsupported file type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Server error",
}


class NotSignedIn(Exception):
    """The request carries no valid session or API token (HTTP 401)."""


class PasswordChangeRequired(Exception):
    """An admin reset the user's password: they must set a new one first (HTTP 403)."""


def is_api(request: Request) -> bool:
    """Tell whether a request is for the JSON API (``/api/...``).

    Parameters
    ----------
    request : starlette.requests.Request
        The request.

    Returns
    -------
    bool
        ``True`` for API paths.
    """
    path = request.url.path
    return path == "/api" or path.startswith("/api/")


def status_for(error: ScalpmapError) -> int:
    """Return the HTTP status of a service error.

    Parameters
    ----------
    error : ScalpmapError
        The error.

    Returns
    -------
    int
        404, 403, 409 or 422.
    """
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, PermissionDeniedError):
        return 403
    if isinstance(error, ConflictError):
        return 409
    return 422


def one_line(error: ValidationError | RequestValidationError) -> str:
    """Turn a validation error into one line naming the first wrong field.

    Parameters
    ----------
    error : pydantic.ValidationError or fastapi.exceptions.RequestValidationError
        The error.

    Returns
    -------
    str
        E.g. ``"date_of_birth: the date of birth is in the future"``.
    """
    errors = error.errors()
    if not errors:
        return "invalid input"
    first = errors[0]
    where = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    text = f"{'.'.join(where)}: {message}" if where else message
    return " ".join(text.split())


def _error_page(request: Request, status: int, message: str) -> Response:
    title = _TITLES.get(status, "Error")
    return render(request, "error.html", {"title": title, "message": message}, status_code=status)


def respond(request: Request, status: int, message: str) -> Response:
    """Answer an error: JSON under ``/api``, an error page elsewhere.

    Parameters
    ----------
    request : starlette.requests.Request
        The request.
    status : int
        HTTP status.
    message : str
        One line for the user.

    Returns
    -------
    starlette.responses.Response
        The answer.
    """
    if is_api(request):
        return JSONResponse({"detail": message}, status_code=status)
    return _error_page(request, status, message)


async def _scalpmap_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ScalpmapError)
    return respond(request, status_for(error), str(error))


async def _not_signed_in(request: Request, error: Exception) -> Response:
    if is_api(request):
        message = str(error) or "sign in: send Authorization: Bearer TOKEN (POST /api/auth/token)"
        headers = {"WWW-Authenticate": "Bearer"}
        return JSONResponse({"detail": message}, status_code=401, headers=headers)
    target = request.url.path if request.method == "GET" else "/"
    return RedirectResponse(f"/signin?next={quote(target, safe='/')}", status_code=303)


async def _password_change_required(request: Request, error: Exception) -> Response:
    if is_api(request):
        message = "an admin reset your password: set a new one with POST /api/me/password"
        return JSONResponse({"detail": message}, status_code=403)
    return RedirectResponse("/account/password", status_code=303)


async def _csrf(request: Request, error: Exception) -> Response:
    message = "the form has expired or lacks its security token; reload the page and try again"
    return respond(request, 403, message)


async def _rate_limited(request: Request, error: Exception) -> Response:
    assert isinstance(error, RateLimited)
    response = respond(request, 429, str(error))
    response.headers["Retry-After"] = str(int(error.retry_after_s + 0.999))
    return response


async def _validation(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError | ValidationError)
    return respond(request, 422, one_line(error))


async def _http(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    detail = error.detail if isinstance(error.detail, str) else _TITLES.get(error.status_code, "")
    response = respond(request, error.status_code, detail)
    for name, value in (error.headers or {}).items():
        response.headers[name] = value
    return response


async def _unexpected(request: Request, error: Exception) -> Response:
    log.error("unexpected %s on %s %s", type(error).__name__, request.method, request.url.path)
    return respond(request, 500, "something went wrong on the server; the error was logged")


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers of this module on the app.

    Parameters
    ----------
    app : fastapi.FastAPI
        The app.
    """
    app.add_exception_handler(ScalpmapError, _scalpmap_error)
    app.add_exception_handler(NotSignedIn, _not_signed_in)
    app.add_exception_handler(PasswordChangeRequired, _password_change_required)
    app.add_exception_handler(CsrfError, _csrf)
    app.add_exception_handler(RateLimited, _rate_limited)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(ValidationError, _validation)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
