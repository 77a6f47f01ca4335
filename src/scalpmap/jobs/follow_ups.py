"""The follow-up job: measure a laser session's follow-up photo against the plan's baseline.

About 3 s at 12 MP, so the web app only asks for it and the case page polls. The job is keyed
by what it measures: the laser session, its follow-up photo and the plan it follows
(``follow_up:laser:5:photo:9:plan:2``). The check it saves replaces the session's earlier one,
so a job run twice leaves one check.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from scalpmap.errors import ScalpmapError
from scalpmap.jobs.context import WorkerContext
from scalpmap.services import jobs
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

    Raises
    ------
    sqlalchemy.exc.DBAPIError
        When the database fails; the job is left ``running`` for the queue to retry.
    Exception
        An unexpected error, after the job is saved as failed.
    """
    with context.session_factory() as session:
        job = jobs.claim_job(session, job_id, reclaim_running=reclaim_running)
        if job is None:
            log.info("follow-up measure %s skipped: not pending", job_id)
            return
        attempt = job.attempts
        laser_id = int(job.payload["laser_session_id"])
        requested_by = job.requested_by_id
        try:
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
            jobs.finish_job(session, job_id, result, attempt=attempt)
            commit(session)
        except jobs.JobSuperseded:
            session.rollback()
            log.warning("follow-up measure %s: taken over by another run; dropped", job_id)
            return
        except ScalpmapError as error:
            jobs.fail_job(session, job_id, str(error))
            log.info("follow-up measure %s failed: %s", job_id, error)
            return
        except DBAPIError:
            session.rollback()
            log.warning("follow-up measure %s: the database failed; left running", job_id)
            raise
        except Exception as error:
            log.exception("follow-up measure %s failed", job_id)
            jobs.fail_job(session, job_id, f"internal error ({type(error).__name__}); see the logs")
            raise
        log.info("follow-up measure %s done (laser session %s)", job_id, laser_id)
