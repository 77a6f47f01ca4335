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

What the check reads first is in :mod:`scalpmap.services.clearance_inputs`, the slow part in
:mod:`scalpmap.services.follow_up_measure`.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scalpmap.imaging.photo_io import DEFAULT_MAX_PIXELS
from scalpmap.services import audit
from scalpmap.services._tx import atomic, commit
from scalpmap.services.clearance_inputs import ClearanceInputs, clearance_inputs, session_plan
from scalpmap.services.errors import ConflictError
from scalpmap.services.follow_up_measure import MeasuredFollowUp, measure_follow_up_files
from scalpmap.services.limited import Limits, run_limited
from scalpmap.store.models import ClearanceCheck, LaserSession, User
from scalpmap.store.photos import PhotoStore
from scalpmap.tracking.clearance_json import tracking_to_json
from scalpmap.tracking.plan_facts import plan_facts
from scalpmap.tracking.recommend import TOUCH_UP_AT_PERCENT

# ClearanceInputs, clearance_inputs, MeasuredFollowUp and measure_follow_up_files are
# re-exported: the jobs and the web app import them from here.
__all__ = [
    "ClearanceInputs",
    "MeasuredFollowUp",
    "clearance_inputs",
    "measure_clearance",
    "measure_follow_up_files",
]

_MEASURED_MEANWHILE = (
    "laser session {} changed while its follow-up was measured (another photo, plan or measure):"
    " reload the page and measure again"
)


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
    if session_plan(session, laser).id != inputs.plan_id:
        raise ConflictError(_MEASURED_MEANWHILE.format(inputs.laser_session_id))
