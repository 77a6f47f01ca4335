"""JSON API of the facility directory: CRUD, CSV import and export, matching for a case."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel
from starlette.responses import JSONResponse, Response

from scalpmap.facilities.csv_io import FacilityCsvError
from scalpmap.facilities.fields import format_fitzpatrick
from scalpmap.facilities.matching import FacilityProfile
from scalpmap.services import facilities, facility_csv, facility_match
from scalpmap.store.models import Facility
from scalpmap.web.deps import CurrentCase, CurrentUser, Id, SessionDep, StateDep
from scalpmap.web.facilities.forms import CanEditFacilities, lasers_text
from scalpmap.web.facilities.routes import csv_download, import_upload

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["facilities"])


class LaserOut(BaseModel):
    """One laser: device, wavelengths in nm, pulse ``ns`` or ``ps``."""

    device: str
    wavelengths_nm: list[int]
    pulse: str


class FacilityPublic(BaseModel):
    """A facility as the API shows it."""

    id: int
    name: str
    address: str | None
    city: str
    country: str
    lat: float
    lon: float
    geocoded: bool
    phone: str | None
    email: str | None
    lasers: list[LaserOut]
    lasers_text: str
    treats_smp: bool
    fitzpatrick_min: int | None
    fitzpatrick_max: int | None
    fitzpatrick_types: str
    notes: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


def facility_public(facility: Facility) -> FacilityPublic:
    """Return a stored facility as the API shows it."""
    return FacilityPublic(
        id=facility.id,
        name=facility.name,
        address=facility.address,
        city=facility.city,
        country=facility.country,
        lat=facility.lat,
        lon=facility.lon,
        geocoded=facility.geocoded,
        phone=facility.phone,
        email=facility.email,
        lasers=[LaserOut.model_validate(item) for item in facility.lasers],
        lasers_text=lasers_text(facility),
        treats_smp=facility.treats_smp,
        fitzpatrick_min=facility.fitzpatrick_min,
        fitzpatrick_max=facility.fitzpatrick_max,
        fitzpatrick_types=format_fitzpatrick(facility.fitzpatrick_min, facility.fitzpatrick_max),
        notes=facility.notes,
        created_at=facility.created_at,
        updated_at=facility.updated_at,
    )


class ImportResult(BaseModel):
    """What an import did."""

    created: int
    updated: int
    geocoded: int


class FacilityRef(BaseModel):
    """The facility of a ranking entry."""

    id: int | None
    name: str
    city: str
    country: str
    geocoded: bool


class RankedOut(BaseModel):
    """A facility that can treat the patient: its place, distance, score and why."""

    rank: int
    facility: FacilityRef
    distance_km: float | None
    score: float
    picosecond: bool
    reasons: list[str]


class ExcludedOut(BaseModel):
    """A facility that cannot treat the patient, with every reason."""

    facility: FacilityRef
    distance_km: float | None
    reasons: list[str]


class MatchOut(BaseModel):
    """The ranking for a case, best first, the exclusions and notes."""

    case_id: int
    notes: list[str]
    ranked: list[RankedOut]
    excluded: list[ExcludedOut]


def _ref(profile: FacilityProfile) -> FacilityRef:
    return FacilityRef(
        id=profile.id,
        name=profile.name,
        city=profile.city,
        country=profile.country,
        geocoded=profile.geocoded,
    )


def _km(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


_404: dict[int | str, dict[str, Any]] = {404: {"description": "No such facility"}}
_WRITE: dict[int | str, dict[str, Any]] = {403: {"description": "Reception cannot edit"}}


@router.get("/facilities", summary="List facilities")
def list_facilities(
    session: SessionDep,
    user: CurrentUser,
    country: Annotated[str | None, Query(max_length=100, description="Name or ISO code")] = None,
) -> list[FacilityPublic]:
    """List the directory by country, city and name; 422 for an unknown country."""
    return [facility_public(f) for f in facilities.list_facilities(session, country=country)]


@router.post(
    "/facilities",
    status_code=201,
    responses={**_WRITE, 422: {"description": "A field is invalid"}},
    summary="Add a facility",
)
def create_facility(
    body: facilities.FacilityCreate, session: SessionDep, user: CanEditFacilities
) -> FacilityPublic:
    """Add a facility; without ``lat``/``lon`` its city is located offline."""
    return facility_public(facilities.create_facility(session, body, user))


@router.get("/facilities/export.csv", summary="Export the directory as CSV")
def export_facilities(session: SessionDep, user: CurrentUser) -> Response:
    """Download the whole directory as CSV (``docs/facilities-csv.md``), re-importable as is."""
    return csv_download(facility_csv.export_csv(session))


@router.post(
    "/facilities/import",
    response_model=ImportResult,
    responses={**_WRITE, 422: {"description": "Bad rows; nothing imported"}},
    summary="Import a facility CSV",
)
def import_facilities(
    session: SessionDep,
    state: StateDep,
    user: CanEditFacilities,
    file: Annotated[UploadFile, File(description="The facility CSV")],
) -> ImportResult | JSONResponse:
    """Import every row, or none: 422 ``{"detail", "problems": ["line N: ..."]}``.

    At most 10 MB, 100 columns and 100,000 rows; the file is checked in a child process.
    """
    try:
        counts = import_upload(session, state.settings, file, user)
    except FacilityCsvError as error:
        session.rollback()
        body = {"detail": str(error), "problems": list(error.problems)}
        return JSONResponse(body, status_code=422)
    return ImportResult(created=counts.created, updated=counts.updated, geocoded=counts.geocoded)


@router.get("/facilities/{facility_id}", responses=_404, summary="Read a facility")
def get_facility(facility_id: Id, session: SessionDep, user: CurrentUser) -> FacilityPublic:
    """Read one facility."""
    return facility_public(facilities.get_facility(session, facility_id))


@router.patch(
    "/facilities/{facility_id}", responses={**_404, **_WRITE}, summary="Change a facility"
)
def update_facility(
    facility_id: Id, body: facilities.FacilityUpdate, session: SessionDep, user: CanEditFacilities
) -> FacilityPublic:
    """Change the fields sent; ``lat``/``lon`` null locates the facility from its city."""
    return facility_public(facilities.update_facility(session, facility_id, body, user))


@router.delete(
    "/facilities/{facility_id}",
    status_code=204,
    responses={**_404, **_WRITE},
    summary="Delete a facility",
)
def delete_facility(facility_id: Id, session: SessionDep, user: CanEditFacilities) -> Response:
    """Remove a facility from the directory."""
    facilities.delete_facility(session, facility_id, user)
    return Response(status_code=204)


@router.get(
    "/cases/{case_id}/facilities",
    responses={404: {"description": "No such case"}},
    summary="Rank the facilities for a case",
)
def match_case(session: SessionDep, user: CurrentUser, case: CurrentCase) -> MatchOut:
    """Rank the directory for the case's patient, with the reasons in words (audited)."""
    result = facility_match.match_for_case(session, case.id, user)
    return MatchOut(
        case_id=case.id,
        notes=list(result.notes),
        ranked=[
            RankedOut(
                rank=entry.rank,
                facility=_ref(entry.facility),
                distance_km=_km(entry.distance_km),
                score=entry.score,
                picosecond=entry.picosecond,
                reasons=list(entry.reasons),
            )
            for entry in result.ranked
        ],
        excluded=[
            ExcludedOut(
                facility=_ref(entry.facility),
                distance_km=_km(entry.distance_km),
                reasons=list(entry.reasons),
            )
            for entry in result.excluded
        ],
    )
