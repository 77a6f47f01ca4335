"""The JSON Schemas shipped with the package (``scalpmap/schemas/*.schema.json``), loaded once.

Each contract module (analysis.json, plan.json, clearance.json) names its schema here instead of
reading and validating files itself.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # jsonschema loads on the first validation: writing a document needs none
    from jsonschema import Draft202012Validator


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    text = resources.files("scalpmap").joinpath(f"schemas/{name}.schema.json").read_text()
    return Draft202012Validator(json.loads(text))


def load_schema(name: str) -> dict[str, Any]:
    """Return a shipped JSON Schema.

    Parameters
    ----------
    name : {"analysis", "plan", "clearance"}
        The contract.

    Returns
    -------
    dict
        A copy of the schema.

    Examples
    --------
    >>> load_schema("plan")["properties"]["format"]["const"]
    'scalpmap-plan/1'
    """
    return json.loads(json.dumps(_validator(name).schema))  # type: ignore[no-any-return]


def validate_document(name: str, document: Any) -> None:
    """Validate a document against a shipped JSON Schema (draft 2020-12).

    Parameters
    ----------
    name : {"analysis", "plan", "clearance"}
        The contract.
    document : Any
        The parsed JSON document.

    Raises
    ------
    jsonschema.ValidationError
        When it does not conform.
    """
    _validator(name).validate(document)


def property_names(schema: Any) -> set[str]:
    """Collect every property name a schema declares, at any depth (for documentation checks).

    Parameters
    ----------
    schema : Any
        A JSON Schema, or any part of one.

    Returns
    -------
    set of str
        The names under every ``properties``, nested ones included.

    Examples
    --------
    >>> sorted(property_names({"properties": {"a": {"properties": {"b": {}}}}}))
    ['a', 'b']
    """
    names: set[str] = set()
    if isinstance(schema, list):
        for item in schema:
            names |= property_names(item)
    elif isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                names |= set(value)
            names |= property_names(value)
    return names
