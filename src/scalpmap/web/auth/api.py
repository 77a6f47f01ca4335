"""JSON API: exchange a password for a token, and manage one's API tokens."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from scalpmap.services.tokens import create_token, list_tokens, revoke_token
from scalpmap.store.models import utcnow
from scalpmap.web.auth.schemas import (
    TokenCreate,
    TokenCreated,
    TokenLogin,
    TokenPublic,
    TokenResponse,
    UserPublic,
)
from scalpmap.web.auth.service import attempt_sign_in
from scalpmap.web.deps import CurrentUser, Id, SessionDep, StateDep
from scalpmap.web.errors import NotSignedIn
from scalpmap.web.security import client_ip

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["auth"])

_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Wrong email or password"},
    429: {"description": "Too many attempts (per client IP and per email)"},
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

    The token expires after ``SCALPMAP_SESSION_MAX_AGE_S`` seconds (12 hours by default);
    tokens for long-running integrations are made with ``POST /api/tokens``.
    """
    user = attempt_sign_in(session, state.limits, client_ip(request), body.email, body.password)
    if user is None:
        raise NotSignedIn("wrong email or password")
    expires = utcnow() + dt.timedelta(seconds=state.settings.session_max_age_s)
    _row, token = create_token(session, user, "API sign-in", expires_at=expires)
    return TokenResponse(token=token, expires_at=expires)


@router.get("/me", summary="The signed-in user")
def me(user: CurrentUser) -> UserPublic:
    """Return the signed-in user."""
    return UserPublic.model_validate(user)


@router.get("/tokens", summary="List your API tokens")
def tokens(session: SessionDep, user: CurrentUser) -> list[TokenPublic]:
    """List the signed-in user's API tokens (revoked ones too), newest first."""
    return [TokenPublic.model_validate(row) for row in list_tokens(session, user)]


@router.post("/tokens", status_code=201, summary="Create a named API token")
def new_token(body: TokenCreate, session: SessionDep, user: CurrentUser) -> TokenCreated:
    """Create a named API token; the token is in this answer only."""
    expires = None
    if body.expires_in_days is not None:
        expires = utcnow() + dt.timedelta(days=body.expires_in_days)
    row, token = create_token(session, user, body.name, expires_at=expires)
    return TokenCreated(id=row.id, name=row.name, token=token, expires_at=row.expires_at)


@router.delete(
    "/tokens/{token_id}",
    status_code=204,
    responses={404: {"description": "No such token"}, 403: {"description": "Not yours"}},
    summary="Revoke an API token",
)
def delete_token(token_id: Id, session: SessionDep, user: CurrentUser) -> Response:
    """Revoke an API token (its owner or an admin); it stops working at once."""
    revoke_token(session, token_id, user)
    return Response(status_code=204)
