"""The next step after a follow-up: another laser session, or the touch-up.

When the removal zone's clearance reaches ``touch_up_at`` percent
(``TOUCH_UP_AT_PERCENT`` by default) the patient goes on to the touch-up; below it another laser
session is booked, at the earliest the follow-up's date plus the plan's laser interval (its lower
bound, as the plan's timeline spaces the sessions). Nothing is recommended for a follow-up that
was not measured.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

TOUCH_UP_AT_PERCENT = 95.0
Action = Literal["another_laser_session", "touch_up"]


@dataclass(frozen=True)
class Recommendation:
    """The next step after a follow-up.

    Attributes
    ----------
    action : {"another_laser_session", "touch_up"}
        What to book.
    date : datetime.date or None
        The earliest date of another laser session; None for the touch-up.
    reason : str
        Why, in words.
    """

    action: Action
    date: dt.date | None
    reason: str


def recommend(
    percent: float,
    *,
    followup_date: dt.date,
    interval_weeks: int,
    touch_up_at: float = TOUCH_UP_AT_PERCENT,
) -> Recommendation:
    """Recommend the next step from the clearance (rule in the module's docstring).

    Parameters
    ----------
    percent : float
        The removal zone's clearance.
    followup_date : datetime.date
        The day of the follow-up.
    interval_weeks : int
        Weeks between laser sessions.
    touch_up_at : float, optional
        Clearance at which the touch-up follows.

    Returns
    -------
    Recommendation
        The next step.

    Examples
    --------
    >>> r = recommend(62.0, followup_date=dt.date(2027, 4, 1), interval_weeks=4)
    >>> r.action, r.date
    ('another_laser_session', datetime.date(2027, 4, 29))
    >>> recommend(97.5, followup_date=dt.date(2027, 4, 1), interval_weeks=4).action
    'touch_up'
    """
    if percent >= touch_up_at:
        reason = (
            f"{percent:.0f}% of the removal zone is clear (at least {touch_up_at:g}% needed): "
            "go on to the SMP touch-up once the skin has healed"
        )
        return Recommendation("touch_up", None, reason)
    date = followup_date + dt.timedelta(weeks=interval_weeks)
    reason = (
        f"only {percent:.0f}% of the removal zone is clear (the touch-up needs {touch_up_at:g}%): "
        f"book another laser session, at the earliest on {date.isoformat()} "
        f"({interval_weeks} weeks after this follow-up)"
    )
    return Recommendation("another_laser_session", date, reason)
