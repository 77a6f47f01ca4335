"""Staff users: create and sign in.

Password changes, forced resets and (de)activation are in :mod:`scalpmap.services.accounts`,
sign-in sessions in :mod:`scalpmap.services.sign_ins`, API tokens in
:mod:`scalpmap.services.tokens`, and the password rules in
:mod:`scalpmap.services.password_policy`.
"""

from __future__ import annotations

import secrets

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scalpmap.services import audit
from scalpmap.services._tx import atomic, commit
from scalpmap.services.errors import ConflictError, InputError, PermissionDeniedError
from scalpmap.services.password_policy import MIN_PASSWORD_LENGTH, check_new_password
from scalpmap.store import passwords
from scalpmap.store.models import Role, User, utcnow

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "authenticate",
    "check_password",
    "create_user",
    "get_user_by_email",
    "normalize_email",
]

_dummy_hash: dict[int, str] = {}


def normalize_email(email: str) -> str:
    """Check an email address's syntax and return it normalised (lower case).

    Parameters
    ----------
    email : str
        The address.

    Returns
    -------
    str
        The normalised address.

    Raises
    ------
    InputError
        When it is malformed.

    Examples
    --------
    >>> normalize_email(" Dr.Who@Clinic.Example ")
    'dr.who@clinic.example'
    """
    try:
        valid = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        reason = str(error).replace("\n", " ")
        raise InputError(f"invalid email address {email.strip()!r}: {reason}") from None
    return valid.normalized.lower()


def check_password(password: str, *, email: str | None = None) -> None:
    """Reject a weak password (the rules of :func:`~.password_policy.check_new_password`).

    Parameters
    ----------
    password : str
        The password.
    email : str, optional
        The user's email address, which the password may not be.

    Raises
    ------
    InputError
        When it is shorter than :data:`MIN_PASSWORD_LENGTH`, common, a pattern or the email.
    """
    check_new_password(password, email=email)


def create_user(
    session: Session,
    email: str,
    password: str,
    role: Role,
    *,
    full_name: str | None = None,
    actor: User | None = None,
) -> User:
    """Create a staff user with an argon2id-hashed password.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    email : str
        Sign-in address; stored lower case, unique.
    password : str
        At least :data:`MIN_PASSWORD_LENGTH` characters, not a common password.
    role : Role
        Admin, practitioner or reception.
    full_name : str, optional
        Display name.
    actor : User, optional
        The admin creating the user; ``None`` from the command line.

    Returns
    -------
    User
        The new user.

    Raises
    ------
    InputError
        For a malformed email or a weak password.
    ConflictError
        When a user with this email exists.
    PermissionDeniedError
        When ``actor`` is not an admin.
    """
    if actor is not None and actor.role != Role.ADMIN:
        raise PermissionDeniedError("only an admin can create users")
    address = normalize_email(email)
    check_password(password, email=address)
    role = Role(role)
    if get_user_by_email(session, address) is not None:
        raise ConflictError(f"a user with email {address} already exists")
    user = User(
        email=address,
        full_name=full_name,
        password_hash=passwords.hash_password(password),
        role=role,
    )
    try:
        with atomic(session):
            session.add(user)
            session.flush()
            details = {"role": str(role)}
            audit.record(session, actor, audit.Action.CREATE, "user", user.id, details=details)
    except IntegrityError:
        raise ConflictError(f"a user with email {address} already exists") from None
    return user


def get_user_by_email(session: Session, email: str) -> User | None:
    """Find a user by email address (case-insensitive).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.
    email : str
        The address.

    Returns
    -------
    User or None
        The user.
    """
    address = email.strip().lower()
    return session.scalar(select(User).where(User.email == address))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Check an email and password; re-hash the password if the hash parameters changed.

    Unknown addresses cost the same time as wrong passwords, so they cannot be told apart.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed on success.
    email : str
        The address.
    password : str
        The password.

    Returns
    -------
    User or None
        The active user, or ``None`` when the address, the password or the account is not valid.
    """
    user = get_user_by_email(session, email)
    if user is None:
        passwords.verify_password(_dummy(), password)
        return None
    if not passwords.verify_password(user.password_hash, password) or not user.is_active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    commit(session)
    return user


def _dummy() -> str:
    key = id(passwords.HASHER)
    if key not in _dummy_hash:
        _dummy_hash[key] = passwords.hash_password(secrets.token_hex(16))
    return _dummy_hash[key]
