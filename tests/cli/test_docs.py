"""The docs are tested: every CLI option and every analysis.json field is documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.main import get_command

from scalpmap.cli.main import app
from scalpmap.json_schemas import property_names

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize(
    "command",
    ["analyse", "plan", "track", "synth", "marker", "serve", "refer", "worker", "reanalyse"],
)
def test_every_option_is_in_the_cli_reference(command):
    reference = (DOCS / "cli.md").read_text()
    click_command = get_command(app).commands[command]  # type: ignore[attr-defined]
    names = [str(param.name).replace("_", "-") for param in click_command.params]
    assert len(names) >= 3
    section = reference.split(f"## scalpmap {command}")[1].split("## scalpmap")[0]
    for name in names:
        assert re.search(rf"--{name}\b|^  {name} <", section, re.MULTILINE), f"{command} {name}"


def test_readme_opens_with_the_two_commands():
    readme = (DOCS.parent / "README.md").read_text()
    head = readme[:1200]
    assert "make demo" in head and "make test" in head


def test_every_plan_json_field_is_documented():
    from scalpmap.planning.plan_json import load_plan_schema

    page = (DOCS / "plan-json.md").read_text()
    names = property_names(load_plan_schema())
    assert {"zones", "removal", "touch_up", "impressions_to_add", "kirby_desai"} <= names
    missing = sorted(name for name in names if f"`{name}`" not in page and f".{name}`" not in page)
    assert not missing, missing
