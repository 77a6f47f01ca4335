"""Plans: every saved edit of a case's plan is a new version; old versions are kept."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scalpmap.store.models.base import Base, utcnow

if TYPE_CHECKING:
    from scalpmap.store.models.cases import Case

__all__ = ["PlanVersion"]


class PlanVersion(Base):
    """One saved version of a case's plan: its plan.json (target hairline, zones, estimate).

    ``(case_id, version)`` is unique; versions count from 1.
    """

    __tablename__ = "plans"
    __table_args__ = (
        UniqueConstraint("case_id", "version"),
        CheckConstraint("version >= 1", name="version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    version: Mapped[int]
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    analysis_id: Mapped[int | None] = mapped_column(ForeignKey("analyses.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="plans")
