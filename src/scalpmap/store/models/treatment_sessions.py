"""Treatment sessions of a case: laser removal sessions and SMP (touch-up) sessions.

The ranges of the laser settings are checked in the database too; they are documented in
docs/referrals.md (Q-switched or picosecond Nd:YAG on carbon SMP pigment).

A session logged by mistake is voided, never deleted: ``voided_at`` is set and the session no
longer counts (progress, calendar, due dates). A corrected session keeps what it said before:
``history`` lists each correction and the voiding, oldest first, as
``{"action": "correct" | "void", "at": ISO time, "by": user id or null, "reason": str or null,
"changes": {field: {"from": old, "to": new}}}`` (no ``changes`` for a voiding).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scalpmap.store.enums import PulseClass
from scalpmap.store.models.base import Base, str_enum, utcnow

if TYPE_CHECKING:
    from scalpmap.store.models.photos import Photo

__all__ = [
    "FLUENCE_RANGE_J_CM2",
    "PASSES_RANGE",
    "SPOT_RANGE_MM",
    "WAVELENGTH_RANGE_NM",
    "LaserSession",
    "PulseClass",
    "SmpSession",
]

FLUENCE_RANGE_J_CM2 = (0.1, 20.0)
"""Fluence accepted for a Q-switched (ns) or picosecond Nd:YAG session, J/cm², inclusive."""
SPOT_RANGE_MM = (1.0, 10.0)
"""Spot size accepted, mm, inclusive."""
PASSES_RANGE = (1, 5)
"""Passes over the area in one session, inclusive."""
WAVELENGTH_RANGE_NM = (400, 1200)
"""Wavelengths of tattoo-removal lasers (532, 694, 755, 785, 1064 nm), inclusive."""


class LaserSession(Base):
    """One laser removal session of a case, as the facility reports it.

    ``follow_up_photo_id`` is the photo taken to judge the session's result (one of the case's
    photos), when attached.
    """

    __tablename__ = "laser_sessions"
    __table_args__ = (
        CheckConstraint(
            f"fluence_j_cm2 >= {FLUENCE_RANGE_J_CM2[0]} AND fluence_j_cm2 <= "
            f"{FLUENCE_RANGE_J_CM2[1]}",
            name="fluence",
        ),
        CheckConstraint(
            f"spot_mm >= {SPOT_RANGE_MM[0]} AND spot_mm <= {SPOT_RANGE_MM[1]}", name="spot"
        ),
        CheckConstraint(
            f"passes >= {PASSES_RANGE[0]} AND passes <= {PASSES_RANGE[1]}", name="passes"
        ),
        CheckConstraint(
            f"wavelength_nm >= {WAVELENGTH_RANGE_NM[0]} AND wavelength_nm <= "
            f"{WAVELENGTH_RANGE_NM[1]}",
            name="wavelength",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"))
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    session_date: Mapped[dt.date]
    device: Mapped[str] = mapped_column(String(100))
    wavelength_nm: Mapped[int]
    pulse: Mapped[PulseClass] = mapped_column(str_enum(PulseClass, "pulse"))
    fluence_j_cm2: Mapped[float]
    spot_mm: Mapped[float]
    passes: Mapped[int]
    notes: Mapped[str | None] = mapped_column(Text)
    adverse_effects: Mapped[str | None] = mapped_column(Text)
    follow_up_photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    voided_at: Mapped[dt.datetime | None] = mapped_column()
    history: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    follow_up_photo: Mapped[Photo | None] = relationship()

    def __repr__(self) -> str:
        return f"LaserSession(id={self.id!r}, session_date={self.session_date!r})"


class SmpSession(Base):
    """One SMP session of a case (usually the touch-up after the laser has healed).

    ``areas`` lists the areas worked, e.g. ``["frontal", "temporal_left"]``.
    """

    __tablename__ = "smp_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    session_date: Mapped[dt.date]
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    practitioner_name: Mapped[str] = mapped_column(String(200))
    needle: Mapped[str] = mapped_column(String(100))
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    follow_up_photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    voided_at: Mapped[dt.datetime | None] = mapped_column()
    history: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    follow_up_photo: Mapped[Photo | None] = relationship()

    def __repr__(self) -> str:
        return f"SmpSession(id={self.id!r}, session_date={self.session_date!r})"
