"""Cases: one revision job for one patient, moving through the workflow stages."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scalpmap.store.models.base import Base, str_enum, utcnow

if TYPE_CHECKING:
    from scalpmap.store.models.patients import Patient
    from scalpmap.store.models.photos import Photo
    from scalpmap.store.models.plans import PlanVersion

__all__ = ["Case", "CaseReason", "CaseStage"]


class CaseReason(enum.StrEnum):
    """Why the patient wants the SMP changed."""

    REPOSITION = "reposition"
    POOR_WORK = "poor_work"
    TOTAL_REMOVAL = "total_removal"
    FADED = "faded"


class CaseStage(enum.StrEnum):
    """Workflow stage of a case, in order."""

    ENQUIRY = "enquiry"
    ASSESSMENT = "assessment"
    PLANNED = "planned"
    REFERRED = "referred"
    LASER = "laser"
    TOUCH_UP = "touch_up"
    COMPLETE = "complete"

    @property
    def order(self) -> int:
        """Position in the workflow, from 0 (enquiry) to 6 (complete)."""
        return list(CaseStage).index(self)


class Case(Base):
    """A revision case: why, where in the workflow, and its photos and plans."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    reason: Mapped[CaseReason] = mapped_column(str_enum(CaseReason, "reason"))
    stage: Mapped[CaseStage] = mapped_column(
        str_enum(CaseStage, "stage"), default=CaseStage.ENQUIRY
    )
    title: Mapped[str | None] = mapped_column(String(200))
    practitioner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    patient: Mapped[Patient] = relationship(back_populates="cases")
    photos: Mapped[list[Photo]] = relationship(back_populates="case", order_by="Photo.id")
    plans: Mapped[list[PlanVersion]] = relationship(
        back_populates="case", order_by="PlanVersion.version"
    )

    def __repr__(self) -> str:
        return f"Case(id={self.id!r}, stage={self.stage!r})"
