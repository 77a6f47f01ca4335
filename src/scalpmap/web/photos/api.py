"""JSON API of photos: upload to a case, read, analysis status, re-analyse, overlay."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile
from starlette.responses import Response

from scalpmap.web.deps import CurrentCase, CurrentPhoto, CurrentUser, SessionDep, StateDep
from scalpmap.web.photos.files import overlay_response
from scalpmap.web.photos.orchestration import (
    analysis_status,
    latest_analysis,
    parse_mm_per_px,
    parse_view,
    start_analysis,
    upload_photo,
)
from scalpmap.web.photos.schemas import (
    AnalysisRequest,
    AnalysisStatusPublic,
    PhotoCreated,
    PhotoPublic,
)

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["photos"])

_UPLOAD_ERRORS: dict[int | str, dict[str, str]] = {
    404: {"description": "No such case"},
    413: {"description": "The file is over the byte or pixel limit"},
    415: {"description": "Not a JPEG, PNG, TIFF, WebP or HEIC image (sniffed from content)"},
    422: {"description": "Bad view or mm_per_px, or a damaged image"},
}


@router.post(
    "/cases/{case_id}/photos",
    status_code=201,
    responses=_UPLOAD_ERRORS,
    summary="Upload a photo to a case",
)
def upload(
    session: SessionDep,
    state: StateDep,
    user: CurrentUser,
    case: CurrentCase,
    file: Annotated[UploadFile, File(description="The photo")],
    view: Annotated[str, Form(description="front, left, right, top or back")],
    mm_per_px: Annotated[str | None, Form(description="Scale, when there is no marker")] = None,
) -> PhotoCreated:
    """Attach a photo to a case and queue its analysis (poll ``GET /api/photos/{id}/analysis``).

    The same file uploaded to the same case again returns the existing photo.
    """
    photo = upload_photo(
        session,
        state,
        user,
        case,
        file,
        view=parse_view(view),
        mm_per_px=parse_mm_per_px(mm_per_px),
    )
    session.refresh(photo)
    row = latest_analysis(photo)
    status = None if row is None else row.status
    return PhotoCreated(id=photo.id, analysis_id=row.id if row else None, status=status)


@router.get(
    "/photos/{photo_id}",
    responses={404: {"description": "No such photo"}},
    summary="Read a photo's record",
)
def get_photo(photo: CurrentPhoto) -> PhotoPublic:
    """Read a photo's record (the view is audited)."""
    return PhotoPublic.model_validate(photo)


@router.get(
    "/photos/{photo_id}/analysis",
    responses={404: {"description": "No such photo or no analysis"}},
    summary="Analysis status and analysis.json",
)
def get_analysis(
    photo: CurrentPhoto,
    document: Annotated[bool, Query(description="Include the analysis.json document")] = True,
) -> AnalysisStatusPublic:
    """Return the status of the photo's newest analysis and, once done, its analysis.json."""
    return AnalysisStatusPublic.model_validate(analysis_status(photo, with_document=document))


@router.post(
    "/photos/{photo_id}/analysis",
    status_code=202,
    responses={404: {"description": "No such photo"}},
    summary="Analyse the photo again",
)
def reanalyse(
    session: SessionDep,
    state: StateDep,
    user: CurrentUser,
    photo: CurrentPhoto,
    body: AnalysisRequest | None = None,
) -> AnalysisStatusPublic:
    """Queue a new analysis of the photo (e.g. with a scale after a failed one)."""
    start_analysis(session, state, photo, user, mm_per_px=body.mm_per_px if body else None)
    session.refresh(photo)
    return AnalysisStatusPublic.model_validate(analysis_status(photo, with_document=False))


@router.get(
    "/photos/{photo_id}/overlay.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, 404: {"description": "Not analysed yet"}},
    summary="Overlay picture (PNG)",
)
def overlay(state: StateDep, photo: CurrentPhoto) -> Response:
    """Return the overlay picture of the photo's newest finished analysis (PNG)."""
    return overlay_response(state.store, photo)
