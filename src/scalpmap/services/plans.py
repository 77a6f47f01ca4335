"""Plans: every save of a case's plan.json is a new version; old versions are kept."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scalpmap.services import audit
from scalpmap.services._tx import atomic, commit, get_or_raise
from scalpmap.services.errors import ConflictError, InputError, NotFoundError
from scalpmap.store.models import Case, PhotoAnalysis, PlanVersion, User

__all__ = ["get_plan", "list_plan_versions", "save_plan"]

_RETRIES = 3


def save_plan(
    session: Session,
    case_id: int,
    document: dict[str, Any],
    actor: User,
    *,
    analysis_id: int | None = None,
    note: str | None = None,
    on_saved: Callable[[Session, PlanVersion], None] | None = None,
) -> PlanVersion:
    """Save a plan.json document as the case's next version.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    case_id : int
        The case.
    document : dict
        The plan.json document (target hairline, zones and estimate); validate it first with
        :func:`scalpmap.planning.plan_json.validate_plan_json`.
    actor : User
        Who saves it.
    analysis_id : int, optional
        The analysis the plan was made from.
    note : str, optional
        What changed.
    on_saved : callable, optional
        Called with the session and the new version inside the transaction that saves it (a
        job marks itself done there, so that a save is never made twice).

    Returns
    -------
    PlanVersion
        The new version (1 for the first save).

    Raises
    ------
    InputError
        When the document is not a JSON object of finite numbers.
    NotFoundError
        When there is no such case or analysis.
    ConflictError
        When concurrent saves keep taking the next version number.
    """
    _check_document(document)
    case = get_or_raise(session, Case, case_id, "case")
    if analysis_id is not None:
        get_or_raise(session, PhotoAnalysis, analysis_id, "analysis")
    for _attempt in range(_RETRIES):
        latest = session.scalar(
            select(func.max(PlanVersion.version)).where(PlanVersion.case_id == case.id)
        )
        plan = PlanVersion(
            case_id=case.id,
            version=(latest or 0) + 1,
            document=document,
            analysis_id=analysis_id,
            note=note,
            created_by_id=actor.id,
        )
        try:
            with atomic(session):
                session.add(plan)
                session.flush()
                audit.record(
                    session,
                    actor,
                    audit.Action.CREATE,
                    "plan",
                    plan.id,
                    patient_id=case.patient_id,
                    details={"case_id": case.id, "version": plan.version},
                )
                if on_saved is not None:
                    on_saved(session, plan)
        except IntegrityError:  # another save took this version number: try the next one
            continue
        return plan
    raise ConflictError(f"could not save the plan of case {case_id}: too many concurrent saves")


def _check_document(document: dict[str, Any]) -> None:
    if not isinstance(document, dict):
        raise InputError("a plan document must be a JSON object")
    try:
        json.dumps(document, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise InputError(f"the plan document is not valid JSON: {error}") from None


def get_plan(
    session: Session, case_id: int, actor: User, *, version: int | None = None
) -> PlanVersion:
    """Open a version of a case's plan (the latest by default); the view is audited.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed (the audit row).
    case_id : int
        The case.
    actor : User
        Who looks.
    version : int, optional
        The version; the latest when omitted.

    Returns
    -------
    PlanVersion
        The plan version.

    Raises
    ------
    NotFoundError
        When the case has no plan, or not this version.
    """
    case = get_or_raise(session, Case, case_id, "case")
    query = select(PlanVersion).where(PlanVersion.case_id == case.id)
    if version is None:
        query = query.order_by(PlanVersion.version.desc()).limit(1)
    else:
        query = query.where(PlanVersion.version == version)
    plan = session.scalar(query)
    if plan is None:
        which = "no plan" if version is None else f"no plan version {version}"
        raise NotFoundError(f"case {case_id} has {which}")
    audit.record(
        session,
        actor,
        audit.Action.VIEW,
        "plan",
        plan.id,
        patient_id=case.patient_id,
        details={"case_id": case.id, "version": plan.version},
    )
    commit(session)
    return plan


def list_plan_versions(session: Session, case_id: int) -> list[PlanVersion]:
    """List a case's plan versions, oldest first (for a history view; not audited).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.
    case_id : int
        The case.

    Returns
    -------
    list of PlanVersion
        The versions.
    """
    query = select(PlanVersion).where(PlanVersion.case_id == case_id)
    return list(session.scalars(query.order_by(PlanVersion.version)))
