"""Output schemas of the photos API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from scalpmap.scale_limits import GIVEN_MAX_MM_PER_PX, GIVEN_MIN_MM_PER_PX
from scalpmap.store.models import AnalysisStatus, PhotoView, ScaleSource

__all__ = ["AnalysisRequest", "AnalysisStatusPublic", "PhotoCreated", "PhotoPublic"]


class PhotoCreated(BaseModel):
    """A photo attached to a case, with the analysis queued for it."""

    id: int
    analysis_id: int | None = Field(description="The newest analysis of the photo")
    status: AnalysisStatus | None


class PhotoPublic(BaseModel):
    """A photo's record."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int | None
    sha256: str
    original_filename: str | None
    source_format: str
    byte_size: int
    width_px: int
    height_px: int
    view: PhotoView | None
    mm_per_px: float | None
    scale_source: ScaleSource | None
    uploaded_at: dt.datetime


class AnalysisStatusPublic(BaseModel):
    """Progress of a photo's newest analysis; ``analysis`` is the analysis.json document."""

    photo_id: int
    analysis_id: int
    status: AnalysisStatus = Field(description="pending, running, done or failed")
    analysis: dict[str, Any] | None = Field(
        description="The analysis.json document (docs/analysis-json.md) once done"
    )
    error: str | None = Field(description="Why it failed, in one line")
    overlay_url: str | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class AnalysisRequest(BaseModel):
    """Run the analysis again, optionally with another scale."""

    model_config = ConfigDict(extra="forbid")

    mm_per_px: float | None = Field(default=None, ge=GIVEN_MIN_MM_PER_PX, le=GIVEN_MAX_MM_PER_PX)
