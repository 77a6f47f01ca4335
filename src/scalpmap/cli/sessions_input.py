"""What the session commands share: the options' names in messages, the same-day confirmation.

A rejected value is one line naming the option (``--fluence``), from the one mapping of
:mod:`scalpmap.field_messages`; a second session of a case on the same day is refused (exit 2)
until the command is run again with ``--confirm-duplicate``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from scalpmap.errors import InputError

__all__ = [
    "OPTION_LABELS",
    "ConfirmDuplicateOption",
    "ConfirmMoveOption",
    "same_day_hint",
    "validated",
]

ConfirmDuplicateOption = Annotated[
    bool,
    typer.Option(
        "--confirm-duplicate",
        help="Log it even though the case has a session of this kind on that day already.",
    ),
]
ConfirmMoveOption = Annotated[
    bool,
    typer.Option(
        "--confirm-duplicate",
        help="Move it to --date even though the case has a session of this kind that day.",
    ),
]


@contextmanager
def same_day_hint() -> Iterator[None]:
    """Add how to log a second session on the same day to the refusal (one line, exit 2)."""
    from scalpmap.services.treatment_sessions import DuplicateSessionError

    try:
        yield
    except DuplicateSessionError as error:
        raise InputError(
            f"{error}: if there really were two that day, run the command again with "
            "--confirm-duplicate",
            "session_date",
        ) from None


OPTION_LABELS = {
    "session_date": "--date",
    "facility_id": "--facility",
    "device": "--device",
    "wavelength_nm": "--wavelength",
    "pulse": "--pulse",
    "fluence_j_cm2": "--fluence",
    "spot_mm": "--spot",
    "passes": "--passes",
    "notes": "--notes",
    "adverse_effects": "--adverse-effects",
    "practitioner_name": "--practitioner",
    "needle": "--needle",
    "areas": "--area",
    "reason": "--reason",
}
"""The options of the session commands, by the field they set (for the error messages)."""


def validated(make: Callable[[], Any]) -> Any:
    """Build a service's input model; a rejected field is one line naming its option."""
    from pydantic import ValidationError

    from scalpmap.field_messages import first_problem

    try:
        return make()
    except ValidationError as error:
        problem = first_problem(error, labels=OPTION_LABELS)
        raise InputError(problem.message, problem.field or None) from None
