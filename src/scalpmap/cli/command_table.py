"""The ``scalpmap`` sub-commands by name: where each one lives and its one-line help.

``scalpmap --help`` lists the commands from this table without importing their modules; a
command's module is imported only when it runs or its own help is asked for
(:mod:`scalpmap.cli.lazy_group`). The summaries are the first paragraph of each command's help,
as the command defines it; ``tests/cli/test_lazy_group.py`` checks that they still match.
A new command is reachable once it has an entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["COMMANDS", "CommandEntry"]


@dataclass(frozen=True)
class CommandEntry:
    """One sub-command of ``scalpmap``.

    Attributes
    ----------
    name : str
        What the user types, e.g. ``"verify-backup"``.
    module : str
        The module that defines it, e.g. ``"scalpmap.cli.backup_cmd"``.
    attribute : str
        The command's function, or the ``typer.Typer`` of a group, in that module.
    help_from : {"module", "function", "app"}
        Where its help comes from: the module's docstring, the function's docstring, or the
        group's own ``typer.Typer(help=...)``.
    summary : str
        The first paragraph of that help, listed by ``scalpmap --help``.
    """

    name: str
    module: str
    attribute: str
    help_from: Literal["module", "function", "app"]
    summary: str


def _command(name: str, attribute: str, summary: str, module: str = "") -> CommandEntry:
    """Make a command whose help is its module's docstring (module ``<name>_cmd`` if not given)."""
    return CommandEntry(name, module or f"scalpmap.cli.{name}_cmd", attribute, "module", summary)


def _backup(name: str, attribute: str, summary: str) -> CommandEntry:
    """Make one of the backup module's commands, whose help is the function's docstring."""
    return CommandEntry(name, "scalpmap.cli.backup_cmd", attribute, "function", summary)


def _group(name: str, summary: str) -> CommandEntry:
    """Make a group of commands: ``app`` in module ``<name>_cmd``."""
    return CommandEntry(name, f"scalpmap.cli.{name}_cmd", "app", "app", summary)


COMMANDS: tuple[CommandEntry, ...] = (
    _command(
        "analyse",
        "analyse",
        "Analyse a scalp photo: impressions, density, pigmented region and hairline, in mm.",
    ),
    _command(
        "plan",
        "plan",
        "Plan the revision of an SMP: target hairline, zones, sessions, simulation and reports.",
    ),
    _command(
        "track",
        "track",
        "Track a follow-up photo against the baseline: clearance of the removal zone, next step.",
    ),
    _command(
        "synth", "synth", "Write a synthetic scalp photo and its ground truth (OUT.truth.json)."
    ),
    _command(
        "marker",
        "marker",
        "Print a calibration sticker (an ArUco marker of known size) as PDF or PNG.",
    ),
    _command(
        "refer",
        "refer",
        "Refer a case to a laser facility: write the referral letter (HTML and PDF), case to "
        "referred.",
    ),
    _command(
        "serve",
        "serve",
        "Run the clinic web app (patients, cases, photos, designer, plans) on http://HOST:PORT.",
    ),
    _backup(
        "backup",
        "backup",
        "Back up the database and the photo store into a new folder, while the app runs.",
    ),
    _backup(
        "restore",
        "restore",
        "Restore a backup into an empty place, then verify every file's sha256 and every row "
        "count.",
    ),
    _backup(
        "verify-backup",
        "verify_backup",
        "Check a backup without restoring it: every file's size and sha256 against its manifest.",
    ),
    _command(
        "worker",
        "worker",
        "Run the web app's queued jobs (SCALPMAP_JOBS=procrastinate) on this or any machine.",
    ),
    _command(
        "reanalyse",
        "reanalyse",
        "Analyse the cases' stored photos again (an analysis upgrade); old results stay as "
        "versions.",
    ),
    _group("db", "Manage the clinic database."),
    _group("users", "Manage the clinic's staff users."),
    _group("clinic", "Show or change the clinic's name, address, contact, logo and time zone."),
    _group(
        "facilities", "Manage the directory of partner laser facilities (docs/facilities-csv.md)."
    ),
    _group(
        "sessions",
        "Log laser and SMP sessions, correct or void them, measure follow-ups, write the "
        "progress report.",
    ),
    _group("store", "Look after the photo store."),
    _group("jobs", "Watch the job queue."),
)
