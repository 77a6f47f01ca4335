"""The progress report of a case: sessions, clearance, next step (HTML, PDF and the chart).

:func:`progress_report` gathers the case's latest plan version, latest referral, laser sessions
with their clearance checks, SMP sessions and due dates into plain values
(:class:`scalpmap.reports.progress.ProgressData`) and renders them. The patient's identity is
shown only when the patient's consent is recorded (as on the referral letter; the rule is
:func:`scalpmap.services.disclosure.document_identity`). Making a report
is audited (entity ``"progress_report"``, the case's id).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap.clinic_identity import ClinicIdentity
from scalpmap.errors import ScalpmapError
from scalpmap.reports.pdf import html_to_pdf
from scalpmap.reports.progress import (
    LaserRow,
    NextDue,
    ProgressData,
    ReferralSummary,
    SmpRow,
    render_progress_html,
)
from scalpmap.services import audit
from scalpmap.services._tx import commit, get_or_raise
from scalpmap.services.clearance_progress import (
    advice_words,
    clearance_chart,
    list_clearance_checks,
)
from scalpmap.services.clinic import get_clinic_settings
from scalpmap.services.disclosure import DocumentKind, disclosed_plan, document_identity
from scalpmap.services.due_dates import due_dates
from scalpmap.services.referrals import latest_referral
from scalpmap.services.treatment_sessions import list_laser_sessions, list_smp_sessions
from scalpmap.store.models import (
    Case,
    ClearanceCheck,
    Facility,
    LaserSession,
    Patient,
    PlanVersion,
    User,
)
from scalpmap.store.photos import PhotoStore

__all__ = ["ProgressReport", "progress_report"]


@dataclass(frozen=True)
class ProgressReport:
    """A case's progress report.

    Attributes
    ----------
    html : str
        The self-contained HTML report.
    pdf : bytes or None
        The report as A4 PDF, when asked for.
    chart_png : bytes or None
        The clearance chart, when any follow-up has been checked.
    """

    html: str
    pdf: bytes | None
    chart_png: bytes | None


def _laser_rows(
    session: Session, lasers: list[LaserSession], checks: dict[int, ClearanceCheck]
) -> list[LaserRow]:
    rows = []
    for number, laser in enumerate(lasers, start=1):
        check = checks.get(laser.id)
        facility = session.get(Facility, laser.facility_id) if laser.facility_id else None
        measured = check is not None and check.measured and check.percent is not None
        problem = None
        if check is not None and not measured:
            problem = check.reason or "the follow-up could not be registered"
        elif check is None and laser.follow_up_photo_id is not None:
            problem = "not measured yet"
        rows.append(
            LaserRow(
                number=number,
                session_date=laser.session_date,
                facility=facility.name if facility is not None else None,
                device=laser.device,
                wavelength_nm=laser.wavelength_nm,
                pulse=str(laser.pulse),
                fluence_j_cm2=laser.fluence_j_cm2,
                spot_mm=laser.spot_mm,
                passes=laser.passes,
                adverse_effects=laser.adverse_effects,
                percent=check.percent if check is not None and measured else None,
                not_measured=problem,
                outside_lost_percent=check.outside_lost_percent if check is not None else None,
                outside_flagged=bool(check.outside_flagged) if check is not None else False,
            )
        )
    return rows


def _overlay(
    store: PhotoStore, lasers: list[LaserSession], checks: dict[int, ClearanceCheck]
) -> tuple[bytes | None, str | None]:
    """Return the latest follow-up's overlay picture and its caption (None when missing)."""
    for number in range(len(lasers), 0, -1):
        laser = lasers[number - 1]
        check = checks.get(laser.id)
        if check is None or not check.overlay_sha256:
            continue
        try:
            picture = store.read(check.overlay_sha256)
        except (ScalpmapError, OSError):
            return None, None
        taken = (check.document or {}).get("followup_date") or laser.session_date.isoformat()
        outcome = (
            f"{check.percent:.1f}% clear"
            if check.measured and check.percent is not None
            else "not measured"
        )
        caption = (
            f"Follow-up of {taken} after laser session {number} "
            f"({laser.session_date.isoformat()}), {outcome}: the baseline and the follow-up "
            "compared impression by impression inside the removal zone."
        )
        return picture, caption
    return None, None


def progress_report(
    session: Session,
    store: PhotoStore,
    case_id: int,
    actor: User | None,
    *,
    clinic: ClinicIdentity | None = None,
    pdf: bool = True,
    printed_by_job: bool = False,
) -> ProgressReport:
    """Make a case's progress report; making it is audited (a view of the case).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed (the audit row).
    store : PhotoStore
        Where the clearance checks' overlay pictures are (the report leaves a missing one out).
    case_id : int
        The case.
    actor : User or None
        Who makes it; ``None`` for the command line.
    clinic : ClinicIdentity, optional
        The clinic, in the header and footer; the clinic's settings when omitted (its time
        zone gives the report's date).
    pdf : bool, optional
        Also print the report to PDF.
    printed_by_job : bool, optional
        The HTML is made for a report job that prints it: the audit row records a PDF, although
        this call does not print it.

    Returns
    -------
    ProgressReport
        The report, and the clearance chart on its own.

    Raises
    ------
    NotFoundError
        When there is no such case.
    """
    case = get_or_raise(session, Case, case_id, "case")
    patient = get_or_raise(session, Patient, case.patient_id, "patient")
    clinic = clinic or get_clinic_settings(session)
    query = select(PlanVersion).where(PlanVersion.case_id == case.id)
    plan = session.scalar(query.order_by(PlanVersion.version.desc()).limit(1))
    referral = latest_referral(session, case.id)
    lasers = list_laser_sessions(session, case.id)
    checks = {check.laser_session_id: check for check in list_clearance_checks(session, case.id)}
    measured = [checks[laser.id] for laser in lasers if advice_words(checks.get(laser.id))]
    overlay, caption = _overlay(store, lasers, checks)
    chart = clearance_chart(session, case.id)
    identity = document_identity(patient, DocumentKind.PROGRESS_REPORT, case_id=case.id)
    person = identity.letter_patient()
    data = ProgressData(
        case_id=case.id,
        report_date=clinic.today(),
        plan=disclosed_plan(session, plan, identity) if plan is not None else None,
        plan_version=plan.version if plan is not None else None,
        patient=person,
        referral=None
        if referral is None
        else ReferralSummary(referral.facility.name, referral.referred_on, str(referral.status)),
        laser_sessions=_laser_rows(session, lasers, checks),
        smp_sessions=[
            SmpRow(smp.session_date, smp.practitioner_name, smp.needle, list(smp.areas), smp.notes)
            for smp in list_smp_sessions(session, case.id)
        ],
        chart_png=chart,
        overlay=overlay,
        overlay_caption=caption,
        recommendation=advice_words(measured[-1]) if measured else None,
        due=[NextDue(d.kind, d.due, d.until, d.reason) for d in due_dates(session, case.id)],
    )
    html = render_progress_html(data, clinic=clinic)
    audit.record(
        session,
        actor,
        audit.Action.VIEW,
        "progress_report",
        case.id,
        patient_id=patient.id,
        details={
            "case_id": case.id,
            "patient_details": person is not None,
            "pdf": pdf or printed_by_job,
        },
    )
    commit(session)
    return ProgressReport(html=html, pdf=html_to_pdf(html) if pdf else None, chart_png=chart)
