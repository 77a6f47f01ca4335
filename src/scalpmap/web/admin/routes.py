"""The staff users page: list, create, reset a password, make a token, (de)activate (admins)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scalpmap.errors import ScalpmapError
from scalpmap.services._tx import get_or_raise
from scalpmap.services.accounts import force_password_reset, set_active
from scalpmap.services.password_policy import MIN_PASSWORD_LENGTH
from scalpmap.services.tokens import create_token
from scalpmap.services.users import create_user
from scalpmap.store.models import Role, User
from scalpmap.web.deps import AdminUser, Id, SessionDep, SettingsDep
from scalpmap.web.errors import status_for
from scalpmap.web.rendering import render

__all__ = ["router"]

router = APIRouter(prefix="/admin", include_in_schema=False)


def list_users(session: Session) -> list[User]:
    """List every staff user, active ones first, then by email (account changes: services).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.

    Returns
    -------
    list of User
        The users.
    """
    return list(session.scalars(select(User).order_by(User.is_active.desc(), User.email)))


def _users_page(
    request: Request,
    session: Session,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    notice: str | None = None,
    secret: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "title": "Staff users",
        "section": "admin",
        "users": list_users(session),
        "roles": list(Role),
        "form": form or {"email": "", "full_name": "", "role": "practitioner"},
        "error": error,
        "notice": notice,
        "secret": secret,
        "min_length": MIN_PASSWORD_LENGTH,
    }
    return render(request, "admin/users.html", context, status_code=status_code)


@router.get("/users")
def users_page(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    """List the staff users."""
    return _users_page(request, session)


@router.post("/users")
def create_user_page(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    email: Annotated[str, Form(max_length=400)] = "",
    full_name: Annotated[str, Form(max_length=400)] = "",
    role: Annotated[str, Form(max_length=20)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Create a staff user with a first password they should change."""
    form = {"email": email, "full_name": full_name, "role": role}
    try:
        if role not in {r.value for r in Role}:
            raise ScalpmapError("choose a role: admin, practitioner or reception")
        if len(full_name.strip()) > 200:
            raise ScalpmapError("the name is too long: at most 200 characters")
        user = create_user(
            session, email, password, Role(role), full_name=full_name.strip() or None, actor=admin
        )
    except ScalpmapError as error:
        status = status_for(error)
        return _users_page(request, session, form=form, error=str(error), status_code=status)
    notice = f"created {user.role} {user.email}"
    return _users_page(request, session, notice=notice, status_code=201)


@router.post("/users/{user_id}/reset-password")
def reset_password(
    request: Request,
    user_id: Id,
    session: SessionDep,
    admin: AdminUser,
    temporary_password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Give the user a temporary password (typed, or generated and shown once).

    Their sessions and API tokens end at once; at their next sign-in they must choose a new
    password.
    """
    try:
        user, temporary = force_password_reset(session, user_id, admin, temporary_password or None)
    except ScalpmapError as error:
        return _users_page(request, session, error=str(error), status_code=status_for(error))
    notice = (
        f"reset the password of {user.email}: their sessions and tokens have ended, "
        f"and they must choose a new password at their next sign-in"
    )
    secret = {"label": f"Temporary password for {user.email}", "value": temporary}
    return _users_page(request, session, notice=notice, secret=secret)


@router.post("/users/{user_id}/tokens")
def make_token(
    request: Request,
    user_id: Id,
    session: SessionDep,
    settings: SettingsDep,
    admin: AdminUser,
    name: Annotated[str, Form(max_length=500)] = "",
    days: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Make an independent API token for a user's integration, shown once."""
    try:
        owner = get_or_raise(session, User, user_id, "user")
        if not name.strip() or len(name.strip()) > 100:
            raise ScalpmapError("give the token a name of 1 to 100 characters")
        if days.strip() and not days.strip().isdigit():
            raise ScalpmapError("days: give a whole number of days, e.g. 30")
        _row, token = create_token(
            session,
            owner,
            name,
            made_with=None,
            max_age_days=settings.api_token_max_age_days,
            expires_in_days=int(days) if days.strip() else None,
            independent=True,
            actor=admin,
        )
    except ScalpmapError as error:
        return _users_page(request, session, error=str(error), status_code=status_for(error))
    secret = {"label": f"API token “{name.strip()}” for {owner.email}", "value": token}
    return _users_page(request, session, notice="token made; copy it now", secret=secret)


@router.post("/users/{user_id}/deactivate")
def deactivate(user_id: Id, session: SessionDep, admin: AdminUser) -> Response:
    """Deactivate a user: their sessions and API tokens end for good."""
    set_active(session, user_id, False, admin)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{user_id}/activate")
def activate(user_id: Id, session: SessionDep, admin: AdminUser) -> Response:
    """Reactivate a user (they sign in again; no old session or token comes back)."""
    set_active(session, user_id, True, admin)
    return RedirectResponse("/admin/users", status_code=303)
