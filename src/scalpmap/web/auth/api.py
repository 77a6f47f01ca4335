"""JSON API: exchange a password for a token, sign out, change one's password, manage tokens."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from scalpmap.services.accounts import WrongPasswordError, change_password
from scalpmap.services.errors import InputError
from scalpmap.services.sign_ins import Reason
from scalpmap.services.tokens import (
    create_sign_in_token,
    create_token,
    list_tokens,
    revoke_token,
)
from scalpmap.web.auth.orchestration import (
    attempt_sign_in,
    check_sign_in_allowed,
    end_session,
    note_wrong_password,
)
from scalpmap.web.auth.schemas import (
    PasswordChange,
    TokenCreate,
    TokenCreated,
    TokenLogin,
    TokenPublic,
    TokenResponse,
    UserPublic,
)
from scalpmap.web.deps import CurrentCredential, CurrentUser, Id, SessionDep, StateDep
from scalpmap.web.errors import NotSignedIn
from scalpmap.web.security import client_ip

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["auth"])

_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Wrong email or password"},
    429: {"description": "Too many failed sign-ins (per client IP, and per account and IP)"},
}


@router.post(
    "/auth/token",
    status_code=201,
    responses=_ERRORS,
    summary="Exchange email and password for a token",
)
def token_for_password(
    body: TokenLogin, request: Request, session: SessionDep, state: StateDep
) -> TokenResponse:
    """Exchange an email and password for an API token.

    The token expires after ``SCALPMAP_SESSION_MAX_AGE_S`` seconds (12 hours by default), like a
    browser sign-in; ``POST /api/auth/signout`` ends it sooner.
    """
    user = attempt_sign_in(session, state.limits, client_ip(request), body.email, body.password)
    if user is None:
        raise NotSignedIn("wrong email or password")
    row, token = create_sign_in_token(session, user, max_age_s=state.settings.session_max_age_s)
    return TokenResponse(token=token, expires_at=row.expires_at)


@router.post("/auth/signout", status_code=204, summary="End this sign-in")
def sign_out(request: Request, session: SessionDep, credential: CurrentCredential) -> Response:
    """End this sign-in: the bearer token or browser session, and the tokens made with it."""
    if credential.token is not None:
        revoke_token(session, credential.token.id, credential.user, Reason.SIGNED_OUT)
    else:
        end_session(request, session)
    return Response(status_code=204)


@router.get("/me", summary="The signed-in user")
def me(user: CurrentUser) -> UserPublic:
    """Return the signed-in user."""
    return UserPublic.model_validate(user)


@router.post(
    "/me/password",
    status_code=204,
    responses={
        403: {"description": "Wrong current password"},
        422: {"description": "The new password is too short, common or the current one"},
        429: {"description": "Too many wrong passwords from this client"},
    },
    summary="Change your password",
)
def new_password(
    body: PasswordChange, request: Request, session: SessionDep, state: StateDep, user: CurrentUser
) -> Response:
    """Change your password; every session and API token of yours ends, this one too.

    Sign in again with the new password (``POST /api/auth/token``).
    """
    ip = client_ip(request)
    check_sign_in_allowed(state.limits, ip, user.email)
    try:
        change_password(session, user, body.current_password, body.new_password)
    except WrongPasswordError:
        note_wrong_password(state.limits, ip, user.email)
        raise
    request.session.clear()
    return Response(status_code=204)


@router.get("/tokens", summary="List your API tokens")
def tokens(session: SessionDep, user: CurrentUser) -> list[TokenPublic]:
    """List the signed-in user's API tokens (ended ones too), newest first."""
    return [TokenPublic.model_validate(row) for row in list_tokens(session, user)]


@router.post(
    "/tokens",
    status_code=201,
    responses={
        403: {"description": "independent is for admins only"},
        422: {"description": "expires_in_days over SCALPMAP_API_TOKEN_MAX_AGE_DAYS"},
    },
    summary="Create a named API token",
)
def new_token(
    body: TokenCreate, session: SessionDep, state: StateDep, credential: CurrentCredential
) -> TokenCreated:
    """Create a named API token; the token is in this answer only.

    It expires after ``expires_in_days`` (at most, and by default,
    ``SCALPMAP_API_TOKEN_MAX_AGE_DAYS``: 90) and never after the credential of this request;
    ending that credential (sign-out, revocation) ends it too. An admin may ask for an
    ``independent`` token, which outlives it.
    """
    if body.name.strip() == "":
        raise InputError("Name is empty: give the token a name, e.g. 'batch re-analysis'", "name")
    row, token = create_token(
        session,
        credential.user,
        body.name,
        made_with=credential,
        max_age_days=state.settings.api_token_max_age_days,
        expires_in_days=body.expires_in_days,
        independent=body.independent,
    )
    return TokenCreated(id=row.id, name=row.name, token=token, expires_at=row.expires_at)


@router.delete(
    "/tokens/{token_id}",
    status_code=204,
    responses={404: {"description": "No such token"}, 403: {"description": "Not yours"}},
    summary="Revoke an API token",
)
def delete_token(token_id: Id, session: SessionDep, user: CurrentUser) -> Response:
    """Revoke an API token (its owner or an admin); it and the tokens made with it end now."""
    revoke_token(session, token_id, user)
    return Response(status_code=204)
