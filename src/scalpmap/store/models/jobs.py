"""Background jobs besides analyses: plan saves, follow-up measures, reports, with their state.

A :class:`Job` row is what the user sees while the work runs elsewhere (a thread of the web
app, or a ``scalpmap worker``): ``pending`` → ``running`` → ``done`` or ``failed`` (with the
one-line reason). Its ``key`` names what it computes (``plan_save:case:3:<sha256>``,
``follow_up:laser:5:photo:9:plan:2``, ``report:letter:7:<sha256>:v1-w70.0``) and is unique, so
asking twice for the same work gives one job and one result.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from scalpmap.store.models.base import Base, str_enum, utcnow

__all__ = ["Job", "JobKind", "JobStatus"]


class JobKind(enum.StrEnum):
    """What a job computes."""

    PLAN_SAVE = "plan_save"
    FOLLOW_UP = "follow_up"
    REPORT = "report"


class JobStatus(enum.StrEnum):
    """Progress of a job (the same words as an analysis')."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    """One piece of heavy work asked for by a user, and its progress."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[JobKind] = mapped_column(str_enum(JobKind, "kind"))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[JobStatus] = mapped_column(
        str_enum(JobStatus, "status"), default=JobStatus.PENDING, index=True
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error_message: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
