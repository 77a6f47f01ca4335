"""The follow-up job: measure a laser session's follow-up photo against the plan's baseline.

About 3 s at 12 MP, so the web app only asks for it and the case page polls. The job is keyed
by what it measures: the laser session, its follow-up photo and the plan it follows
(``follow_up:laser:5:photo:9:plan:2``). The check it saves replaces the session's earlier one,
so a job run twice leaves one check.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from scalpmap.jobs.context import WorkerContext
from scalpmap.jobs.keyed import ClaimedJob, run_keyed_job
from scalpmap.services._tx import commit
from scalpmap.services.clearance import ClearanceInputs, measure_clearance
from scalpmap.store.models import ClearanceCheck, Job, User

__all__ = ["follow_up_key", "follow_up_still_measured", "run_follow_up_job"]

log = logging.getLogger(__name__)


def follow_up_key(inputs: ClearanceInputs) -> str:
    """Return the key of a measure: the session, its follow-up photo and the plan it follows.

    Parameters
    ----------
    inputs : ClearanceInputs
        What the check reads (:func:`scalpmap.services.clearance.clearance_inputs`).

    Returns
    -------
    str
        E.g. ``follow_up:laser:5:photo:9:plan:2``.
    """
    return (
        f"follow_up:laser:{inputs.laser_session_id}:photo:{inputs.follow_up_photo_id}"
        f":plan:{inputs.plan_id}"
    )


def follow_up_still_measured(session: Session, job: Job) -> bool:
    """Whether a done measure's check is still the session's (else it is measured again)."""
    check_id = (job.result or {}).get("check_id")
    return isinstance(check_id, int) and session.get(ClearanceCheck, check_id) is not None


def run_follow_up_job(context: WorkerContext, job_id: int, *, reclaim_running: bool = True) -> None:
    """Measure the follow-up of a job and save its check; one done, failed or taken is skipped.

    A follow-up that cannot be registered is a *done* job whose check says why (not
    measured); a follow-up that cannot be measured at all (the plan changed meanwhile, a
    damaged photo, out of its limits) fails the job with the reason.

    Parameters
    ----------
    context : WorkerContext
        The database, photo store and limits (the measure runs in a child process with them).
    job_id : int
        The job.
    reclaim_running : bool, optional
        Also take a job left ``running`` (the queue's workers).

    See Also
    --------
    scalpmap.jobs.keyed.run_keyed_job : What is skipped, saved as failed and raised.
    """
    run_keyed_job(
        context, job_id, "follow-up measure", _measure, reclaim_running=reclaim_running, log=log
    )


def _measure(context: WorkerContext, session: Session, claimed: ClaimedJob) -> str:
    laser_id = int(claimed.payload["laser_session_id"])
    requested_by = claimed.requested_by_id
    actor = session.get(User, requested_by) if requested_by is not None else None
    check = measure_clearance(
        session,
        context.store,
        laser_id,
        actor,
        max_pixels=context.max_pixels,
        limits=context.limits,
    )
    result = {
        "check_id": check.id,
        "laser_session_id": laser_id,
        "measured": check.measured,
        "reason": check.reason,
        "url": f"/cases/{check.case_id}#sessions",
    }
    claimed.finish(session, result)
    commit(session)
    return f" (laser session {laser_id})"
