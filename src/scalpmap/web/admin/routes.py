"""The staff users page: list, create, deactivate and reactivate (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scalpmap.errors import ScalpmapError
from scalpmap.services.users import create_user
from scalpmap.store.models import Role
from scalpmap.web.admin.service import list_users, set_active
from scalpmap.web.deps import AdminUser, Id, SessionDep
from scalpmap.web.errors import status_for
from scalpmap.web.rendering import render

__all__ = ["router"]

router = APIRouter(prefix="/admin", include_in_schema=False)


def _users_page(
    request: Request,
    session: SessionDep,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "title": "Staff users",
        "section": "admin",
        "users": list_users(session),
        "roles": list(Role),
        "form": form or {"email": "", "full_name": "", "role": "practitioner"},
        "error": error,
        "notice": notice,
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


@router.post("/users/{user_id}/deactivate")
def deactivate(user_id: Id, session: SessionDep, admin: AdminUser) -> Response:
    """Deactivate a user: their sessions and API tokens stop working at once."""
    set_active(session, user_id, False, admin)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{user_id}/activate")
def activate(user_id: Id, session: SessionDep, admin: AdminUser) -> Response:
    """Reactivate a user."""
    set_active(session, user_id, True, admin)
    return RedirectResponse("/admin/users", status_code=303)
