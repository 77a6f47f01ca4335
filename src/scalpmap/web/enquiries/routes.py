"""The public enquiry form and the staff inbox (view, convert to patient and case, close, delete).

The form needs no sign-in, so it is bounded: rate-limited per client IP, each photo at most
``SCALPMAP_ENQUIRY_MAX_PIXELS`` (checked from the header, before decoding) and all enquiries
together at most ``SCALPMAP_ENQUIRY_PHOTO_BYTES_PER_DAY`` of photos in any 24 hours.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from pydantic import ValidationError
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scalpmap.config import Settings
from scalpmap.errors import ScalpmapError
from scalpmap.services import enquiries
from scalpmap.store.models import CaseReason, EnquiryStatus
from scalpmap.web.deps import CsrfChecked, CurrentUser, Id, SessionDep, StateDep
from scalpmap.web.enquiries.orchestration import (
    CONSENT_TEXT,
    MAX_PUBLIC_PHOTOS,
    enquiry_photo,
    get_enquiry,
)
from scalpmap.web.errors import one_line, status_for
from scalpmap.web.photos.files import preview_response
from scalpmap.web.rendering import render
from scalpmap.web.security import RateLimited, client_ip
from scalpmap.web.uploads import check_image, read_upload

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

_FIELDS = ("name", "email", "phone", "reason", "message")
_LABELS = {"name": "Your name", "reason": "What would you like?", "consent": "Consent"}
"""The public form's labels where they differ from the staff forms'."""
_HINTS = {"name": "type your name", "email": "type your address, e.g. sam@example.com"}


def _form_page(
    request: Request, form: dict[str, str], *, error: str | None = None, status_code: int = 200
) -> Response:
    context: dict[str, Any] = {
        "title": "Enquiry",
        "form": form,
        "error": error,
        "reasons": list(CaseReason),
        "consent_text": CONSENT_TEXT,
        "max_photos": MAX_PUBLIC_PHOTOS,
        "max_megapixels": _max_pixels(request.app.state.scalpmap.settings) // 1_000_000,
    }
    return render(request, "enquiries/form.html", context, status_code=status_code)


def _max_pixels(settings: Settings) -> int:
    return min(settings.enquiry_max_pixels, settings.max_upload_pixels)


@router.get("/enquire")
def enquiry_form(request: Request) -> Response:
    """Show the public enquiry form (no sign-in)."""
    return _form_page(request, dict.fromkeys(_FIELDS, ""))


@router.post("/enquire", dependencies=[CsrfChecked])
def submit_enquiry(
    request: Request,
    session: SessionDep,
    state: StateDep,
    name: Annotated[str, Form(max_length=400)] = "",
    email: Annotated[str, Form(max_length=400)] = "",
    phone: Annotated[str, Form(max_length=100)] = "",
    reason: Annotated[str, Form(max_length=50)] = "",
    message: Annotated[str, Form(max_length=10000)] = "",
    consent: Annotated[str, Form(max_length=10)] = "",
    photos: Annotated[list[UploadFile | str] | None, File()] = None,
) -> Response:
    """Save an enquiry with its photos, rate-limited per client IP."""
    ip = client_ip(request)
    wait = state.limits.enquiry_ip.hit("ip:" + ip)
    if wait is not None:
        raise RateLimited("too many enquiries from this address; please try again later", wait)
    form = {"name": name, "email": email, "phone": phone, "reason": reason, "message": message}
    chosen = [f for f in photos or [] if isinstance(f, StarletteUpload) and (f.filename or f.size)]
    try:
        if len(chosen) > MAX_PUBLIC_PHOTOS:
            raise HTTPException(422, f"send at most {MAX_PUBLIC_PHOTOS} photos")
        data = enquiries.EnquiryCreate.model_validate(
            {
                "name": name,
                "email": email.strip() or None,
                "phone": phone.strip() or None,
                "reason": reason or None,
                "message": message.strip() or None,
                "consent": consent == "on",
                "consent_text": CONSENT_TEXT,
            }
        )
        settings = state.settings
        max_pixels = _max_pixels(settings)
        contents = []
        for upload in chosen:
            content = read_upload(upload, settings.max_upload_bytes)
            check_image(content, max_pixels=max_pixels)
            contents.append(content)
        enquiry = enquiries.submit_enquiry(
            session,
            state.store,
            data,
            contents,
            max_bytes=settings.max_upload_bytes,
            max_pixels=max_pixels,
            daily_bytes=settings.enquiry_photo_bytes_per_day,
        )
    except ValidationError as error:
        return _form_page(request, form, error=one_line(error, _LABELS, _HINTS), status_code=422)
    except HTTPException as error:
        return _form_page(request, form, error=error.detail, status_code=error.status_code)
    except enquiries.PhotoQuotaExceeded as error:
        return _form_page(request, form, error=str(error), status_code=429)
    except ScalpmapError as error:
        return _form_page(request, form, error=str(error), status_code=status_for(error))
    log.info("enquiry %s received with %d photos", enquiry.id, len(contents))
    return RedirectResponse("/enquire/thanks", status_code=303)


@router.get("/enquire/thanks")
def enquiry_thanks(request: Request) -> Response:
    """Thank the sender."""
    return render(request, "enquiries/thanks.html", {"title": "Thank you"})


_DONE = {"deleted": "The enquiry and its photos were deleted."}


@router.get("/enquiries")
def inbox(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    status: EnquiryStatus | None = None,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """List enquiries (new ones by default)."""
    shown = status or EnquiryStatus.NEW
    context = {
        "title": "Enquiries",
        "section": "enquiries",
        "enquiries": enquiries.list_enquiries(session, status=shown),
        "status": shown,
        "statuses": list(EnquiryStatus),
        "notice": _DONE.get(done),
    }
    return render(request, "enquiries/inbox.html", context)


def _detail_page(
    request: Request, enquiry: Any, *, error: str | None = None, status_code: int = 200
) -> Response:
    context = {
        "title": f"Enquiry #{enquiry.id}",
        "section": "enquiries",
        "enquiry": enquiry,
        "reasons": list(CaseReason),
        "error": error,
    }
    return render(request, "enquiries/detail.html", context, status_code=status_code)


@router.get("/enquiries/{enquiry_id}")
def enquiry_detail(
    request: Request, enquiry_id: Id, session: SessionDep, user: CurrentUser
) -> Response:
    """Show an enquiry with its photos (the view is audited)."""
    return _detail_page(request, get_enquiry(session, enquiry_id, user))


@router.get("/enquiries/{enquiry_id}/photos/{photo_id}")
def enquiry_photo_file(
    enquiry_id: Id, photo_id: Id, session: SessionDep, state: StateDep, user: CurrentUser
) -> Response:
    """Send a screen-sized JPEG of a photo sent with an enquiry."""
    photo = enquiry_photo(session, enquiry_id, photo_id, user)
    return preview_response(state.store, photo, 1200)


@router.post("/enquiries/{enquiry_id}/convert")
def convert(
    request: Request,
    enquiry_id: Id,
    session: SessionDep,
    user: CurrentUser,
    reason: Annotated[str, Form(max_length=50)] = "",
) -> Response:
    """Turn the enquiry into a patient with a case; go to the case."""
    try:
        chosen = CaseReason(reason) if reason else None
    except ValueError:
        enquiry = get_enquiry(session, enquiry_id, user)
        return _detail_page(request, enquiry, error="choose a valid reason", status_code=422)
    try:
        case = enquiries.convert_enquiry(session, enquiry_id, user, reason=chosen)
    except ScalpmapError as error:
        enquiry = get_enquiry(session, enquiry_id, user)
        return _detail_page(request, enquiry, error=str(error), status_code=status_for(error))
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


@router.post("/enquiries/{enquiry_id}/close")
def close(enquiry_id: Id, session: SessionDep, user: CurrentUser) -> Response:
    """Close the enquiry without a case."""
    enquiries.close_enquiry(session, enquiry_id, user)
    return RedirectResponse("/enquiries", status_code=303)


@router.post("/enquiries/{enquiry_id}/delete")
def delete(enquiry_id: Id, session: SessionDep, state: StateDep, user: CurrentUser) -> Response:
    """Delete the enquiry and its photos (those of a case it became stay with the case)."""
    result = enquiries.delete_enquiry(session, state.store, enquiry_id, user)
    log.info(
        "enquiry %s deleted by user %s: %d photos deleted, %d kept by the case",
        enquiry_id, user.id, result.photos_deleted, result.photos_kept,
    )  # fmt: skip
    return RedirectResponse("/enquiries?done=deleted", status_code=303)
