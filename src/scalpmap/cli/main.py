"""The ``scalpmap`` command: one typer app, one module per command, imported when used.

The app's group (:class:`scalpmap.cli.lazy_group.LazyGroup`) lists the commands of
:mod:`scalpmap.cli.command_table` without importing them; a command's module is imported and
its parameters built only when it runs or its help is asked for.
"""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer.exceptions import TyperException

from scalpmap.cli import quick_params
from scalpmap.cli.errors import USER_ERROR_EXIT_CODE, stderr_console
from scalpmap.cli.lazy_group import LazyGroup

APP_SETTINGS: dict[str, Any] = {
    "name": "scalpmap",
    "help": "Plan and track the removal and revision of scalp micropigmentation (SMP).",
    "no_args_is_help": True,
    "pretty_exceptions_enable": False,
    "add_completion": False,
    "rich_markup_mode": None,
}
app = typer.Typer(cls=LazyGroup, **APP_SETTINGS)


@app.callback()
def _no_options() -> None:
    """Plan and track the removal and revision of scalp micropigmentation (SMP)."""


def main() -> None:
    """Run the command line; a wrong argument is one line on stderr and exit code 2."""
    quick_params.install()  # plain values without pydantic: 0.2 s sooner
    if len(sys.argv) <= 1:
        app()  # prints the help
        return
    try:
        result = app(standalone_mode=False)
    except TyperException as error:  # a usage error: unknown option, bad value, missing argument
        names: list[str] = []  # the sub-commands, e.g. ["sessions", "laser"]
        context = getattr(error, "ctx", None)
        while context is not None and context.parent is not None:
            names.insert(0, str(context.info_name))
            context = context.parent
        where = " ".join(["scalpmap", *names, "--help"])
        text = error.format_message() if hasattr(error, "format_message") else str(error)
        message = str(text).replace("\n", " ")
        stderr_console.print(f"[bold red]error:[/] {message} (see {where})", markup=True)
        sys.exit(int(getattr(error, "exit_code", USER_ERROR_EXIT_CODE)))
    except typer.Abort:
        stderr_console.print("[bold red]error:[/] aborted", markup=True)
        sys.exit(1)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    if isinstance(result, int) and result:  # a command's exit code, e.g. 2 for a user error
        sys.exit(result)
