"""The plan-save job: make a design's plan (simulation, pictures, two PDFs) and save it.

Saving takes seconds, so the web app only asks for the job
(:func:`scalpmap.web.plans.orchestration.ask_plan_save`) and the browser polls it. The job is keyed
by what it makes: the case and a sha256 of the design and choices. Asking twice for the same
save (a double click, a retried request) gives one job; the job marks itself done in the very
transaction that saves the plan version, so a job run twice (a worker that died, a queue's
second delivery) saves one version.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from scalpmap.errors import ScalpmapError
from scalpmap.jobs.context import WorkerContext
from scalpmap.planning.plan import PlanOptions
from scalpmap.services import jobs
from scalpmap.services._tx import get_or_raise
from scalpmap.services.plan_design import DESIGN_CACHE, save_design
from scalpmap.store.models import Job, PlanVersion, User

__all__ = ["options_from_json", "options_to_json", "plan_save_key", "run_plan_save_job"]

log = logging.getLogger(__name__)

_OPTION_FIELDS = (
    "template",
    "age",
    "skin_type",
    "start_date",
    "picosecond",
    "scarring",
    "layering",
    "second_touch_up",
)


def options_to_json(options: PlanOptions) -> dict[str, Any]:
    """Return the choices a save keeps in its job (JSON; the landmarks apart).

    Parameters
    ----------
    options : PlanOptions
        The choices.

    Returns
    -------
    dict
        ``template``, ``age``, ``skin_type``, ``start_date`` (ISO day), ``picosecond``,
        ``scarring``, ``layering`` and ``second_touch_up``.
    """
    values = {name: getattr(options, name) for name in _OPTION_FIELDS}
    start = values["start_date"]
    values["start_date"] = start.isoformat() if start is not None else None
    return values


def options_from_json(values: Mapping[str, Any]) -> PlanOptions:
    """Rebuild the choices from :func:`options_to_json`.

    Parameters
    ----------
    values : dict
        As written by :func:`options_to_json`.

    Returns
    -------
    PlanOptions
        The choices.
    """
    kept: dict[str, Any] = {name: values[name] for name in _OPTION_FIELDS if name in values}
    if kept.get("start_date") is not None:
        kept["start_date"] = dt.date.fromisoformat(str(kept["start_date"]))
    return dataclasses.replace(PlanOptions(), **kept)


def plan_save_key(case_id: int, payload: Mapping[str, Any]) -> str:
    """Return the key of a save: the case and a sha256 of the design and choices.

    Parameters
    ----------
    case_id : int
        The case.
    payload : dict
        The job's payload (the analysis, the line, the landmarks, the choices, the note).

    Returns
    -------
    str
        E.g. ``plan_save:case:3:<32 hex>``. The same design with the same choices saved again
        is the same job: its version, not a copy (a note or any choice changed is a new save).
    """
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False)
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    return f"plan_save:case:{case_id}:{digest}"


def plan_result(plan: PlanVersion) -> dict[str, Any]:
    """Return what a plan-save job keeps: the version's id, number, case and page."""
    return {
        "plan_id": plan.id,
        "version": plan.version,
        "case_id": plan.case_id,
        "url": f"/plans/{plan.id}",
    }


def plan_still_saved(session: Session, job: Job) -> bool:
    """Whether a done save's plan version is still there."""
    plan_id = (job.result or {}).get("plan_id")
    return isinstance(plan_id, int) and session.get(PlanVersion, plan_id) is not None


def run_plan_save_job(context: WorkerContext, job_id: int, *, reclaim_running: bool = True) -> None:
    """Make and save the plan of a plan-save job; one done, failed or taken is skipped.

    Parameters
    ----------
    context : WorkerContext
        The database and photo store.
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
            log.info("plan save %s skipped: not pending", job_id)
            return
        attempt = job.attempts
        payload = dict(job.payload)
        requested_by = job.requested_by_id

        def done(work: Session, plan: PlanVersion) -> None:
            jobs.finish_job(work, job_id, plan_result(plan), attempt=attempt)

        try:
            if requested_by is None:
                raise ScalpmapError("the plan save has no user to save it as")
            actor = get_or_raise(session, User, requested_by, "user")
            plan = save_design(
                session,
                context.store,
                int(payload["analysis_id"]),
                case_id=int(payload["case_id"]),
                actor=actor,
                options=options_from_json(payload["options"]),
                hairline_json=payload.get("hairline"),
                landmarks=payload.get("landmarks") or {},
                note=payload.get("note"),
                patient_label=payload.get("patient_label"),
                source=payload.get("source"),
                cache=DESIGN_CACHE,
                on_saved=done,
            )
        except jobs.JobSuperseded:
            session.rollback()
            log.warning("plan save %s: taken over by another run; this run's work dropped", job_id)
            return
        except ScalpmapError as error:
            jobs.fail_job(session, job_id, str(error))
            log.info("plan save %s failed: %s", job_id, error)
            return
        except DBAPIError:
            session.rollback()
            log.warning("plan save %s: the database failed; left running", job_id)
            raise
        except Exception as error:
            log.exception("plan save %s failed", job_id)
            jobs.fail_job(session, job_id, f"internal error ({type(error).__name__}); see the logs")
            raise
        log.info(
            "plan save %s done: plan version %s of case %s", job_id, plan.version, plan.case_id
        )
