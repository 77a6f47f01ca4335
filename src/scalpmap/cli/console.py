"""A rich console made on first use, so that importing a command module does not import rich.

Importing ``rich.console`` takes about as long as importing typer. The command modules keep a
module-level ``console`` to print with, but only a command that prints pays for rich: its help,
a usage error or a typo does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["lazy_console"]


class _LazyConsole:
    """Stands for a ``rich.console.Console(**options)`` made the first time it is used."""

    def __init__(self, options: dict[str, Any]) -> None:
        object.__setattr__(self, "_options", options)
        object.__setattr__(self, "_console", None)

    def _real(self) -> Console:
        console: Console | None = object.__getattribute__(self, "_console")
        if console is None:
            from rich.console import Console

            console = Console(**object.__getattribute__(self, "_options"))
            object.__setattr__(self, "_console", console)
        return console

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._real(), name, value)

    def __enter__(self) -> Console:
        return self._real().__enter__()

    def __exit__(self, *exc_info: Any) -> None:
        self._real().__exit__(*exc_info)


def lazy_console(**options: Any) -> Console:
    """Return a stand-in for ``rich.console.Console(**options)``, made when first used.

    Parameters
    ----------
    **options
        Keyword arguments for :class:`rich.console.Console`.

    Returns
    -------
    rich.console.Console
        Its attributes and methods are the console's; rich is imported on first use.

    Examples
    --------
    >>> console = lazy_console(highlight=False, width=40)
    >>> console.width
    40
    """
    return cast("Console", _LazyConsole(options))
