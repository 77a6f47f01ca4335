"""The clearance.json contract is documented: every schema field is on docs/clearance-json.md."""

from __future__ import annotations

from pathlib import Path

from jsonschema import Draft202012Validator

from scalpmap.json_schemas import property_names
from scalpmap.tracking.clearance_json import load_clearance_schema

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(load_clearance_schema())


def test_every_clearance_json_field_is_documented():
    page = (DOCS / "clearance-json.md").read_text()
    names = property_names(load_clearance_schema())
    assert {"registration", "residual_mm", "percent", "lost_percent", "recommendation"} <= names
    missing = sorted(name for name in names if f"`{name}`" not in page and f".{name}`" not in page)
    assert not missing, missing


def test_the_cli_reference_links_the_contract():
    assert "clearance-json.md" in (DOCS / "cli.md").read_text()
