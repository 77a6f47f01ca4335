"""Manage staff users: ``scalpmap users create|reset-password|deactivate|activate|token``.

Commands run as the operator at the console: they need no sign-in, and the audit log records
them without a user.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from scalpmap.cli.console import lazy_console
from scalpmap.cli.db_cmd import DataDirOption
from scalpmap.cli.errors import user_errors_exit_2
from scalpmap.errors import InputError
from scalpmap.store.enums import Role

if TYPE_CHECKING:  # the database layer loads inside the commands, so that --help answers at once
    from sqlalchemy.orm import Session

    from scalpmap.config import Settings
    from scalpmap.store.models import User

__all__ = ["activate", "app", "create", "deactivate", "reset_password", "token"]

T = TypeVar("T")
EmailArgument = Annotated[str, typer.Argument(help="The user's email address (their sign-in).")]

console = lazy_console(highlight=False, soft_wrap=True)

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
    from scalpmap.config import get_settings
    from scalpmap.services.users import check_password, create_user, normalize_email
    from scalpmap.store.engine import create_engine_for, make_session_factory
    from scalpmap.store.migrate import ensure_schema

    if admin and role not in (None, Role.ADMIN):
        raise InputError(f"--admin contradicts --role {role}; give one of them")
    chosen = Role.ADMIN if admin else role
    if chosen is None:
        raise InputError("give the user's role: --role admin|practitioner|reception (or --admin)")
    address = normalize_email(email)
    password = read_password(password_stdin)
    check_password(password, email=address)
    settings = get_settings(data_dir=data_dir)
    engine = create_engine_for(settings)
    try:
        ensure_schema(engine)
        with make_session_factory(engine)() as session:
            user = create_user(session, address, password, chosen, full_name=name)
    finally:
        engine.dispose()
    console.print(f"created {user.role} {user.email} (user id {user.id})")


@contextmanager
def _database(data_dir: Path | None) -> Iterator[tuple[Settings, Session]]:
    from scalpmap.config import get_settings
    from scalpmap.store.engine import create_engine_for, make_session_factory
    from scalpmap.store.migrate import ensure_schema

    settings = get_settings(data_dir=data_dir)
    engine = create_engine_for(settings)
    try:
        ensure_schema(engine)
        with make_session_factory(engine)() as session:
            yield settings, session
    finally:
        engine.dispose()


def _with_user(
    email: str, data_dir: Path | None, action: Callable[[Settings, Session, User], T]
) -> T:
    from scalpmap.services.users import get_user_by_email, normalize_email

    address = normalize_email(email)
    with _database(data_dir) as (settings, session):
        user = get_user_by_email(session, address)
        if user is None:
            raise InputError(f"no user with email {address}; see the Users page or create one")
        return action(settings, session, user)


@app.command("reset-password")
@user_errors_exit_2
def reset_password(
    email: EmailArgument,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the temporary password from standard input [default: generate one].",
        ),
    ] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Give a user a temporary password; their sessions and API tokens end at once.

    At their next sign-in they must choose a new password before anything else.
    """
    from scalpmap.services.accounts import force_password_reset
    from scalpmap.services.users import check_password, normalize_email

    given = read_password(True) if password_stdin else None
    if password_stdin:
        check_password(given or "", email=email)

    def reset(settings: Settings, session: Session, user: User) -> str:
        return force_password_reset(session, user.id, None, given)[1]

    temporary = _with_user(email, data_dir, reset)
    console.print(f"reset the password of {normalize_email(email)}; every session and token ended")
    if not password_stdin:
        console.print(f"temporary password (shown once): {temporary}")


def _set_active(email: str, data_dir: Path | None, active: bool) -> None:
    from scalpmap.services.accounts import set_active

    _with_user(
        email, data_dir, lambda _s, session, user: set_active(session, user.id, active, None)
    )


@app.command("deactivate")
@user_errors_exit_2
def deactivate(email: EmailArgument, data_dir: DataDirOption = None) -> None:
    """Deactivate a user: their sessions and API tokens end for good."""
    from scalpmap.services.users import normalize_email

    _set_active(email, data_dir, False)
    console.print(f"deactivated {normalize_email(email)}; their sessions and API tokens ended")


@app.command("activate")
@user_errors_exit_2
def activate(email: EmailArgument, data_dir: DataDirOption = None) -> None:
    """Reactivate a user; no old session or token comes back."""
    from scalpmap.services.users import normalize_email

    _set_active(email, data_dir, True)
    console.print(f"activated {normalize_email(email)}; they sign in again")


@app.command("token")
@user_errors_exit_2
def token(
    email: EmailArgument,
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'nightly export'.")],
    days: Annotated[
        int | None,
        typer.Option(
            help="Lifetime in days [default: SCALPMAP_API_TOKEN_MAX_AGE_DAYS, 90].",
            min=1,
            show_default=False,
        ),
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Make an API token for a user's integration, tied to no sign-in; printed once."""
    from scalpmap.services.tokens import create_token
    from scalpmap.services.users import normalize_email

    if not name.strip() or len(name.strip()) > 100:
        raise InputError("--name: give the token a name of 1 to 100 characters")

    def make(settings: Settings, session: Session, user: User) -> tuple[str, str]:
        row, secret = create_token(
            session,
            user,
            name,
            made_with=None,
            max_age_days=settings.api_token_max_age_days,
            expires_in_days=days,
            independent=True,
        )
        return secret, row.expires_at.isoformat(timespec="minutes") if row.expires_at else "-"

    secret, expires = _with_user(email, data_dir, make)
    console.print(f"API token for {normalize_email(email)}, valid until {expires} UTC:")
    console.print(secret)
