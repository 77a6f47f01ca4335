"""The clinic's own settings: its name, address, contact, logo, time zone and report language."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scalpmap.store.models.base import Base, utcnow

__all__ = ["CLINIC_SETTINGS_ID", "ClinicSettings"]

CLINIC_SETTINGS_ID = 1
"""The one row's id: a database serves one clinic."""


class ClinicSettings(Base):
    """The clinic's settings, one row (id 1), made when an admin first sets something.

    ``country`` is the ISO 3166 alpha-2 code; ``time_zone`` an IANA name (dates and times are
    shown in it; stored times stay UTC); ``report_language`` a language tag. ``logo`` is a
    checked PNG or a cleaned SVG (:mod:`scalpmap.clinic_logo`), ``logo_media_type`` its MIME
    type; both empty without a logo.
    """

    __tablename__ = "clinic_settings"
    __table_args__ = (
        CheckConstraint(f"id = {CLINIC_SETTINGS_ID}", name="one_row"),
        CheckConstraint(
            "(logo IS NULL AND logo_media_type IS NULL) OR "
            "(logo IS NOT NULL AND logo_media_type IS NOT NULL)",
            name="logo_type",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(300))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    logo_media_type: Mapped[str | None] = mapped_column(String(32))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    report_language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"ClinicSettings(name={self.name!r})"
