"""argon2id password hashes."""

from __future__ import annotations

from argon2 import PasswordHasher, Type

from scalpmap.store import passwords


def test_hash_is_argon2id_and_verifies():
    hashed = passwords.hash_password("a long enough password")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify_password(hashed, "a long enough password")
    assert not passwords.verify_password(hashed, "a wrong password")
    assert not passwords.verify_password("not a hash", "a long enough password")
    assert not passwords.needs_rehash(hashed)


def test_hash_made_with_older_parameters_needs_rehash():
    old = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    assert passwords.needs_rehash(old.hash("a long enough password"))
