"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["HASHER", "hash_password", "needs_rehash", "verify_password"]

HASHER = PasswordHasher(type=Type.ID)
"""The hasher; tests swap in a cheaper one."""


def hash_password(password: str) -> str:
    """Hash a password with argon2id.

    Parameters
    ----------
    password : str
        The password.

    Returns
    -------
    str
        The encoded hash, starting ``$argon2id$``, with its salt and parameters.
    """
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Check a password against a stored hash.

    Parameters
    ----------
    password_hash : str
        The stored hash.
    password : str
        The password given.

    Returns
    -------
    bool
        Whether they match; ``False`` for a malformed hash too.
    """
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Tell whether a hash was made with other parameters than the current ones.

    Parameters
    ----------
    password_hash : str
        The stored hash.

    Returns
    -------
    bool
        Whether to re-hash the password at the next successful sign-in.
    """
    return HASHER.check_needs_rehash(password_hash)
