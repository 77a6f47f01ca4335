"""Reading enquiries for staff (audited views) and the public form's consent wording."""

from __future__ import annotations

from sqlalchemy.orm import Session

from scalpmap.services import audit
from scalpmap.services._tx import commit, get_or_raise
from scalpmap.services.errors import NotFoundError
from scalpmap.store.models import Enquiry, Photo, User

__all__ = ["CONSENT_TEXT", "MAX_PUBLIC_PHOTOS", "enquiry_photo", "get_enquiry"]

MAX_PUBLIC_PHOTOS = 5
CONSENT_TEXT = (
    "I agree that the clinic keeps this enquiry and my photos to assess my scalp "
    "micropigmentation and to contact me about it. (Enquiry consent, version 1)"
)


def get_enquiry(session: Session, enquiry_id: int, actor: User) -> Enquiry:
    """Open an enquiry; the view is audited.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed (the audit row).
    enquiry_id : int
        The enquiry.
    actor : User
        Who looks.

    Returns
    -------
    Enquiry
        The enquiry.

    Raises
    ------
    NotFoundError
        When there is no such enquiry.
    """
    enquiry = get_or_raise(session, Enquiry, enquiry_id, "enquiry")
    audit.record(session, actor, audit.Action.VIEW, "enquiry", enquiry.id)
    commit(session)
    return enquiry


def enquiry_photo(session: Session, enquiry_id: int, photo_id: int, actor: User) -> Photo:
    """Open a photo sent with an enquiry; the view is audited.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed (the audit row).
    enquiry_id : int
        The enquiry.
    photo_id : int
        The photo, which must belong to the enquiry.
    actor : User
        Who looks.

    Returns
    -------
    Photo
        The photo.

    Raises
    ------
    NotFoundError
        When the enquiry has no such photo.
    """
    photo = session.get(Photo, photo_id)
    if photo is None or photo.enquiry_id != enquiry_id:
        raise NotFoundError(f"enquiry {enquiry_id} has no photo {photo_id}")
    audit.record(session, actor, audit.Action.VIEW, "photo", photo.id, details={"enquiry": True})
    commit(session)
    return photo
