"""A plan's reports as they may leave the clinic now: the stored file, or one made afresh.

A plan version's four reports (the patient's ``plan.html``/``plan.pdf``, the laser facility's
``facility.html``/``facility.pdf``) are made when the plan is saved, with the identity the
patient's consent allowed then (:func:`scalpmap.services.disclosure.document_identity`) and the
clinic's settings of then. The consent, the name or the clinic's settings may have changed
since, and plans saved by older versions carried the name whatever the consent. So before a
report is handed out, :func:`current_report` reads the header of the stored HTML (the patient
label, the photo's name, which the PDF was printed from, and the fingerprint of the clinic's
settings) and compares it with what the document may carry now: when they agree the stored
file goes out as it is; otherwise the report is made again from the stored plan.json and
pictures, with the identity allowed now and the clinic's settings of now (the facility's
summary in about half a second; the patient's plan also decodes the photo).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from scalpmap.clinic_identity import ClinicIdentity
from scalpmap.imaging.photo_io import decode_photo
from scalpmap.plan_outputs import PICTURE_FILES
from scalpmap.reports.clinic_header import shown_fingerprint
from scalpmap.reports.html import SHOWN, render_report_html
from scalpmap.reports.images import MAX_EMBED_WIDTH_PX, downscale, encode_jpeg
from scalpmap.services.clinic import get_clinic_settings
from scalpmap.services.disclosure import (
    DocumentIdentity,
    DocumentKind,
    disclosed_plan,
    document_identity,
)
from scalpmap.services.errors import NotFoundError
from scalpmap.services.plan_design import PlanFile, load_plan_outputs
from scalpmap.store.models import PhotoAnalysis, PlanVersion
from scalpmap.store.photos import PhotoStore

__all__ = [
    "REPORT_ROLES",
    "CurrentReport",
    "ReportHeader",
    "current_report",
    "report_header",
]

REPORT_ROLES: dict[str, tuple[str, DocumentKind]] = {
    "patient_html": ("patient", DocumentKind.PATIENT_PLAN),
    "patient_pdf": ("patient", DocumentKind.PATIENT_PLAN),
    "facility_html": ("facility", DocumentKind.FACILITY_SUMMARY),
    "facility_pdf": ("facility", DocumentKind.FACILITY_SUMMARY),
}
"""Each report's audience and document kind."""

_PATIENT = re.compile(r"<div>Patient: <b>(.*?)</b></div>", re.DOTALL)
_PHOTO = re.compile(r"<div>Photo: <b>(.*?)</b></div>", re.DOTALL)
_CLINIC = re.compile(r'<div class="clinic">(.*?)</div>', re.DOTALL)

ReportHeader = tuple[str | None, str | None, str | None]
"""A report's patient label, photo name and clinic name, as its header shows them."""


def report_header(page: str) -> ReportHeader:
    """Read the patient label, photo name and clinic name from a report's HTML header.

    Parameters
    ----------
    page : str
        A report made by :func:`scalpmap.reports.html.render_report_html`.

    Returns
    -------
    tuple of (str or None, str or None, str or None)
        Each value unescaped; ``None`` when the header has none.

    Examples
    --------
    >>> report_header('<div class="clinic">A &amp; B</div><div>Photo: <b>photo #3</b></div>')
    (None, 'photo #3', 'A & B')
    """
    found = [pattern.search(page) for pattern in (_PATIENT, _PHOTO, _CLINIC)]
    patient, photo, clinic = (html.unescape(m.group(1)) if m else None for m in found)
    return patient, photo, clinic


def _photo_sha256(session: Session, plan: PlanVersion) -> str | None:
    """Return the sha256 of the plan's stored photo (``None`` without one)."""
    row = session.get(PhotoAnalysis, plan.analysis_id) if plan.analysis_id else None
    return row.photo.sha256 if row is not None else None


def _pictures(
    session: Session, store: PhotoStore, plan: PlanVersion, audience: str, sha: str | None
) -> dict[str, bytes]:
    """Return the stored pictures the audience's report embeds (a missing one is left out)."""
    wanted = SHOWN[audience]
    roles = [role for role in PICTURE_FILES if role in wanted]
    files = plan.document.get("files") if isinstance(plan.document, dict) else None
    present = [role for role in roles if role in (files or {})]
    try:
        found = load_plan_outputs(session, plan.id, store, roles=present)
    except NotFoundError:
        found = {}
    pictures = {role: item.data for role, item in found.items()}
    if "before" in wanted and sha is not None:
        try:
            rgb = decode_photo(store.read(sha)).rgb
        except (FileNotFoundError, OSError):
            return pictures
        pictures["before"] = encode_jpeg(downscale(rgb, MAX_EMBED_WIDTH_PX))
    return pictures


def _render_page(
    session: Session,
    store: PhotoStore,
    plan: PlanVersion,
    role: str,
    identity: DocumentIdentity,
    document: dict[str, Any],
    clinic: ClinicIdentity,
) -> str:
    audience = REPORT_ROLES[role][0]
    return render_report_html(
        document,
        _pictures(session, store, plan, audience, _photo_sha256(session, plan)),
        audience="patient" if audience == "patient" else "facility",
        clinic=clinic,
        patient_label=identity.label,
    )


@dataclass(frozen=True)
class CurrentReport:
    """A plan's report as stored, and its page made again when the stored one is out of date.

    Attributes
    ----------
    stored : PlanFile
        The report as saved with the plan.
    page : str or None
        None when the stored report shows what may leave the clinic now; otherwise the report's
        HTML made again with the identity and the clinic's settings of now (for a PDF role, the
        page to print).
    """

    stored: PlanFile
    page: str | None


def current_report(
    session: Session, store: PhotoStore, plan: PlanVersion, role: str
) -> CurrentReport:
    """Check a plan's stored report against what it may carry now; make its page again if not.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only; the caller checks access and audits the view).
    store : PhotoStore
        Where the plan's files and photo are.
    plan : PlanVersion
        The plan version.
    role : str
        One of :data:`REPORT_ROLES`.

    Returns
    -------
    CurrentReport
        The stored file, and the page made again when the stored header no longer shows what
        is allowed (not printed: a PDF's page is for the caller to print, or a report job's).

    Raises
    ------
    NotFoundError
        When the plan version has no such report.
    """
    if role not in REPORT_ROLES:
        raise NotFoundError(f"no report {role!r}; use one of {', '.join(REPORT_ROLES)}")
    audience, kind = REPORT_ROLES[role]
    html_role = f"{audience}_html"
    stored = load_plan_outputs(session, plan.id, store, roles=sorted({role, html_role}))
    case = plan.case
    identity = document_identity(case.patient, kind, case_id=case.id)
    document = disclosed_plan(session, plan, identity)
    page = stored[html_role].data.decode("utf-8", "replace")
    label, shown_photo, _clinic_name = report_header(page)
    clinic = get_clinic_settings(session)
    if (label, shown_photo) == (identity.label, document["photo"]["source"]) and (
        shown_fingerprint(page) == clinic.fingerprint
    ):
        return CurrentReport(stored[role], None)
    return CurrentReport(
        stored[role], _render_page(session, store, plan, role, identity, document, clinic)
    )
