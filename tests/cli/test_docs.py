"""The docs are tested: every CLI option and every analysis.json field is documented."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from scalpmap.cli.main import app

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("command", ["analyse", "synth", "marker"])
def test_every_option_is_in_the_cli_reference(command):
    reference = (DOCS / "cli.md").read_text()
    click_command = next(c for c in app.registered_commands if c.name == command)
    names = [
        name.replace("_", "-") for name in inspect.signature(click_command.callback).parameters
    ]
    assert len(names) >= 3
    section = reference.split(f"## scalpmap {command}")[1].split("## scalpmap")[0]
    for name in names:
        assert re.search(rf"--{name}\b|^  {name} <", section, re.MULTILINE), f"{command} {name}"


def test_readme_opens_with_the_two_commands():
    readme = (DOCS.parent / "README.md").read_text()
    head = readme[:1200]
    assert "make demo" in head and "make test" in head
