"""Render the patient's revision plan and the laser facility's referral summary as HTML.

The HTML is self-contained: the CSS is inline and every picture is a ``data:`` URI, with no
external fonts, links or scripts, so the file can be mailed, archived or printed to PDF
(:func:`scalpmap.reports.pdf.html_to_pdf`) as it is. The templates live in
``scalpmap/reports/templates`` and are rendered by Jinja2 with autoescaping on.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Literal

import jinja2

from scalpmap.clinic_identity import ClinicIdentity
from scalpmap.errors import InputError
from scalpmap.reports import context, patient_words
from scalpmap.reports.clinic_header import clinic_values
from scalpmap.reports.facility import facility
from scalpmap.reports.images import data_uri, prepare_images

Audience = Literal["patient", "facility"]
IMAGE_KEYS = (
    "zones",
    "removal_map",
    "before",
    "after_laser",
    "after_touch_up",
    "side_by_side",
    "timeline",
)
TEMPLATES = {"patient": "patient.html.j2", "facility": "facility.html.j2"}
# What both reports extend, import and include.
REPORT_PARTS = ("base.html.j2", "macros.html.j2", "clinic_header.html.j2", "report.css")
# The pictures each report shows (only those are prepared and embedded).
SHOWN: dict[str, frozenset[str]] = {
    "patient": frozenset(IMAGE_KEYS) - {"removal_map"},
    "facility": frozenset({"removal_map"}),
}


@functools.cache
def environment() -> jinja2.Environment:
    """Return the Jinja2 environment for the report templates (autoescaping on).

    Returns
    -------
    jinja2.Environment
        The environment.
    """
    return jinja2.Environment(
        loader=jinja2.PackageLoader("scalpmap.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def load_templates() -> None:
    """Compile the two reports' templates ahead of rendering them.

    Jinja compiles each template on first use (about 0.03 s for a report and the templates it
    extends, imports and includes); a caller may do that on a thread while it makes pictures.
    """
    env = environment()
    for name in (*TEMPLATES.values(), *REPORT_PARTS):
        env.get_template(name)


def _check(document: Mapping[str, Any], audience: str) -> None:
    if audience not in TEMPLATES:
        raise InputError(f"unknown report audience {audience!r}; use patient or facility")
    if not isinstance(document, Mapping) or document.get("format") != "scalpmap-plan/1":
        found = document.get("format") if isinstance(document, Mapping) else type(document)
        raise InputError(f"expected a plan.json document (format scalpmap-plan/1), got {found!r}")


def report_context(
    document: Mapping[str, Any],
    images: Mapping[str, bytes],
    *,
    audience: Audience,
    clinic: ClinicIdentity | None = None,
    patient_label: str | None = None,
) -> dict[str, Any]:
    """Return the values a report template shows.

    Parameters
    ----------
    document : mapping
        The plan.json document.
    images : mapping of str to bytes
        PNG or JPEG pictures by role (see :func:`render_report_html`).
    audience : {"patient", "facility"}
        Which report.
    clinic : ClinicIdentity, optional
        The clinic's name, logo, address and contact for the header and footer (none shown
        when not given).
    patient_label : str, optional
        A patient name or reference for the header.

    Returns
    -------
    dict
        The template's context.
    """
    _check(document, audience)
    wanted = {key: data for key, data in images.items() if key in SHOWN[audience] and data}
    prepared = prepare_images(wanted)
    uris = {key: data_uri(prepared[key]) if key in prepared else None for key in IMAGE_KEYS}
    values = context.common(
        document, uris, audience=audience, clinic_name="", patient_label=patient_label
    )
    values.update(clinic_values(clinic))
    if audience == "patient":
        values["patient"] = patient_words.patient(document)
        if values["sessions"]["total_removal"]:
            values["images"]["after_touch_up"] = None
    else:
        values["facility"] = facility(document, dark_skin=values["skin"]["dark"])
    return values


def render_report_html(
    document: Mapping[str, Any],
    images: Mapping[str, bytes],
    *,
    audience: Audience,
    clinic: ClinicIdentity | None = None,
    patient_label: str | None = None,
) -> str:
    """Render a plan as a self-contained HTML report for the patient or the laser facility.

    Parameters
    ----------
    document : mapping
        The plan.json document (format ``scalpmap-plan/1``).
    images : mapping of str to bytes
        PNG or JPEG pictures by role: ``"zones"``, ``"removal_map"``, ``"before"``,
        ``"after_laser"``, ``"after_touch_up"``, ``"side_by_side"``, ``"timeline"``. Any may be
        missing; a missing picture is left out. The patient's report shows all but the removal
        map (and no touch-up picture for a total removal); the facility's shows the removal map.
        Big pictures are shrunk (at most 1400 px wide) and photographs re-encoded as JPEG before
        they are embedded.
    audience : {"patient", "facility"}
        ``patient``: the revision plan in plain words; ``facility``: the laser referral summary.
    clinic : ClinicIdentity, optional
        The clinic's name, logo, address and contact for the header and the printed footer;
        none shown when not given.
    patient_label : str, optional
        A patient name or reference for the header (plan.json holds none).

    Returns
    -------
    str
        The HTML document.

    Raises
    ------
    InputError
        When the document is not a plan.json document, the audience is unknown, or a picture is
        not PNG or JPEG.
    """
    values = report_context(
        document, images, audience=audience, clinic=clinic, patient_label=patient_label
    )
    return environment().get_template(TEMPLATES[audience]).render(**values)
