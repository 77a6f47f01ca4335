"""Follow-up photos uploaded with a session: check them in full, store, attach, ask to measure.

The workflow keeps a rejected upload from logging anything: the photo is checked in full
(:func:`read_follow_up`: size, type, pixels, decoding) before the session is logged, then it is
stored and attached (:func:`store_session_photo`) and, for a laser session, its measure is asked
for (:func:`store_follow_up`, :func:`measure`): a follow-up job (:mod:`scalpmap.jobs.follow_ups`,
about 3 s at 12 MP) that the app's job backend runs while the case page polls it. What makes a
measure impossible from the start (no plan, no finished analysis, the baseline itself) is
answered at once; a follow-up that cannot be measured is kept with its session, and the case
page says why.
"""

from __future__ import annotations

import re
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from scalpmap.jobs.follow_ups import follow_up_key, follow_up_still_measured
from scalpmap.services import photos
from scalpmap.services._tx import commit
from scalpmap.services.clearance import clearance_inputs
from scalpmap.services.treatment_sessions import attach_follow_up_photo
from scalpmap.store.models import (
    Job,
    JobKind,
    LaserSession,
    Photo,
    PhotoAnalysis,
    PhotoView,
    PlanVersion,
    Referral,
    SmpSession,
    User,
)
from scalpmap.web.job_progress import ask_job
from scalpmap.web.state import AppState
from scalpmap.web.uploads import check_image, read_upload

__all__ = [
    "file_label",
    "measure",
    "read_follow_up",
    "store_follow_up",
    "store_session_photo",
]

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


def file_label(filename: str | None) -> str | None:
    """Keep an uploaded file's base name as a label only (never used as a path)."""
    if not filename:
        return None
    base = _UNPRINTABLE.sub("", filename.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return base[-255:] or None


def read_follow_up(state: AppState, upload: UploadFile) -> bytes:
    """Read and check a follow-up photo in full before anything is written.

    Parameters
    ----------
    state : AppState
        The app (its upload limits).
    upload : starlette.datastructures.UploadFile
        The file.

    Returns
    -------
    bytes
        The photo file.

    Raises
    ------
    starlette.exceptions.HTTPException
        413 (too many bytes or pixels), 415 (not an image), 422 (empty or damaged header).
    PhotoError
        When the image cannot be decoded (422).
    """
    settings = state.settings
    data = read_upload(upload, settings.max_upload_bytes)
    check_image(data, max_pixels=settings.max_upload_pixels)
    photos.inspect_upload(
        data,
        filename=file_label(upload.filename),
        max_bytes=settings.max_upload_bytes,
        max_pixels=settings.max_upload_pixels,
    )
    return data


def _baseline_view(session: Session, case_id: int, referral_id: int | None) -> PhotoView | None:
    """Return the view of the baseline photo a follow-up is compared with (None if unknown)."""
    plan: PlanVersion | None = None
    if referral_id is not None:
        referral = session.get(Referral, referral_id)
        plan = session.get(PlanVersion, referral.plan_id) if referral is not None else None
    if plan is None:
        query = select(PlanVersion).where(PlanVersion.case_id == case_id)
        plan = session.scalar(query.order_by(PlanVersion.version.desc()).limit(1))
    if plan is None or plan.analysis_id is None:
        return None
    analysis = session.get(PhotoAnalysis, plan.analysis_id)
    photo: Photo | None = analysis.photo if analysis is not None else None
    return photo.view if photo is not None else None


def store_session_photo(
    session: Session,
    state: AppState,
    user: User,
    row: LaserSession | SmpSession,
    data: bytes,
    filename: str | None,
) -> Photo:
    """Store a checked follow-up photo as one of the case's photos and attach it to a session.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    state : AppState
        The app.
    user : User
        Who uploads.
    row : LaserSession or SmpSession
        The session.
    data : bytes
        The photo, checked by :func:`read_follow_up`.
    filename : str or None
        The uploaded file's name (kept as a label).

    Returns
    -------
    Photo
        The stored photo (with the baseline's view), attached to the session.

    Raises
    ------
    ScalpmapError
        When the photo cannot be attached (e.g. it is the plan's baseline photo itself).
    """
    settings = state.settings
    referral_id = row.referral_id if isinstance(row, LaserSession) else None
    photo = photos.add_photo(
        session,
        state.store,
        data,
        case_id=row.case_id,
        actor=user,
        view=_baseline_view(session, row.case_id, referral_id),
        filename=file_label(filename),
        max_bytes=settings.max_upload_bytes,
        max_pixels=settings.max_upload_pixels,
    )
    kind: Literal["laser", "smp"] = "laser" if isinstance(row, LaserSession) else "smp"
    attach_follow_up_photo(session, kind, row.id, photo.id, user)
    return photo


def measure(session: Session, state: AppState, laser_id: int, user: User) -> Job:
    """Ask for a laser session's follow-up photo to be measured (a job; fast).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    state : AppState
        The app (its job backend).
    laser_id : int
        The laser session.
    user : User
        Who asks.

    Returns
    -------
    Job
        The follow-up job (the same one while the same photo and plan are being measured);
        done already when the app runs its jobs inline.

    Raises
    ------
    ScalpmapError
        When the follow-up cannot be measured at all, as
        :func:`scalpmap.services.clearance.clearance_inputs` says.
    starlette.exceptions.HTTPException
        503 when the job queue does not answer (nothing written).
    """
    inputs = clearance_inputs(session, laser_id)
    commit(session)
    return ask_job(
        session,
        state,
        user,
        JobKind.FOLLOW_UP,
        follow_up_key(inputs),
        case_id=inputs.case_id,
        payload={"laser_session_id": inputs.laser_session_id},
        still_current=follow_up_still_measured,
    )


def store_follow_up(
    session: Session,
    state: AppState,
    user: User,
    laser: LaserSession,
    data: bytes,
    filename: str | None,
) -> Job:
    """Store a checked follow-up photo, attach it to the session and ask for its measure.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    state : AppState
        The app.
    user : User
        Who uploads.
    laser : LaserSession
        The session.
    data : bytes
        The photo, checked by :func:`read_follow_up`.
    filename : str or None
        The uploaded file's name (kept as a label).

    Returns
    -------
    Job
        The follow-up job.

    Raises
    ------
    ScalpmapError
        When the follow-up cannot be measured at all (no plan, no finished analysis, the
        baseline itself); the photo stays stored and attached.
    """
    store_session_photo(session, state, user, laser, data, filename)
    return measure(session, state, laser.id, user)
