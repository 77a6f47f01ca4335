"""Due dates: when a case's next session (a laser session or the touch-up) is due.

Due dates (:func:`due_dates`) come from the session log and the latest plan version, by the
session model's one interval rule (:func:`scalpmap.planning.laser_rules.interval_rule`: six to
eight weeks from a laser session to the next step):

* after a laser session, while fewer laser sessions are logged than the plan's likely count,
  the next laser session is due one interval later (``sessions.laser.interval_weeks``, from
  the lower to the upper bound);
* when a laser session's follow-up has been measured (a clearance check), the latest measured
  check's recommendation decides instead of the count: another laser session (from the check's
  date, the follow-up's date plus the interval; or, when a later session's follow-up is not
  measured yet, one interval after that later session), or the touch-up after healing;
* once the likely count is reached, the touch-up is due after healing
  (``sessions.touch_up.healing_weeks`` after the last laser session), unless the plan is a
  total removal or an SMP session has been logged since.

Without a plan the defaults are the session model's: one laser session, and the touch-up six to
eight weeks after it.

The reminders (the dashboard, the case's page, ``scalpmap sessions list``) and the case's
calendar (:mod:`scalpmap.services.calendar`) show them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap.planning.laser_rules import HEALING_WEEKS, LASER_INTERVAL_WEEKS
from scalpmap.planning.timeline_rest import plan_weeks
from scalpmap.planning.words import weeks_words
from scalpmap.services._tx import get_or_raise
from scalpmap.services.treatment_sessions import list_laser_sessions, list_smp_sessions
from scalpmap.store.models import Case, ClearanceCheck, PlanVersion

__all__ = ["DueDate", "due_dates", "latest_plan_document"]


@dataclass(frozen=True)
class DueDate:
    """When the next session of a case is due.

    Attributes
    ----------
    kind : {"laser", "touch_up"}
        Which session.
    due : datetime.date
        The first day it is due.
    until : datetime.date
        The last day of the recommended window.
    reason : str
        Why, in words.
    """

    kind: Literal["laser", "touch_up"]
    due: dt.date
    until: dt.date
    reason: str


def latest_plan_document(session: Session, case_id: int) -> Mapping[str, Any]:
    """Return the plan.json of the case's latest plan version (empty without a plan).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    case_id : int
        The case.

    Returns
    -------
    mapping
        The plan document, or an empty mapping.
    """
    query = select(PlanVersion.document).where(PlanVersion.case_id == case_id)
    document = session.scalar(query.order_by(PlanVersion.version.desc()).limit(1))
    return document if isinstance(document, Mapping) else {}


def due_dates(session: Session, case_id: int) -> list[DueDate]:
    """Return the case's next due session (an empty list when nothing is due).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    case_id : int
        The case.

    Returns
    -------
    list of DueDate
        The next laser session or the touch-up, when one is due (see the module's rules).

    Raises
    ------
    NotFoundError
        When there is no such case.
    """
    case = get_or_raise(session, Case, case_id, "case")
    lasers = list_laser_sessions(session, case.id)
    if not lasers:
        return []
    last = lasers[-1].session_date
    if any(smp.session_date >= last for smp in list_smp_sessions(session, case.id)):
        return []
    sessions = latest_plan_document(session, case.id).get("sessions") or {}
    laser = sessions.get("laser") or {}
    touch_up = sessions.get("touch_up") or {}
    planned = laser.get("likely")
    likely = planned if isinstance(planned, int) and planned >= 1 else 1
    low, high = plan_weeks(laser.get("interval_weeks"), LASER_INTERVAL_WEEKS)
    check = _latest_measured(session, [row.id for row in lasers])
    if check is not None and check.percent is not None:
        if check.recommendation == "another_laser_session":
            if check.laser_session_id == lasers[-1].id:
                due = check.next_laser_on or last + dt.timedelta(weeks=low)
                after = f"after the session of {last.isoformat()}"
            else:  # a later session's follow-up is not measured yet: the last measure stands
                due = last + dt.timedelta(weeks=low)
                after = "at the last measured follow-up (measure the latest session's follow-up)"
            reason = (
                f"{check.percent:.0f}% of the removal zone clear {after}: another laser session"
            )
            return [DueDate("laser", due, due + dt.timedelta(weeks=high - low), reason)]
        return _touch_up_due(sessions, touch_up, last, f"{check.percent:.0f}% clear: ")
    if len(lasers) < likely:
        reason = (
            f"laser session {len(lasers) + 1} of {likely} likely, {weeks_words((low, high))} "
            f"after the session of {last.isoformat()}"
        )
        return [
            DueDate(
                "laser", last + dt.timedelta(weeks=low), last + dt.timedelta(weeks=high), reason
            )
        ]
    return _touch_up_due(sessions, touch_up, last, "")


def _latest_measured(session: Session, laser_ids: list[int]) -> ClearanceCheck | None:
    """Return the measured clearance check of the latest of these laser sessions that has one."""
    query = select(ClearanceCheck).where(
        ClearanceCheck.laser_session_id.in_(laser_ids), ClearanceCheck.measured.is_(True)
    )
    checks = {check.laser_session_id: check for check in session.scalars(query)}
    return next((checks[i] for i in reversed(laser_ids) if i in checks), None)


def _touch_up_due(
    sessions: Mapping[str, Any], touch_up: Mapping[str, Any], last: dt.date, why: str
) -> list[DueDate]:
    """Return the touch-up due after healing from the last laser session (none if total)."""
    if sessions.get("total_removal") or touch_up.get("sessions") == 0:
        return []
    low, high = plan_weeks(touch_up.get("healing_weeks"), HEALING_WEEKS)
    reason = (
        f"{why}SMP touch-up {weeks_words((low, high))} after the laser session of {last}, once "
        "the skin has healed"
    )
    start, until = last + dt.timedelta(weeks=low), last + dt.timedelta(weeks=high)
    return [DueDate("touch_up", start, until, reason)]
