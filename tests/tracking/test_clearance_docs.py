"""The clearance.json contract is documented: every schema field is on docs/clearance-json.md."""

from __future__ import annotations

from pathlib import Path

from jsonschema import Draft202012Validator

from scalpmap.tracking.clearance_json import load_clearance_schema

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _property_names(schema: dict) -> set[str]:
    names: set[str] = set()
    for key, value in schema.items():
        if key == "properties":
            names |= set(value)
            for sub in value.values():
                names |= _property_names(sub)
        elif isinstance(value, dict):
            names |= _property_names(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    names |= _property_names(item)
    return names


def test_the_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(load_clearance_schema())


def test_every_clearance_json_field_is_documented():
    page = (DOCS / "clearance-json.md").read_text()
    names = _property_names(load_clearance_schema())
    assert {"registration", "residual_mm", "percent", "lost_percent", "recommendation"} <= names
    missing = sorted(name for name in names if f"`{name}`" not in page and f".{name}`" not in page)
    assert not missing, missing


def test_the_cli_reference_links_the_contract():
    assert "clearance-json.md" in (DOCS / "cli.md").read_text()
