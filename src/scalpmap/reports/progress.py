"""The progress report of a case, as self-contained HTML (print it with html_to_pdf).

The report is drawn from plain values (:class:`ProgressData`), which
:func:`scalpmap.services.progress.progress_report` gathers from the database: the plan summary,
the referral, the laser sessions with their clearance, the clearance chart, the latest
follow-up's overlay, the latest recommendation with the next due dates, and the SMP sessions. It
reuses the reports' base template, macros and CSS. The patient's identity appears only when the
caller passes it (the service passes it only with the patient's consent recorded), with the same
wording as the referral letter otherwise.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from scalpmap.clinic_identity import ClinicIdentity
from scalpmap.reports import context
from scalpmap.reports.clinic_header import clinic_values
from scalpmap.reports.html import environment
from scalpmap.reports.images import data_uri, downscale, encode_jpeg, image_mime, prepare_image
from scalpmap.reports.referral import LetterPatient

__all__ = [
    "TEMPLATE",
    "LaserRow",
    "NextDue",
    "ProgressData",
    "ReferralSummary",
    "SmpRow",
    "progress_context",
    "render_progress_html",
]

TEMPLATE = "progress.html.j2"
OVERLAY_WIDTH_PX = 1000
"""Widest the embedded overlay picture is (it is reduced and re-encoded as JPEG)."""
DUE_WORDS = {"laser": "Laser session", "touch_up": "SMP touch-up"}


@dataclass(frozen=True)
class ReferralSummary:
    """The case's latest referral: where to, when, and how far it has got."""

    facility: str
    referred_on: dt.date
    status: str


@dataclass(frozen=True)
class LaserRow:
    """One logged laser session with its clearance.

    Attributes
    ----------
    number : int
        Its place in the case's log, from 1.
    session_date : datetime.date
        When it was done.
    facility : str or None
        Where.
    device : str
        The laser.
    wavelength_nm : int
        Its wavelength.
    pulse : str
        ``"ns"`` or ``"ps"``.
    fluence_j_cm2, spot_mm : float
        The settings.
    passes : int
        Passes over the area.
    adverse_effects : str or None
        As reported.
    percent : float or None
        The removal zone's clearance, when measured.
    not_measured : str or None
        Why there is no clearance although a follow-up was taken; None when measured or when no
        follow-up was taken.
    outside_lost_percent : float or None
        Impressions lost outside the removal zone, percent.
    outside_flagged : bool
        Whether that loss is above the flag's threshold.
    """

    number: int
    session_date: dt.date
    facility: str | None
    device: str
    wavelength_nm: int
    pulse: str
    fluence_j_cm2: float
    spot_mm: float
    passes: int
    adverse_effects: str | None = None
    percent: float | None = None
    not_measured: str | None = None
    outside_lost_percent: float | None = None
    outside_flagged: bool = False


@dataclass(frozen=True)
class SmpRow:
    """One logged SMP session."""

    session_date: dt.date
    practitioner: str
    needle: str
    areas: Sequence[str]
    notes: str | None = None


@dataclass(frozen=True)
class NextDue:
    """A due session: ``kind`` is ``"laser"`` or ``"touch_up"``, due from ``due`` to ``until``."""

    kind: str
    due: dt.date
    until: dt.date
    reason: str


@dataclass(frozen=True)
class ProgressData:
    """Everything the progress report shows, as plain values.

    Attributes
    ----------
    case_id : int
        The case.
    report_date : datetime.date
        The report's date.
    plan : mapping or None
        The latest plan version's plan.json document; None when the case has no plan.
    plan_version : int or None
        Its number.
    patient : LetterPatient or None
        The patient's identity; without it the report says the details are withheld.
    referral : ReferralSummary or None
        The latest referral.
    laser_sessions : sequence of LaserRow
        The laser sessions, in date order.
    smp_sessions : sequence of SmpRow
        The SMP sessions, in date order.
    chart_png : bytes or None
        The clearance chart (PNG), when any follow-up has been checked.
    overlay : bytes or None
        The latest follow-up's overlay picture (PNG or JPEG).
    overlay_caption : str or None
        What the overlay shows, e.g. "Follow-up of laser session 2 (2026-04-01)".
    recommendation : str or None
        The latest measured follow-up's recommendation in words.
    due : sequence of NextDue
        The next due sessions.
    """

    case_id: int
    report_date: dt.date
    plan: Mapping[str, Any] | None = None
    plan_version: int | None = None
    patient: LetterPatient | None = None
    referral: ReferralSummary | None = None
    laser_sessions: Sequence[LaserRow] = field(default_factory=tuple)
    smp_sessions: Sequence[SmpRow] = field(default_factory=tuple)
    chart_png: bytes | None = None
    overlay: bytes | None = None
    overlay_caption: str | None = None
    recommendation: str | None = None
    due: Sequence[NextDue] = field(default_factory=tuple)


def _patient_rows(patient: LetterPatient) -> list[tuple[str, str]]:
    rows = [("Name", patient.full_name)]
    if patient.date_of_birth is not None:
        rows.append(("Date of birth", context.nice_date(patient.date_of_birth.isoformat())))
    if patient.phone:
        rows.append(("Phone", patient.phone))
    if patient.email:
        rows.append(("Email", patient.email))
    return rows


def _day(value: dt.date) -> str:
    return context.nice_date(value.isoformat()).replace(" ", "\u00a0")


def _clearance(row: LaserRow) -> str:
    """Return the clearance cell: a percentage, why it is missing, or that no follow-up exists."""
    if row.percent is not None:
        return context.num(row.percent, 1, "%")
    if row.not_measured:
        return f"not measured: {row.not_measured}"
    return "no follow-up yet"


def _outside(row: LaserRow) -> str:
    if row.outside_lost_percent is None:
        return context.DASH
    return context.num(row.outside_lost_percent, 1, "%")


def _laser_row(row: LaserRow) -> dict[str, Any]:
    return {
        "number": row.number,
        "date": _day(row.session_date),
        "facility": row.facility or context.DASH,
        "device": row.device,
        "wavelength": f"{row.wavelength_nm}\u00a0nm",
        "pulse": row.pulse,
        "fluence": f"{row.fluence_j_cm2:g}",
        "spot": f"{row.spot_mm:g}",
        "passes": row.passes,
        "adverse": row.adverse_effects or "none reported",
        "clearance": _clearance(row),
        "measured": row.percent is not None,
        "reason": row.percent is None and bool(row.not_measured),
        "outside": _outside(row),
        "flagged": row.outside_flagged,
    }


def _plan_facts(plan: Mapping[str, Any] | None) -> dict[str, Any]:
    removal = ((plan or {}).get("zones") or {}).get("removal") or {}
    return {
        "removal_area": context.num(removal.get("area_cm2"), 1, "cm²"),
        "removal_impressions": int(removal.get("impressions") or 0),
    }


def progress_context(data: ProgressData, *, clinic: ClinicIdentity | None = None) -> dict[str, Any]:
    """Return the values the progress report's template shows.

    Parameters
    ----------
    data : ProgressData
        The case's progress.
    clinic : ClinicIdentity, optional
        The clinic's name, logo and contact, in the header and footer.

    Returns
    -------
    dict
        The template's context.

    Raises
    ------
    InputError
        When a picture is not PNG or JPEG.
    """
    images: dict[str, str | None] = {"chart": None, "overlay": None}
    if data.chart_png:
        images["chart"] = data_uri(prepare_image(data.chart_png, chart=True))
    if data.overlay:
        images["overlay"] = data_uri(prepare_image(_narrow(data.overlay)))
    values = context.common(
        data.plan or {},
        images,
        audience="progress",
        clinic_name="",
        patient_label=data.patient.full_name if data.patient is not None else None,
    )
    referral = data.referral
    values.update(clinic_values(clinic))
    values.update(
        title="Treatment progress",
        reference=f"case {data.case_id}",
        case_id=data.case_id,
        report_date=context.nice_date(data.report_date.isoformat()),
        plan_version=data.plan_version,
        plan_facts=_plan_facts(data.plan),
        patient=None if data.patient is None else _patient_rows(data.patient),
        referral=None
        if referral is None
        else {
            "facility": referral.facility,
            "date": context.nice_date(referral.referred_on.isoformat()),
            "status": referral.status,
        },
        laser_rows=[_laser_row(row) for row in data.laser_sessions],
        any_flagged=any(row.outside_flagged for row in data.laser_sessions),
        smp_rows=[
            {
                "date": _day(row.session_date),
                "practitioner": row.practitioner,
                "needle": row.needle,
                "areas": ", ".join(area.replace("_", " ") for area in row.areas),
                "notes": row.notes or "",
            }
            for row in data.smp_sessions
        ],
        overlay_caption=data.overlay_caption or "",
        recommendation=data.recommendation,
        due=[
            {
                "what": DUE_WORDS.get(due.kind, due.kind.replace("_", " ")),
                "from": _day(due.due),
                "until": _day(due.until),
                "reason": due.reason,
            }
            for due in data.due
        ],
    )
    return values


def _narrow(picture: bytes) -> bytes:
    """Reduce the overlay to :data:`OVERLAY_WIDTH_PX` wide (JPEG) before embedding it."""
    image_mime(picture)  # PNG or JPEG only
    with Image.open(io.BytesIO(picture)) as image:
        if image.size[0] <= OVERLAY_WIDTH_PX:
            return picture
        image.draft("RGB", (OVERLAY_WIDTH_PX, image.size[1]))
        rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    return encode_jpeg(downscale(rgb, OVERLAY_WIDTH_PX))


def render_progress_html(data: ProgressData, *, clinic: ClinicIdentity | None = None) -> str:
    """Render a case's progress report as self-contained HTML.

    The report holds the clinic's header, the case number, the patient's details (or a line
    saying they are withheld: no consent recorded), the plan summary (version, removal area,
    impressions in the removal zone, session estimate), the referral, the laser sessions with
    their settings and clearance (a percentage, or "not measured" and why), the clearance chart,
    the latest follow-up's overlay, the latest recommendation with the next due dates, and the
    SMP sessions. Pictures are inline ``data:`` URLs.

    Parameters
    ----------
    data : ProgressData
        The case's progress.
    clinic : ClinicIdentity, optional
        The clinic's name, logo and contact, in the header and footer.

    Returns
    -------
    str
        The HTML document.

    Raises
    ------
    InputError
        When a picture is not PNG or JPEG.
    """
    values = progress_context(data, clinic=clinic)
    return environment().get_template(TEMPLATE).render(**values)
