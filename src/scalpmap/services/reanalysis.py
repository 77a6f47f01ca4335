"""Analyse stored photos again (after an analysis upgrade): choose them, queue a new version each.

Each photo gets a new analysis row; the old ones stay, as versions (the plans made on them keep
pointing at them), and the photo's pages show the newest. A photo whose newest analysis is still
``pending`` or ``running`` is left alone, so running the command twice queues each photo once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap.services.analyses import request_analysis
from scalpmap.services.errors import NotFoundError
from scalpmap.store.models import AnalysisStatus, Case, Photo, PhotoAnalysis

__all__ = ["ReanalysisPlan", "choose_photos", "queue_reanalyses"]


@dataclass(frozen=True)
class ReanalysisPlan:
    """The photos to analyse again and those skipped.

    Attributes
    ----------
    photo_ids : list of int
        Photos to analyse again, oldest first.
    busy : int
        Photos left alone: their newest analysis is still pending or running.
    """

    photo_ids: list[int]
    busy: int


def choose_photos(
    session: Session, *, since: dt.date | None = None, case_id: int | None = None
) -> ReanalysisPlan:
    """Choose the cases' photos to analyse again (enquiry photos are never analysed).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.
    since : datetime.date, optional
        Only photos uploaded on this day (UTC) or later.
    case_id : int, optional
        Only this case's photos.

    Returns
    -------
    ReanalysisPlan
        The photos.

    Raises
    ------
    NotFoundError
        When the case does not exist.
    """
    if case_id is not None and session.get(Case, case_id) is None:
        raise NotFoundError(f"there is no case {case_id}; the case page's address shows its number")
    query = select(Photo).where(Photo.case_id.is_not(None))
    if case_id is not None:
        query = query.where(Photo.case_id == case_id)
    if since is not None:
        start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
        query = query.where(Photo.uploaded_at >= start)
    chosen, busy = [], 0
    for photo in session.scalars(query.order_by(Photo.id)):
        newest = photo.analyses[-1] if photo.analyses else None
        if newest is not None and newest.status in (AnalysisStatus.PENDING, AnalysisStatus.RUNNING):
            busy += 1
        else:
            chosen.append(photo.id)
    return ReanalysisPlan(chosen, busy)


def _given_scale(session: Session, photo_id: int) -> float | None:
    """Return the scale typed for the photo's newest finished analysis, if one was typed."""
    query = (
        select(PhotoAnalysis)
        .where(PhotoAnalysis.photo_id == photo_id, PhotoAnalysis.status == AnalysisStatus.DONE)
        .order_by(PhotoAnalysis.id.desc())
        .limit(1)
    )
    row = session.scalar(query)
    if row is None or not row.document:
        return None
    source = (row.document.get("scale") or {}).get("source")
    return row.mm_per_px if source == "given" else None


def queue_reanalyses(
    session: Session,
    photo_ids: list[int],
    *,
    enqueue: Callable[[Session, int], None] | None = None,
) -> list[int]:
    """Queue a new analysis of each photo, with the scale it was analysed with when typed.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed once per photo.
    photo_ids : list of int
        The photos (:func:`choose_photos`).
    enqueue : callable, optional
        As for :func:`scalpmap.services.analyses.request_analysis`: queues each job in the
        transaction that writes its analysis.

    Returns
    -------
    list of int
        The new analyses' ids (status ``pending``), one per photo.
    """
    ids = []
    for photo_id in photo_ids:
        scale = _given_scale(session, photo_id)
        row = request_analysis(session, photo_id, None, mm_per_px=scale, enqueue=enqueue)
        ids.append(row.id)
    return ids
