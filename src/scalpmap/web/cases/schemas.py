"""Input and output schemas of the cases API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from scalpmap.store.models import Case, CaseReason, CaseStage

__all__ = ["CaseCreate", "CasePatch", "CasePublic", "case_public"]


class CaseCreate(BaseModel):
    """A new case for a patient."""

    model_config = ConfigDict(extra="forbid")

    patient_id: int = Field(ge=1, le=2_147_483_647)
    reason: CaseReason
    title: str | None = Field(default=None, max_length=200)
    stage: CaseStage = CaseStage.ENQUIRY


class CasePatch(BaseModel):
    """Changes to a case; only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    stage: CaseStage | None = None
    allow_backwards: bool = Field(
        default=False, description="Allow moving to an earlier stage (to correct a mistake)"
    )
    title: str | None = Field(default=None, max_length=200)
    practitioner_id: int | None = Field(default=None, ge=1, le=2_147_483_647)


class CasePublic(BaseModel):
    """A case as the API returns it."""

    id: int
    patient_id: int
    reason: CaseReason
    stage: CaseStage
    title: str | None
    practitioner_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    photo_ids: list[int]


def case_public(case: Case) -> CasePublic:
    """Build the API's view of a case.

    Parameters
    ----------
    case : Case
        The case.

    Returns
    -------
    CasePublic
        Its public fields.
    """
    return CasePublic(
        id=case.id,
        patient_id=case.patient_id,
        reason=case.reason,
        stage=case.stage,
        title=case.title,
        practitioner_id=case.practitioner_id,
        created_at=case.created_at,
        updated_at=case.updated_at,
        photo_ids=[photo.id for photo in case.photos],
    )
