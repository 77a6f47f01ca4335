"""Referrals: a case's patient sent to a partner laser facility with a plan version's letter."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scalpmap.store.models.base import Base, str_enum, utcnow

if TYPE_CHECKING:
    from scalpmap.store.models.cases import Case
    from scalpmap.store.models.facilities import Facility

__all__ = ["Referral", "ReferralStatus"]


class ReferralStatus(enum.StrEnum):
    """Progress of a referral, in order."""

    DRAFTED = "drafted"
    SENT = "sent"
    ACCEPTED = "accepted"
    DONE = "done"

    @property
    def order(self) -> int:
        """Position in the referral's life, from 0 (drafted) to 3 (done)."""
        return list(ReferralStatus).index(self)


class Referral(Base):
    """A referral of a case to a laser facility, made from one plan version.

    ``referred_on`` is the letter's date; no laser session of the case may be logged before it.
    ``patient_details`` records whether the letter may show the patient's identity (only with
    the patient's consent recorded, checked when the referral is made). ``sent_at``,
    ``accepted_at`` and ``done_at`` are set as the status moves forward.
    """

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    status: Mapped[ReferralStatus] = mapped_column(
        str_enum(ReferralStatus, "status"), default=ReferralStatus.DRAFTED
    )
    referred_on: Mapped[dt.date]
    patient_details: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None]
    accepted_at: Mapped[dt.datetime | None]
    done_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship()
    facility: Mapped[Facility] = relationship()

    def __repr__(self) -> str:
        return f"Referral(id={self.id!r}, status={self.status!r})"
