"""Sign-in and sign-out pages, and the API tokens page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scalpmap.services.tokens import create_token, list_tokens, revoke_token
from scalpmap.web.auth.service import attempt_sign_in, safe_next, start_session
from scalpmap.web.deps import CsrfChecked, CurrentUser, Id, SessionDep, StateDep
from scalpmap.web.rendering import render
from scalpmap.web.security import client_ip

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/signin")
def signin_page(request: Request, next: str = "/") -> Response:
    """Show the sign-in form."""
    return render(request, "auth/signin.html", {"title": "Sign in", "next": safe_next(next)})


@router.post("/signin", dependencies=[CsrfChecked])
def signin(
    request: Request,
    session: SessionDep,
    state: StateDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Check the email and password; start a session and go on, or show the form again."""
    context = {"title": "Sign in", "next": safe_next(next), "email": email}
    if not email.strip() or not password:
        context["error"] = "enter your email address and your password"
        return render(request, "auth/signin.html", context, status_code=422)
    user = attempt_sign_in(session, state.limits, client_ip(request), email, password)
    if user is None:
        context["error"] = "wrong email or password"
        return render(request, "auth/signin.html", context, status_code=401)
    start_session(request, user)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/signout")
def signout(request: Request, user: CurrentUser) -> Response:
    """End the session."""
    request.session.clear()
    return RedirectResponse("/signin", status_code=303)


def _tokens_page(
    request: Request, session: SessionDep, user: CurrentUser, **extra: object
) -> Response:
    status = extra.pop("status_code", 200)
    assert isinstance(status, int)
    context: dict[str, Any] = {
        "title": "API tokens",
        "section": "tokens",
        "tokens": list_tokens(session, user),
    }
    context.update(extra)
    return render(request, "auth/tokens.html", context, status_code=status)


@router.get("/account/tokens")
def tokens_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """List the user's API tokens."""
    return _tokens_page(request, session, user)


@router.post("/account/tokens")
def create_token_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    name: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Create an API token and show it once."""
    if not name.strip() or len(name.strip()) > 100:
        error = "give the token a name of 1 to 100 characters, e.g. 'batch re-analysis'"
        return _tokens_page(request, session, user, error=error, status_code=422)
    row, token = create_token(session, user, name)
    return _tokens_page(request, session, user, new_token=token, new_name=row.name, status_code=201)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token_page(token_id: Id, session: SessionDep, user: CurrentUser) -> Response:
    """Revoke one of the user's API tokens."""
    revoke_token(session, token_id, user)
    return RedirectResponse("/account/tokens", status_code=303)
