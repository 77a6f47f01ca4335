"""The enumerations stored in the database, in a module without SQLAlchemy.

The CLI's options use them, so ``scalpmap users --help`` shows the choices without loading the
database layer; the models import them from here.
"""

from __future__ import annotations

import enum

__all__ = ["PulseClass", "Role"]


class Role(enum.StrEnum):
    """What a staff user may do."""

    ADMIN = "admin"
    PRACTITIONER = "practitioner"
    RECEPTION = "reception"


class PulseClass(enum.StrEnum):
    """Pulse duration class of the laser: nanosecond (Q-switched) or picosecond."""

    NS = "ns"
    PS = "ps"
