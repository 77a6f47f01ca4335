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

from sqlalchemy.orm import Session

from scalpmap.errors import ScalpmapError
from scalpmap.jobs.context import WorkerContext
from scalpmap.jobs.keyed import ClaimedJob, run_keyed_job
from scalpmap.planning.plan import PlanOptions
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

    See Also
    --------
    scalpmap.jobs.keyed.run_keyed_job : What is skipped, saved as failed and raised.
    """
    run_keyed_job(
        context, job_id, "plan save", _save_plan, reclaim_running=reclaim_running, log=log
    )


def _save_plan(context: WorkerContext, session: Session, claimed: ClaimedJob) -> str:
    if claimed.requested_by_id is None:
        raise ScalpmapError("the plan save has no user to save it as")
    actor = get_or_raise(session, User, claimed.requested_by_id, "user")
    payload = claimed.payload

    def done(work: Session, plan: PlanVersion) -> None:
        claimed.finish(work, plan_result(plan))

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
    return f": plan version {plan.version} of case {plan.case_id}"
