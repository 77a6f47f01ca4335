"""Turn user errors into one line on stderr and exit code 2, never a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from scalpmap.cli.console import lazy_console
from scalpmap.errors import ScalpmapError

P = ParamSpec("P")
R = TypeVar("R")

stderr_console = lazy_console(stderr=True, highlight=False, soft_wrap=True)

USER_ERROR_EXIT_CODE = 2


def fail(message: str) -> typer.Exit:
    """Print ``error: message`` on stderr and return the exit to raise.

    Parameters
    ----------
    message : str
        One line that says what is wrong and what to do.

    Returns
    -------
    typer.Exit
        An exit with code 2, to be raised by the caller.
    """
    stderr_console.print(f"[bold red]error:[/] {message}", markup=True)
    return typer.Exit(code=USER_ERROR_EXIT_CODE)


def user_errors_exit_2(func: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command so that a :class:`ScalpmapError` prints one line and exits with code 2.

    Parameters
    ----------
    func : callable
        The typer command.

    Returns
    -------
    callable
        The wrapped command.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except ScalpmapError as error:
            raise fail(str(error)) from None

    return wrapper
