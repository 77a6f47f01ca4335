"""Analyses: queue one for a photo, run it (analysis.json and overlay), fail it cleanly.

The analysis engine runs outside any transaction. Its results (the JSON document and the overlay
PNG, which is kept in the photo store by its sha256) are saved in one commit; an error saves the
status ``failed`` and its one-line message, and leaves no overlay file behind.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scalpmap import __version__
from scalpmap.errors import ScalpmapError
from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.analysis_json import analysis_to_json
from scalpmap.imaging.overlay import render_overlay
from scalpmap.imaging.photo_io import DEFAULT_MAX_PIXELS, decode_photo
from scalpmap.reports.images import encode_png
from scalpmap.services import audit
from scalpmap.services._tx import atomic, commit, get_or_raise
from scalpmap.services.errors import ConflictError, InputError
from scalpmap.store.models import (
    AnalysisStatus,
    Photo,
    PhotoAnalysis,
    ScaleSource,
    User,
    utcnow,
)
from scalpmap.store.photos import PhotoStore

__all__ = ["fail_stale_analyses", "request_analysis", "run_analysis"]

log = logging.getLogger(__name__)
# The web app's overlay: long side at most this (a 12 MP overlay took seconds to encode).
WEB_OVERLAY_SIDE = 2400


def request_analysis(
    session: Session, photo_id: int, actor: User, *, mm_per_px: float | None = None
) -> PhotoAnalysis:
    """Queue an analysis of a photo (status ``pending``).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    photo_id : int
        The photo.
    actor : User
        Who asks.
    mm_per_px : float, optional
        Scale to use; the photo's given scale, else the printed marker, by default.

    Returns
    -------
    PhotoAnalysis
        The pending analysis; pass its id to :func:`run_analysis`.
    """
    if mm_per_px is not None and not mm_per_px > 0:
        raise InputError("the scale must be a positive number of mm per pixel")
    photo = get_or_raise(session, Photo, photo_id, "photo")
    if mm_per_px is None and photo.scale_source == ScaleSource.GIVEN:
        mm_per_px = photo.mm_per_px
    row = PhotoAnalysis(photo_id=photo.id, mm_per_px=mm_per_px, requested_by_id=actor.id)
    patient_id = photo.case.patient_id if photo.case is not None else None
    with atomic(session):
        session.add(row)
        session.flush()
        audit.record(session, actor, audit.Action.CREATE, "analysis", row.id, patient_id=patient_id)
    return row


def run_analysis(
    session: Session, store: PhotoStore, analysis_id: int, *, max_pixels: int = DEFAULT_MAX_PIXELS
) -> PhotoAnalysis:
    """Run a pending analysis and save its results, or its failure.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed twice (``running``, then ``done`` or ``failed``).
    store : PhotoStore
        Where the photo is and the overlay goes.
    analysis_id : int
        The pending analysis.
    max_pixels : int, optional
        Largest photo accepted.

    Returns
    -------
    PhotoAnalysis
        The analysis, ``done`` or ``failed`` (a user error such as a missing scale).

    Raises
    ------
    ConflictError
        When the analysis is not pending (another worker took it).
    Exception
        An unexpected error is re-raised after the analysis is saved as ``failed``.
    """
    claim = (
        update(PhotoAnalysis)
        .where(PhotoAnalysis.id == analysis_id, PhotoAnalysis.status == AnalysisStatus.PENDING)
        .values(status=AnalysisStatus.RUNNING, started_at=utcnow())
    )
    claimed = session.execute(claim).rowcount  # type: ignore[attr-defined]
    session.commit()
    row = get_or_raise(session, PhotoAnalysis, analysis_id, "analysis")
    session.refresh(row)
    if not claimed:
        raise ConflictError(f"analysis {analysis_id} is {row.status}, not pending")
    photo = row.photo
    try:
        with atomic(session) as staged:
            loaded = decode_photo(store.read(photo.sha256), max_pixels=max_pixels)
            result = analyse_photo(loaded.rgb, mm_per_px=row.mm_per_px)
            document = analysis_to_json(result, source=photo.original_filename)
            picture = render_overlay(loaded.rgb, result, max_side=WEB_OVERLAY_SIDE)
            overlay = store.stage(encode_png(picture, photographic=True))
            staged.append(overlay)
            row.document = document
            row.overlay_sha256 = overlay.sha256
            row.mm_per_px = result.scale.mm_per_px
            row.engine_version = __version__
            row.status = AnalysisStatus.DONE
            row.finished_at = utcnow()
            if photo.scale_source is None and result.scale.source == "marker":
                photo.mm_per_px = result.scale.mm_per_px
                photo.scale_source = ScaleSource.MARKER
    except ScalpmapError as error:
        _fail(session, analysis_id, str(error))
    except Exception as error:
        log.exception("analysis %s failed", analysis_id)
        _fail(session, analysis_id, f"internal error ({type(error).__name__}); see the logs")
        raise
    return get_or_raise(session, PhotoAnalysis, analysis_id, "analysis")


def _fail(session: Session, analysis_id: int, message: str) -> None:
    row = get_or_raise(session, PhotoAnalysis, analysis_id, "analysis")
    session.refresh(row)
    row.status = AnalysisStatus.FAILED
    row.error_message = " ".join(message.split())[:2000]
    row.finished_at = utcnow()
    commit(session)


def fail_stale_analyses(session: Session, *, older_than: dt.timedelta) -> list[int]:
    """Mark analyses left ``running`` by a crashed worker as failed (run at start-up).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    older_than : datetime.timedelta
        Only those started longer ago than this.

    Returns
    -------
    list of int
        Ids of the analyses marked failed.
    """
    cutoff = utcnow() - older_than
    query = select(PhotoAnalysis).where(
        PhotoAnalysis.status == AnalysisStatus.RUNNING, PhotoAnalysis.started_at < cutoff
    )
    rows = list(session.scalars(query))
    for row in rows:
        row.status = AnalysisStatus.FAILED
        row.error_message = "interrupted: the worker stopped; run the analysis again"
        row.finished_at = utcnow()
    commit(session)
    return [row.id for row in rows]
