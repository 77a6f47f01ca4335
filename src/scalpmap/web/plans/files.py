"""Plan versions and their stored files, opened for a user (every view is audited).

A file is found by its plan version and role (``zones``, ``patient_pdf``, ...), never by a path
the user gives: :func:`scalpmap.services.plan_design.load_plan_outputs` maps the role to the
sha256 the plan.json recorded. Pictures are sent inline; reports are downloads named after the
case and version (``case-12-plan-v3-plan.pdf``), never after the patient.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.responses import Response

from scalpmap.services import audit, plans
from scalpmap.services._tx import commit, get_or_raise
from scalpmap.services.errors import NotFoundError
from scalpmap.services.plan_design import FILE_NAMES, PlanFile, load_plan_outputs
from scalpmap.services.plan_reports import REPORT_ROLES, current_report
from scalpmap.store.models import PhotoAnalysis, PlanVersion, User
from scalpmap.store.photos import PhotoStore, sha256_hex
from scalpmap.web.photos.orchestration import resized_jpeg
from scalpmap.web.report_pdfs import ReportAsk

__all__ = [
    "BEFORE_MAX_SIDE",
    "before_jpeg",
    "file_response",
    "open_plan",
    "plan_file",
    "plan_files_urls",
]

BEFORE_MAX_SIDE = 2400
"""The "before" picture of the slider is at most this size (the simulations' width)."""
_INLINE = ("zones", "removal_map", "after_laser", "after_touch_up", "side_by_side", "timeline")


def open_plan(session: Session, plan_id: int, user: User) -> PlanVersion:
    """Open a plan version by id; the view is audited.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed (the audit row).
    plan_id : int
        The plan version's id.
    user : User
        Who looks.

    Returns
    -------
    PlanVersion
        The version.

    Raises
    ------
    NotFoundError
        When there is no such plan version.
    """
    found = get_or_raise(session, PlanVersion, plan_id, "plan version")
    return plans.get_plan(session, found.case_id, user, version=found.version)


def _audit_file(session: Session, plan: PlanVersion, user: User, role: str) -> None:
    audit.record(
        session,
        user,
        audit.Action.VIEW,
        "plan_file",
        plan.id,
        patient_id=plan.case.patient_id,
        details={"case_id": plan.case_id, "version": plan.version, "role": role},
    )
    commit(session)


def plan_file(
    session: Session, store: PhotoStore, plan_id: int, role: str, user: User, *, api: bool
) -> tuple[PlanVersion, PlanFile | ReportAsk]:
    """Read one stored file of a plan version, or ask for a report to be printed; audited.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed (the audit row).
    store : PhotoStore
        Where the files are.
    plan_id : int
        The plan version's id.
    role : str
        The file's role, one of :data:`scalpmap.services.plan_design.FILE_NAMES`.
    user : User
        Who reads it.
    api : bool
        Whether the API asks (a report job's URL is then the API's).

    Returns
    -------
    tuple of (PlanVersion, PlanFile or ReportAsk)
        The version and the file. A report carries the patient's identity only as their
        consent allows now (:func:`scalpmap.services.plan_reports.current_report`): when the
        stored one no longer does, an HTML report is made again at once, and a PDF report is a
        :class:`~scalpmap.web.report_pdfs.ReportAsk` for a report job to print.

    Raises
    ------
    NotFoundError
        When there is no such version, role or file.
    """
    plan = get_or_raise(session, PlanVersion, plan_id, "plan version")
    if role not in FILE_NAMES:
        raise NotFoundError(f"no plan file {role!r}; use one of {', '.join(FILE_NAMES)}")
    item: PlanFile | ReportAsk
    if role in REPORT_ROLES:  # the identity the patient's consent allows now
        current = current_report(session, store, plan, role)
        stored = current.stored
        if current.page is None:
            item = stored
        elif role.endswith("_pdf"):
            item = _plan_pdf_ask(plan, role, current.page, stored.filename, api=api)
        else:
            data = current.page.encode("utf-8")
            item = PlanFile(stored.role, stored.filename, stored.media_type, sha256_hex(data), data)
    else:
        item = load_plan_outputs(session, plan.id, store, roles=[role])[role]
    _audit_file(session, plan, user, role)
    return plan, item


def _plan_pdf_ask(
    plan: PlanVersion, role: str, page: str, filename: str, *, api: bool
) -> ReportAsk:
    """Return a plan's PDF report to print again, named as its stored one."""
    audience = REPORT_ROLES[role][0]
    title = "Patient's plan" if audience == "patient" else "Laser facility's summary"
    return ReportAsk(
        document=f"plan_{audience}",
        subject_id=plan.id,
        case_id=plan.case_id,
        html=page,
        filename=f"case-{plan.case_id}-plan-v{plan.version}-{filename}",
        url=f"{'/api' if api else ''}/plans/{plan.id}/files/{role}",
        back=f"/plans/{plan.id}",
        title=title,
        back_label="Back to the plan",
    )


def file_response(plan: PlanVersion, item: PlanFile) -> Response:
    """Send a plan's file: pictures inline, reports as downloads named by case and version.

    Parameters
    ----------
    plan : PlanVersion
        The version.
    item : PlanFile
        Its file.

    Returns
    -------
    starlette.responses.Response
        The file with its Content-Type.
    """
    name = f"case-{plan.case_id}-plan-v{plan.version}-{item.filename}"
    kind = "inline" if item.role in _INLINE else "attachment"
    headers = {"Content-Disposition": f'{kind}; filename="{name}"'}
    return Response(item.data, media_type=item.media_type, headers=headers)


def before_jpeg(session: Session, store: PhotoStore, plan_id: int, user: User) -> bytes:
    """Return the photo a plan version was made on, as a JPEG (the slider's "before").

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed (the audit row).
    store : PhotoStore
        Where the photo is.
    plan_id : int
        The plan version's id.
    user : User
        Who looks.

    Returns
    -------
    bytes
        The JPEG, upright, at most :data:`BEFORE_MAX_SIDE` pixels.

    Raises
    ------
    NotFoundError
        When there is no such version or it was not made from a stored analysis.
    """
    plan = get_or_raise(session, PlanVersion, plan_id, "plan version")
    row = session.get(PhotoAnalysis, plan.analysis_id) if plan.analysis_id else None
    if row is None:
        raise NotFoundError(f"plan version {plan_id} was not made from a stored photo")
    sha256 = row.photo.sha256
    _audit_file(session, plan, user, "before")
    return resized_jpeg(store.read(sha256), BEFORE_MAX_SIDE)


def plan_files_urls(plan: PlanVersion, prefix: str = "/api/plans") -> dict[str, str]:
    """Map each stored role of a plan version to its download URL.

    Parameters
    ----------
    plan : PlanVersion
        The version.
    prefix : str, optional
        ``/api/plans`` (API) or ``/plans`` (pages).

    Returns
    -------
    dict of str to str
        Role to URL, e.g. ``{"zones": "/api/plans/7/files/zones"}``.
    """
    files = plan.document.get("files") if isinstance(plan.document, dict) else None
    roles = [role for role in (files or {}) if role in FILE_NAMES]
    return {role: f"{prefix}/{plan.id}/files/{role}" for role in roles}
