"""``scalpmap --help`` lists every command without importing it, and lists it as the command says.

The command table (:mod:`scalpmap.cli.command_table`) holds each command's one-line help so that
the list needs no import; these tests fail when a command's own help and the table disagree, or
when listing or running one command imports the others.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from typer import _click
from typer.main import get_command

from scalpmap.cli.command_table import COMMANDS
from scalpmap.cli.lazy_group import LazyCommands
from scalpmap.cli.main import app

IMPORT_LINE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \| \s*(\S+)$")
COMMAND_MODULES = {entry.module for entry in COMMANDS}


def first_paragraph(text: str | None) -> str:
    return " ".join((text or "").strip().split("\n\n")[0].split())


def help_text(group: _click.Command, width: int) -> str:
    context = _click.Context(group, info_name="scalpmap", terminal_width=width)
    return group.get_help(context)


def cli_modules(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``scalpmap ARGS`` fresh; return the result and the command modules it imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "scalpmap", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    names = {m.group(1) for m in map(IMPORT_LINE.match, result.stderr.splitlines()) if m}
    assert "scalpmap.cli.main" in names, result.stderr[-2000:]
    return result, names & COMMAND_MODULES


def test_the_table_says_what_each_command_says():
    group = get_command(app)
    assert [entry.name for entry in COMMANDS] == group.list_commands(None)  # type: ignore[arg-type]
    for entry in COMMANDS:
        command = group.commands[entry.name]  # type: ignore[attr-defined]
        assert command.name == entry.name
        assert first_paragraph(command.help) == entry.summary, entry.name


@pytest.mark.parametrize("width", [60, 80, 200])
def test_help_lists_the_commands_as_they_would_list_themselves(width):
    group = get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    assert isinstance(commands, LazyCommands)
    listed = help_text(group, width)
    assert not commands._built  # nothing built to list them
    for name in list(commands):
        commands[name]  # build every command: the list then uses their own help
    assert help_text(group, width) == listed
    for entry in COMMANDS:
        assert re.search(rf"^  {re.escape(entry.name)} ", listed, re.MULTILINE), entry.name


def test_help_imports_no_command_module_and_a_command_only_its_own():
    result, modules = cli_modules("--help")
    assert result.returncode == 0 and "verify-backup" in result.stdout
    assert modules == set()
    result, modules = cli_modules("plan", "--help")
    assert result.returncode == 0 and "--template" in result.stdout
    assert modules == {"scalpmap.cli.plan_cmd"}


def test_a_typo_is_one_line_with_a_suggestion_and_exit_2():
    result, modules = cli_modules("plna")
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if not line.startswith("import time")]
    assert len(errors) == 1 and "Did you mean 'plan'?" in errors[0], errors
    assert "Traceback" not in result.stderr
    assert modules == set()


def test_every_command_module_is_in_the_table():
    """A new ``*_cmd.py`` module left out of the table would be unreachable: none is."""
    from pathlib import Path

    import scalpmap.cli

    folder = Path(scalpmap.cli.__file__).parent
    modules = {f"scalpmap.cli.{path.stem}" for path in folder.glob("*_cmd.py")}
    sub_groups = {"scalpmap.cli.sessions_edit_cmd"}  # added to the sessions group by its module
    assert modules - sub_groups == COMMAND_MODULES
