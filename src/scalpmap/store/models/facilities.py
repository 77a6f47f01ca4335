"""Partner laser facilities that the clinic refers patients to for SMP removal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scalpmap.store.models.base import Base, utcnow

__all__ = ["Facility"]


class Facility(Base):
    """A laser facility: where it is, how to reach it, its lasers and the skin types it treats.

    ``lasers`` is a JSON list of ``{"device": str, "wavelengths_nm": [int, ...],
    "pulse": "ns" | "ps"}`` (see :mod:`scalpmap.facilities.csv_io`). ``country`` is the ISO 3166
    alpha-2 code. ``lat`` and ``lon`` are degrees (WGS 84); ``geocoded`` says they are the centre
    of the facility's city, found offline, rather than given. ``fitzpatrick_min`` and
    ``fitzpatrick_max`` bound the skin types treated (1-6); both ``None`` when not stated.
    """

    __tablename__ = "facilities"
    __table_args__ = (
        CheckConstraint("lat >= -90 AND lat <= 90", name="lat"),
        CheckConstraint("lon >= -180 AND lon <= 180", name="lon"),
        CheckConstraint(
            "(fitzpatrick_min IS NULL AND fitzpatrick_max IS NULL) OR "
            "(fitzpatrick_min >= 1 AND fitzpatrick_min <= fitzpatrick_max "
            "AND fitzpatrick_max <= 6)",
            name="fitzpatrick",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    address: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), index=True)
    lat: Mapped[float]
    lon: Mapped[float]
    geocoded: Mapped[bool] = mapped_column(default=False)
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(254))
    lasers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    treats_smp: Mapped[bool] = mapped_column(default=False)
    fitzpatrick_min: Mapped[int | None]
    fitzpatrick_max: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"Facility(id={self.id!r}, name={self.name!r})"
