"""What the documents show of the clinic: its name and logo, address and contact, language.

Every document (the patient's plan, the facility's summary, the referral letter, the progress
report) heads with :func:`clinic_values`; the template ``clinic_header.html.j2`` draws it. A
clinic without settings gets no name at all, never a placeholder, and the reports'
``<meta name="scalpmap-clinic">`` carries the settings' fingerprint so that a stored report made
with older settings can be told apart (:func:`shown_fingerprint`).
"""

from __future__ import annotations

import html
import re
from typing import Any

from scalpmap.clinic_identity import ClinicIdentity

__all__ = ["clinic_values", "reply_to", "shown_fingerprint"]

_FINGERPRINT = re.compile(r'<meta name="scalpmap-clinic" content="([^"]*)">')


def reply_to(clinic: ClinicIdentity) -> str:
    """Say how to reach the clinic, for a letter asking for an answer.

    Parameters
    ----------
    clinic : ClinicIdentity
        The clinic's settings.

    Returns
    -------
    str
        E.g. ``"by email to a@b.example or by phone on +44 ..."``; empty without a contact.

    Examples
    --------
    >>> reply_to(ClinicIdentity(email="a@b.example", phone="+44 20 7946 0000"))
    'by email to a@b.example or by phone on +44 20 7946 0000'
    """
    ways = []
    if clinic.email.strip():
        ways.append(f"by email to {clinic.email.strip()}")
    if clinic.phone.strip():
        ways.append(f"by phone on {clinic.phone.strip()}")
    return " or ".join(ways)


def clinic_values(clinic: ClinicIdentity | None) -> dict[str, Any]:
    """Return the template values of the clinic's header, sign-off and footer.

    Parameters
    ----------
    clinic : ClinicIdentity or None
        The clinic's settings; ``None`` for none set.

    Returns
    -------
    dict
        ``clinic_name`` (empty when not set) and ``clinic``: ``name``, ``logo`` (a ``data:``
        URI or ``None``), ``address`` (the street, then postcode, city and country) and
        ``contact`` (phone and email, then the website) as lines, ``reply`` (see
        :func:`reply_to`), ``language`` and ``fingerprint``.
    """
    shown = clinic or ClinicIdentity()
    street = ", ".join(line.strip() for line in shown.address.splitlines() if line.strip())
    place = " ".join(part for part in (shown.postcode.strip(), shown.city.strip()) if part)
    region = ", ".join(part for part in (place, shown.country_name or shown.country) if part)
    contact = shown.contact_lines
    calls = [line for line in contact if not line.startswith("Web ")]
    return {
        "clinic_name": shown.name.strip(),
        "clinic": {
            "name": shown.name.strip(),
            "logo": shown.logo_data_uri,
            "address": [line for line in (street, region) if line],
            "contact": [line for line in (" · ".join(calls), *contact[len(calls) :]) if line],
            "reply": reply_to(shown),
            "language": shown.report_language or "en",
            "fingerprint": shown.fingerprint,
        },
    }


def shown_fingerprint(page: str) -> str | None:
    """Return the clinic fingerprint a report was made with (``None`` for older reports).

    Parameters
    ----------
    page : str
        A report's HTML.

    Returns
    -------
    str or None
        The fingerprint in its ``<meta name="scalpmap-clinic">``.

    Examples
    --------
    >>> shown_fingerprint('<meta name="scalpmap-clinic" content="ab12">'), shown_fingerprint("")
    ('ab12', None)
    """
    match = _FINGERPRINT.search(page)
    return html.unescape(match.group(1)) if match else None
