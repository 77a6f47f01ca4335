"""The ``scalpmap`` command: one typer app, one module per command."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="scalpmap",
    help="Plan and track the removal and revision of scalp micropigmentation (SMP).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
