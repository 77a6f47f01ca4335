"""The Clinic settings page (admins): name, address, contact, logo, time zone, report language.

``GET /admin/clinic`` shows the form; ``POST /admin/clinic`` saves the typed settings,
``POST /admin/clinic/logo`` a PNG or SVG logo (checked, at most 1 MB) and
``POST /admin/clinic/logo/remove`` removes it. A wrong value shows the form again with one line
naming the field (422; a logo over the limit 413). Every change is audited.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.requests import Request
from starlette.responses import Response

from scalpmap.clinic_identity import REPORT_LANGUAGES, ClinicIdentity, time_zone_names
from scalpmap.clinic_logo import MAX_LOGO_BYTES, LogoTooLargeError, check_logo
from scalpmap.errors import ScalpmapError
from scalpmap.services.clinic import (
    FIELD_LABELS,
    get_clinic_settings,
    remove_clinic_logo,
    set_clinic_logo,
    update_clinic_settings,
)
from scalpmap.web.deps import AdminUser, SessionDep
from scalpmap.web.errors import status_for
from scalpmap.web.rendering import render

__all__ = ["router"]

router = APIRouter(prefix="/admin", include_in_schema=False)

Text = Annotated[str, Form(max_length=1000)]


def _form(clinic: ClinicIdentity) -> dict[str, str]:
    values = {field: str(getattr(clinic, field)) for field in FIELD_LABELS}
    values["country"] = clinic.country_name or clinic.country
    return values


def _page(
    request: Request,
    session: Session,
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    clinic = get_clinic_settings(session)
    request.app.state.scalpmap.clinic_cache.put(clinic)  # this worker's pages show it at once
    context: dict[str, Any] = {
        "title": "Clinic settings",
        "section": "clinic",
        "settings": clinic,
        "form": form or _form(clinic),
        "labels": FIELD_LABELS,
        "languages": REPORT_LANGUAGES,
        "zones": time_zone_names(),
        "max_logo_mb": MAX_LOGO_BYTES / 1e6,
        "error": error,
        "notice": notice,
    }
    return render(request, "admin/clinic.html", context, status_code=status_code)


@router.get("/clinic")
def clinic_page(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    """Show the clinic's settings."""
    return _page(request, session)


@router.post("/clinic")
def save_clinic(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    name: Text = "",
    address: Text = "",
    postcode: Text = "",
    city: Text = "",
    country: Text = "",
    phone: Text = "",
    email: Text = "",
    website: Text = "",
    time_zone: Text = "",
    report_language: Text = "",
) -> Response:
    """Save the typed settings (an empty field clears it)."""
    form = {
        "name": name,
        "address": address,
        "postcode": postcode,
        "city": city,
        "country": country,
        "phone": phone,
        "email": email,
        "website": website,
        "time_zone": time_zone,
        "report_language": report_language,
    }
    try:
        update_clinic_settings(session, form, admin)
    except ScalpmapError as error:
        session.rollback()
        status = status_for(error)
        return _page(request, session, form=form, error=str(error), status_code=status)
    return _page(request, session, notice="saved: documents made from now on show these settings")


@router.post("/clinic/logo")
async def upload_logo(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    logo: Annotated[UploadFile | str | None, File(description="A PNG or SVG logo")] = None,
) -> Response:
    """Store a PNG or SVG logo (checked; an SVG is cleaned of scripts and outside links)."""
    upload = logo if isinstance(logo, StarletteUpload) and logo.filename else None
    try:
        if upload is None:
            raise ScalpmapError("choose a PNG or SVG file for the logo")
        data = await upload.read(MAX_LOGO_BYTES + 1)
        if len(data) > MAX_LOGO_BYTES:
            check_logo(data, upload.filename or "")  # raises the size message
        checked = set_clinic_logo(session, data, upload.filename or "", admin)
    except ScalpmapError as error:
        session.rollback()
        status = 413 if isinstance(error, LogoTooLargeError) else status_for(error)
        return _page(request, session, error=str(error), status_code=status)
    notice = "logo saved"
    if checked.removed:
        notice += f"; removed from the SVG: {', '.join(checked.removed)}"
    return _page(request, session, notice=notice)


@router.post("/clinic/logo/remove")
def remove_logo(request: Request, session: SessionDep, admin: AdminUser) -> Response:
    """Remove the clinic's logo."""
    removed = remove_clinic_logo(session, admin)
    return _page(request, session, notice="logo removed" if removed else "there was no logo")
