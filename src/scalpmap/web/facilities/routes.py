"""Facility pages: the directory with search, new/edit/delete, CSV import and export, matching.

Everyone signed in may look; admins and practitioners may change the directory and import.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scalpmap.config import Settings
from scalpmap.errors import ScalpmapError
from scalpmap.facilities.csv_io import FacilityCsvError
from scalpmap.facilities.fields import format_fitzpatrick
from scalpmap.facilities.geocode import fold
from scalpmap.services import facilities, facility_csv, facility_match
from scalpmap.services.facility_import import import_csv_in_child
from scalpmap.store.models import Facility, User
from scalpmap.web.deps import CurrentCase, CurrentUser, Id, SessionDep, StateDep
from scalpmap.web.errors import one_line, status_for
from scalpmap.web.facilities.forms import (
    CanEditFacilities,
    FacilityForm,
    as_form,
    can_edit,
    form_values,
    lasers_text,
)
from scalpmap.web.rendering import render
from scalpmap.web.treatment.forms import can_refer

__all__ = ["MAX_CSV_BYTES", "csv_download", "import_upload", "read_csv_upload", "router"]

router = APIRouter(include_in_schema=False)

MAX_CSV_BYTES = 10_000_000
"""The largest CSV file an import accepts (room for 100,000 rows of a full directory)."""

_DONE = {
    "created": "The facility was added.",
    "saved": "The facility was saved.",
    "deleted": "The facility was deleted.",
}

SearchText = Annotated[str, Query(max_length=100)]


def csv_download(text: str) -> Response:
    """Answer the directory's CSV as a download named ``facilities.csv``."""
    headers = {"Content-Disposition": 'attachment; filename="facilities.csv"'}
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)


def read_csv_upload(file: UploadFile) -> bytes:
    """Read an uploaded CSV file, refusing one larger than :data:`MAX_CSV_BYTES`.

    It reads the spooled file directly (blocking), so call it from a plain ``def`` route, which
    runs in the thread pool.

    Raises
    ------
    InputError
        When the file is too large or empty.
    """
    file.file.seek(0)
    data = file.file.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise FacilityCsvError(
            f"the CSV file is larger than {MAX_CSV_BYTES // 1_000_000} MB; split it"
        )
    if not data.strip():
        raise FacilityCsvError("the CSV file is empty: choose a facility CSV")
    return data


def import_upload(
    session: Session, settings: Settings, file: UploadFile, actor: User
) -> facility_csv.ImportCounts:
    """Import an uploaded facility CSV (blocking: call it from a plain ``def`` route).

    The request's transaction (the sign-in's) is ended first, so that no database lock is held
    meanwhile; the file is then checked and imported, as one transaction, in a child process
    (:func:`scalpmap.services.facility_import.import_csv_in_child`), so that checking
    thousands of rows never holds up the server's other requests.

    Raises
    ------
    FacilityCsvError
        When the file is too large, empty or has bad rows; nothing is imported.
    """
    data = read_csv_upload(file)
    actor_id = actor.id
    session.commit()
    source = file.filename or "the file"
    return import_csv_in_child(settings, data, source=source, actor_id=actor_id)


def _rows(found: list[Facility]) -> list[dict[str, Any]]:
    return [
        {
            "facility": facility,
            "lasers": lasers_text(facility),
            "skin": format_fitzpatrick(facility.fitzpatrick_min, facility.fitzpatrick_max),
        }
        for facility in found
    ]


@router.get("/facilities")
def facility_list(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    country: SearchText = "",
    city: SearchText = "",
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """List the directory; ``country`` (name or code) and ``city`` (part of it) narrow it."""
    error, status = None, 200
    try:
        found = facilities.list_facilities(session, country=country.strip() or None)
    except ScalpmapError as problem:
        found, error, status = [], str(problem), status_for(problem)
    if city.strip():
        found = [f for f in found if fold(city) in fold(f.city)]
    context = {
        "title": "Laser facilities",
        "section": "facilities",
        "rows": _rows(found),
        "country": country,
        "city": city,
        "can_edit": can_edit(user),
        "error": error,
        "notice": _DONE.get(done),
    }
    return render(request, "facilities/list.html", context, status_code=status)


def _form_page(
    request: Request,
    form: dict[str, str],
    *,
    facility: Facility | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    title = "New facility" if facility is None else f"Edit {facility.name}"
    context = {
        "title": title,
        "section": "facilities",
        "form": form,
        "facility": facility,
        "error": error,
    }
    return render(request, "facilities/form.html", context, status_code=status_code)


@router.get("/facilities/new")
def new_facility_page(request: Request, user: CanEditFacilities) -> Response:
    """Show the new-facility form."""
    return _form_page(request, as_form(None))


@router.post("/facilities/new")
def create_facility(
    request: Request, session: SessionDep, user: CanEditFacilities, form: FacilityForm
) -> Response:
    """Add a facility, or show the form again with the first problem (422)."""
    try:
        data = facilities.FacilityCreate.model_validate(form_values(form))
        facilities.create_facility(session, data, user)
    except ValidationError as error:
        return _form_page(request, form, error=one_line(error), status_code=422)
    except ScalpmapError as error:
        session.rollback()
        return _form_page(request, form, error=str(error), status_code=status_for(error))
    return RedirectResponse("/facilities?done=created", status_code=303)


@router.get("/facilities/export.csv")
def export_page(session: SessionDep, user: CurrentUser) -> Response:
    """Download the whole directory as CSV."""
    return csv_download(facility_csv.export_csv(session))


def _import_page(
    request: Request,
    *,
    counts: facility_csv.ImportCounts | None = None,
    error: str | None = None,
    problems: tuple[str, ...] = (),
    status_code: int = 200,
) -> Response:
    context = {
        "title": "Import facilities",
        "section": "facilities",
        "counts": counts,
        "error": error,
        "problems": problems,
    }
    return render(request, "facilities/import.html", context, status_code=status_code)


@router.get("/facilities/import")
def import_page(request: Request, user: CanEditFacilities) -> Response:
    """Show the CSV import form."""
    return _import_page(request)


@router.post("/facilities/import")
def import_facilities(
    request: Request,
    session: SessionDep,
    state: StateDep,
    user: CanEditFacilities,
    file: Annotated[UploadFile, File(description="The facility CSV")],
) -> Response:
    """Import a CSV: every row or none; each bad row is listed with its line and reason."""
    try:
        counts = import_upload(session, state.settings, file, user)
    except FacilityCsvError as error:
        session.rollback()
        return _import_page(request, error=str(error), problems=error.problems, status_code=422)
    except ScalpmapError as error:
        session.rollback()
        return _import_page(request, error=str(error), status_code=status_for(error))
    return _import_page(request, counts=counts)


@router.get("/facilities/{facility_id}/edit")
def edit_facility_page(
    request: Request, facility_id: Id, session: SessionDep, user: CanEditFacilities
) -> Response:
    """Show a facility in the form."""
    facility = facilities.get_facility(session, facility_id)
    return _form_page(request, as_form(facility), facility=facility)


@router.post("/facilities/{facility_id}/edit")
def edit_facility(
    request: Request,
    facility_id: Id,
    session: SessionDep,
    user: CanEditFacilities,
    form: FacilityForm,
) -> Response:
    """Save the facility (changed fields audited), or show the form again with the problem."""
    facility = facilities.get_facility(session, facility_id)
    try:
        changes = facilities.FacilityUpdate.model_validate(form_values(form))
        facilities.update_facility(session, facility_id, changes, user)
    except ValidationError as error:
        status = 422
        return _form_page(
            request, form, facility=facility, error=one_line(error), status_code=status
        )
    except ScalpmapError as error:
        session.rollback()
        status = status_for(error)
        return _form_page(request, form, facility=facility, error=str(error), status_code=status)
    return RedirectResponse("/facilities?done=saved", status_code=303)


@router.post("/facilities/{facility_id}/delete")
def delete_facility(facility_id: Id, session: SessionDep, user: CanEditFacilities) -> Response:
    """Remove a facility from the directory."""
    facilities.delete_facility(session, facility_id, user)
    return RedirectResponse("/facilities?done=deleted", status_code=303)


@router.get("/cases/{case_id}/facilities")
def case_facilities(
    request: Request, session: SessionDep, user: CurrentUser, case: CurrentCase
) -> Response:
    """Rank the directory for the case's patient; practitioners and admins may refer from it."""
    result = facility_match.match_for_case(session, case.id, user)
    context = {
        "title": f"Laser facilities for case #{case.id}",
        "section": "cases",
        "case": case,
        "patient": case.patient,
        "result": result,
        "can_refer": can_refer(user),
    }
    return render(request, "facilities/match.html", context)
