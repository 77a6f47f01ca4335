"""Manage staff users: ``scalpmap users create``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from scalpmap.cli.db_cmd import DataDirOption
from scalpmap.cli.errors import user_errors_exit_2
from scalpmap.config import get_settings
from scalpmap.errors import InputError
from scalpmap.services.users import check_password, create_user, normalize_email
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.migrate import ensure_schema
from scalpmap.store.models import Role

__all__ = ["app", "create"]

console = Console(highlight=False, soft_wrap=True)

app = typer.Typer(
    name="users",
    help="Manage the clinic's staff users.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def read_password(from_stdin: bool) -> str:
    """Read a new password from standard input, or prompt for it twice without echo.

    Parameters
    ----------
    from_stdin : bool
        Read one line from standard input instead of prompting.

    Returns
    -------
    str
        The password (a trailing newline removed).
    """
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@app.command("create")
@user_errors_exit_2
def create(
    email: Annotated[str, typer.Argument(help="The user's email address (their sign-in).")],
    role: Annotated[
        Role | None,
        typer.Option(help="What the user may do.", case_sensitive=False, show_default=False),
    ] = None,
    admin: Annotated[bool, typer.Option("--admin", help="Shortcut for --role admin.")] = False,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from standard input."),
    ] = False,
    name: Annotated[str | None, typer.Option(help="The user's full name.")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Create a staff user; the password is prompted for (hidden, twice) or read from stdin."""
    if admin and role not in (None, Role.ADMIN):
        raise InputError(f"--admin contradicts --role {role}; give one of them")
    chosen = Role.ADMIN if admin else role
    if chosen is None:
        raise InputError("give the user's role: --role admin|practitioner|reception (or --admin)")
    address = normalize_email(email)
    password = read_password(password_stdin)
    check_password(password)
    settings = get_settings(data_dir=data_dir)
    engine = create_engine_for(settings)
    try:
        ensure_schema(engine)
        with make_session_factory(engine)() as session:
            user = create_user(session, address, password, chosen, full_name=name)
    finally:
        engine.dispose()
    console.print(f"created {user.role} {user.email} (user id {user.id})")
