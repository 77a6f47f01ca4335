"""The audit log: who viewed or changed which patient record, and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from scalpmap.store.models.base import Base, utcnow

__all__ = ["AuditEvent"]


class AuditEvent(Base):
    """One audited action. Rows are only ever added.

    ``patient_id`` is a plain column, not a foreign key, so that the record of an access outlives
    the patient record itself. ``details`` holds field names and ids, never health data.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None]
    patient_id: Mapped[int | None] = mapped_column(index=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
