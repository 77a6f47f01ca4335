"""Enquiries: a prospective patient writes in with photos; staff make it a case, close or delete it.

The public form is open to anyone, so what it may store is bounded: each photo's pixels are
checked from its header before decoding (``max_pixels``), and all enquiries together store at
most ``daily_bytes`` of photos in any 24 hours (:class:`PhotoQuotaExceeded` past it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, StringConstraints, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scalpmap.errors import ScalpmapError
from scalpmap.imaging.photo_io import DEFAULT_MAX_PIXELS
from scalpmap.services import audit
from scalpmap.services._tx import atomic, commit, get_or_raise
from scalpmap.services.errors import ConflictError, InputError
from scalpmap.services.photos import file_is_referenced, inspect_upload
from scalpmap.store.models import (
    Case,
    CaseReason,
    CaseStage,
    Enquiry,
    EnquiryStatus,
    Patient,
    Photo,
    User,
    utcnow,
)
from scalpmap.store.photos import PhotoStore

__all__ = [
    "MAX_ENQUIRY_PHOTOS",
    "QUOTA_WINDOW",
    "DeletedEnquiry",
    "EnquiryCreate",
    "PhotoQuotaExceeded",
    "close_enquiry",
    "convert_enquiry",
    "delete_enquiry",
    "enquiry_photo_bytes_since",
    "list_enquiries",
    "submit_enquiry",
]

MAX_ENQUIRY_PHOTOS = 10
QUOTA_WINDOW = dt.timedelta(hours=24)
"""The window of the enquiry photos' storage quota."""


class PhotoQuotaExceeded(ScalpmapError):
    """The public form has stored its day's quota of photos (HTTP 429); nothing was saved."""


@dataclass(frozen=True)
class DeletedEnquiry:
    """What deleting an enquiry did.

    Attributes
    ----------
    photos_deleted : int
        Photo records deleted with it.
    photos_kept : int
        Photos kept because they belong to the case the enquiry became.
    files_removed : int
        Files removed from the photo store (a file still used elsewhere is kept).
    """

    photos_deleted: int
    photos_kept: int
    files_removed: int


class EnquiryCreate(BaseModel):
    """The public enquiry form: a way to reply (email or phone) and consent are required."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    email: EmailStr | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    reason: CaseReason | None = None
    message: Annotated[str, StringConstraints(max_length=5000)] | None = None
    consent: bool
    consent_text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

    @model_validator(mode="after")
    def _reachable_and_consenting(self) -> EnquiryCreate:
        if not self.email and not self.phone:
            raise ValueError("give an email address or a phone number so the clinic can reply")
        if not self.consent:
            raise ValueError("the clinic can only keep an enquiry and its photos with consent")
        return self


def submit_enquiry(
    session: Session,
    store: PhotoStore,
    data: EnquiryCreate,
    photos: Sequence[bytes] = (),
    *,
    max_bytes: int | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    daily_bytes: int | None = None,
    now: dt.datetime | None = None,
) -> Enquiry:
    """Save a public enquiry and its photos, all or nothing.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    store : PhotoStore
        Where the photos go.
    data : EnquiryCreate
        The validated form.
    photos : sequence of bytes, optional
        The photo files (duplicates are kept once).
    max_bytes, max_pixels : int, optional
        Upload limits, per photo; the pixels are checked from the header before decoding.
    daily_bytes : int, optional
        Most bytes of enquiry photos stored in any 24 hours (no limit when ``None``).
    now : datetime.datetime, optional
        The time (timezone-aware), for the quota's window; now by default.

    Returns
    -------
    Enquiry
        The new enquiry, status ``new``.

    Raises
    ------
    PhotoError
        When a photo is not acceptable (nothing is saved).
    InputError
        When there are too many photos.
    PhotoQuotaExceeded
        When the photos would pass the day's quota (checked before any photo is decoded).
    """
    if len(photos) > MAX_ENQUIRY_PHOTOS:
        raise InputError(f"send at most {MAX_ENQUIRY_PHOTOS} photos")
    if photos and daily_bytes is not None:
        used = enquiry_photo_bytes_since(session, (now or utcnow()) - QUOTA_WINDOW)
        if used + sum(len(p) for p in photos) > daily_bytes:
            raise PhotoQuotaExceeded(
                "the clinic cannot take more photos by this form today; send your enquiry "
                "without photos (the clinic will ask for them), or try again tomorrow"
            )
    infos = [inspect_upload(p, max_bytes=max_bytes, max_pixels=max_pixels) for p in photos]
    enquiry = Enquiry(
        name=data.name,
        email=data.email,
        phone=data.phone,
        reason=data.reason,
        message=data.message,
        consent_given_at=utcnow(),
        consent_text=data.consent_text,
    )
    with atomic(session) as staged:
        session.add(enquiry)
        session.flush()
        seen: set[str] = set()
        for info, content in zip(infos, photos, strict=True):
            if info.sha256 in seen:
                continue
            seen.add(info.sha256)
            staged.append(store.stage(content))
            session.add(
                Photo(
                    enquiry_id=enquiry.id,
                    sha256=info.sha256,
                    source_format=info.source_format,
                    byte_size=info.byte_size,
                    width_px=info.width_px,
                    height_px=info.height_px,
                )
            )
        audit.record(session, None, audit.Action.CREATE, "enquiry", enquiry.id)
    return enquiry


def convert_enquiry(
    session: Session, enquiry_id: int, actor: User, *, reason: CaseReason | None = None
) -> Case:
    """Turn a new enquiry into a patient and a case (stage ``enquiry``) holding its photos.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    enquiry_id : int
        The enquiry.
    actor : User
        Who converts it.
    reason : CaseReason, optional
        The case's reason; the enquiry's by default.

    Returns
    -------
    Case
        The new case; ``case.patient`` is the new patient.

    Raises
    ------
    ConflictError
        When the enquiry is not new.
    InputError
        When neither the enquiry nor the call gives a reason.
    """
    enquiry = get_or_raise(session, Enquiry, enquiry_id, "enquiry")
    if enquiry.status != EnquiryStatus.NEW:
        raise ConflictError(f"enquiry {enquiry_id} is already {enquiry.status}")
    chosen = reason or enquiry.reason
    if chosen is None:
        raise InputError("choose the case's reason: the enquiry did not give one")
    patient = Patient(
        full_name=enquiry.name,
        email=enquiry.email,
        phone=enquiry.phone,
        consent_given_at=enquiry.consent_given_at,
        consent_text=enquiry.consent_text,
        created_by_id=actor.id,
    )
    with atomic(session):
        session.add(patient)
        session.flush()
        case = Case(patient_id=patient.id, reason=chosen, stage=CaseStage.ENQUIRY)
        session.add(case)
        session.flush()
        for photo in enquiry.photos:
            photo.case_id = case.id
        enquiry.status = EnquiryStatus.CONVERTED
        enquiry.case_id = case.id
        enquiry.closed_at = utcnow()
        audit.record(
            session, actor, audit.Action.CREATE, "patient", patient.id, patient_id=patient.id
        )
        audit.record(session, actor, audit.Action.CREATE, "case", case.id, patient_id=patient.id)
        audit.record(
            session, actor, audit.Action.UPDATE, "enquiry", enquiry.id, patient_id=patient.id
        )
    return case


def close_enquiry(session: Session, enquiry_id: int, actor: User) -> Enquiry:
    """Close an enquiry without a case (spam, no reply, not suitable).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    enquiry_id : int
        The enquiry.
    actor : User
        Who closes it.

    Returns
    -------
    Enquiry
        The enquiry, status ``closed``.

    Raises
    ------
    ConflictError
        When it was converted to a case.
    """
    enquiry = get_or_raise(session, Enquiry, enquiry_id, "enquiry")
    if enquiry.status == EnquiryStatus.CONVERTED:
        raise ConflictError(f"enquiry {enquiry_id} was converted to case {enquiry.case_id}")
    if enquiry.status == EnquiryStatus.NEW:
        enquiry.status = EnquiryStatus.CLOSED
        enquiry.closed_at = utcnow()
        audit.record(session, actor, audit.Action.UPDATE, "enquiry", enquiry.id)
        commit(session)
    return enquiry


def enquiry_photo_bytes_since(session: Session, since: dt.datetime) -> int:
    """Return the bytes of the enquiry photos stored since a time (deleted ones not counted).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    since : datetime.datetime
        The start of the window (timezone-aware).

    Returns
    -------
    int
        The photos' total size in bytes.
    """
    query = select(func.coalesce(func.sum(Photo.byte_size), 0)).where(
        Photo.enquiry_id.is_not(None), Photo.uploaded_at >= since
    )
    return int(session.scalar(query) or 0)


def delete_enquiry(
    session: Session, store: PhotoStore, enquiry_id: int, actor: User
) -> DeletedEnquiry:
    """Delete an enquiry and its photos; the deletion is audited (no names in the audit log).

    The photos of an enquiry that became a case belong to the case and are kept. The other
    photos' records are deleted, and then their files, unless another record (the same photo
    sent again, or uploaded to a case) still uses them.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    store : PhotoStore
        Where the photos' files are.
    enquiry_id : int
        The enquiry.
    actor : User
        Who deletes it.

    Returns
    -------
    DeletedEnquiry
        How many photos and files went, and how many photos stayed with the case.

    Raises
    ------
    NotFoundError
        When there is no such enquiry.
    """
    enquiry = get_or_raise(session, Enquiry, enquiry_id, "enquiry")
    case = session.get(Case, enquiry.case_id) if enquiry.case_id is not None else None
    patient_id = case.patient_id if case is not None else None
    kept = [photo for photo in enquiry.photos if photo.case_id is not None]
    dropped = [photo for photo in enquiry.photos if photo.case_id is None]
    files = sorted({photo.sha256 for photo in dropped})
    with atomic(session):
        for photo in kept:
            photo.enquiry_id = None
        for photo in dropped:
            for analysis in photo.analyses:
                session.delete(analysis)
            session.delete(photo)
        session.delete(enquiry)
        audit.record(
            session, actor, audit.Action.DELETE, "enquiry", enquiry_id, patient_id=patient_id,
            details={"status": str(enquiry.status), "photos_deleted": len(dropped),
                     "photos_kept": len(kept)},
        )  # fmt: skip
    removed = sum(store.remove(sha, lambda s: file_is_referenced(session, s)) for sha in files)
    session.commit()  # end the read transaction of the reference checks
    return DeletedEnquiry(len(dropped), len(kept), removed)


def list_enquiries(session: Session, *, status: EnquiryStatus | None = None) -> list[Enquiry]:
    """List enquiries, newest first.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.
    status : EnquiryStatus, optional
        Only those with this status.

    Returns
    -------
    list of Enquiry
        The enquiries.
    """
    query = select(Enquiry).order_by(Enquiry.id.desc())
    if status is not None:
        query = query.where(Enquiry.status == status)
    return list(session.scalars(query))
