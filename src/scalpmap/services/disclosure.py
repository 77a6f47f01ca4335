"""What identity a document that leaves the clinic may carry: the one rule, from the consent.

Every document made for someone outside the clinic's records asks :func:`document_identity`
what it may show of the patient: the patient's plan and the laser facility's summary (HTML and
PDF), the referral letter, the progress report and the case's calendar. The rule:

* **without consent recorded** (``Patient.consent_given_at`` empty) a document carries no
  identity: the patient is the case reference (``case #12``) and the photo is ``photo #34``,
  never its file name (which often holds the patient's name);
* **with consent** a document carries the fields its kind needs, and no more
  (:data:`FIELDS`): letters and progress reports the name, date of birth, phone and email;
  the plan reports and the calendar the name. No document carries the address.

A document made from a record that withheld the details (a referral made before consent was
recorded) stays without them: pass ``allowed=False``. A document drawn from a plan shows the
plan.json that :func:`disclosed_plan` returns, whose photo is named as the rule allows.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from scalpmap.reports.referral import LetterPatient
from scalpmap.store.models import Patient, PhotoAnalysis, PlanVersion

__all__ = [
    "FIELDS",
    "DocumentIdentity",
    "DocumentKind",
    "case_reference",
    "disclosed_plan",
    "document_identity",
]


class DocumentKind(enum.StrEnum):
    """The kinds of document that leave the clinic."""

    PATIENT_PLAN = "patient_plan"
    FACILITY_SUMMARY = "facility_summary"
    REFERRAL_LETTER = "referral_letter"
    PROGRESS_REPORT = "progress_report"
    CALENDAR = "calendar"


_CONTACT = frozenset({"full_name", "date_of_birth", "phone", "email"})
FIELDS: dict[DocumentKind, frozenset[str]] = {
    DocumentKind.PATIENT_PLAN: frozenset({"full_name"}),
    DocumentKind.FACILITY_SUMMARY: frozenset({"full_name"}),
    DocumentKind.REFERRAL_LETTER: _CONTACT,
    DocumentKind.PROGRESS_REPORT: _CONTACT,
    DocumentKind.CALENDAR: frozenset({"full_name"}),
}
"""The patient's fields each kind of document may carry when consent is recorded."""


def case_reference(case_id: int) -> str:
    """Return how a document names a case without identifying anyone.

    Examples
    --------
    >>> case_reference(12)
    'case #12'
    """
    return f"case #{case_id}"


@dataclass(frozen=True)
class DocumentIdentity:
    """What one document may show of the patient; the fields it may not show are ``None``.

    Attributes
    ----------
    kind : DocumentKind
        The document.
    reference : str
        The case reference, always shown (``case #12``).
    consented : bool
        Whether the patient's consent allows identity on this document.
    full_name, date_of_birth, phone, email : optional
        The patient's details the document may show.
    """

    kind: DocumentKind
    reference: str
    consented: bool
    full_name: str | None = None
    date_of_birth: dt.date | None = None
    phone: str | None = None
    email: str | None = None

    @property
    def label(self) -> str:
        """The patient as a header names them: ``Sam Example (case #12)`` or ``case #12``."""
        return f"{self.full_name} ({self.reference})" if self.full_name else self.reference

    @property
    def shows_identity(self) -> bool:
        """Whether any of the patient's details are shown."""
        return any(
            value is not None
            for value in (self.full_name, self.date_of_birth, self.phone, self.email)
        )

    def photo_name(self, filename: str | None, photo_id: int | None) -> str:
        """Name the photo a document was made from: its file name only with consent.

        Parameters
        ----------
        filename : str or None
            The uploaded file's name.
        photo_id : int or None
            The photo's record.

        Returns
        -------
        str
            The file name, or ``photo #ID`` (``the case's photo`` without a record).
        """
        if self.consented and filename:
            return filename
        return f"photo #{photo_id}" if photo_id is not None else "the case's photo"

    def letter_patient(self) -> LetterPatient | None:
        """Return the patient block of a letter or progress report; ``None`` when withheld."""
        if self.full_name is None:
            return None
        return LetterPatient(
            full_name=self.full_name,
            date_of_birth=self.date_of_birth,
            phone=self.phone,
            email=self.email,
        )


def document_identity(
    patient: Patient, kind: DocumentKind, *, case_id: int, allowed: bool = True
) -> DocumentIdentity:
    """Decide what identity a document may carry, from the patient's recorded consent.

    Parameters
    ----------
    patient : Patient
        The patient.
    kind : DocumentKind
        The document.
    case_id : int
        The case the document is about (its reference is always shown).
    allowed : bool, optional
        ``False`` when the document's own record withheld the details (e.g. a referral made
        before consent was recorded): then nothing is shown whatever the consent.

    Returns
    -------
    DocumentIdentity
        The reference, and the details :data:`FIELDS` allows for ``kind`` with consent.

    Examples
    --------
    >>> sam = Patient(full_name="Sam Example", date_of_birth=dt.date(1990, 5, 17))
    >>> document_identity(sam, DocumentKind.FACILITY_SUMMARY, case_id=7).label
    'case #7'
    >>> sam.consent_given_at = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    >>> document_identity(sam, DocumentKind.FACILITY_SUMMARY, case_id=7).label
    'Sam Example (case #7)'
    >>> document_identity(sam, DocumentKind.REFERRAL_LETTER, case_id=7).date_of_birth
    datetime.date(1990, 5, 17)
    """
    reference = case_reference(case_id)
    consented = allowed and patient.consent_given_at is not None
    if not consented:
        return DocumentIdentity(kind=kind, reference=reference, consented=False)
    shown = FIELDS[DocumentKind(kind)]
    return DocumentIdentity(
        kind=kind,
        reference=reference,
        consented=True,
        full_name=patient.full_name if "full_name" in shown else None,
        date_of_birth=patient.date_of_birth if "date_of_birth" in shown else None,
        phone=patient.phone if "phone" in shown else None,
        email=patient.email if "email" in shown else None,
    )


def disclosed_plan(
    session: Session, plan: PlanVersion, identity: DocumentIdentity
) -> dict[str, Any]:
    """Return a plan version's plan.json as a document may show it: its photo named as allowed.

    plan.json keeps the name of the photo's file, which a report prints ("Photo: ..."); the
    copy returned names it by :meth:`DocumentIdentity.photo_name`.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    plan : PlanVersion
        The plan version.
    identity : DocumentIdentity
        What the document may carry.

    Returns
    -------
    dict
        A shallow copy of ``plan.document`` with ``photo.source`` replaced.
    """
    row = session.get(PhotoAnalysis, plan.analysis_id) if plan.analysis_id else None
    filename, photo_id = (row.photo.original_filename, row.photo.id) if row else (None, None)
    document: dict[str, Any] = dict(plan.document)
    photo = document.get("photo")
    document["photo"] = {
        **(photo if isinstance(photo, dict) else {}),
        "source": identity.photo_name(filename, photo_id),
    }
    return document
