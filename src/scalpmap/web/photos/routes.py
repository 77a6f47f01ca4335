"""Photo pages: upload without JavaScript, the photo with its analysis, image files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scalpmap.errors import InputError, ScalpmapError
from scalpmap.planning.plan_figures import analysis_figures
from scalpmap.services import cases
from scalpmap.web.cases.routes import case_page
from scalpmap.web.deps import CurrentCase, CurrentPhoto, CurrentUser, SessionDep, StateDep
from scalpmap.web.errors import status_for
from scalpmap.web.photos.files import original_response, overlay_response, preview_response
from scalpmap.web.photos.orchestration import (
    done_analysis,
    latest_analysis,
    parse_mm_per_px,
    parse_view,
    start_analysis,
    upload_photo,
)
from scalpmap.web.rendering import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

MAX_FILES = 5


@router.post("/cases/{case_id}/photos")
def upload_photos(
    request: Request,
    session: SessionDep,
    state: StateDep,
    user: CurrentUser,
    case: CurrentCase,
    files: Annotated[list[UploadFile | str] | None, File()] = None,
    view: Annotated[str, Form(max_length=20)] = "",
    mm_per_px: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Upload photos from the plain form (the drop area uses the API, one photo at a time)."""
    chosen = [f for f in files or [] if isinstance(f, StarletteUpload) and (f.filename or f.size)]
    try:
        if not chosen:
            raise InputError("choose at least one photo")
        if len(chosen) > MAX_FILES:
            raise InputError(f"upload at most {MAX_FILES} photos at once")
        parsed_view = parse_view(view)
        scale = parse_mm_per_px(mm_per_px)
        for upload in chosen:
            upload_photo(session, state, user, case, upload, view=parsed_view, mm_per_px=scale)
    except HTTPException as error:
        session.rollback()
        return case_page(request, session, case, error=error.detail, status_code=error.status_code)
    except ScalpmapError as error:
        session.rollback()
        return case_page(request, session, case, error=str(error), status_code=status_for(error))
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


@router.get("/photos/{photo_id}")
def photo_page(
    request: Request, session: SessionDep, user: CurrentUser, photo: CurrentPhoto
) -> Response:
    """Show a photo with its analysis: progress while it runs, then overlay and figures."""
    case = cases.get_case(session, photo.case_id, user) if photo.case_id else None
    latest = latest_analysis(photo)
    done = done_analysis(photo)
    summary = (done.document or {}).get("summary", {}) if done else {}
    context = {
        "title": f"Photo #{photo.id}",
        "section": "cases",
        "photo": photo,
        "case": case,
        "latest": latest,
        "done": done,
        "summary": summary,
        "figures": analysis_figures({"mode": (done.document or {}).get("mode"), **summary})
        if done
        else {},
        "document": done.document if done else None,
    }
    return render(request, "photos/detail.html", context)


@router.post("/photos/{photo_id}/analyse")
def analyse_again(
    request: Request,
    session: SessionDep,
    state: StateDep,
    user: CurrentUser,
    photo: CurrentPhoto,
    mm_per_px: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Queue a new analysis, optionally with a scale."""
    try:
        start_analysis(session, state, photo, user, mm_per_px=parse_mm_per_px(mm_per_px))
    except ScalpmapError as error:
        context = {
            "title": "Invalid input",
            "message": str(error),
            "back": f"/photos/{photo.id}",
        }
        return render(request, "error.html", context, status_code=status_for(error))
    return RedirectResponse(f"/photos/{photo.id}", status_code=303)


@router.get("/photos/{photo_id}/original")
def original(state: StateDep, photo: CurrentPhoto) -> Response:
    """Send the photo as uploaded."""
    return original_response(state.store, photo)


@router.get("/photos/{photo_id}/thumb.jpg")
def thumbnail(state: StateDep, photo: CurrentPhoto) -> Response:
    """Send a small JPEG of the photo."""
    return preview_response(state.store, photo, 360)


@router.get("/photos/{photo_id}/preview.jpg")
def preview(state: StateDep, photo: CurrentPhoto) -> Response:
    """Send a screen-sized JPEG of the photo."""
    return preview_response(state.store, photo, 1600)


@router.get("/photos/{photo_id}/overlay.png")
def overlay(state: StateDep, photo: CurrentPhoto) -> Response:
    """Send the overlay of the newest finished analysis."""
    return overlay_response(state.store, photo)
