"""Enquiries sent by prospective patients, with their photos."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scalpmap.store.models.base import Base, str_enum, utcnow
from scalpmap.store.models.cases import CaseReason

if TYPE_CHECKING:
    from scalpmap.store.models.photos import Photo

__all__ = ["Enquiry", "EnquiryStatus"]


class EnquiryStatus(enum.StrEnum):
    """What became of an enquiry."""

    NEW = "new"
    CONVERTED = "converted"
    CLOSED = "closed"


class Enquiry(Base):
    """An enquiry: who, how to reach them, why, their message and consent, and photos."""

    __tablename__ = "enquiries"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    reason: Mapped[CaseReason | None] = mapped_column(str_enum(CaseReason, "reason"))
    message: Mapped[str | None] = mapped_column(Text)
    consent_given_at: Mapped[dt.datetime | None]
    consent_text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[EnquiryStatus] = mapped_column(
        str_enum(EnquiryStatus, "status"), default=EnquiryStatus.NEW, index=True
    )
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[dt.datetime | None]

    photos: Mapped[list[Photo]] = relationship(order_by="Photo.id")
