"""What the dashboard shows; listing cases is audited (with the ids shown)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from scalpmap.services import audit
from scalpmap.services._tx import commit
from scalpmap.services.due_dates import due_dates
from scalpmap.services.enquiries import list_enquiries
from scalpmap.store.models import (
    Case,
    CaseStage,
    Enquiry,
    EnquiryStatus,
    LaserSession,
    PlanVersion,
    User,
)

# Planned sessions shown on the dashboard: this many days either side of today.
FOLLOW_UP_WINDOW_DAYS = 14
FOLLOW_UP_KINDS = frozenset({"laser", "touch_up", "touch_up_optional", "review"})
MAX_PLANS_SCANNED = 500
MAX_FOLLOW_UPS = 50

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
    overdue : bool
        Its date has passed (highlighted on the dashboard).
    """

    case_id: int
    due_on: dt.date
    what: str
    overdue: bool = False


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


def follow_ups_due(
    session: Session, *, on: dt.date | None = None, window_days: int = FOLLOW_UP_WINDOW_DAYS
) -> list[FollowUp]:
    """List the sessions due around a date, from each open case's session log or latest plan.

    A case with logged laser sessions shows its next due session from the log
    (:func:`scalpmap.services.due_dates.due_dates`: the next laser session after its interval,
    or the touch-up after healing), up to ``window_days`` ahead, however long ago it fell due;
    it is overdue once its booking window has passed. Any other open case shows the dated
    timeline of its latest plan version (plan.json ``timeline.events``): its laser sessions,
    touch-ups and reviews dated from ``window_days`` before ``on`` to ``window_days`` after; a
    past date is shown as possibly overdue, as nothing in the log says it was done.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.
    on : datetime.date, optional
        The day; today by default.
    window_days : int, optional
        Days before and after ``on``.

    Returns
    -------
    list of FollowUp
        The sessions due, earliest first (at most :data:`MAX_FOLLOW_UPS`).
    """
    today = on or dt.date.today()
    low, high = today - dt.timedelta(days=window_days), today + dt.timedelta(days=window_days)
    latest = (
        select(PlanVersion.case_id, func.max(PlanVersion.version).label("version"))
        .group_by(PlanVersion.case_id)
        .subquery()
    )
    rows = session.execute(
        select(PlanVersion.case_id, PlanVersion.document)
        .join(
            latest,
            (PlanVersion.case_id == latest.c.case_id) & (PlanVersion.version == latest.c.version),
        )
        .join(Case, Case.id == PlanVersion.case_id)
        .where(Case.stage != CaseStage.COMPLETE)
        .order_by(PlanVersion.created_at.desc())
        .limit(MAX_PLANS_SCANNED)
    ).all()
    logged = set(
        session.scalars(
            select(LaserSession.case_id)
            .join(Case, Case.id == LaserSession.case_id)
            .where(Case.stage != CaseStage.COMPLETE, LaserSession.voided_at.is_(None))
            .distinct()
            .limit(MAX_PLANS_SCANNED)
        )
    )
    due: list[FollowUp] = []
    for case_id in sorted(logged):  # the session log, not the plan's timeline, says what is next
        due.extend(_logged_due(session, int(case_id), today, high))
    for case_id, document in rows:
        if case_id in logged:
            continue
        events = ((document or {}).get("timeline") or {}).get("events") or []
        for event in events:
            if event.get("kind") not in FOLLOW_UP_KINDS:
                continue
            try:
                day = dt.date.fromisoformat(str(event.get("start")))
            except ValueError:
                continue
            if low <= day <= high:
                what = str(event.get("label", event.get("kind")))
                if day < today:
                    what += " (past its date: check it was done)"
                due.append(FollowUp(int(case_id), day, what, overdue=day < today))
    return sorted(due, key=lambda item: (item.due_on, item.case_id))[:MAX_FOLLOW_UPS]


def _logged_due(session: Session, case_id: int, today: dt.date, high: dt.date) -> list[FollowUp]:
    """List the next session due of a case with logged laser sessions, up to ``high``."""
    items = []
    for due in due_dates(session, case_id):
        if due.due > high:
            continue
        what = due.reason[:1].upper() + due.reason[1:]  # says which session, and why then
        overdue = due.until < today
        if overdue:
            what += f" (to be booked by {due.until.isoformat()})"
        items.append(FollowUp(case_id, due.due, what, overdue=overdue))
    return items


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
