"""PDFs printed by a report job, then sent.

The referral letter, the progress report, and a plan's reports when they must be made again
(the patient's consent or the clinic's settings changed since the plan was saved).

Asking for a PDF makes the document's HTML (at once, audited as a view), keeps it in the photo
store and asks for the report job keyed by what it prints (:mod:`scalpmap.jobs.reports`).

- Printed already (nothing changed since): the stored PDF goes out at once (200, a download).
- Not yet: the page answers 202 with *Preparing the PDF…*, which polls ``GET /api/jobs/{id}``
  and, once printed, offers the download (the same URL, now answered at once) and starts it;
  the API answers 202 with the job, to poll and ask again.
- The print failed: the one-line reason (the page says it, the API's job carries it).
- The job queue does not answer: 503 before the page is stored or a job written (the view's
  audit row, made with the HTML, is kept).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from scalpmap.jobs.reports import report_key, report_still_stored
from scalpmap.store.models import Job, JobKind, JobStatus, User
from scalpmap.web.job_progress import ask_job, job_public
from scalpmap.web.rendering import render
from scalpmap.web.state import AppState

__all__ = ["ReportAsk", "report_pdf"]


@dataclass(frozen=True)
class ReportAsk:
    """One document to print.

    Attributes
    ----------
    document : str
        ``letter``, ``progress``, ``plan_patient`` or ``plan_facility``.
    subject_id : int
        The referral, the case or the plan version.
    case_id : int
        The case it belongs to.
    html : str
        The document as it is now (what the PDF prints).
    filename : str
        The download's name (``referral-R7-case-12.pdf``).
    url : str
        The URL of the PDF (asked again once printed).
    back : str
        The page to go back to.
    title : str
        What the document is, for the waiting page (``Referral letter``).
    back_label : str
        The link back's words.
    """

    document: str
    subject_id: int
    case_id: int
    html: str
    filename: str
    url: str
    back: str
    title: str
    back_label: str = "Back to the case"


def _ask(session: Session, state: AppState, user: User, ask: ReportAsk) -> Job:
    state.jobs.check_available()  # a queue that is down: 503 before the page is stored
    html_sha = state.store.put(ask.html.encode("utf-8"))
    payload = {
        "document": ask.document,
        "subject_id": ask.subject_id,
        "html_sha256": html_sha,
        "filename": ask.filename,
        "url": ask.url,
    }
    return ask_job(
        session,
        state,
        user,
        JobKind.REPORT,
        report_key(ask.document, ask.subject_id, html_sha),
        case_id=ask.case_id,
        payload=payload,
        still_current=report_still_stored(state.store),
    )


def report_pdf(
    request: Request,
    session: Session,
    state: AppState,
    user: User,
    ask: ReportAsk,
    *,
    api: bool,
) -> Response:
    """Send the document's PDF when printed, else ask for it and answer its progress.

    Parameters
    ----------
    request : starlette.requests.Request
        The request (for the waiting page).
    session : sqlalchemy.orm.Session
        The request's session; committed.
    state : AppState
        The app (its job backend and photo store).
    user : User
        Who asks.
    ask : ReportAsk
        The document.
    api : bool
        Answer the API's JSON (202 with the job) rather than the waiting page.

    Returns
    -------
    starlette.responses.Response
        200 with the PDF; 202 (waiting) or 422 (the print failed) with the job or the page.

    Raises
    ------
    starlette.exceptions.HTTPException
        503 when the job queue does not answer (nothing written).
    """
    job = _ask(session, state, user, ask)
    if job.status == JobStatus.DONE and job.result:
        pdf = state.store.read(str(job.result["pdf_sha256"]))
        headers = {"Content-Disposition": f'attachment; filename="{ask.filename}"'}
        return Response(pdf, media_type="application/pdf", headers=headers)
    failed = job.status == JobStatus.FAILED
    status = 422 if failed else 202
    if api:
        return JSONResponse(job_public(job).model_dump(mode="json"), status_code=status)
    context = {"title": f"{ask.title} (PDF)", "job": job, "ask": ask}
    return render(request, "report_pdf.html", context, status_code=status)
