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
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic_core import PydanticCustomError

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

LABELS: Mapping[str, str] = {
    # patients (the patient form; the API calls the name "name")
    "full_name": "Full name",
    "name": "Name",
    "date_of_birth": "Date of birth",
    "email": "Email",
    "phone": "Phone",
    "address": "Address",
    "fitzpatrick_type": "Fitzpatrick skin type",
    "notes": "Notes",
    "consent_text": "What the patient agreed to",
    # cases
    "patient_id": "Patient",
    "case_id": "Case",
    "reason": "Reason",
    "title": "Title",
    "stage": "Stage",
    "practitioner_id": "Practitioner in charge",
    "allow_backwards": "Going back",
    # photos and plans
    "file": "Photo file",
    "files": "Photos",
    "photo_id": "Photo",
    "analysis_id": "Analysis",
    "plan_id": "Plan",
    "view": "View",
    "mm_per_px": "Scale, mm per pixel",
    "template": "Template",
    "age": "Age",
    "hairline": "Hairline",
    "landmarks": "Landmarks",
    "glabella": "Glabella",
    "left_canthus": "Left eye corner",
    "right_canthus": "Right eye corner",
    "note": "Note",
    "skin_type": "Skin type",
    "start_date": "First laser session",
    "picosecond": "Picosecond laser",
    "scarring": "Scarring",
    "layering": "Layering",
    "second_touch_up": "Second touch-up",
    # referrals and sessions
    "facility_id": "Facility",
    "referred_on": "Referral date",
    "status": "Status",
    "session_date": "Date",
    "device": "Device",
    "wavelength_nm": "Wavelength",
    "pulse": "Pulse",
    "fluence_j_cm2": "Fluence",
    "spot_mm": "Spot",
    "passes": "Passes",
    "adverse_effects": "Adverse effects",
    "practitioner_name": "Practitioner",
    "needle": "Needle",
    "areas": "Areas worked",
    "void_reason": "Why it is void",
    "correction_reason": "Why it is corrected",
    # facilities
    "city": "City",
    "country": "Country",
    "lat": "Latitude",
    "lon": "Longitude",
    "lasers": "Lasers",
    "wavelengths_nm": "Wavelengths",
    "treats_smp": "Treats SMP",
    "fitzpatrick_min": "Lowest Fitzpatrick type treated",
    "fitzpatrick_max": "Highest Fitzpatrick type treated",
    "fitzpatrick_types": "Fitzpatrick types treated",
    # enquiries
    "message": "Message",
    "consent": "Consent",
    # accounts and tokens
    "password": "Password",
    "current_password": "Current password",
    "new_password": "New password",
    "temporary_password": "Temporary password",
    "role": "Role",
    "expires_in_days": "Days",
    "days": "Days",
    "independent": "Independent",
    "q": "Search",
}
"""Each field's label as the forms show it (the key is the field's name in the API)."""

HINTS: Mapping[str, str] = {
    "full_name": "type the patient's full name",
    "name": "type the name",
    "email": "type an address such as name@example.com",
    "phone": "type the number, e.g. +44 20 7946 0000",
    "fitzpatrick_type": "choose type I to VI (1 to 6)",
    "skin_type": "choose type I to VI (1 to 6)",
    "fitzpatrick_min": "choose type I to VI (1 to 6)",
    "fitzpatrick_max": "choose type I to VI (1 to 6)",
    "age": "type the patient's age in years, 14 to 100",
    "consent_text": "type what the patient agreed to",
    "patient_id": "use the patient's number from the patients list",
    "case_id": "use the case's number from the patient's page",
    "photo_id": "use the photo's number from the case's page",
    "analysis_id": "use the analysis's number from the photo's page",
    "facility_id": "choose a facility from the list",
    "practitioner_id": "choose a practitioner from the list",
    "device": "type the laser, e.g. PicoWay",
    "wavelength_nm": "type the wavelength in nm, e.g. 1064",
    "pulse": "choose ns (Q-switched) or ps (picosecond)",
    "fluence_j_cm2": "type the fluence in J/cm², e.g. 2.5",
    "spot_mm": "type the spot size in mm, e.g. 4",
    "passes": "type the number of passes, e.g. 2",
    "practitioner_name": "type the name of who did the session",
    "needle": "type the needle, e.g. 0.25 mm 3RL",
    "areas": "name at least one area worked, e.g. frontal",
    "void_reason": "say why, e.g. logged twice",
    "city": "type the city, e.g. Leeds",
    "country": "type the country's name or ISO code, e.g. GB",
    "lat": "type degrees north, -90 to 90, e.g. 53.7987",
    "lon": "type degrees east, -180 to 180, e.g. -1.5461",
    "lasers": "type each laser as DEVICE WAVELENGTH ps|ns, e.g. Nd:YAG 1064 ps",
    "mm_per_px": "type the scale in millimetres per pixel, e.g. 0.035",
    "file": "choose the photo to upload",
    "files": "choose the photos to upload",
    "expires_in_days": "type a number of days, e.g. 30",
    "days": "type a number of days, e.g. 30",
}
"""What to type in a field, when the kind of error alone does not say it."""

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


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _choices(ctx: Mapping[str, Any]) -> str:
    expected = str(ctx.get("expected", ""))
    return expected.replace("'", "") if expected else "one from the list"


_Phrase = Callable[[Mapping[str, Any], Any], str]

_PHRASES: Mapping[str, _Phrase] = {
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

_TYPE_HINTS: Mapping[str, str] = {
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

_NO_HINT = {"extra_forbidden"}


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
    if kind not in _PHRASES:  # a type this app does not use: pydantic's words, as a sentence
        text = re.sub(r"^(Input|String|Value|List|Dictionary) should ", "must ", message)
        text = text.replace("should ", "must ")
        return f"{label or 'The input'} {text}" + _echo(got_value, key)
    phrase = _PHRASES[kind](ctx, got_value)
    if kind == "missing" and not names:
        return "the request has no body: send the fields as JSON"
    if not names and kind in {"dict_type", "model_type", "model_attributes_type"}:
        return "the body must be a JSON object of named fields, not a list or a single value"
    subject = label or "The input"
    hint = "" if kind in _NO_HINT and key not in hints else (hints.get(key) or HINTS.get(key))
    hint = hint or _TYPE_HINTS.get(kind, "")
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
