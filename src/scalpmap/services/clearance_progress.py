"""A case's clearance checks as people read them: in session order, charted, in words.

The checks themselves are made by :func:`scalpmap.services.clearance.measure_clearance`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap.store.models import ClearanceCheck, LaserSession
from scalpmap.tracking.chart import ClearancePoint, render_clearance_chart

__all__ = ["advice_words", "clearance_chart", "clearance_points", "list_clearance_checks"]

_ACTIONS = {"another_laser_session": "another laser session", "touch_up": "SMP touch-up"}


def list_clearance_checks(session: Session, case_id: int) -> list[ClearanceCheck]:
    """List a case's clearance checks in the order of their laser sessions.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only; opening the case is what is audited).
    case_id : int
        The case.

    Returns
    -------
    list of ClearanceCheck
        The checks, earliest session first.
    """
    query = (
        select(ClearanceCheck)
        .join(LaserSession, LaserSession.id == ClearanceCheck.laser_session_id)
        .where(ClearanceCheck.case_id == case_id, LaserSession.voided_at.is_(None))
        .order_by(LaserSession.session_date, LaserSession.id)
    )
    return list(session.scalars(query))


def clearance_points(session: Session, case_id: int) -> list[ClearancePoint]:
    """List the progress chart's points: one per checked laser session, in session order.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    case_id : int
        The case.

    Returns
    -------
    list of (str, float or None)
        ``(label, percent)``: the label is "session N" with its date on a second line; the
        percent is ``None`` where the follow-up was not measured.
    """
    sessions = {
        row.id: (number, row.session_date)
        for number, row in enumerate(
            session.scalars(
                select(LaserSession)
                .where(LaserSession.case_id == case_id, LaserSession.voided_at.is_(None))
                .order_by(LaserSession.session_date, LaserSession.id)
            ),
            start=1,
        )
    }
    points: list[ClearancePoint] = []
    for check in list_clearance_checks(session, case_id):
        number, day = sessions[check.laser_session_id]
        points.append((f"session {number}\n{day.isoformat()}", check.percent))
    return points


def clearance_chart(session: Session, case_id: int) -> bytes | None:
    """Draw the case's progress chart as PNG, or None when no follow-up has been checked yet.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only).
    case_id : int
        The case.

    Returns
    -------
    bytes or None
        The PNG.
    """
    points = clearance_points(session, case_id)
    return render_clearance_chart(points) if points else None


def advice_words(check: ClearanceCheck | None) -> str | None:
    """Return a measured check's recommendation in words (its clearance.json ``reason``).

    Parameters
    ----------
    check : ClearanceCheck or None
        The check.

    Returns
    -------
    str or None
        E.g. "only 40% of the removal zone is clear ...: book another laser session ...";
        ``None`` when the check is missing or nothing was measured.
    """
    if check is None or not check.measured or check.recommendation is None:
        return None
    advice = (check.document or {}).get("recommendation") or {}
    reason = advice.get("reason") if isinstance(advice, dict) else None
    if isinstance(reason, str) and reason:
        return reason
    words = _ACTIONS.get(check.recommendation, check.recommendation.replace("_", " "))
    when = f" from {check.next_laser_on.isoformat()}" if check.next_laser_on else ""
    return f"{words}{when}"
