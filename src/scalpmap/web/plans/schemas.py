"""Input and output schemas of the designer and plans API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scalpmap.dates import Day
from scalpmap.planning.templates import MAX_AGE, MIN_AGE

__all__ = [
    "DesignCreate",
    "DesignState",
    "GivenLandmarks",
    "GuidesState",
    "LandmarksState",
    "ScaleState",
    "PlanCreate",
    "PlanVersionPublic",
    "TemplateChoice",
    "ZoneState",
]

TemplateChoice = Literal["keep", "soften", "mature", "remove-all"]
"""The templates a design starts from."""

MAX_ID = 2_147_483_647
Polygons = list[list[list[list[float]]]]


Point = list[float]


class GivenLandmarks(BaseModel):
    """Landmarks the practitioner placed; each replaces the detected one and is saved as given."""

    model_config = ConfigDict(extra="forbid")

    glabella: Point | None = Field(
        default=None, min_length=2, max_length=2, description="[x, y] pixels"
    )
    left_canthus: Point | None = Field(
        default=None,
        min_length=2,
        max_length=2,
        description="[x, y] pixels: the lateral canthus on the photo's left (the patient's right)",
    )
    right_canthus: Point | None = Field(
        default=None,
        min_length=2,
        max_length=2,
        description="[x, y] pixels: the lateral canthus on the photo's right",
    )


class DesignCreate(BaseModel):
    """Start a design of one of the case's analysed photos from a template."""

    model_config = ConfigDict(extra="forbid")

    analysis_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="The analysis (give this or photo_id)"
    )
    photo_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="A photo; its newest finished analysis is used"
    )
    template: TemplateChoice = Field(default="soften", description="Where the target starts")
    age: int | None = Field(
        default=None, ge=MIN_AGE, le=MAX_AGE, description="The patient's age (for mature)"
    )
    landmarks: GivenLandmarks | None = Field(
        default=None,
        description="Landmarks the practitioner moved; the others are detected in the photo",
    )

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.analysis_id is None) == (self.photo_id is None):
            raise ValueError("give either analysis_id or photo_id")
        return self


class ZoneState(BaseModel):
    """One zone of a design: its size and its outline (photo pixels)."""

    area_cm2: float
    impressions: int
    impressions_to_add: int
    polygons: Polygons = Field(description="Lists of closed rings of [x, y], exterior first")


class ScaleState(BaseModel):
    """Where a design's scale came from; an iris scale is an estimate."""

    source: Literal["marker", "given", "iris"] = Field(
        description="The printed marker, a value given, or estimated from the visible iris"
    )
    uncertainty_percent: float | None = Field(
        description="One standard uncertainty of an iris estimate, in percent; null otherwise"
    )


class LandmarksState(BaseModel):
    """The landmarks a design uses (left and right as seen in the photo) and their sources."""

    glabella: Point
    left_canthus: Point
    right_canthus: Point
    sources: dict[str, Literal["detected", "given"]] = Field(
        description="Each landmark's source: detected (head model) or given (moved by the user)"
    )


class GuidesState(BaseModel):
    """The published rules' guide lines ([x, y] points clipped to the photo; empty when off it)."""

    up: Point = Field(description="Unit vector across the eye line, towards the top of the head")
    midfrontal_xy: Point = Field(description="The point 8 cm above the glabella")
    midline: list[Point] = Field(description="From the glabella up to the mid-frontal point")
    midfrontal: list[Point] = Field(
        description="Through the mid-frontal point, parallel to the eye line"
    )
    left_vertical: list[Point] = Field(description="Up from the left lateral canthus")
    right_vertical: list[Point] = Field(description="Up from the right lateral canthus")


class DesignState(BaseModel):
    """What the designer draws: the photo's size, the lines, the control points and zones."""

    analysis_id: int
    photo_id: int
    case_id: int
    template: str = Field(description="keep, soften, mature, remove-all or custom (edited)")
    mm_per_px: float
    scale: ScaleState = Field(description="Where the scale came from")
    photo: dict[str, int] = Field(description="width and height in pixels (the SVG viewBox)")
    current_hairline: list[list[float]]
    hairline: dict[str, Any] | None = Field(
        description="The editable model (scalpmap-hairline/1); null for remove-all"
    )
    target_lines: list[list[list[float]]]
    zones: dict[str, ZoneState] = Field(description="removal, touch_up and keep")
    desired_density_per_cm2: float | None
    notes: list[str]
    landmarks: LandmarksState | None = Field(
        default=None, description="The facial landmarks in use; null without a face"
    )
    guides: GuidesState | None = Field(
        default=None, description="The rules' guide lines; null without landmarks"
    )
    scalp_area: Polygons | None = Field(
        default=None,
        description="Whole heads: where the target line may run (the analysed head, grown 3 mm); "
        "the designer clips the line to it. Null on close-ups (the photo)",
    )
    figures: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="The zones' figures as the saved plan writes them (plan.json's figures: "
        "value, text, measured, why), e.g. removal_impressions 'not measured' on a whole head",
    )


class PlanCreate(BaseModel):
    """Save a design as the case's next plan version."""

    model_config = ConfigDict(extra="forbid")

    analysis_id: int = Field(ge=1, le=MAX_ID, description="The analysis the design was made on")
    template: TemplateChoice = Field(
        default="soften", description="The template the design started from"
    )
    age: int | None = Field(default=None, ge=MIN_AGE, le=MAX_AGE)
    hairline: dict[str, Any] | None = Field(
        default=None, description="The edited hairline; the template's target when omitted"
    )
    landmarks: GivenLandmarks | None = Field(
        default=None,
        description="Landmarks the practitioner moved (saved as given); the others are detected",
    )
    note: str | None = Field(default=None, max_length=500, description="What changed")
    skin_type: int | None = Field(
        default=None, ge=1, le=6, description="Fitzpatrick type; the patient's record by default"
    )
    start_date: Day | None = Field(default=None, description="First laser session")
    picosecond: bool = True
    scarring: Literal["none", "minimal", "moderate", "significant"] | None = None
    layering: Literal["none", "cover-up"] | None = None
    second_touch_up: bool = True


class PlanVersionPublic(BaseModel):
    """A plan version in a case's list."""

    id: int
    case_id: int
    version: int
    analysis_id: int | None
    template: str | None = Field(description="The target's template; custom when edited")
    target: str = Field(description="The target in words, e.g. 'Soften, edited'")
    removal_area_cm2: float | None
    laser_sessions_likely: int | None
    note: str | None
    created_at: dt.datetime
    created_by_id: int | None
    url: str
