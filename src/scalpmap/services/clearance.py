"""Clearance checks: measure a laser session's follow-up photo against the plan's baseline.

:func:`measure_clearance` takes the follow-up photo attached to a laser session, registers it to
the baseline photo of the plan the session follows (the referral's plan version, else the case's
latest), compares the impressions one by one (:func:`scalpmap.tracking.track.track_followup`)
and saves a :class:`~scalpmap.store.models.ClearanceCheck` holding the clearance.json document
and an overlay picture. A follow-up that cannot be registered is saved too, with ``measured``
False and the reason, and never with a clearance.

The slow part (decoding both photos, registering, comparing: about 3 s for 12 MP) runs between
two short transactions, so the database is not locked while it runs. Checks are audited (entity
``"clearance_check"``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scalpmap.imaging.analysis_from_json import analysis_from_json
from scalpmap.imaging.photo_io import DEFAULT_MAX_PIXELS, decode_photo
from scalpmap.reports.images import encode_png
from scalpmap.services import audit
from scalpmap.services._tx import atomic, commit, get_or_raise
from scalpmap.services.errors import ConflictError, InputError
from scalpmap.services.limited import Limits, run_limited
from scalpmap.store.models import (
    AnalysisStatus,
    Case,
    ClearanceCheck,
    LaserSession,
    Photo,
    PhotoAnalysis,
    PlanVersion,
    Referral,
    ScaleSource,
    User,
)
from scalpmap.store.photos import PhotoStore
from scalpmap.tracking.clearance_json import tracking_to_json
from scalpmap.tracking.overlay import render_tracking_overlay
from scalpmap.tracking.plan_facts import PlanFacts, plan_facts
from scalpmap.tracking.recommend import TOUCH_UP_AT_PERCENT
from scalpmap.tracking.track import Tracking, track_followup

__all__ = [
    "ClearanceInputs",
    "MeasuredFollowUp",
    "clearance_inputs",
    "measure_clearance",
    "measure_follow_up_files",
]

OVERLAY_MAX_SIDE = 2400
_MEASURED_MEANWHILE = (
    "laser session {} changed while its follow-up was measured (another photo, plan or measure):"
    " reload the page and measure again"
)
"""Largest side of the stored overlay picture, px (as the analysis overlays)."""


@dataclass(frozen=True)
class ClearanceInputs:
    """What a clearance check reads from the database before the slow part.

    Attributes
    ----------
    case_id, patient_id, laser_session_id, plan_id : int
        The records involved.
    plan_version : int
        The plan version's number (for messages).
    plan_document : dict
        The plan's plan.json.
    analysis_document : dict
        The baseline photo's analysis.json.
    baseline_photo_id, follow_up_photo_id : int
        The two photos.
    baseline_sha256, follow_up_sha256 : str
        Their names in the photo store.
    baseline_name, follow_up_name : str
        Their labels in clearance.json: ``photo 12 (case 3)``, never the uploaded file's name
        (which may name the patient).
    follow_up_mm_per_px : float or None
        The follow-up's scale when it was given on upload.
    session_date : datetime.date
        The laser session's date.
    follow_up_date : datetime.date
        When the follow-up was taken: the photo's own date when it has one, else its upload's
        day (never before the session).
    """

    case_id: int
    patient_id: int
    laser_session_id: int
    plan_id: int
    plan_version: int
    plan_document: dict[str, object]
    analysis_document: dict[str, object]
    baseline_photo_id: int
    follow_up_photo_id: int
    baseline_sha256: str
    follow_up_sha256: str
    baseline_name: str
    follow_up_name: str
    follow_up_mm_per_px: float | None
    session_date: dt.date
    follow_up_date: dt.date


def _session_plan(session: Session, laser: LaserSession) -> PlanVersion:
    """Return the plan the session follows: its referral's plan version, else the case's latest."""
    if laser.referral_id is not None:
        referral = get_or_raise(session, Referral, laser.referral_id, "referral")
        return get_or_raise(session, PlanVersion, referral.plan_id, "plan version")
    query = select(PlanVersion).where(PlanVersion.case_id == laser.case_id)
    plan = session.scalar(query.order_by(PlanVersion.version.desc()).limit(1))
    if plan is None:
        raise ConflictError(f"case {laser.case_id} has no plan: save a plan before measuring")
    return plan


def clearance_inputs(session: Session, laser_session_id: int) -> ClearanceInputs:
    """Read what a clearance check needs, checking that it can be made.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    laser_session_id : int
        The laser session.

    Returns
    -------
    ClearanceInputs
        The records' values.

    Raises
    ------
    NotFoundError
        When there is no such laser session.
    InputError
        When the session is void or has no follow-up photo, or its follow-up is the baseline
        photo itself.
    ConflictError
        When the case has no plan, or the plan has no finished analysis of its baseline.
    """
    laser = get_or_raise(session, LaserSession, laser_session_id, "laser session")
    if laser.voided_at is not None:
        raise InputError(f"laser session {laser.id} is void: it is not measured")
    if laser.follow_up_photo_id is None:
        raise InputError(
            f"laser session {laser.id} has no follow-up photo: upload one with the session"
        )
    plan = _session_plan(session, laser)
    analysis = None if plan.analysis_id is None else session.get(PhotoAnalysis, plan.analysis_id)
    if analysis is None or analysis.status != AnalysisStatus.DONE or not analysis.document:
        raise ConflictError(
            f"plan version {plan.version} has no finished analysis of its baseline photo"
        )
    baseline: Photo = analysis.photo
    follow = get_or_raise(session, Photo, laser.follow_up_photo_id, "photo")
    if follow.id == baseline.id or follow.sha256 == baseline.sha256:
        raise InputError(
            "the follow-up photo is the plan's baseline photo itself: upload a photo taken "
            "after the session"
        )
    given = follow.mm_per_px if follow.scale_source == ScaleSource.GIVEN else None
    inputs = ClearanceInputs(
        case_id=laser.case_id,
        patient_id=get_or_raise(session, Case, laser.case_id, "case").patient_id,
        laser_session_id=laser.id,
        plan_id=plan.id,
        plan_version=plan.version,
        plan_document=dict(plan.document),
        analysis_document=dict(analysis.document),
        baseline_photo_id=baseline.id,
        follow_up_photo_id=follow.id,
        baseline_sha256=baseline.sha256,
        follow_up_sha256=follow.sha256,
        baseline_name=f"photo {baseline.id} (case {baseline.case_id})",
        follow_up_name=f"photo {follow.id} (case {follow.case_id})",
        follow_up_mm_per_px=given,
        session_date=laser.session_date,
        follow_up_date=max((follow.taken_at or follow.uploaded_at).date(), laser.session_date),
    )
    return inputs


def measure_clearance(
    session: Session,
    store: PhotoStore,
    laser_session_id: int,
    actor: User | None,
    *,
    touch_up_at: float = TOUCH_UP_AT_PERCENT,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    limits: Limits | None = None,
) -> ClearanceCheck:
    """Measure a laser session's follow-up photo and save the check (replacing an earlier one).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; its read transaction is ended before the slow part, then the check is
        committed.
    store : PhotoStore
        Where the photos are and the overlay goes.
    laser_session_id : int
        The laser session; its follow-up photo must be attached.
    actor : User or None
        Who asks; ``None`` for the command line.
    touch_up_at : float, optional
        Clearance (percent) from which the touch-up follows.
    max_pixels : int, optional
        Largest photo accepted.
    limits : Limits, optional
        Measure in a child process with these limits (the web app); in this process when
        omitted (the command line).

    Returns
    -------
    ClearanceCheck
        The check; ``measured`` is False (with the reason) when the follow-up could not be
        registered.

    Raises
    ------
    NotFoundError
        When there is no such laser session, or a photo's file is missing.
    InputError
        When the session has no follow-up photo, it is the baseline itself, or the plan or a
        photo cannot be read.
    ConflictError
        When the case has no plan with a finished analysis, or the session's follow-up photo
        or plan changed (or another measure of it was saved) while this one ran.
    LimitsExceeded
        When the measure ran out of its ``limits``.
    """
    inputs = clearance_inputs(session, laser_session_id)
    commit(session)  # no transaction (nor SQLite write lock) held during the slow part
    facts = plan_facts(inputs.plan_document, name=f"plan version {inputs.plan_version}")
    files = (store.read(inputs.baseline_sha256), store.read(inputs.follow_up_sha256))
    args = (inputs, facts, *files, touch_up_at, max_pixels)
    measured = (
        run_limited(measure_follow_up_files, *args, limits=limits)
        if limits is not None
        else measure_follow_up_files(*args)
    )
    tracking = measured.tracking
    clear, reg, advice = tracking.clearance, tracking.registration, tracking.recommendation
    with atomic(session) as staged:
        picture = store.stage(measured.overlay_png)
        staged.append(picture)
        document = tracking_to_json(
            tracking,
            facts,
            baseline_source=inputs.baseline_name,
            followup_source=inputs.follow_up_name,
            plan_source=f"plan version {inputs.plan_version}",
            baseline_impressions=measured.baseline_impressions,
            followup_shape=measured.followup_shape,
            touch_up_at=touch_up_at,
            files={"overlay": picture.sha256},
        )
        _still_current(session, inputs)
        replaced = session.execute(
            delete(ClearanceCheck).where(ClearanceCheck.laser_session_id == inputs.laser_session_id)
        ).rowcount  # type: ignore[attr-defined]
        row = ClearanceCheck(
            case_id=inputs.case_id,
            laser_session_id=inputs.laser_session_id,
            plan_id=inputs.plan_id,
            baseline_photo_id=inputs.baseline_photo_id,
            follow_up_photo_id=inputs.follow_up_photo_id,
            measured=clear.measured,
            reason=clear.reason,
            residual_mm=reg.residual_mm,
            percent=clear.percent,
            outside_lost_percent=clear.outside_lost_percent,
            outside_flagged=clear.outside_flagged,
            recommendation=None if advice is None else advice.action,
            next_laser_on=None if advice is None else advice.date,
            document=document,
            overlay_sha256=picture.sha256,
            created_by_id=actor.id if actor is not None else None,
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError:  # another measure of the same session saved its check first
            raise ConflictError(_MEASURED_MEANWHILE.format(inputs.laser_session_id)) from None
        details = {"laser_session_id": inputs.laser_session_id, "measured": clear.measured}
        action = audit.Action.UPDATE if replaced else audit.Action.CREATE
        audit.record(
            session,
            actor,
            action,
            "clearance_check",
            row.id,
            patient_id=inputs.patient_id,
            details=details | {"replaced": bool(replaced)},
        )
    return row


@dataclass(frozen=True)
class MeasuredFollowUp:
    """The slow part of a clearance check: the tracking and its overlay.

    Attributes
    ----------
    tracking : Tracking
        The follow-up, registered and compared impression by impression.
    overlay_png : bytes
        The overlay picture, at most ``OVERLAY_MAX_SIDE`` pixels on its long side.
    baseline_impressions : int
        Impressions of the baseline's analysis.
    followup_shape : tuple of int
        The follow-up photo's ``(rows, cols)``.
    """

    tracking: Tracking
    overlay_png: bytes
    baseline_impressions: int
    followup_shape: tuple[int, int]


def measure_follow_up_files(
    inputs: ClearanceInputs,
    facts: PlanFacts,
    baseline_data: bytes,
    follow_up_data: bytes,
    touch_up_at: float,
    max_pixels: int,
) -> MeasuredFollowUp:
    """Decode both photos, track the follow-up and draw the overlay (possibly in a child).

    Parameters
    ----------
    inputs : ClearanceInputs
        What the check read from the database.
    facts : PlanFacts
        The plan's removal zone and interval.
    baseline_data, follow_up_data : bytes
        The two stored photo files.
    touch_up_at : float
        Clearance (percent) from which the touch-up follows.
    max_pixels : int
        Largest photo accepted.

    Returns
    -------
    MeasuredFollowUp
        The tracking and its overlay.

    Raises
    ------
    ScalpmapError
        When a photo cannot be read or does not match its analysis.
    """
    baseline = analysis_from_json(inputs.analysis_document)
    base_rgb = decode_photo(baseline_data, max_pixels=max_pixels).rgb
    follow_rgb = decode_photo(follow_up_data, max_pixels=max_pixels).rgb
    if base_rgb.shape[:2] != baseline.shape:
        raise InputError("the baseline photo's size does not match its analysis")
    tracking = track_followup(
        base_rgb,
        baseline,
        follow_rgb,
        facts.removal,
        followup_date=inputs.follow_up_date,
        interval_weeks=facts.interval_weeks[0],
        followup_mm_per_px=inputs.follow_up_mm_per_px,
        touch_up_at=touch_up_at,
        laser_date=inputs.session_date,
    )
    overlay = render_tracking_overlay(base_rgb, follow_rgb, tracking, facts.removal)
    return MeasuredFollowUp(
        tracking=tracking,
        overlay_png=encode_png(_shrink(overlay, OVERLAY_MAX_SIDE), photographic=True),
        baseline_impressions=baseline.impressions.count,
        followup_shape=(int(follow_rgb.shape[0]), int(follow_rgb.shape[1])),
    )


def _still_current(session: Session, inputs: ClearanceInputs) -> None:
    """Lock the laser session and check that its follow-up and plan are what was measured."""
    laser = session.scalar(
        select(LaserSession)
        .where(LaserSession.id == inputs.laser_session_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if laser is None or laser.follow_up_photo_id != inputs.follow_up_photo_id:
        raise ConflictError(_MEASURED_MEANWHILE.format(inputs.laser_session_id))
    if _session_plan(session, laser).id != inputs.plan_id:
        raise ConflictError(_MEASURED_MEANWHILE.format(inputs.laser_session_id))


def _shrink(rgb: NDArray[np.uint8], max_side: int) -> NDArray[np.uint8]:
    """Resize a picture so its longer side is at most ``max_side`` (area interpolation)."""
    rows, cols = rgb.shape[:2]
    factor = max_side / max(rows, cols)
    if factor >= 1:
        return rgb
    size = (max(1, round(cols * factor)), max(1, round(rows * factor)))
    return np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
