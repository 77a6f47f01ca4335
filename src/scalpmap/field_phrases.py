"""The middle of a validation error's sentence, by pydantic's error type, and its type hints.

:data:`PHRASES` says what is wrong (``must be 14 or more``) after the field's label;
:data:`TYPE_HINTS` says what to type when the field has no hint of its own
(:data:`scalpmap.field_labels.HINTS`). :mod:`scalpmap.field_messages` puts the sentence
together.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["NO_HINT", "PHRASES", "TYPE_HINTS", "Phrase"]


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _choices(ctx: Mapping[str, Any]) -> str:
    expected = str(ctx.get("expected", ""))
    return expected.replace("'", "") if expected else "one from the list"


Phrase = Callable[[Mapping[str, Any], Any], str]
"""A phrase maker: from the error's context and the typed value, the sentence's middle."""

PHRASES: Mapping[str, Phrase] = {
    "missing": lambda ctx, got: "is required",
    "string_too_short": lambda ctx, got: (
        "is empty"
        if ctx.get("min_length") == 1
        else f"is too short: at least {ctx.get('min_length')} characters"
    ),
    "string_too_long": lambda ctx, got: (
        f"is too long: at most {ctx.get('max_length')} characters"
        + (f" (got {len(got)})" if isinstance(got, str) else "")
    ),
    "too_short": lambda ctx, got: f"needs at least {ctx.get('min_length')}",
    "too_long": lambda ctx, got: f"takes at most {ctx.get('max_length')}",
    "greater_than_equal": lambda ctx, got: f"must be {_number(ctx.get('ge'))} or more",
    "greater_than": lambda ctx, got: f"must be more than {_number(ctx.get('gt'))}",
    "less_than_equal": lambda ctx, got: f"must be {_number(ctx.get('le'))} or less",
    "less_than": lambda ctx, got: f"must be less than {_number(ctx.get('lt'))}",
    "int_parsing": lambda ctx, got: "must be a whole number",
    "int_type": lambda ctx, got: "must be a whole number",
    "int_from_float": lambda ctx, got: "must be a whole number",
    "float_parsing": lambda ctx, got: "must be a number",
    "float_type": lambda ctx, got: "must be a number",
    "finite_number": lambda ctx, got: "must be a number",
    "bool_parsing": lambda ctx, got: "must be yes or no",
    "bool_type": lambda ctx, got: "must be yes or no",
    "enum": lambda ctx, got: f"must be one of: {_choices(ctx)}",
    "literal_error": lambda ctx, got: f"must be one of: {_choices(ctx)}",
    "date_parsing": lambda ctx, got: "is not a day",
    "date_from_datetime_parsing": lambda ctx, got: "is not a day",
    "date_from_datetime_inexact": lambda ctx, got: "is not a day",
    "date_type": lambda ctx, got: "is not a day",
    "datetime_parsing": lambda ctx, got: "is not a date and time",
    "datetime_from_date_parsing": lambda ctx, got: "is not a date and time",
    "datetime_type": lambda ctx, got: "is not a date and time",
    "string_type": lambda ctx, got: "must be text",
    "list_type": lambda ctx, got: "must be a list",
    "dict_type": lambda ctx, got: "must be an object of named values",
    "model_type": lambda ctx, got: "must be an object of named values",
    "model_attributes_type": lambda ctx, got: "must be an object of named values",
    "extra_forbidden": lambda ctx, got: "is not a field here: remove it",
    "url_parsing": lambda ctx, got: "is not a web address",
}
"""A sentence's middle by pydantic's error type (the field's label goes before it)."""

TYPE_HINTS: Mapping[str, str] = {
    "int_parsing": "type digits only, e.g. 2",
    "int_type": "type digits only, e.g. 2",
    "int_from_float": "type digits only, e.g. 2",
    "float_parsing": "type digits, with a point for decimals, e.g. 2.5",
    "float_type": "type digits, with a point for decimals, e.g. 2.5",
    "date_parsing": "type the day as YYYY-MM-DD, e.g. 2027-04-01",
    "date_from_datetime_parsing": "type the day as YYYY-MM-DD, e.g. 2027-04-01",
    "date_type": "type the day as YYYY-MM-DD, e.g. 2027-04-01",
    "datetime_parsing": "type it as YYYY-MM-DDTHH:MM, e.g. 2027-04-01T09:30",
    "bool_parsing": "send true or false",
    "extra_forbidden": "the API page lists the fields",
}
"""What to type, by pydantic's error type, when the field has no hint of its own."""

NO_HINT = frozenset({"extra_forbidden"})
"""Error types whose sentence takes no type hint (only the field's own)."""
