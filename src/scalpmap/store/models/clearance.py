"""Clearance checks: a laser session's follow-up photo measured against the plan's baseline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scalpmap.store.models.base import Base, utcnow

__all__ = ["ClearanceCheck"]


class ClearanceCheck(Base):
    """One measurement of a laser session's follow-up photo (its clearance.json).

    A laser session has at most one check (``laser_session_id`` is unique): measuring again, for
    instance after attaching another follow-up photo, replaces it. ``measured`` is False when the
    follow-up could not be registered; ``percent`` and the recommendation are then empty and
    ``reason`` says why. ``document`` is the clearance.json (docs/clearance-json.md), without the
    per-impression list; ``overlay_sha256`` names the overlay picture in the photo store.
    """

    __tablename__ = "clearance_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    laser_session_id: Mapped[int] = mapped_column(ForeignKey("laser_sessions.id"), unique=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    baseline_photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id"))
    follow_up_photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id"))
    measured: Mapped[bool]
    reason: Mapped[str] = mapped_column(Text)
    residual_mm: Mapped[float | None]
    percent: Mapped[float | None]
    outside_lost_percent: Mapped[float | None]
    outside_flagged: Mapped[bool | None]
    recommendation: Mapped[str | None] = mapped_column(String(40))
    next_laser_on: Mapped[dt.date | None]
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    overlay_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def __repr__(self) -> str:
        return f"ClearanceCheck(id={self.id!r}, percent={self.percent!r})"
