"""The report job: print a document's HTML (the referral letter, the progress report) to PDF.

A plan's PDF reports made again on download (the consent or the clinic changed since the plan
was saved) are printed the same way.

WeasyPrint takes a second or two per document, so the page that asks for a PDF only asks for
the job and polls it. The request makes the document's HTML (fast: it is what the report
shows, the case's records as they are now), keeps it in the photo store and asks for the job
keyed by a fingerprint of what it prints: the document, its subject, the sha256 of that HTML
and :data:`REPORT_LAYOUT` (``report:letter:7:<sha256>:v1``). Nothing changed → the same key →
the PDF already printed, at once; a session logged, a check measured, the consent given, the
clinic renamed or another day (the report is dated) → another HTML → a new job and a new PDF.

The job reads the HTML back from the store, prints it and keeps the PDF in the store too. A
printed PDF is a cache: ``scalpmap store prune`` may delete it (no row references it), and the
next ask prints it again (:func:`report_still_stored`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib import metadata
from typing import Any

from sqlalchemy.orm import Session

from scalpmap.errors import ScalpmapError
from scalpmap.jobs.context import WorkerContext
from scalpmap.jobs.keyed import ClaimedJob, run_keyed_job
from scalpmap.services._tx import commit
from scalpmap.store.models import Job
from scalpmap.store.photos import PhotoStore, is_sha256

__all__ = ["REPORT_LAYOUT", "report_key", "report_still_stored", "run_report_job"]

log = logging.getLogger(__name__)

REPORT_LAYOUT = 1
"""The printing's version: raise it when the same HTML should print differently (the PDF's
settings), so that every stored PDF is printed again. The templates' own changes change the HTML
and so the key already."""


def _printer() -> str:
    try:
        return metadata.version("weasyprint")
    except metadata.PackageNotFoundError:  # pragma: no cover - a dependency of scalpmap
        return "unknown"


def report_key(document: str, subject_id: int, html_sha256: str) -> str:
    """Return the key of a report job: what it prints, exactly.

    Parameters
    ----------
    document : str
        ``letter`` (a referral's letter), ``progress`` (a case's progress report),
        ``plan_patient`` or ``plan_facility`` (a plan's report made again).
    subject_id : int
        The referral, the case or the plan version.
    html_sha256 : str
        The sha256 of the HTML printed.

    Returns
    -------
    str
        E.g. ``report:letter:7:<32 hex>:v1-w70.0``: the layout version and WeasyPrint's version
        are part of it, so an upgrade of either prints the reports again.
    """
    return f"report:{document}:{subject_id}:{html_sha256[:32]}:v{REPORT_LAYOUT}-w{_printer()}"


def report_still_stored(store: PhotoStore) -> Callable[[Session, Job], bool]:
    """Return the check of a done report job: whether its PDF is still in the store.

    Parameters
    ----------
    store : PhotoStore
        The photo store.

    Returns
    -------
    callable
        ``(session, job) -> bool``, for :func:`scalpmap.services.jobs.request_job`.
    """

    def still(_session: Session, job: Job) -> bool:
        sha = (job.result or {}).get("pdf_sha256")
        return is_sha256(sha) and store.exists(str(sha))

    return still


def _print(store: PhotoStore, payload: dict[str, Any]) -> dict[str, Any]:
    from scalpmap.reports.pdf import html_to_pdf

    html_sha = str(payload.get("html_sha256"))
    if not is_sha256(html_sha) or not store.exists(html_sha):
        raise ScalpmapError("the report's page is no longer stored; ask for the PDF again")
    pdf = html_to_pdf(store.read(html_sha).decode("utf-8"))
    return {
        "pdf_sha256": store.put(pdf),
        "bytes": len(pdf),
        "filename": payload.get("filename"),
        "url": payload.get("url"),
    }


def run_report_job(context: WorkerContext, job_id: int, *, reclaim_running: bool = True) -> None:
    """Print a report job's HTML to PDF and keep it; one done, failed or taken is skipped.

    Parameters
    ----------
    context : WorkerContext
        The database and photo store.
    job_id : int
        The job.
    reclaim_running : bool, optional
        Also take a job left ``running`` (the queue's workers).

    See Also
    --------
    scalpmap.jobs.keyed.run_keyed_job : What is skipped, saved as failed and raised.
    """
    run_keyed_job(
        context,
        job_id,
        "report",
        _print_job,
        reclaim_running=reclaim_running,
        log=log,
        failures=(ScalpmapError, OSError, UnicodeDecodeError),
        reason=lambda error: f"the PDF could not be printed: {error}",
    )


def _print_job(context: WorkerContext, session: Session, claimed: ClaimedJob) -> str:
    result = _print(context.store, claimed.payload)
    claimed.finish(session, result)
    commit(session)
    return f" ({result['bytes']} bytes)"
