"""Photo uploads and analyses as the web app runs them (checks, queueing, status)."""

from __future__ import annotations

import io
import math
import re
from typing import Any

from PIL import Image, ImageOps
from sqlalchemy import select
from sqlalchemy.orm import Session, defer, object_session
from starlette.datastructures import UploadFile

from scalpmap.field_labels import LABELS
from scalpmap.scale_limits import GIVEN_MAX_MM_PER_PX, GIVEN_MIN_MM_PER_PX
from scalpmap.services import analyses, photos
from scalpmap.services.errors import InputError, NotFoundError
from scalpmap.store.models import AnalysisStatus, Case, Photo, PhotoAnalysis, PhotoView, User
from scalpmap.web.state import AppState
from scalpmap.web.uploads import check_image, read_upload

__all__ = [
    "MEDIA_TYPES",
    "analysis_status",
    "done_analysis",
    "latest_analysis",
    "latest_statuses",
    "parse_mm_per_px",
    "parse_view",
    "resized_jpeg",
    "start_analysis",
    "upload_photo",
]

MEDIA_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "TIFF": "image/tiff",
    "WEBP": "image/webp",
    "HEIF": "image/heic",
}
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


def parse_view(value: str) -> PhotoView:
    """Read a photo's view from a form value.

    Parameters
    ----------
    value : str
        ``front``, ``left``, ``right``, ``top`` or ``back``.

    Returns
    -------
    PhotoView
        The view.

    Raises
    ------
    InputError
        For anything else.
    """
    try:
        return PhotoView(value.strip().lower())
    except ValueError:
        names = ", ".join(view.value for view in PhotoView)
        raise InputError(f"View must be one of {names}: choose the photo's view", "view") from None


def parse_mm_per_px(value: str | None) -> float | None:
    """Read an optional scale from a form value.

    Parameters
    ----------
    value : str or None
        Millimetres per pixel, e.g. ``"0.035"``; blank for none.

    Returns
    -------
    float or None
        The scale.

    Raises
    ------
    InputError
        When it is not a number in 0.005..1.0 (see :mod:`scalpmap.scale_limits`).

    Examples
    --------
    >>> parse_mm_per_px(" 0.035 "), parse_mm_per_px("")
    (0.035, None)
    """
    if value is None or not value.strip():
        return None
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not GIVEN_MIN_MM_PER_PX <= number <= GIVEN_MAX_MM_PER_PX:
        raise InputError(
            f"{LABELS['mm_per_px']} must be {GIVEN_MIN_MM_PER_PX:g} to {GIVEN_MAX_MM_PER_PX:g} "
            "(a close-up is about 0.02-0.08, a whole head 0.1-0.25), or empty when the printed "
            f"marker is in the photo; got {value.strip()[:40]!r}",
            "mm_per_px",
        )
    return number


def _label(filename: str | None) -> str | None:
    """Keep a file's base name as a label only (never used as a path)."""
    if not filename:
        return None
    base = _UNPRINTABLE.sub("", filename.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return base[-255:] or None


def latest_analysis(photo: Photo) -> PhotoAnalysis | None:
    """Return a photo's newest analysis, or ``None``."""
    return photo.analyses[-1] if photo.analyses else None


def latest_statuses(session: Session, photo_list: list[Photo]) -> dict[int, PhotoAnalysis]:
    """Return each photo's newest analysis without its analysis.json, for lists of photos.

    A 12 MP close-up's analysis.json lists every impression (hundreds of kB): a page that shows
    only the analyses' statuses loads them without it (deferred: read on access, in the session).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The request's session.
    photo_list : list of Photo
        The photos.

    Returns
    -------
    dict of int to PhotoAnalysis
        By photo id; a photo never analysed is left out.
    """
    ids = [photo.id for photo in photo_list]
    if not ids:
        return {}
    query = (
        select(PhotoAnalysis)
        .where(PhotoAnalysis.photo_id.in_(ids))
        .options(defer(PhotoAnalysis.document))
        .order_by(PhotoAnalysis.id)
    )
    return {row.photo_id: row for row in session.scalars(query)}  # the newest last


def done_analysis(photo: Photo) -> PhotoAnalysis | None:
    """Return a photo's newest finished (``done``) analysis, or ``None``."""
    done = [row for row in photo.analyses if row.status == AnalysisStatus.DONE]
    return done[-1] if done else None


def start_analysis(
    session: Session, state: AppState, photo: Photo, user: User, *, mm_per_px: float | None = None
) -> PhotoAnalysis:
    """Queue an analysis of a photo and hand it to the background pool.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The request's session; committed.
    state : AppState
        The app (its job pool).
    photo : Photo
        The photo.
    user : User
        Who asks.
    mm_per_px : float, optional
        Scale; the photo's given scale, else the printed marker, by default.

    Returns
    -------
    PhotoAnalysis
        The analysis as queued (``pending``).

    Raises
    ------
    starlette.exceptions.HTTPException
        503 when the job queue does not answer (the analysis is not written).
    """
    jobs = state.jobs
    jobs.check_available()
    queued = False

    def enqueue(work: Session, analysis_id: int) -> None:
        nonlocal queued
        queued = jobs.enqueue_in_transaction(work, analysis_id)

    row = analyses.request_analysis(session, photo.id, user, mm_per_px=mm_per_px, enqueue=enqueue)
    if not queued:
        jobs.submit(row.id)
    return row


def upload_photo(
    session: Session,
    state: AppState,
    user: User,
    case: Case,
    upload: UploadFile,
    *,
    view: PhotoView,
    mm_per_px: float | None,
) -> Photo:
    """Check an upload, attach it to the case and queue its analysis (a new photo only).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The request's session; committed.
    state : AppState
        The app.
    user : User
        Who uploads.
    case : Case
        The case.
    upload : starlette.datastructures.UploadFile
        The file.
    view : PhotoView
        Which side of the head it shows.
    mm_per_px : float or None
        The scale, when known.

    Returns
    -------
    Photo
        The photo (the existing one when the same file was uploaded to this case before).

    Raises
    ------
    starlette.exceptions.HTTPException
        413 (too large), 415 (not an image), 422 (damaged).
    PhotoError
        When the image cannot be decoded (422).
    """
    settings = state.settings
    data = read_upload(upload, settings.max_upload_bytes)
    check_image(data, max_pixels=settings.max_upload_pixels)
    state.jobs.check_available()  # a queue that is down: 503 before anything is written
    photo = photos.add_photo(
        session,
        state.store,
        data,
        case_id=case.id,
        actor=user,
        view=view,
        mm_per_px=mm_per_px,
        filename=_label(upload.filename),
        max_bytes=settings.max_upload_bytes,
        max_pixels=settings.max_upload_pixels,
    )
    if not photo.analyses:
        start_analysis(session, state, photo, user)
    return photo


def analysis_status(photo: Photo, *, with_document: bool = True) -> dict[str, Any]:
    """Describe a photo's newest analysis for the API and the progress indicator.

    Parameters
    ----------
    photo : Photo
        The photo.
    with_document : bool, optional
        Include the analysis.json document (when done).

    Returns
    -------
    dict
        ``status``, ``analysis`` (the document or ``None``), ``error``, ids and the overlay URL.

    Raises
    ------
    NotFoundError
        When the photo was never analysed.
    """
    session = object_session(photo)
    if with_document or session is None:
        row = latest_analysis(photo)
    else:  # the browser's poll: the status without the analysis.json
        row = latest_statuses(session, [photo]).get(photo.id)
    if row is None:
        raise NotFoundError(f"photo {photo.id} has no analysis; POST to its analysis to start one")
    done = row.status == AnalysisStatus.DONE
    return {
        "photo_id": photo.id,
        "analysis_id": row.id,
        "status": str(row.status),
        "analysis": row.document if done and with_document else None,
        "error": row.error_message,
        "overlay_url": f"/api/photos/{photo.id}/overlay.png" if done else None,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
    }


def resized_jpeg(data: bytes, max_side: int) -> bytes:
    """Return a JPEG of a stored photo at most ``max_side`` pixels wide and high.

    Parameters
    ----------
    data : bytes
        The photo file (already checked when it was uploaded).
    max_side : int
        Longest side of the result.

    Returns
    -------
    bytes
        The JPEG, upright (EXIF orientation applied).
    """
    if data[4:8] == b"ftyp":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (max_side, max_side))
        upright = ImageOps.exif_transpose(image).convert("RGB")
    upright.thumbnail((max_side, max_side))
    buffer = io.BytesIO()
    upright.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()
