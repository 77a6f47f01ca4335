"""The ``scalpmap`` command: one typer app, one module per command."""

from __future__ import annotations

import typer

from scalpmap.cli import analyse_cmd, marker_cmd, synth_cmd

app = typer.Typer(
    name="scalpmap",
    help="Plan and track the removal and revision of scalp micropigmentation (SMP).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
app.command("analyse", help=analyse_cmd.__doc__)(analyse_cmd.analyse)
app.command("synth", help=synth_cmd.__doc__)(synth_cmd.synth)
app.command("marker", help=marker_cmd.__doc__)(marker_cmd.marker)
