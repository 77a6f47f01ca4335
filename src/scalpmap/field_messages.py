"""Validation errors in people's words: one mapping for the web forms, the JSON API and the CLI.

pydantic reports a wrong value as a type (``missing``, ``greater_than_equal``, ...), a location
(``("body", "date_of_birth")``) and a message written for programmers (``Input should be
greater than or equal to 14``). :func:`field_problems` turns each into a :class:`FieldProblem`:
the field's key (for programs), its label as the forms show it (:data:`LABELS`) and one
sentence that names the field and says what to type (:data:`HINTS`), e.g. ``Age must be 14 or
more: type the patient's age in years, 14 to 100``.

A validator whose message should follow the field's label (``Date of birth`` + ``is in the
future``) raises :func:`phrase_error`; any other ``ValueError`` message is shown after the label
and a colon. Typed values are echoed only when short, and never for passwords or tokens.

The labels and hints are in :mod:`scalpmap.field_labels`, the sentences' middles by error type
in :mod:`scalpmap.field_phrases`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic_core import PydanticCustomError

from scalpmap.field_labels import HINTS, LABELS
from scalpmap.field_phrases import NO_HINT, PHRASES, TYPE_HINTS

# LABELS and HINTS are re-exported: the web app's treatment forms import them from here.
__all__ = [
    "HINTS",
    "LABELS",
    "PHRASE",
    "FieldProblem",
    "field_problems",
    "first_problem",
    "joined",
    "phrase_error",
]

PHRASE = "scalpmap_phrase"
"""The error type of :func:`phrase_error`: its message follows the field's label."""

_SECRET = re.compile(r"password|token|secret", re.IGNORECASE)
_ECHO_MAX = 40
_SKIPPED_LOC = {"body", "query", "path", "header", "cookie", "form"}


@dataclass(frozen=True)
class FieldProblem:
    """One wrong field: its key, its label and the sentence that says what to type.

    Attributes
    ----------
    field : str
        The field's key in the API, dotted for nested fields (``lasers.0.pulse``); empty when
        the problem is with the input as a whole.
    label : str
        The field's label as the forms show it.
    message : str
        One line naming the field and saying what to type.
    """

    field: str
    label: str
    message: str

    def to_json(self) -> dict[str, str]:
        """Return ``{"field", "label", "message"}`` for the API's ``errors`` list."""
        return {"field": self.field, "label": self.label, "message": self.message}


def phrase_error(phrase: str) -> PydanticCustomError:
    """Return a validator's error whose message reads after the field's label.

    Parameters
    ----------
    phrase : str
        E.g. ``"is in the future: type the day the patient was born"``.

    Returns
    -------
    pydantic_core.PydanticCustomError
        The error to raise from the validator.

    Examples
    --------
    >>> from pydantic import BaseModel, field_validator
    >>> class Visit(BaseModel):
    ...     age: int
    ...     @field_validator("age")
    ...     @classmethod
    ...     def _adult(cls, value: int) -> int:
    ...         if value < 18:
    ...             raise phrase_error("is under 18: the patient needs a parent's consent")
    ...         return value
    >>> from pydantic import ValidationError
    >>> try:
    ...     Visit(age=12)
    ... except ValidationError as error:
    ...     print(first_problem(error).message)
    Age is under 18: the patient needs a parent's consent
    """
    return PydanticCustomError(PHRASE, "{phrase}", {"phrase": phrase})


def _errors(error: Any) -> list[dict[str, Any]]:
    found = error.errors() if hasattr(error, "errors") else error
    return [dict(item) for item in found]


_TYPE_TAGS = {"int", "str", "float", "bool", "date", "datetime", "list", "dict"}


def _parts(loc: Sequence[Any]) -> list[str | int]:
    """Return the location without its source (``body``, ``query``...) nor type tags."""
    parts = list(loc)
    if parts and parts[0] in _SKIPPED_LOC:
        parts = parts[1:]
    return [
        part
        for part in parts
        if isinstance(part, int)
        or (re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(part)) and str(part) not in _TYPE_TAGS)
    ]


def _where(loc: Sequence[Any]) -> tuple[list[str], list[int]]:
    """Return the named parts of a location and the list positions in it."""
    parts = _parts(loc)
    return [str(p) for p in parts if isinstance(p, str)], [p for p in parts if isinstance(p, int)]


def _label(names: list[str], positions: list[int], labels: Mapping[str, str]) -> str:
    if not names:
        return ""
    key = names[-1]
    label = labels.get(key) or LABELS.get(key) or key.replace("_", " ").capitalize()
    if positions:
        label += f" (item {positions[-1] + 1})"
    return label


def _echo(value: Any, key: str) -> str:
    """``"; got '...'"`` for a short typed value, else nothing (never a secret)."""
    if _SECRET.search(key) or isinstance(value, dict | list) or value is None:
        return ""
    text = str(value)
    if not text.strip() or len(text) > _ECHO_MAX:
        return ""
    return f"; got {text!r}" if isinstance(value, str) else f"; got {text}"


def _value_error(message: str) -> str:
    return " ".join(message.removeprefix("Value error, ").split())


def _email(message: str, label: str, got: str) -> str:
    reason = message.split(":", 1)[1].strip().rstrip(".") if ":" in message else ""
    why = f" ({reason[:1].lower()}{reason[1:]})" if reason else ""
    return f"{label or 'Email'} is not an email address{why}: {HINTS['email']}{got}"


def _sentence(item: Mapping[str, Any], labels: Mapping[str, str], hints: Mapping[str, str]) -> str:
    kind = str(item.get("type", ""))
    ctx = item.get("ctx") or {}
    got_value = item.get("input")
    names, positions = _where(item.get("loc", ()))
    key = names[-1] if names else ""
    label = _label(names, positions, labels)
    message = str(item.get("msg", ""))
    if got_value is None and kind.endswith("_type") and kind not in {"model_type", "dict_type"}:
        kind = "missing"  # a form's empty field, or null in JSON
    if kind == PHRASE:
        return f"{label} {ctx.get('phrase', message)}" if label else str(ctx.get("phrase"))
    if kind == "value_error" and message.startswith("value is not a valid email address"):
        return _email(message, label, _echo(got_value, key))
    if kind == "json_invalid":
        why = f" ({ctx['error']})" if ctx.get("error") else ""
        return f"the body is not valid JSON{why}: send the fields as a JSON object"
    if kind in {"value_error", "assertion_error"}:
        text = _value_error(message)
        return f"{label}: {text}" if label else text
    if kind not in PHRASES:  # a type this app does not use: pydantic's words, as a sentence
        text = re.sub(r"^(Input|String|Value|List|Dictionary) should ", "must ", message)
        text = text.replace("should ", "must ")
        return f"{label or 'The input'} {text}" + _echo(got_value, key)
    phrase = PHRASES[kind](ctx, got_value)
    if kind == "missing" and not names:
        return "the request has no body: send the fields as JSON"
    if not names and kind in {"dict_type", "model_type", "model_attributes_type"}:
        return "the body must be a JSON object of named fields, not a list or a single value"
    subject = label or "The input"
    hint = "" if kind in NO_HINT and key not in hints else (hints.get(key) or HINTS.get(key))
    hint = hint or TYPE_HINTS.get(kind, "")
    echo = (
        "" if kind in {"missing", "extra_forbidden", "string_too_long"} else _echo(got_value, key)
    )
    if kind == "extra_forbidden":
        subject = key or subject
    return f"{subject} {phrase}" + (f": {hint}" if hint else "") + echo


def field_problems(
    error: Any,
    *,
    labels: Mapping[str, str] | None = None,
    hints: Mapping[str, str] | None = None,
) -> list[FieldProblem]:
    """Turn a validation error into one problem per wrong field, in people's words.

    Parameters
    ----------
    error : pydantic.ValidationError, fastapi.exceptions.RequestValidationError or list of dict
        The error, or its ``errors()``.
    labels : mapping of str to str, optional
        Labels of this form that differ from :data:`LABELS` (e.g. ``{"name": "Your name"}``);
        for the command line, the options (``{"fluence_j_cm2": "--fluence"}``).
    hints : mapping of str to str, optional
        What to type, where this form differs from :data:`HINTS`.

    Returns
    -------
    list of FieldProblem
        In the order pydantic reported them; a field is reported once.

    Examples
    --------
    >>> from pydantic import BaseModel, Field, ValidationError
    >>> class Design(BaseModel):
    ...     age: int = Field(ge=14, le=100)
    ...     full_name: str
    >>> try:
    ...     Design.model_validate({"age": 9, "full_name": None})
    ... except ValidationError as error:
    ...     for problem in field_problems(error):
    ...         print(problem.field, "|", problem.message)
    age | Age must be 14 or more: type the patient's age in years, 14 to 100; got 9
    full_name | Full name is required: type the patient's full name
    """
    labels = labels or {}
    hints = hints or {}
    problems: list[FieldProblem] = []
    seen: set[str] = set()
    for item in _errors(error):
        loc = item.get("loc", ())
        names, positions = _where(loc)
        field = ".".join(str(part) for part in _parts(loc))
        if item.get("type") == "json_invalid":
            field = ""  # the body as a whole (its loc holds the character's position)
        if field in seen:
            continue
        seen.add(field)
        message = _sentence(item, labels, hints)
        problems.append(FieldProblem(field, _label(names, positions, labels), message))
    return problems


def first_problem(
    error: Any,
    *,
    labels: Mapping[str, str] | None = None,
    hints: Mapping[str, str] | None = None,
) -> FieldProblem:
    """Return the first wrong field of a validation error (see :func:`field_problems`).

    Parameters
    ----------
    error : pydantic.ValidationError, fastapi.exceptions.RequestValidationError or list of dict
        The error.
    labels, hints : mapping of str to str, optional
        As :func:`field_problems`.

    Returns
    -------
    FieldProblem
        The first problem; ``"the input is not valid"`` when pydantic named none.
    """
    found = field_problems(error, labels=labels, hints=hints)
    return found[0] if found else FieldProblem("", "", "the input is not valid")


def joined(problems: Iterable[FieldProblem]) -> str:
    """Join problems' sentences into one line (``; ``)."""
    return "; ".join(problem.message for problem in problems)
