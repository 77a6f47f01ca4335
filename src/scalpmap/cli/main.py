"""The ``scalpmap`` command: one typer app, one module per command."""

from __future__ import annotations

import sys
from typing import Any

import typer
from typer.exceptions import TyperException

from scalpmap.cli import (
    analyse_cmd,
    backup_cmd,
    clinic_cmd,
    db_cmd,
    facilities_cmd,
    jobs_cmd,
    marker_cmd,
    plan_cmd,
    quick_params,
    reanalyse_cmd,
    refer_cmd,
    serve_cmd,
    sessions_cmd,
    store_cmd,
    synth_cmd,
    track_cmd,
    users_cmd,
    worker_cmd,
)
from scalpmap.cli.errors import USER_ERROR_EXIT_CODE, stderr_console

APP_SETTINGS: dict[str, Any] = {
    "name": "scalpmap",
    "help": "Plan and track the removal and revision of scalp micropigmentation (SMP).",
    "no_args_is_help": True,
    "pretty_exceptions_enable": False,
    "add_completion": False,
    "rich_markup_mode": None,
}
app = typer.Typer(**APP_SETTINGS)
app.command("analyse", help=analyse_cmd.__doc__)(analyse_cmd.analyse)
app.command("plan", help=plan_cmd.__doc__)(plan_cmd.plan)
app.command("track", help=track_cmd.__doc__)(track_cmd.track)
app.command("synth", help=synth_cmd.__doc__)(synth_cmd.synth)
app.command("marker", help=marker_cmd.__doc__)(marker_cmd.marker)
app.add_typer(db_cmd.app, name="db")
app.add_typer(users_cmd.app, name="users")
app.add_typer(clinic_cmd.app, name="clinic")
app.add_typer(facilities_cmd.app, name="facilities")
app.command("refer", help=refer_cmd.__doc__)(refer_cmd.refer)
app.add_typer(sessions_cmd.app, name="sessions")
app.command("serve", help=serve_cmd.__doc__)(serve_cmd.serve)
app.command("backup", help=backup_cmd.backup.__doc__)(backup_cmd.backup)
app.command("restore", help=backup_cmd.restore.__doc__)(backup_cmd.restore)
app.command("verify-backup", help=backup_cmd.verify_backup.__doc__)(backup_cmd.verify_backup)
app.add_typer(store_cmd.app, name="store")
app.command("worker", help=worker_cmd.__doc__)(worker_cmd.worker)
app.command("reanalyse", help=reanalyse_cmd.__doc__)(reanalyse_cmd.reanalyse)
app.add_typer(jobs_cmd.app, name="jobs")


def app_for(name: str) -> typer.Typer:
    """Return an app holding only the command or group ``name``, or the whole app.

    Typer builds every command's parameters (35 commands) before it runs one; with only the
    one asked for, ``scalpmap analyse`` and its help start 0.1 s sooner. Anything else (the
    help, a typo, an option) goes to the whole app, which lists the commands and suggests one.

    Parameters
    ----------
    name : str
        The first argument on the command line.

    Returns
    -------
    typer.Typer
        The app to run.
    """
    commands = [info for info in app.registered_commands if info.name == name]
    groups = [info for info in app.registered_groups if info.name == name]
    if not commands and not groups:
        return app
    light = typer.Typer(**APP_SETTINGS)
    light.callback()(_no_options)  # a group, so that the command keeps its name
    light.registered_commands.extend(commands)
    light.registered_groups.extend(groups)
    return light


def _no_options() -> None:
    """Plan and track the removal and revision of scalp micropigmentation (SMP)."""


def main() -> None:
    """Run the command line; a wrong argument is one line on stderr and exit code 2."""
    quick_params.install()  # plain values without pydantic: 0.2 s sooner
    if len(sys.argv) <= 1:
        app()  # prints the help
        return
    try:
        result = app_for(sys.argv[1])(standalone_mode=False)
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
