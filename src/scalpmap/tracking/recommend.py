"""The next step after a follow-up: another laser session, or the touch-up.

When the removal zone's clearance reaches ``touch_up_at`` percent
(``TOUCH_UP_AT_PERCENT`` by default) the patient goes on to the touch-up; below it another laser
session is booked by the plan's interval rule (its lower bound, as the plan's timeline spaces the
sessions): at the earliest one interval after the last laser session when its date is known, and
not before the follow-up; else one interval after the follow-up. Nothing is recommended for a
follow-up that was not measured.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from scalpmap.planning.words import weeks_words

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
    laser_date: dt.date | None = None,
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
    laser_date : datetime.date, optional
        The last laser session's date, when known: the next one comes an interval after it.

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
    >>> recommend(62.0, followup_date=dt.date(2027, 4, 1), interval_weeks=6,
    ...           laser_date=dt.date(2027, 3, 1)).date
    datetime.date(2027, 4, 12)
    """
    if percent >= touch_up_at:
        reason = (
            f"{percent:.0f}% of the removal zone is clear (at least {touch_up_at:g}% needed): "
            "go on to the SMP touch-up once the skin has healed"
        )
        return Recommendation("touch_up", None, reason)
    words = weeks_words(interval_weeks)
    if laser_date is None:
        date, when = followup_date + dt.timedelta(weeks=interval_weeks), "after this follow-up"
    else:
        date = max(followup_date, laser_date + dt.timedelta(weeks=interval_weeks))
        when = f"after the laser session of {laser_date.isoformat()}"
        if date == followup_date:
            words, when = "from this follow-up,", f"more than {words} {when}"
    reason = (
        f"only {percent:.0f}% of the removal zone is clear (the touch-up needs {touch_up_at:g}%): "
        f"book another laser session, at the earliest on {date.isoformat()} ({words} {when})"
    )
    return Recommendation("another_laser_session", date, reason)
