"""Sessions and accounts: what ends when, token lineage and lifetimes, password changes."""

from __future__ import annotations

import datetime as dt

import pytest

from scalpmap.services import accounts, audit, tokens, users
from scalpmap.services.errors import (
    ConflictError,
    InputError,
    PermissionDeniedError,
)
from scalpmap.services.sign_ins import Credential, Reason, end_sign_in, find_sign_in, start_sign_in
from scalpmap.store import passwords
from scalpmap.store.models import Role, utcnow

PASSWORD = "correct horse battery"
NEW_PASSWORD = "violet lantern orbit"
DAYS = 90
HOURS_12 = 12 * 3600


def _live(db_session, key=None, token=None):
    """Whether a session key or a token still works."""
    if key is not None:
        return find_sign_in(db_session, key) is not None
    return tokens.verify_token(db_session, token, max_age_days=DAYS) is not None


def _signed_in(db_session, user):
    row, key = start_sign_in(db_session, user, max_age_s=HOURS_12)
    return row, key, Credential(user, row.expires_at, sign_in=row)


def test_a_session_is_stored_hashed_and_ends_at_sign_out(db_session, make_user):
    user = make_user()
    row, key, _credential = _signed_in(db_session, user)
    assert key not in row.key_sha256 and len(row.key_sha256) == 64
    assert row.expires_at - row.created_at == dt.timedelta(seconds=HOURS_12)
    assert find_sign_in(db_session, key) is row
    assert find_sign_in(db_session, key + "x") is None
    end_sign_in(db_session, row, Reason.SIGNED_OUT)
    assert row.revoke_reason == "signed out" and not _live(db_session, key=key)


def test_an_expired_session_does_not_work(db_session, make_user):
    row, key, _credential = _signed_in(db_session, make_user())
    row.expires_at = utcnow() - dt.timedelta(seconds=1)
    db_session.commit()
    assert not _live(db_session, key=key)


def test_tokens_cannot_outlive_the_sign_in_that_made_them(db_session, make_user):
    user = make_user()
    row, _key, credential = _signed_in(db_session, user)
    child, child_text = tokens.create_token(
        db_session, user, "script", made_with=credential, max_age_days=DAYS
    )
    assert child.session_id == row.id and child.expires_at == row.expires_at
    child_credential = Credential(user, child.expires_at, token=child)
    grandchild, grandchild_text = tokens.create_token(
        db_session, user, "sub", made_with=child_credential, max_age_days=DAYS, expires_in_days=1
    )
    assert grandchild.parent_token_id == child.id
    assert grandchild.expires_at <= child.expires_at
    unrelated, unrelated_text = tokens.create_token(
        db_session, user, "other", made_with=_signed_in(db_session, user)[2], max_age_days=DAYS
    )
    end_sign_in(db_session, row, Reason.SIGNED_OUT)
    assert not _live(db_session, token=child_text) and not _live(db_session, token=grandchild_text)
    assert child.revoke_reason == grandchild.revoke_reason == "the sign-in that made it ended"
    assert _live(db_session, token=unrelated_text)
    tokens.revoke_token(db_session, unrelated.id, user)
    assert not _live(db_session, token=unrelated_text)


def test_independent_tokens_are_for_admins_and_still_expire(db_session, make_user):
    user, admin = make_user(), make_user(Role.ADMIN)
    _row, _key, credential = _signed_in(db_session, user)
    with pytest.raises(PermissionDeniedError, match="only an admin"):
        tokens.create_token(
            db_session, user, "x", made_with=credential, max_age_days=DAYS, independent=True
        )
    with pytest.raises(PermissionDeniedError, match="only an admin"):
        tokens.create_token(
            db_session, user, "x", made_with=None, max_age_days=DAYS, independent=True, actor=user
        )
    with pytest.raises(InputError, match="1 to 90 days"):
        tokens.create_token(
            db_session, user, "x", made_with=credential, max_age_days=DAYS, expires_in_days=91
        )
    admin_row, _admin_key, admin_credential = _signed_in(db_session, admin)
    row, text = tokens.create_token(
        db_session,
        admin,
        "nightly",
        made_with=admin_credential,
        max_age_days=DAYS,
        independent=True,
    )
    assert row.session_id is None and row.parent_token_id is None
    lifetime = row.expires_at - row.created_at
    assert dt.timedelta(days=DAYS) - dt.timedelta(seconds=5) <= lifetime <= dt.timedelta(days=DAYS)
    end_sign_in(db_session, admin_row, Reason.SIGNED_OUT)
    assert _live(db_session, token=text)  # an admin allowed it to outlive the sign-in
    events = audit.list_events(db_session, user_id=admin.id)
    assert any(e.entity == "api_token" and e.details.get("independent") for e in events)


def test_the_maximum_lifetime_applies_to_old_tokens_without_expiry(db_session, make_user):
    user = make_user()
    row, text = tokens.create_token(
        db_session, user, "legacy", made_with=None, max_age_days=DAYS, independent=True
    )
    row.expires_at = None  # as made before tokens had to expire
    row.created_at = utcnow() - dt.timedelta(days=DAYS + 1)
    db_session.commit()
    assert not _live(db_session, token=text)
    assert tokens.verify_token(db_session, text, max_age_days=DAYS + 2) is not None


def test_changing_the_password_ends_every_session_and_token(db_session, make_user):
    user = make_user()
    row, key, credential = _signed_in(db_session, user)
    _other, other_key, _c = _signed_in(db_session, user)
    _t, token = tokens.create_token(db_session, user, "x", made_with=None, max_age_days=DAYS)
    with pytest.raises(accounts.WrongPasswordError, match="current password is wrong"):
        accounts.change_password(db_session, user, "not my password", NEW_PASSWORD)
    with pytest.raises(InputError, match="the one you have"):
        accounts.change_password(db_session, user, PASSWORD, PASSWORD)
    with pytest.raises(InputError, match="at least 12"):
        accounts.change_password(db_session, user, PASSWORD, "too short")
    with pytest.raises(InputError, match="common"):
        accounts.change_password(db_session, user, PASSWORD, "letmein12345")
    assert _live(db_session, key=key) and _live(db_session, token=token)  # nothing changed yet
    accounts.change_password(db_session, user, PASSWORD, NEW_PASSWORD)
    assert not _live(db_session, key=key) and not _live(db_session, key=other_key)
    assert not _live(db_session, token=token)
    assert row.revoke_reason == "password changed"
    assert users.authenticate(db_session, user.email, PASSWORD) is None
    assert users.authenticate(db_session, user.email, NEW_PASSWORD) is user
    assert user.password_changed_at is not None


def test_an_admin_forces_a_reset(db_session, make_user):
    user, admin, reception = make_user(), make_user(Role.ADMIN), make_user(Role.RECEPTION)
    _row, key, _credential = _signed_in(db_session, user)
    _t, token = tokens.create_token(db_session, user, "x", made_with=None, max_age_days=DAYS)
    with pytest.raises(PermissionDeniedError):
        accounts.force_password_reset(db_session, user.id, reception)
    with pytest.raises(ConflictError, match="change it on the Password page"):
        accounts.force_password_reset(db_session, admin.id, admin)
    with pytest.raises(InputError, match="at least 12"):
        accounts.force_password_reset(db_session, user.id, admin, "short")
    _user, temporary = accounts.force_password_reset(db_session, user.id, admin)
    assert len(temporary) >= 16 and user.must_change_password
    assert not _live(db_session, key=key) and not _live(db_session, token=token)
    assert passwords.verify_password(user.password_hash, temporary)
    accounts.change_password(db_session, user, temporary, NEW_PASSWORD)
    assert not user.must_change_password
    _user, typed = accounts.force_password_reset(db_session, user.id, None, "granite meadow pilot")
    assert typed == "granite meadow pilot" and user.must_change_password


def test_deactivation_ends_everything_and_reactivation_revives_nothing(db_session, make_user):
    user, admin = make_user(), make_user(Role.ADMIN)
    _row, key, credential = _signed_in(db_session, user)
    _t, token = tokens.create_token(db_session, user, "x", made_with=credential, max_age_days=DAYS)
    _t, long_lived = tokens.create_token(
        db_session, user, "y", made_with=None, max_age_days=DAYS, independent=True, actor=admin
    )
    with pytest.raises(ConflictError):
        accounts.set_active(db_session, admin.id, False, admin)
    with pytest.raises(PermissionDeniedError):
        accounts.set_active(db_session, user.id, False, user)
    accounts.set_active(db_session, user.id, False, admin)
    accounts.set_active(db_session, user.id, True, admin)
    assert user.is_active
    for text in (token, long_lived):
        assert not _live(db_session, token=text)
    assert not _live(db_session, key=key)
    [event, *_] = audit.list_events(db_session, user_id=admin.id)
    assert event.entity == "user" and event.entity_id == user.id
