"""Analyses: queue one for a photo, run it (analysis.json and overlay), fail it cleanly.

The analysis engine runs outside any transaction. Its results (the JSON document and the overlay
PNG, which is kept in the photo store by its sha256) are saved in one commit; an error saves the
status ``failed`` and its one-line message, and leaves no overlay file behind.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError
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
from scalpmap.services.limited import Limits, run_limited
from scalpmap.store.models import (
    AnalysisStatus,
    Photo,
    PhotoAnalysis,
    ScaleSource,
    User,
    utcnow,
)
from scalpmap.store.photos import PhotoStore

__all__ = [
    "AnalysedPhoto",
    "analyse_photo_file",
    "fail_stale_analyses",
    "request_analysis",
    "run_analysis",
]

log = logging.getLogger(__name__)
# The web app's overlay: long side at most this (a 12 MP overlay took seconds to encode).
WEB_OVERLAY_SIDE = 2400


def request_analysis(
    session: Session,
    photo_id: int,
    actor: User | None,
    *,
    mm_per_px: float | None = None,
    enqueue: Callable[[Session, int], None] | None = None,
) -> PhotoAnalysis:
    """Queue an analysis of a photo (status ``pending``).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    photo_id : int
        The photo.
    actor : User or None
        Who asks; ``None`` for the command line (``scalpmap reanalyse``).
    mm_per_px : float, optional
        Scale to use; the photo's given scale, else the printed marker, by default.
    enqueue : callable, optional
        Called with the session and the new analysis's id inside the transaction that writes
        it, before the commit: a job queue in the same database (:mod:`scalpmap.jobs`) queues
        the job in that transaction, so either both are written or neither.

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
    requested_by = actor.id if actor is not None else None
    row = PhotoAnalysis(photo_id=photo.id, mm_per_px=mm_per_px, requested_by_id=requested_by)
    patient_id = photo.case.patient_id if photo.case is not None else None
    with atomic(session):
        session.add(row)
        session.flush()
        audit.record(session, actor, audit.Action.CREATE, "analysis", row.id, patient_id=patient_id)
        if enqueue is not None:
            enqueue(session, row.id)
    return row


@dataclass(frozen=True)
class AnalysedPhoto:
    """What an analysis of a stored photo gives: its document, overlay and scale.

    Attributes
    ----------
    document : dict
        The analysis.json document.
    overlay_png : bytes
        The overlay picture, at most ``WEB_OVERLAY_SIDE`` pixels on its long side.
    mm_per_px : float
        The scale used.
    scale_source : str
        Where the scale came from (``"given"``, ``"marker"``, ...).
    """

    document: dict[str, Any]
    overlay_png: bytes
    mm_per_px: float
    scale_source: str


def analyse_photo_file(
    data: bytes, mm_per_px: float | None, max_pixels: int, source: str | None
) -> AnalysedPhoto:
    """Decode a photo, analyse it and draw its overlay (what a job runs, possibly in a child).

    Parameters
    ----------
    data : bytes
        The stored photo file.
    mm_per_px : float or None
        The scale; from the printed marker when None.
    max_pixels : int
        Largest photo accepted.
    source : str or None
        The photo's name in the document.

    Returns
    -------
    AnalysedPhoto
        The results.

    Raises
    ------
    ScalpmapError
        When the photo cannot be analysed (no scale, a damaged file, ...).
    """
    loaded = decode_photo(data, max_pixels=max_pixels)
    result = analyse_photo(loaded.rgb, mm_per_px=mm_per_px)
    document = analysis_to_json(result, source=source)
    picture = render_overlay(loaded.rgb, result, max_side=WEB_OVERLAY_SIDE)
    return AnalysedPhoto(
        document=document,
        overlay_png=encode_png(picture, photographic=True),
        mm_per_px=result.scale.mm_per_px,
        scale_source=str(result.scale.source),
    )


def run_analysis(
    session: Session,
    store: PhotoStore,
    analysis_id: int,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    limits: Limits | None = None,
    reclaim_running: bool = False,
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
    limits : Limits, optional
        Run the analysis in a child process with these limits (the web app); in this process
        when omitted (the command line). A run out of its limits fails with the message
        ``the analysis ran out of its limits (...)``.
    reclaim_running : bool, optional
        Also take an analysis left ``running``: only for a job queue that hands each job to
        one worker at a time and gives a job whose worker died to another one
        (:mod:`scalpmap.jobs`); the analysis is then run again from the start.

    Returns
    -------
    PhotoAnalysis
        The analysis, ``done`` or ``failed`` (a user error such as a missing scale, or a run out
        of its limits).

    Raises
    ------
    ConflictError
        When the analysis is not pending (another worker took it).
    sqlalchemy.exc.DBAPIError
        When the database fails; the analysis is left ``running`` (the job queue runs it again,
        see ``reclaim_running``).
    Exception
        An unexpected error is re-raised after the analysis is saved as ``failed``.
    """
    claimable = [AnalysisStatus.PENDING]
    if reclaim_running:
        claimable.append(AnalysisStatus.RUNNING)
    claim = (
        update(PhotoAnalysis)
        .where(PhotoAnalysis.id == analysis_id, PhotoAnalysis.status.in_(claimable))
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
        args = (store.read(photo.sha256), row.mm_per_px, max_pixels, photo.original_filename)
        session.commit()  # no transaction (nor connection) held while the analysis runs
        result = (
            run_limited(analyse_photo_file, *args, limits=limits)
            if limits is not None
            else analyse_photo_file(*args)
        )
        with atomic(session) as staged:
            overlay = store.stage(result.overlay_png)
            staged.append(overlay)
            row.document = result.document
            row.overlay_sha256 = overlay.sha256
            row.mm_per_px = result.mm_per_px
            row.engine_version = __version__
            row.status = AnalysisStatus.DONE
            row.finished_at = utcnow()
            if photo.scale_source is None and result.scale_source == "marker":
                photo.mm_per_px = result.mm_per_px
                photo.scale_source = ScaleSource.MARKER
    except ScalpmapError as error:
        _fail(session, analysis_id, str(error))
    except DBAPIError:  # the database went away: left running, for the job queue to retry
        session.rollback()
        log.warning("analysis %s: the database failed; left running", analysis_id)
        raise
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
