"""What the dashboard shows; listing cases is audited (with the ids shown)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from scalpmap.services import audit
from scalpmap.services._tx import commit
from scalpmap.services.enquiries import list_enquiries
from scalpmap.store.models import Case, CaseStage, Enquiry, EnquiryStatus, User

__all__ = ["FollowUp", "active_cases", "follow_ups_due", "new_enquiries", "stage_counts"]


@dataclass(frozen=True)
class FollowUp:
    """A follow-up photo or session that is due.

    Attributes
    ----------
    case_id : int
        The case.
    due_on : datetime.date
        When it is due.
    what : str
        What is due, e.g. ``"6-week photo after laser"``.
    """

    case_id: int
    due_on: dt.date
    what: str


def stage_counts(session: Session) -> dict[CaseStage, int]:
    """Count cases per workflow stage (every stage present, zeros included).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.

    Returns
    -------
    dict
        Stage → number of cases, in workflow order.
    """
    rows = session.execute(select(Case.stage, func.count()).group_by(Case.stage)).all()
    found = {CaseStage(stage): int(count) for stage, count in rows}
    return {stage: found.get(stage, 0) for stage in CaseStage}


def active_cases(
    session: Session, actor: User, *, stage: CaseStage | None = None, limit: int = 50
) -> list[Case]:
    """List cases not complete (or of one stage), most recently changed first; audited.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed (the audit row).
    actor : User
        Who looks.
    stage : CaseStage, optional
        Only this stage; every stage but ``complete`` by default.
    limit : int, optional
        At most this many.

    Returns
    -------
    list of Case
        The cases, with their patients loaded.
    """
    query = select(Case).options(joinedload(Case.patient))
    if stage is not None:
        query = query.where(Case.stage == stage)
    else:
        query = query.where(Case.stage != CaseStage.COMPLETE)
    query = query.order_by(Case.updated_at.desc(), Case.id.desc()).limit(limit)
    found = list(session.scalars(query))
    details = {"ids": [case.id for case in found]}
    audit.record(session, actor, audit.Action.SEARCH, "case", None, details=details)
    commit(session)
    return found


def follow_ups_due(session: Session, *, on: dt.date | None = None) -> list[FollowUp]:
    """List the follow-ups due by a date.

    Follow-up scheduling arrives with session tracking; until then nothing is due.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.
    on : datetime.date, optional
        Due on or before this day; today by default.

    Returns
    -------
    list of FollowUp
        Empty for now.
    """
    del session, on
    return []


def new_enquiries(session: Session, *, limit: int = 10) -> list[Enquiry]:
    """List the newest enquiries nobody has handled yet.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.
    limit : int, optional
        At most this many.

    Returns
    -------
    list of Enquiry
        The enquiries, newest first.
    """
    return list_enquiries(session, status=EnquiryStatus.NEW)[:limit]
