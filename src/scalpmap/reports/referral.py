"""The referral letter to a laser facility, as self-contained HTML (print it with html_to_pdf).

The letter is drawn from a plan.json document (format ``scalpmap-plan/1``), the plan's stored
removal map and the facility's address. It reuses the reports' base template, macros and CSS and
their formatting helpers (:mod:`scalpmap.reports.context`, :mod:`scalpmap.reports.facility`), so
its figures read the same as the facility summary's. The patient's identity appears only when
the caller passes it (the service passes it only with the patient's consent recorded).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from scalpmap.clinic_identity import ClinicIdentity
from scalpmap.errors import InputError
from scalpmap.reports import context
from scalpmap.reports.clinic_header import clinic_values
from scalpmap.reports.facility import facility as facility_values
from scalpmap.reports.html import environment
from scalpmap.reports.images import data_uri, prepare_images

__all__ = ["TEMPLATE", "FacilityLike", "LetterPatient", "referral_context", "render_referral_html"]

TEMPLATE = "referral.html.j2"


class FacilityLike(Protocol):
    """What the letter needs of a facility (a :class:`~scalpmap.store.models.Facility` fits)."""

    name: str
    address: str | None
    city: str
    country: str
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class LetterPatient:
    """The patient's identity, shown on the letter only with consent recorded."""

    full_name: str
    date_of_birth: dt.date | None = None
    phone: str | None = None
    email: str | None = None


def _address_lines(facility: FacilityLike) -> list[str]:
    lines = [facility.name]
    lines += [part.strip() for part in (facility.address or "").splitlines() if part.strip()]
    place = f"{facility.city}, {facility.country}"
    if not any(facility.city.lower() in line.lower() for line in lines[1:]):
        lines.append(place)
    return lines


def _patient_rows(patient: LetterPatient) -> list[tuple[str, str]]:
    rows = [("Name", patient.full_name)]
    if patient.date_of_birth is not None:
        rows.append(("Date of birth", context.nice_date(patient.date_of_birth.isoformat())))
    if patient.phone:
        rows.append(("Phone", patient.phone))
    if patient.email:
        rows.append(("Email", patient.email))
    return rows


def referral_context(
    document: Mapping[str, Any],
    facility: FacilityLike,
    *,
    referral_id: int,
    case_id: int,
    referred_on: dt.date,
    patient: LetterPatient | None = None,
    removal_map: bytes | None = None,
    clinic: ClinicIdentity | None = None,
    signed_by: str | None = None,
) -> dict[str, Any]:
    """Return the values the referral letter's template shows.

    Parameters
    ----------
    document : mapping
        The plan.json document of the referred plan version.
    facility : FacilityLike
        The laser facility the letter is addressed to.
    referral_id, case_id : int
        The letter's reference.
    referred_on : datetime.date
        The letter's date.
    patient : LetterPatient, optional
        The patient's identity; without it the letter says the details are withheld.
    removal_map : bytes, optional
        The plan's removal map (PNG or JPEG, with its scale bar); left out when missing.
    clinic : ClinicIdentity, optional
        The referring clinic: its header, the contact the facility reports back to, and the
        sign-off (none shown when not given).
    signed_by : str, optional
        Who signs the letter.

    Returns
    -------
    dict
        The template's context.

    Raises
    ------
    InputError
        When the document is not a plan.json document or the picture is not PNG or JPEG.
    """
    if not isinstance(document, Mapping) or document.get("format") != "scalpmap-plan/1":
        found = document.get("format") if isinstance(document, Mapping) else type(document)
        raise InputError(f"expected a plan.json document (format scalpmap-plan/1), got {found!r}")
    images: dict[str, str | None] = {"removal_map": None}
    if removal_map:
        images["removal_map"] = data_uri(
            prepare_images({"removal_map": removal_map})["removal_map"]
        )
    values = context.common(
        document,
        images,
        audience="referral",
        clinic_name="",
        patient_label=patient.full_name if patient is not None else None,
    )
    reference = f"R-{referral_id} (case {case_id})"
    values.update(clinic_values(clinic))
    values.update(
        title="Referral for laser removal of SMP",
        reference=reference,
        letter_date=context.nice_date(referred_on.isoformat()),
        facility_lines=_address_lines(facility),
        facility_contact=[part for part in (facility.phone, facility.email) if part],
        patient=None if patient is None else _patient_rows(patient),
        facility=facility_values(document, dark_skin=values["skin"]["dark"]),
        signed_by=signed_by,
    )
    return values


def render_referral_html(
    document: Mapping[str, Any],
    facility: FacilityLike,
    *,
    referral_id: int,
    case_id: int,
    referred_on: dt.date,
    patient: LetterPatient | None = None,
    removal_map: bytes | None = None,
    clinic: ClinicIdentity | None = None,
    signed_by: str | None = None,
) -> str:
    """Render the referral letter as self-contained HTML.

    The letter holds the clinic's header, the date and reference, the facility's address, the
    patient's details (or a line saying they are withheld: no consent recorded), the removal
    map with its area and impression count, the pigment's characteristics and the skin type,
    the session estimate with its interval and the suggested laser and parameters, the safety
    warnings and the sign-off. See :func:`referral_context` for the parameters.

    Returns
    -------
    str
        The HTML document.
    """
    values = referral_context(
        document,
        facility,
        referral_id=referral_id,
        case_id=case_id,
        referred_on=referred_on,
        patient=patient,
        removal_map=removal_map,
        clinic=clinic,
        signed_by=signed_by,
    )
    return environment().get_template(TEMPLATE).render(**values)
