"""The backup commands are documented: every option in docs/cli.md, every command in backup.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.main import get_command

from scalpmap.cli.main import app

ROOT = Path(__file__).resolve().parents[2]


def section(text: str, title: str) -> str:
    return text.split(f"## {title}\n")[1].split("\n## ")[0]


@pytest.mark.parametrize("words", [["backup"], ["restore"], ["verify-backup"], ["store", "prune"]])
def test_every_option_and_argument_is_in_the_cli_reference(words):
    command = get_command(app)
    for word in words:
        command = command.commands[word]  # type: ignore[attr-defined]
    text = section((ROOT / "docs" / "cli.md").read_text(), "scalpmap " + " ".join(words))
    names = [opt for param in command.params for opt in param.opts if opt.startswith("--")]
    names += [param.metavar for param in command.params if param.param_type_name == "argument"]
    assert names
    for name in names:
        assert re.search(rf"(?<![\w-]){re.escape(name)}\b", text), (words, name)


def test_the_backup_guide_covers_every_command_and_is_linked():
    guide = (ROOT / "docs" / "backup.md").read_text()
    words = ["scalpmap backup", "scalpmap verify-backup", "scalpmap restore", "--database-url"]
    words += ["scalpmap store prune", "--delete", "OnCalendar", "cron"]
    for word in words:
        assert word in guide, word
    assert "docs/backup.md" in (ROOT / "README.md").read_text()
    assert "<!-- backup:start -->" in (ROOT / "docs" / "benchmarks.md").read_text()
