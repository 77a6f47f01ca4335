"""Photos (files kept by their sha256 in the photo store) and their analyses."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scalpmap.store.models.base import Base, str_enum, utcnow

if TYPE_CHECKING:
    from scalpmap.store.models.cases import Case

__all__ = ["AnalysisStatus", "Photo", "PhotoAnalysis", "PhotoView", "ScaleSource"]


class PhotoView(enum.StrEnum):
    """Which side of the head a photo shows."""

    FRONT = "front"
    LEFT = "left"
    RIGHT = "right"
    TOP = "top"
    BACK = "back"


class ScaleSource(enum.StrEnum):
    """Where a photo's millimetres per pixel came from."""

    MARKER = "marker"
    GIVEN = "given"


class AnalysisStatus(enum.StrEnum):
    """Progress of an analysis."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Photo(Base):
    """A photo of a case (or of an enquiry not yet converted to a case).

    The bytes live in the photo store under ``sha256`` and are never modified; the same photo
    attached twice to one case is one row.
    """

    __tablename__ = "photos"
    __table_args__ = (
        UniqueConstraint("case_id", "sha256"),
        UniqueConstraint("enquiry_id", "sha256"),
        CheckConstraint("case_id IS NOT NULL OR enquiry_id IS NOT NULL", name="owner"),
        CheckConstraint("mm_per_px IS NULL OR mm_per_px > 0", name="mm_per_px"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    enquiry_id: Mapped[int | None] = mapped_column(ForeignKey("enquiries.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    original_filename: Mapped[str | None] = mapped_column(String(255))
    source_format: Mapped[str] = mapped_column(String(16))
    byte_size: Mapped[int]
    width_px: Mapped[int]
    height_px: Mapped[int]
    view: Mapped[PhotoView | None] = mapped_column(str_enum(PhotoView, "view"))
    taken_at: Mapped[dt.datetime | None]
    mm_per_px: Mapped[float | None]
    scale_source: Mapped[ScaleSource | None] = mapped_column(str_enum(ScaleSource, "scale_source"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case | None] = relationship(back_populates="photos")
    analyses: Mapped[list[PhotoAnalysis]] = relationship(
        back_populates="photo", order_by="PhotoAnalysis.id"
    )


class PhotoAnalysis(Base):
    """One run of the analysis engine on a photo: its analysis.json and overlay picture."""

    __tablename__ = "analyses"

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id"), index=True)
    status: Mapped[AnalysisStatus] = mapped_column(
        str_enum(AnalysisStatus, "status"), default=AnalysisStatus.PENDING
    )
    mm_per_px: Mapped[float | None]
    document: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    overlay_sha256: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    engine_version: Mapped[str | None] = mapped_column(String(32))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]

    photo: Mapped[Photo] = relationship(back_populates="analyses")
