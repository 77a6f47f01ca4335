"""A typer command group that imports each sub-command's module only when it is used.

Click's "lazy group" pattern with typer: the group knows its sub-commands by name
(:data:`scalpmap.cli.command_table.COMMANDS`), lists them with their one-line help without
importing anything, and builds a sub-command (its module, its parameters) only when it runs or
its help is asked for. ``scalpmap --help`` and ``scalpmap plan --help`` so skip importing and
building the other commands (19 modules, 35 commands' parameters).

Use it as ``typer.Typer(cls=LazyGroup, ...)`` with a callback, so that typer makes a group.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, MutableMapping
from gettext import gettext as _
from typing import Any

import typer
from typer import _click
from typer.core import TyperCommand, TyperGroup
from typer.main import get_command_from_info, get_group_from_info

from scalpmap.cli.command_table import COMMANDS, CommandEntry

__all__ = ["LazyCommands", "LazyGroup", "load_command"]


def load_command(entry: CommandEntry, *, rich_markup_mode: Any, suggest: bool) -> _click.Command:
    """Import a sub-command's module and build its click command as typer would.

    Parameters
    ----------
    entry : CommandEntry
        The sub-command.
    rich_markup_mode : {None, "markdown", "rich"}
        The parent group's markup mode, which typer hands down to its sub-commands.
    suggest : bool
        Whether a sub-group suggests close names for a mistyped command.

    Returns
    -------
    click.Command
        The command, or the group of commands, named ``entry.name``.
    """
    __import__(entry.module)  # as an import statement does, so -X importtime lists it
    module = sys.modules[entry.module]
    target = getattr(module, entry.attribute)
    holder = typer.Typer(rich_markup_mode=rich_markup_mode, add_completion=False)
    if entry.help_from == "app":
        holder.add_typer(target, name=entry.name)
        return get_group_from_info(
            holder.registered_groups[0],
            pretty_exceptions_short=holder.pretty_exceptions_short,
            rich_markup_mode=rich_markup_mode,
            suggest_commands=suggest,
        )
    help_text = module.__doc__ if entry.help_from == "module" else target.__doc__
    holder.command(entry.name, help=help_text)(target)
    return get_command_from_info(
        holder.registered_commands[0],
        pretty_exceptions_short=holder.pretty_exceptions_short,
        rich_markup_mode=rich_markup_mode,
    )


class LazyCommands(MutableMapping[str, _click.Command]):
    """The group's commands by name; a command is built the first time it is looked up.

    Its keys are every command's name, in the table's order, so typer lists them all and
    suggests the closest one for a typo without building any.

    Parameters
    ----------
    entries : sequence of CommandEntry
        The lazy sub-commands.
    rich_markup_mode : {None, "markdown", "rich"}
        Handed down to the commands.
    suggest : bool
        Whether sub-groups suggest close names for a typo.
    """

    def __init__(
        self, entries: tuple[CommandEntry, ...], *, rich_markup_mode: Any, suggest: bool
    ) -> None:
        self._entries = {entry.name: entry for entry in entries}
        self._built: dict[str, _click.Command] = {}
        self._rich_markup_mode = rich_markup_mode
        self._suggest = suggest

    def __getitem__(self, name: str) -> _click.Command:
        if name not in self._built:
            entry = self._entries.get(name)
            if entry is None:
                raise KeyError(name)  # no such command: typer says so and suggests one
            try:
                self._built[name] = load_command(
                    entry, rich_markup_mode=self._rich_markup_mode, suggest=self._suggest
                )
            except KeyError as error:  # not "no such command": a bug while loading it
                raise RuntimeError(f"loading the command {name!r} failed: {error!r}") from error
        return self._built[name]

    def __setitem__(self, name: str, command: _click.Command) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        self._entries.pop(name, None)
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        yield from self._entries
        yield from (name for name in self._built if name not in self._entries)

    def __len__(self) -> int:
        return len(self._entries.keys() | self._built.keys())

    def __contains__(self, name: object) -> bool:
        return name in self._entries or name in self._built

    def listed(self, name: str) -> _click.Command:
        """Return the command as ``--help`` lists it: built, or a stand-in with its summary.

        Parameters
        ----------
        name : str
            A command's name.

        Returns
        -------
        click.Command
            The built command, or a stand-in whose help is the table's summary.
        """
        if name in self._built:
            return self._built[name]
        return TyperCommand(name, help=self._entries[name].summary)


class LazyGroup(TyperGroup):
    """A typer group whose sub-commands are :data:`ENTRIES`, imported and built on first use."""

    ENTRIES: tuple[CommandEntry, ...] = COMMANDS

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        commands = LazyCommands(
            self.ENTRIES, rich_markup_mode=self.rich_markup_mode, suggest=self.suggest_commands
        )
        for name, command in self.commands.items():  # commands typer registered directly
            commands[name] = command
        self.commands = commands

    def list_commands(self, ctx: _click.Context) -> list[str]:
        """Return the commands' names in the table's order, without building them."""
        return list(self.commands)

    def format_commands(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        """List the commands with their one-line help, as typer does, without building them."""
        commands = self.commands
        rows: list[tuple[str, _click.Command]] = []
        for name in self.list_commands(ctx):
            if isinstance(commands, LazyCommands):
                command: _click.Command | None = commands.listed(name)
            else:
                command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command))
        if not rows:
            return
        limit = formatter.width - 6 - max(len(name) for name, _command in rows)
        with formatter.section(_("Commands")):
            formatter.write_dl(
                [(name, command.get_short_help_str(limit)) for name, command in rows]
            )
