"""Patients: identity, contact, skin type, notes and consent."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scalpmap.store.models.base import Base, utcnow

if TYPE_CHECKING:
    from scalpmap.store.models.cases import Case

__all__ = ["Patient"]


class Patient(Base):
    """A patient of the clinic.

    Consent is recorded as when it was given and the text the patient agreed to.
    """

    __tablename__ = "patients"
    __table_args__ = (
        CheckConstraint(
            "fitzpatrick_type IS NULL OR (fitzpatrick_type >= 1 AND fitzpatrick_type <= 6)",
            name="fitzpatrick_type",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200), index=True)
    date_of_birth: Mapped[dt.date | None]
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    address: Mapped[str | None] = mapped_column(Text)
    fitzpatrick_type: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(Text)
    consent_given_at: Mapped[dt.datetime | None]
    consent_text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    cases: Mapped[list[Case]] = relationship(back_populates="patient", order_by="Case.id")

    def __repr__(self) -> str:
        return f"Patient(id={self.id!r})"  # no name: reprs end up in logs
