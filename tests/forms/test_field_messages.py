"""Validation errors in people's words: each names the field as labelled and says what to type."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError

from scalpmap.field_labels import LABELS
from scalpmap.field_messages import field_problems, first_problem
from scalpmap.services.patients import PatientCreate
from scalpmap.services.treatment_sessions import LaserSessionIn
from scalpmap.web.plans.schemas import DesignCreate

RAW = ("Input should", "Value error", "String should", "Field required", "valid string")


class Form(BaseModel):
    """Fields of several kinds, as the app's forms have them."""

    model_config = ConfigDict(extra="forbid")

    full_name: str = Field(min_length=1, max_length=20)
    age: int = Field(default=40, ge=14, le=100)
    email: EmailStr | None = None
    pulse: Literal["ns", "ps"] = "ps"
    fluence_j_cm2: float = 2.5
    start_date: dt.date | None = None
    new_password: str = Field(default="long enough pass", min_length=12)


def messages(data: dict, model: type[BaseModel] = Form, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as error:
        model.model_validate(data)
    return [problem.message for problem in field_problems(error.value, **kwargs)]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"full_name": None}, "Full name is required: type the patient's full name"),
        ({"full_name": ""}, "Full name is empty: type the patient's full name"),
        ({}, "Full name is required: type the patient's full name"),
        (
            {"full_name": "A" * 25},
            "Full name is too long: at most 20 characters (got 25): type the patient's full name",
        ),
        (
            {"full_name": "A", "age": 5},
            "Age must be 14 or more: type the patient's age in years, 14 to 100; got 5",
        ),
        (
            {"full_name": "A", "age": "old"},
            "Age must be a whole number: type the patient's age in years, 14 to 100; got 'old'",
        ),
        ({"full_name": "A", "pulse": "fs"}, "Pulse must be one of: ns or ps: choose ns"),
        (
            {"full_name": "A", "fluence_j_cm2": "lots"},
            "Fluence must be a number: type the fluence in J/cm², e.g. 2.5; got 'lots'",
        ),
        ({"full_name": "A", "email": "nope"}, "Email is not an email address (an email address"),
        ({"full_name": "A", "start_date": "soon"}, "First laser session is not a day"),
        ({"full_name": "A", "ssn": "1"}, "ssn is not a field here: remove it"),
    ],
)
def test_each_error_names_the_field_and_what_to_type(data, expected):
    (message,) = messages(data)
    assert message.startswith(expected), message
    assert not any(words in message for words in RAW), message
    assert "\n" not in message


def test_a_password_is_never_echoed():
    (message,) = messages({"full_name": "A", "new_password": "hunter2"})
    assert message.startswith("New password is too short: at least 12 characters")
    assert "hunter2" not in message


def test_forms_and_commands_name_their_own_labels():
    labels = {"full_name": "Your name", "fluence_j_cm2": "--fluence"}
    data = {"full_name": "", "fluence_j_cm2": "x"}
    found = messages(data, labels=labels, hints={"full_name": "type your name"})
    assert found == [
        "Your name is empty: type your name",
        "--fluence must be a number: type the fluence in J/cm², e.g. 2.5; got 'x'",
    ]


def test_every_problem_keeps_the_field_key_for_programs():
    with pytest.raises(ValidationError) as error:
        Form.model_validate({"full_name": "", "age": 3})
    problems = field_problems(error.value)
    assert [(p.field, p.label) for p in problems] == [("full_name", "Full name"), ("age", "Age")]
    assert problems[0].to_json() == {
        "field": "full_name",
        "label": "Full name",
        "message": "Full name is empty: type the patient's full name",
    }


def test_nested_fields_say_which_item():
    class Facility(BaseModel):
        lasers: list[Form]

    with pytest.raises(ValidationError) as error:
        Facility.model_validate({"lasers": [{"full_name": "A"}, {"full_name": "B", "age": 2}]})
    problem = first_problem(error.value)
    assert problem.field == "lasers.1.age" and problem.label == "Age (item 2)"
    assert problem.message.startswith("Age (item 2) must be 14 or more")


@pytest.mark.parametrize(
    ("model", "data", "expected"),
    [  # the messages the first look at the app found (issue 13), from the app's own models
        (PatientCreate, {"full_name": None}, "Full name is required"),
        (
            PatientCreate,
            {"full_name": "A", "date_of_birth": "1850-01-01"},
            "Date of birth is before 1900",
        ),
        (DesignCreate, {"photo_id": 1, "age": 9}, "Age must be 14 or more"),
        (LaserSessionIn, {"device": ""}, "Date is required"),
    ],
)
def test_the_apps_models_speak_in_words(model, data, expected):
    found = messages(data, model)
    assert found[0].startswith(expected), found
    assert not any(words in " ".join(found) for words in RAW), found


def test_every_label_is_capitalised_words():
    for key, label in LABELS.items():
        assert label[:1].isupper() and "_" not in label, key


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            {"type": "json_invalid", "loc": ("body", 12), "msg": "JSON decode error",
             "input": {}, "ctx": {"error": "Expecting value"}},
            "the body is not valid JSON (Expecting value): send the fields as a JSON object",
        ),
        (
            {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None},
            "the request has no body: send the fields as JSON",
        ),
        (
            {"type": "model_attributes_type", "loc": ("body",), "input": "x",
             "msg": "Input should be a valid dictionary or object to extract fields from"},
            "the body must be a JSON object of named fields, not a list or a single value",
        ),
        (  # a kind of error no form here makes: pydantic's words, turned into a sentence
            {"type": "uuid_parsing", "loc": ("query", "visit_code"), "input": "q",
             "msg": "Input should be a valid UUID"},
            "Visit code must be a valid UUID; got 'q'",
        ),
    ],
)  # fmt: skip
def test_whole_bodies_and_unknown_kinds_read_as_sentences(error, expected):
    (problem,) = field_problems([error])
    assert problem.message == expected
    assert problem.field in ("", "visit_code")
