"""What a new password must be: 12 characters or more, not common, not the user's email.

The common-password list ships inside the package (``scalpmap/data/common-passwords.txt.gz``,
19,640 passwords from Django's ``CommonPasswordValidator``; source and licence in the README
beside it) and is read once, lazily, on the first check. A password is refused when, lower
case, it is on the list; when it is a listed word with digits or symbols added before or after
("Password2024!"); when it repeats a short pattern ("abcabcabcabc") or runs along the
alphabet or the digits ("123456789012"); or when it is the user's email address or its name
part, digits and symbols aside.
"""

from __future__ import annotations

import functools
import gzip
from importlib import resources

from scalpmap.errors import InputError

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "check_new_password",
    "common_passwords",
]

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1000
_LIST_FILE = "common-passwords.txt.gz"
_HOW = "e.g. three or four unrelated words"
_CORE_MIN = 4  # a word shorter than this, left after stripping digits, is not judged
_PATTERN_MAX = 6  # a password that repeats a unit this long or shorter is a pattern


@functools.cache
def common_passwords() -> frozenset[str]:
    """Return the shipped common passwords, lower case (read once).

    Returns
    -------
    frozenset of str
        The passwords.

    Raises
    ------
    RuntimeError
        When the list is missing from the installation (reinstall the package).
    """
    try:
        data = resources.files("scalpmap.data").joinpath(_LIST_FILE).read_bytes()
    except FileNotFoundError:
        raise RuntimeError(
            f"scalpmap/data/{_LIST_FILE} is missing; reinstall scalpmap (pip install -e .)"
        ) from None
    lines = gzip.decompress(data).decode("utf-8", errors="replace").splitlines()
    return frozenset(line.strip() for line in lines if line.strip())


def _is_pattern(text: str) -> bool:
    for size in range(1, min(_PATTERN_MAX, len(text) // 2) + 1):
        if len(text) % size == 0 and text == text[:size] * (len(text) // size):
            return True
    return False


def _is_run(text: str) -> bool:
    """Tell whether each character follows the previous one ("123456789012", "lkjihgfedcba")."""
    steps = {
        (ord(b) - ord(a)) % 10 if a.isdigit() and b.isdigit() else ord(b) - ord(a)
        for a, b in zip(text, text[1:], strict=False)
    }
    return steps in ({1}, {-1}, {9})


def check_new_password(password: str, *, email: str | None = None) -> None:
    """Refuse a password that is too short, common, a pattern or the user's email address.

    Parameters
    ----------
    password : str
        The new password, as typed.
    email : str, optional
        The user's email address, which the password may not be.

    Raises
    ------
    InputError
        One line saying what is wrong and what to do.

    Examples
    --------
    >>> check_new_password("correct horse battery")
    >>> check_new_password("Password2024!")
    Traceback (most recent call last):
    ...
    scalpmap.errors.InputError: the password is a common password with digits or symbols added; choose another, e.g. three or four unrelated words
    """  # noqa: E501
    if len(password) < MIN_PASSWORD_LENGTH or not password.strip():
        raise InputError(
            f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters, {_HOW}"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InputError(f"the password is too long: use at most {MAX_PASSWORD_LENGTH} characters")
    lowered = password.strip().lower()
    listed = common_passwords()
    if lowered in listed:
        raise InputError(
            f"the password is on the list of common passwords that attackers try first; "
            f"choose another, {_HOW}"
        )
    core = lowered.strip("0123456789!@#$%^&*()_+-=[]{};:'\",.<>/?\\|`~ ")
    if len(core) >= _CORE_MIN and core in listed:
        raise InputError(
            f"the password is a common password with digits or symbols added; "
            f"choose another, {_HOW}"
        )
    if _is_pattern(lowered) or _is_run(lowered):
        raise InputError(
            f"the password is a simple pattern (repeats or runs like 123456789012); "
            f"choose another, {_HOW}"
        )
    address = (email or "").strip().lower()
    if address and (lowered == address or core in (address, address.split("@")[0])):
        raise InputError(f"the password is your email address; choose another, {_HOW}")
