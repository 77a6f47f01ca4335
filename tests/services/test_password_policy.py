"""The password rules: 12 characters, not on the shipped common list, not a pattern or the email."""

from __future__ import annotations

import pytest

from scalpmap.errors import InputError
from scalpmap.services.password_policy import (
    MIN_PASSWORD_LENGTH,
    check_new_password,
    common_passwords,
)


def test_the_shipped_list_is_the_documented_one():
    listed = common_passwords()
    assert len(listed) > 19_000
    assert {"password", "123456", "qwerty", "iloveyou", "letmein"} <= listed
    assert all(entry == entry.lower() for entry in listed)


@pytest.mark.parametrize(
    "password",
    ["correct horse battery", "Tulip-Anchor-Violin-42", "my clinic opens at nine", "135792468013"],
)
def test_good_passwords_pass(password):
    check_new_password(password, email="dr.who@clinic.example")


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short pass", f"at least {MIN_PASSWORD_LENGTH} characters"),
        ("elevenchars", f"at least {MIN_PASSWORD_LENGTH} characters"),
        (" " * 20, f"at least {MIN_PASSWORD_LENGTH} characters"),
        ("x" * 1001, "at most 1000 characters"),
        ("password1234", "list of common passwords"),
        ("QWERTYUIOP12", "list of common passwords"),
        ("Password2024!", "common password with digits or symbols added"),
        ("!!sunshine2024", "common password with digits or symbols added"),
        ("abcabcabcabc", "simple pattern"),
        ("zzzzzzzzzzzzzzzz", "simple pattern"),
        ("123456789012", "simple pattern"),
        ("lkjihgfedcba", "simple pattern"),
        ("Dr.Who@Clinic.Example", "your email address"),
        ("dr.who-1234567", "your email address"),
    ],
)
def test_weak_passwords_are_refused_with_what_to_do(password, fragment):
    with pytest.raises(InputError) as caught:
        check_new_password(password, email="dr.who@clinic.example")
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message
    assert "use at" in message or "choose another" in message
