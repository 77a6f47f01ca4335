"""Answers that send a referral letter, the progress report, an overlay, clearance.json, the chart.

Letters and reports are downloads named by referral and case (``referral-R7-case-12.pdf``,
``progress-case-12.pdf``), never by the patient. The HTML files are downloads too: they are
self-contained (inline styles and pictures), which the app's Content-Security-Policy would block
when shown in the app. The PDFs are printed by a report job
(:mod:`scalpmap.web.report_pdfs`): :func:`letter_pdf_ask` and :func:`progress_pdf_ask`
make the HTML it prints.
"""

from __future__ import annotations

import json

from sqlalchemy.orm import Session
from starlette.responses import Response

from scalpmap.services._tx import get_or_raise
from scalpmap.services.clearance_progress import clearance_chart
from scalpmap.services.errors import NotFoundError
from scalpmap.services.progress import progress_report
from scalpmap.services.referrals import referral_letter
from scalpmap.store.models import ClearanceCheck, Referral, User
from scalpmap.store.photos import PhotoStore
from scalpmap.web.report_pdfs import ReportAsk

__all__ = [
    "chart_response",
    "clearance_json_response",
    "letter_pdf_ask",
    "letter_response",
    "overlay_response",
    "progress_pdf_ask",
    "progress_response",
]


def letter_response(session: Session, store: PhotoStore, referral_id: int, user: User) -> Response:
    """Make a referral's letter as HTML (audited by the service) and send it as a download.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed (the audit row).
    store : PhotoStore
        Where the plan's removal map is.
    referral_id : int
        The referral.
    user : User
        Who downloads it (and signs it).

    Returns
    -------
    starlette.responses.Response
        ``text/html``, named ``referral-R<id>-case-<case>.html``.

    Raises
    ------
    NotFoundError
        When there is no such referral.
    """
    letter = referral_letter(session, store, referral_id, user, pdf=False)
    referral = get_or_raise(session, Referral, referral_id, "referral")
    name = f"referral-R{referral.id}-case-{referral.case_id}.html"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(letter.html, media_type="text/html; charset=utf-8", headers=headers)


def letter_pdf_ask(
    session: Session, store: PhotoStore, referral_id: int, user: User, *, api: bool
) -> ReportAsk:
    """Make a referral's letter (audited by the service), to be printed by a report job.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed (the audit row).
    store : PhotoStore
        Where the plan's removal map is.
    referral_id : int
        The referral.
    user : User
        Who asks for it (and signs it).
    api : bool
        Whether the API asks (its URL is then the API's).

    Returns
    -------
    ReportAsk
        The letter's HTML, named ``referral-R<id>-case-<case>.pdf``.

    Raises
    ------
    NotFoundError
        When there is no such referral.
    """
    letter = referral_letter(session, store, referral_id, user, pdf=False, printed_by_job=True)
    referral = get_or_raise(session, Referral, referral_id, "referral")
    return _pdf_ask("letter", referral.id, referral.case_id, letter.html, api=api)


def progress_pdf_ask(
    session: Session, store: PhotoStore, case_id: int, user: User, *, api: bool
) -> ReportAsk:
    """Make a case's progress report (audited by the service), to be printed by a report job.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed (the audit row).
    store : PhotoStore
        Where the follow-up overlays are.
    case_id : int
        The case.
    user : User
        Who asks for it.
    api : bool
        Whether the API asks (its URL is then the API's).

    Returns
    -------
    ReportAsk
        The report's HTML, named ``progress-case-<id>.pdf``.
    """
    report = progress_report(session, store, case_id, user, pdf=False, printed_by_job=True)
    return _pdf_ask("progress", case_id, case_id, report.html, api=api)


_PDF_PLACES = {  # document: its file's name, its URL, the section of the case page it is in
    "letter": ("referral-R{subject}-case-{case}", "/referrals/{subject}/letter.pdf", "referral"),
    "progress": ("progress-case-{case}", "/cases/{subject}/progress.pdf", "sessions"),
}
_PDF_TITLES = {"letter": "Referral letter", "progress": "Progress report"}


def _pdf_ask(document: str, subject_id: int, case_id: int, html: str, *, api: bool) -> ReportAsk:
    """Return a document's HTML to print, named and placed as :data:`_PDF_PLACES` says."""
    name, path, section = (
        place.format(subject=subject_id, case=case_id) for place in _PDF_PLACES[document]
    )
    return ReportAsk(
        document=document,
        subject_id=subject_id,
        case_id=case_id,
        html=html,
        filename=f"{name}.pdf",
        url=f"{'/api' if api else ''}{path}",
        back=f"/cases/{case_id}#{section}",
        title=_PDF_TITLES[document],
    )


def progress_response(session: Session, store: PhotoStore, case_id: int, user: User) -> Response:
    """Make a case's progress report as HTML (audited by the service) and send it as a download.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed (the audit row).
    store : PhotoStore
        Where the follow-up overlays are.
    case_id : int
        The case.
    user : User
        Who downloads it.

    Returns
    -------
    starlette.responses.Response
        ``text/html``, named ``progress-case-<id>.html``.
    """
    report = progress_report(session, store, case_id, user, pdf=False)
    headers = {"Content-Disposition": f'attachment; filename="progress-case-{case_id}.html"'}
    return Response(report.html, media_type="text/html; charset=utf-8", headers=headers)


def _png(data: bytes) -> Response:
    return Response(data, media_type="image/png", headers={"Content-Disposition": "inline"})


def chart_response(session: Session, case_id: int) -> Response:
    """Send the case's clearance progress chart (PNG).

    Raises
    ------
    NotFoundError
        When no follow-up of the case has been checked yet.
    """
    data = clearance_chart(session, case_id)
    if data is None:
        raise NotFoundError(f"case {case_id} has no clearance check yet: add a follow-up photo")
    return _png(data)


def overlay_response(store: PhotoStore, check: ClearanceCheck) -> Response:
    """Send a clearance check's overlay picture (PNG).

    Raises
    ------
    NotFoundError
        When the check has no overlay.
    """
    if check.overlay_sha256 is None:
        raise NotFoundError(f"clearance check {check.id} has no overlay picture")
    return _png(store.read(check.overlay_sha256))


def clearance_json_response(check: ClearanceCheck, *, download: bool) -> Response:
    """Send a clearance check's clearance.json.

    Parameters
    ----------
    check : ClearanceCheck
        The check.
    download : bool
        Name it as a download (``case-12-session-5-clearance.json``) or answer it inline.

    Returns
    -------
    starlette.responses.Response
        ``application/json``.
    """
    headers = {}
    if download:
        name = f"case-{check.case_id}-session-{check.laser_session_id}-clearance.json"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    body = json.dumps(check.document, ensure_ascii=False, indent=2)
    return Response(body, media_type="application/json", headers=headers)
