"""Photos: check an upload, store it once by its sha256 and attach it to a case.

A failed upload leaves no row and no file: the file is staged, the row committed, and only then
is the file moved into place (see :mod:`scalpmap.store.photos`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Text, cast, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scalpmap.errors import PhotoError
from scalpmap.imaging.photo_io import DEFAULT_MAX_PIXELS, decode_photo
from scalpmap.services import audit
from scalpmap.services._tx import atomic, commit, get_or_raise
from scalpmap.services.errors import InputError
from scalpmap.store.models import (
    Case,
    ClearanceCheck,
    Photo,
    PhotoAnalysis,
    PhotoView,
    PlanVersion,
    ScaleSource,
    User,
)
from scalpmap.store.photos import PhotoStore, is_sha256, sha256_hex

__all__ = [
    "UploadInfo",
    "add_photo",
    "file_is_referenced",
    "get_photo",
    "inspect_upload",
    "recover_photo_store",
    "referenced_files",
]

FILE_COLUMNS = (Photo.sha256, PhotoAnalysis.overlay_sha256, ClearanceCheck.overlay_sha256)
"""Columns that name a file in the photo store; a plan's files are in its document's ``files``.

A new column (or document) that keeps a file in the store must be added here and in
:func:`file_is_referenced`, or ``scalpmap store prune`` would take its files for orphans
(tests/services/test_stored_files.py checks every ``*sha256`` column of the models).
"""


@dataclass(frozen=True)
class UploadInfo:
    """What an accepted upload is: its sha256, format and size."""

    sha256: str
    source_format: str
    byte_size: int
    width_px: int
    height_px: int


def inspect_upload(
    data: bytes,
    *,
    filename: str | None = None,
    max_bytes: int | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> UploadInfo:
    """Check that uploaded bytes are a readable photo within the limits.

    Parameters
    ----------
    data : bytes
        The upload.
    filename : str, optional
        Its name, for messages.
    max_bytes : int, optional
        Largest accepted size.
    max_pixels : int, optional
        Largest accepted ``width * height``.

    Returns
    -------
    UploadInfo
        Its sha256, format and size.

    Raises
    ------
    PhotoError
        When it is empty, too large, not an image or damaged.
    """
    shown = filename or "the upload"
    if max_bytes is not None and len(data) > max_bytes:
        raise PhotoError(f"{shown} is {len(data)} bytes; the limit is {max_bytes}")
    photo = decode_photo(data, max_pixels=max_pixels, source=shown)
    return UploadInfo(sha256_hex(data), photo.source_format, len(data), photo.width, photo.height)


def add_photo(
    session: Session,
    store: PhotoStore,
    data: bytes,
    *,
    case_id: int,
    actor: User | None,
    view: PhotoView | None = None,
    taken_at: dt.datetime | None = None,
    mm_per_px: float | None = None,
    filename: str | None = None,
    max_bytes: int | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> Photo:
    """Store a photo and attach it to a case; the same photo twice on one case is one row.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    store : PhotoStore
        Where the file goes.
    data : bytes
        The photo file.
    case_id : int
        The case.
    actor : User or None
        Who uploads it; ``None`` for the command line.
    view : PhotoView, optional
        Front, left, right, top or back.
    taken_at : datetime.datetime, optional
        When it was taken (timezone-aware).
    mm_per_px : float, optional
        A scale the user gives (otherwise the analysis reads the printed marker).
    filename : str, optional
        The uploaded file's name.
    max_bytes, max_pixels : int, optional
        Upload limits (see :class:`scalpmap.config.Settings`).

    Returns
    -------
    Photo
        The photo's row (the existing one for a repeated upload).

    Raises
    ------
    PhotoError
        When the file is not an acceptable photo.
    InputError
        When the scale is not positive or the time is naive.
    NotFoundError
        When there is no such case.
    """
    if mm_per_px is not None and not mm_per_px > 0:
        raise InputError("the scale must be a positive number of mm per pixel")
    if taken_at is not None and taken_at.tzinfo is None:
        raise InputError("the time the photo was taken needs a time zone")
    info = inspect_upload(data, filename=filename, max_bytes=max_bytes, max_pixels=max_pixels)
    case = get_or_raise(session, Case, case_id, "case")
    existing = _find(session, case.id, info.sha256)
    if existing is not None:
        return existing
    photo = Photo(
        case_id=case.id,
        sha256=info.sha256,
        original_filename=(filename or None) and filename[-255:],
        source_format=info.source_format,
        byte_size=info.byte_size,
        width_px=info.width_px,
        height_px=info.height_px,
        view=PhotoView(view) if view is not None else None,
        taken_at=taken_at,
        mm_per_px=mm_per_px,
        scale_source=ScaleSource.GIVEN if mm_per_px is not None else None,
        uploaded_by_id=actor.id if actor is not None else None,
    )
    try:
        with atomic(session) as staged:
            staged.append(store.stage(data))
            session.add(photo)
            session.flush()
            audit.record(
                session, actor, audit.Action.CREATE, "photo", photo.id, patient_id=case.patient_id
            )
    except IntegrityError:  # the same photo was attached by a concurrent upload
        existing = _find(session, case_id, info.sha256)
        if existing is None:
            raise
        return existing
    return photo


def _find(session: Session, case_id: int, sha256: str) -> Photo | None:
    query = select(Photo).where(Photo.case_id == case_id, Photo.sha256 == sha256)
    return session.scalar(query)


def get_photo(session: Session, photo_id: int, actor: User) -> Photo:
    """Open a photo's record; the view is audited.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed (the audit row).
    photo_id : int
        The photo.
    actor : User
        Who looks.

    Returns
    -------
    Photo
        The photo; read its bytes with ``store.read(photo.sha256)``.

    Raises
    ------
    NotFoundError
        When there is no such photo.
    """
    photo = get_or_raise(session, Photo, photo_id, "photo")
    patient_id = photo.case.patient_id if photo.case is not None else None
    audit.record(session, actor, audit.Action.VIEW, "photo", photo.id, patient_id=patient_id)
    commit(session)
    return photo


def recover_photo_store(session: Session, store: PhotoStore, *, min_age_s: float = 3600.0) -> int:
    """Finish or remove files staged by uploads that a crash interrupted (run at start-up).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    store : PhotoStore
        The store.
    min_age_s : float, optional
        Leave staged files younger than this alone (uploads in progress elsewhere).

    Returns
    -------
    int
        How many staged files were promoted or removed.
    """
    return store.recover(lambda sha256: file_is_referenced(session, sha256), min_age_s=min_age_s)


def file_is_referenced(session: Session, sha256: str) -> bool:
    """Tell whether a committed photo, overlay, clearance overlay or plan file uses a stored file.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    sha256 : str
        The file's sha256 in the photo store.

    Returns
    -------
    bool
        ``True`` when a row references it.
    """
    plan_files = cast(PlanVersion.document["files"], Text)
    query = select(
        or_(
            *(exists().where(column == sha256) for column in FILE_COLUMNS),
            exists().where(plan_files.contains(sha256)),
        )
    )
    return bool(session.scalar(query))


def referenced_files(session: Session) -> set[str]:
    """Return the sha256 of every stored file a row references (photos, overlays, plan files).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).

    Returns
    -------
    set of str
        The sha256 digests.
    """
    found: set[str] = set()
    for column in FILE_COLUMNS:
        found.update(session.scalars(select(column).where(column.is_not(None)).distinct()))
    for files in session.scalars(select(PlanVersion.document["files"])):
        if isinstance(files, dict):
            found.update(value for value in files.values() if is_sha256(value))
    return found
