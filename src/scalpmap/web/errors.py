"""Map errors to answers: JSON ``{"detail": "..."}`` under ``/api``, a page with one line elsewhere.

A wrong field is named as the forms label it, with what to type (:mod:`scalpmap.field_messages`);
the API adds ``errors``, a list of ``{"field", "label", "message"}``, for programs.

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
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from scalpmap.errors import ScalpmapError
from scalpmap.field_labels import LABELS
from scalpmap.field_messages import FieldProblem, field_problems, first_problem
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


def one_line(
    error: ValidationError | RequestValidationError,
    labels: Mapping[str, str] | None = None,
    hints: Mapping[str, str] | None = None,
) -> str:
    """Turn a validation error into one line naming the first wrong field and what to type.

    The words come from :mod:`scalpmap.field_messages`, the one mapping of the forms, the API
    and the command line.

    Parameters
    ----------
    error : pydantic.ValidationError or fastapi.exceptions.RequestValidationError
        The error.
    labels : mapping of str to str, optional
        The form's labels where they differ from the usual ones (``{"name": "Your name"}``).
    hints : mapping of str to str, optional
        What to type, where this form differs from the usual hints.

    Returns
    -------
    str
        E.g. ``"Date of birth is in the future (2999-01-01): type the day the patient was
        born"``.
    """
    return first_problem(error, labels=labels, hints=hints).message


def _error_page(request: Request, status: int, message: str) -> Response:
    title = _TITLES.get(status, "Error")
    return render(request, "error.html", {"title": title, "message": message}, status_code=status)


def respond(
    request: Request,
    status: int,
    message: str,
    problems: Sequence[FieldProblem] = (),
) -> Response:
    """Answer an error: JSON under ``/api``, an error page elsewhere.

    Parameters
    ----------
    request : starlette.requests.Request
        The request.
    status : int
        HTTP status.
    message : str
        One line for the user.
    problems : sequence of FieldProblem, optional
        The wrong fields; the API lists them as ``errors`` (``field``, ``label``,
        ``message``) beside ``detail``.

    Returns
    -------
    starlette.responses.Response
        The answer.
    """
    if is_api(request):
        body: dict[str, Any] = {"detail": message}
        if problems:
            body["errors"] = [problem.to_json() for problem in problems]
        return JSONResponse(body, status_code=status)
    return _error_page(request, status, message)


async def _scalpmap_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ScalpmapError)
    field = getattr(error, "field", None)
    problems = [FieldProblem(field, LABELS.get(field, field), str(error))] if field else []
    return respond(request, status_for(error), str(error), problems)


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
    problems = field_problems(error)
    message = problems[0].message if problems else "the input is not valid"
    return respond(request, 422, message, problems)


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
