"""Staff users: argon2id hashes, sign-in, duplicate and weak input, revocable API tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher, Type

from scalpmap.services import audit, tokens, users
from scalpmap.services.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from scalpmap.store import passwords
from scalpmap.store.models import Role, utcnow

PASSWORD = "correct horse battery"
MAX_DAYS = 90


def test_create_user_hashes_with_argon2id_and_normalises_the_email(db_session, make_user):
    user = make_user(Role.ADMIN, email="  Dr.Who@Clinic.Example ")
    assert user.email == "dr.who@clinic.example"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert user.role == Role.ADMIN and user.is_active
    [event] = audit.list_events(db_session, user_id=None)
    assert (event.action, event.entity, event.entity_id) == ("create", "user", user.id)


def test_duplicate_email_weak_password_and_bad_email_are_refused(db_session, make_user):
    make_user(email="a@clinic.example")
    with pytest.raises(ConflictError, match="already exists"):
        users.create_user(db_session, "A@clinic.example", PASSWORD, Role.RECEPTION)
    with pytest.raises(InputError, match="at least 12 characters"):
        users.create_user(db_session, "b@clinic.example", "short", Role.RECEPTION)
    with pytest.raises(InputError, match="at least 12"):
        users.create_user(db_session, "b@clinic.example", " " * 14, Role.RECEPTION)
    with pytest.raises(InputError, match="common passwords"):
        users.create_user(db_session, "b@clinic.example", "qwertyuiop12", Role.RECEPTION)
    with pytest.raises(InputError, match="invalid email"):
        users.create_user(db_session, "not-an-email", PASSWORD, Role.RECEPTION)
    assert users.get_user_by_email(db_session, "b@clinic.example") is None


def test_only_an_admin_creates_users(db_session, make_user):
    reception = make_user(Role.RECEPTION)
    with pytest.raises(PermissionDeniedError):
        users.create_user(db_session, "c@clinic.example", PASSWORD, Role.ADMIN, actor=reception)
    admin = make_user(Role.ADMIN)
    created = users.create_user(
        db_session, "c@clinic.example", PASSWORD, "practitioner", actor=admin
    )
    assert created.role == Role.PRACTITIONER


def test_authenticate(db_session, make_user):
    user = make_user(email="d@clinic.example")
    assert users.authenticate(db_session, "D@clinic.example", PASSWORD) is user
    assert user.last_login_at is not None
    assert users.authenticate(db_session, "d@clinic.example", "wrong password!") is None
    assert users.authenticate(db_session, "nobody@clinic.example", PASSWORD) is None
    user.is_active = False
    assert users.authenticate(db_session, "d@clinic.example", PASSWORD) is None


def test_sign_in_rehashes_a_hash_with_old_parameters(db_session, make_user, monkeypatch):
    user = make_user()
    old_hash = user.password_hash
    stronger = PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1, type=Type.ID)
    monkeypatch.setattr(passwords, "HASHER", stronger)
    assert users.authenticate(db_session, user.email, PASSWORD) is user
    assert user.password_hash != old_hash and user.password_hash.startswith("$argon2id$")
    assert "t=2" in user.password_hash and not passwords.needs_rehash(user.password_hash)


def _token(db_session, user, name, **options):
    return tokens.create_token(
        db_session, user, name, made_with=None, max_age_days=MAX_DAYS, independent=True, **options
    )


def _verify(db_session, token):
    row = tokens.verify_token(db_session, token, max_age_days=MAX_DAYS)
    return None if row is None else row.user


def test_token_is_stored_hashed_and_works_until_revoked(db_session, make_user):
    user = make_user()
    row, token = _token(db_session, user, "batch re-analysis")
    assert token.startswith("smp_") and len(token) > 40
    assert token not in (row.token_sha256, row.prefix) and len(row.token_sha256) == 64
    assert _verify(db_session, token) is user
    assert row.last_used_at is not None
    assert _verify(db_session, token + "x") is None
    assert _verify(db_session, "no prefix") is None
    tokens.revoke_token(db_session, row.id, user)
    assert row.is_revoked and row.revoke_reason == "revoked"
    assert _verify(db_session, token) is None
    assert tokens.revoke_token(db_session, row.id, user).revoked_at == row.revoked_at
    assert tokens.list_tokens(db_session, user) == [row]


def test_expired_token_and_inactive_user_are_refused(db_session, make_user):
    user = make_user()
    row, expired = _token(db_session, user, "old")
    row.expires_at = utcnow() - dt.timedelta(seconds=1)
    db_session.commit()
    assert _verify(db_session, expired) is None
    _row, token = _token(db_session, user, "current")
    user.is_active = False
    assert _verify(db_session, token) is None


def test_only_the_owner_or_an_admin_revokes_a_token(db_session, make_user):
    owner, other, admin = make_user(), make_user(), make_user(Role.ADMIN)
    row, _token_text = _token(db_session, owner, "mine")
    with pytest.raises(PermissionDeniedError):
        tokens.revoke_token(db_session, row.id, other)
    assert tokens.revoke_token(db_session, row.id, admin).is_revoked
    with pytest.raises(NotFoundError):
        tokens.revoke_token(db_session, 999_999, admin)
