"""Dependency aliases that keep the routes short.

``SessionDep`` (one database session per request), ``CurrentUser`` (the signed-in user, by session
cookie or ``Authorization: Bearer`` API token; unsafe cookie requests must carry the CSRF token;
a user whose password an admin reset may only set a new one), ``CurrentCredential`` (what
signed the request in: the server-side sign-in session or the API token),
``CurrentPatient``/``CurrentCase``/``CurrentPhoto`` (loaded through the services, so the view is
audited; 404 when missing), ``require_role(...)`` with its aliases ``CanEditPlans`` and
``AdminUser``, and ``CsrfChecked`` for the forms that need no sign-in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Path
from sqlalchemy.orm import Session
from starlette.requests import Request

from scalpmap.config import Settings
from scalpmap.services import cases, patients, photos
from scalpmap.services.errors import PermissionDeniedError
from scalpmap.services.sign_ins import Credential, find_sign_in
from scalpmap.services.tokens import token_expiry, verify_token
from scalpmap.store.models import Case, Patient, Photo, Role, User
from scalpmap.store.photos import PhotoStore
from scalpmap.web.errors import NotSignedIn, PasswordChangeRequired
from scalpmap.web.security import (
    SAFE_METHODS,
    CsrfError,
    csrf_token_matches,
    submitted_csrf_token,
)
from scalpmap.web.state import AppState

__all__ = [
    "PASSWORD_CHANGE_PATHS",
    "SESSION_KEY",
    "AdminUser",
    "CanEditPlans",
    "CsrfChecked",
    "CurrentCredential",
    "CurrentCase",
    "CurrentPatient",
    "CurrentPhoto",
    "CurrentUser",
    "Id",
    "SessionDep",
    "SettingsDep",
    "StateDep",
    "StoreDep",
    "require_role",
]

SESSION_KEY = "sid"
"""The cookie's entry holding the sign-in session's key (the cookie is signed, the key random)."""

PASSWORD_CHANGE_PATHS = frozenset(
    {"/account/password", "/signout", "/api/me", "/api/me/password", "/api/auth/signout"}
)
"""What a user whose password an admin reset may still reach."""

Id = Annotated[int, Path(ge=1, le=2_147_483_647, description="A record id.")]


def get_state(request: Request) -> AppState:
    """Return the app's state."""
    state: AppState = request.app.state.scalpmap
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_settings_dep(state: StateDep) -> Settings:
    """Return the app's settings."""
    return state.settings


def get_store(state: StateDep) -> PhotoStore:
    """Return the photo store."""
    return state.store


def get_session(state: StateDep) -> Iterator[Session]:
    """Yield a database session for one request, closed afterwards."""
    with state.session_factory() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
StoreDep = Annotated[PhotoStore, Depends(get_store)]
SessionDep = Annotated[Session, Depends(get_session)]
SubmittedCsrf = Annotated[str | None, Depends(submitted_csrf_token)]


def _credential(request: Request, session: Session, settings: Settings) -> Credential:
    authorization = request.headers.get("authorization", "")
    if authorization[:7].lower() == "bearer ":
        max_age_days = settings.api_token_max_age_days
        token = verify_token(session, authorization[7:].strip(), max_age_days=max_age_days)
        if token is None:
            raise NotSignedIn("invalid, expired or revoked API token")
        return Credential(token.user, token_expiry(token, max_age_days), token=token)
    key = request.session.get(SESSION_KEY)
    found = find_sign_in(session, key) if isinstance(key, str) and key else None
    if found is None:
        request.session.clear()
        raise NotSignedIn()
    return Credential(found.user, found.expires_at, sign_in=found)


def get_current_user(
    request: Request, session: SessionDep, settings: SettingsDep, submitted: SubmittedCsrf
) -> User:
    """Return the signed-in user.

    Parameters
    ----------
    request : starlette.requests.Request
        The request.
    session : sqlalchemy.orm.Session
        The request's session.
    settings : Settings
        The settings (the tokens' maximum lifetime).
    submitted : str or None
        The CSRF token the request carried.

    Returns
    -------
    User
        The active user, also kept as ``request.state.user`` for the templates; the
        credential is ``request.state.credential``.

    Raises
    ------
    NotSignedIn
        Without a live API token or sign-in session (signed out, expired, the password changed,
        the account deactivated).
    CsrfError
        For an unsafe request authenticated by the session cookie without its CSRF token.
    PasswordChangeRequired
        When an admin reset the user's password and the request is not for setting a new one.
    """
    credential = _credential(request, session, settings)
    is_cookie = credential.sign_in is not None
    if is_cookie and request.method not in SAFE_METHODS:
        if not csrf_token_matches(request, submitted):
            raise CsrfError()
    user = credential.user
    request.state.user = user
    request.state.credential = credential
    if user.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequired()
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_current_credential(request: Request, user: CurrentUser) -> Credential:
    """Return what signed the request in (after :func:`get_current_user` let it through)."""
    credential: Credential = request.state.credential
    return credential


CurrentCredential = Annotated[Credential, Depends(get_current_credential)]


def require_role(*roles: Role) -> Callable[[User], User]:
    """Build a dependency that lets only users with one of ``roles`` through (else 403).

    Parameters
    ----------
    *roles : Role
        The roles allowed.

    Returns
    -------
    callable
        The dependency; use it as ``Annotated[User, Depends(require_role(Role.ADMIN))]``.
    """
    allowed = tuple(Role(role) for role in roles)

    def dependency(user: CurrentUser) -> User:
        if user.role not in allowed:
            names = " or ".join(str(role) for role in allowed)
            raise PermissionDeniedError(f"a {user.role} cannot do this; it needs {names}")
        return user

    return dependency


CanEditPlans = Annotated[User, Depends(require_role(Role.ADMIN, Role.PRACTITIONER))]
"""Practitioners and admins: reception cannot edit plans."""

AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]
"""Admins only (managing users)."""


async def require_csrf(request: Request, submitted: SubmittedCsrf) -> None:
    """Refuse an unsafe request without the session's CSRF token (forms without sign-in)."""
    if request.method not in SAFE_METHODS and not csrf_token_matches(request, submitted):
        raise CsrfError()


CsrfChecked = Depends(require_csrf)


def get_current_patient(patient_id: Id, session: SessionDep, user: CurrentUser) -> Patient:
    """Load the patient of the path (audited view; 404 when missing)."""
    return patients.get_patient(session, patient_id, user)


def get_current_case(case_id: Id, session: SessionDep, user: CurrentUser) -> Case:
    """Load the case of the path (audited view; 404 when missing)."""
    return cases.get_case(session, case_id, user)


def get_current_photo(photo_id: Id, session: SessionDep, user: CurrentUser) -> Photo:
    """Load the photo of the path (audited view; 404 when missing)."""
    return photos.get_photo(session, photo_id, user)


CurrentPatient = Annotated[Patient, Depends(get_current_patient)]
CurrentCase = Annotated[Case, Depends(get_current_case)]
CurrentPhoto = Annotated[Photo, Depends(get_current_photo)]
