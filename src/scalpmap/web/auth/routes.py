"""Sign-in and sign-out pages, the password page and the API tokens page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scalpmap.errors import ScalpmapError
from scalpmap.services.accounts import WrongPasswordError, change_password
from scalpmap.services.password_policy import MIN_PASSWORD_LENGTH
from scalpmap.services.tokens import create_token, list_tokens, revoke_token
from scalpmap.store.models import Role, User
from scalpmap.web.auth.orchestration import (
    attempt_sign_in,
    check_sign_in_allowed,
    end_session,
    note_wrong_password,
    safe_next,
    start_session,
)
from scalpmap.web.deps import (
    CsrfChecked,
    CurrentCredential,
    CurrentUser,
    Id,
    SessionDep,
    SettingsDep,
    StateDep,
)
from scalpmap.web.errors import status_for
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
    start_session(request, session, user, state.settings.session_max_age_s)
    target = "/account/password" if user.must_change_password else safe_next(next)
    return RedirectResponse(target, status_code=303)


@router.post("/signout")
def signout(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """End the session on the server (and the tokens made with it); clear the cookie."""
    end_session(request, session)
    return RedirectResponse("/signin", status_code=303)


def _password_page(request: Request, user: User, status_code: int = 200, **extra: Any) -> Response:
    context: dict[str, Any] = {
        "title": "Change your password",
        "section": "password",
        "min_length": MIN_PASSWORD_LENGTH,
        "forced": user.must_change_password,
    }
    context.update(extra)
    return render(request, "auth/password.html", context, status_code=status_code)


@router.get("/account/password")
def password_page(request: Request, user: CurrentUser) -> Response:
    """Show the form to change one's password."""
    return _password_page(request, user)


@router.post("/account/password")
def change_password_page(
    request: Request,
    session: SessionDep,
    state: StateDep,
    user: CurrentUser,
    current_password: Annotated[str, Form(max_length=1000)] = "",
    new_password: Annotated[str, Form(max_length=1000)] = "",
    repeat_password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Change the password; every session ends and this browser gets a fresh one."""
    ip = client_ip(request)
    if not current_password or not new_password:
        error = "type your current password and the new one"
        return _password_page(request, user, 422, error=error)
    if new_password != repeat_password:
        error = "the two new passwords differ; type the same new password twice"
        return _password_page(request, user, 422, error=error)
    check_sign_in_allowed(state.limits, ip, user.email)
    try:
        change_password(session, user, current_password, new_password)
    except WrongPasswordError as error:
        note_wrong_password(state.limits, ip, user.email)
        return _password_page(request, user, 403, error=str(error))
    except ScalpmapError as error:
        return _password_page(request, user, status_for(error), error=str(error))
    start_session(request, session, user, state.settings.session_max_age_s)
    notice = "password changed: every other session and all your API tokens have ended"
    return _password_page(request, user, 200, notice=notice)


def _tokens_page(
    request: Request,
    session: Session,
    user: User,
    settings_days: int,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    context: dict[str, Any] = {
        "title": "API tokens",
        "section": "tokens",
        "tokens": list_tokens(session, user),
        "max_age_days": settings_days,
        "is_admin": user.role == Role.ADMIN,
    }
    context.update(extra)
    return render(request, "auth/tokens.html", context, status_code=status_code)


@router.get("/account/tokens")
def tokens_page(
    request: Request, session: SessionDep, settings: SettingsDep, user: CurrentUser
) -> Response:
    """List the user's API tokens."""
    return _tokens_page(request, session, user, settings.api_token_max_age_days)


@router.post("/account/tokens")
def create_token_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credential: CurrentCredential,
    name: Annotated[str, Form(max_length=500)] = "",
    independent: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Create an API token and show it once."""
    user = credential.user
    days = settings.api_token_max_age_days
    if not name.strip() or len(name.strip()) > 100:
        error = "give the token a name of 1 to 100 characters, e.g. 'batch re-analysis'"
        return _tokens_page(request, session, user, days, 422, error=error)
    try:
        row, token = create_token(
            session,
            user,
            name,
            made_with=credential,
            max_age_days=days,
            independent=bool(independent),
        )
    except ScalpmapError as error:
        return _tokens_page(request, session, user, days, status_for(error), error=str(error))
    return _tokens_page(request, session, user, days, 201, new_token=token, new_row=row)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token_page(token_id: Id, session: SessionDep, user: CurrentUser) -> Response:
    """Revoke one of the user's API tokens."""
    revoke_token(session, token_id, user)
    return RedirectResponse("/account/tokens", status_code=303)
