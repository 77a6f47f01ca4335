"""The rest of a plan once sessions are logged: the steps still ahead, dated from what happened.

A plan's timeline dates every step from the planned start. Once laser or SMP sessions are
logged, the steps still ahead follow from the real dates by the same rules
(:mod:`scalpmap.planning.timeline`, :func:`scalpmap.planning.laser_rules.interval_rule`):

* with another laser session due on a date: the further likely sessions one interval apart, the
  sessions "if needed" up to the plan's range, then healing, the touch-up, the optional second
  touch-up and the review, as the timeline lays them out after its last likely session;
* with the touch-up due on a date: the optional second touch-up and the review after it;
* with a touch-up logged since the last laser session: what is left of the touch-ups, and the
  review;
* with nothing due (a total removal, its sessions done): the review when healing ends.

The logged sessions and the due step itself are not repeated: a calendar lists those as done
and due (:func:`scalpmap.services.calendar.case_events`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from scalpmap.planning.laser_rules import HEALING_WEEKS, LASER_INTERVAL_WEEKS
from scalpmap.planning.timeline import TimelineEvent, after_lasers, laser_step, touch_up_steps

__all__ = ["Due", "plan_weeks", "steps_ahead"]

Due = tuple[Literal["laser", "touch_up"], dt.date]


def plan_weeks(value: Any, default: tuple[int, int]) -> tuple[int, int]:
    """Return a plan's ``[lowest, highest]`` weeks, or ``default`` when missing or malformed.

    Examples
    --------
    >>> plan_weeks([6, 8], (3, 4)), plan_weeks(None, (6, 8)), plan_weeks(["x", 2], (6, 8))
    ((6, 8), (6, 8), (6, 8))
    """
    items = list(value) if isinstance(value, list | tuple) else []
    ok = len(items) >= 2 and all(
        isinstance(v, int | float) and not isinstance(v, bool) and v > 0 for v in items[:2]
    )
    return (int(items[0]), int(items[1])) if ok else default


def steps_ahead(
    document: Mapping[str, Any],
    *,
    lasers: Sequence[dt.date],
    touch_ups_since: Sequence[dt.date] = (),
    due: Due | None = None,
) -> list[TimelineEvent]:
    """Return the plan's steps still ahead after the logged sessions (see the module's rules).

    Parameters
    ----------
    document : mapping
        The plan.json document (its ``sessions``); an empty mapping plans one laser session and
        one touch-up by the session model's rules.
    lasers : sequence of datetime.date
        The logged laser sessions' dates, in order (at least one).
    touch_ups_since : sequence of datetime.date, optional
        The SMP sessions logged on or after the last laser session, in order.
    due : (kind, date), optional
        The next step that is due: ``("laser", date)`` or ``("touch_up", date)``.

    Returns
    -------
    list of TimelineEvent
        The steps after the due one, in date order (healing included).

    Examples
    --------
    >>> plan = {"sessions": {"laser": {"likely": 1, "range": [1, 2]},
    ...                      "touch_up": {"sessions": 1, "optional_second": False}}}
    >>> first = dt.date(2027, 3, 1)
    >>> [(e.kind, e.start.isoformat()) for e in steps_ahead(
    ...     plan, lasers=[first], due=("touch_up", dt.date(2027, 4, 12)))]
    [('review', '2027-05-10')]
    """
    if not lasers:
        raise ValueError("steps_ahead needs at least one logged laser session")
    sessions = document.get("sessions") or {}
    laser = sessions.get("laser") or {}
    touch_up = sessions.get("touch_up") or {}
    planned = touch_up.get("sessions")
    touch_ups = 0 if sessions.get("total_removal") else planned if isinstance(planned, int) else 1
    second = bool(touch_up.get("optional_second", False))
    healing = plan_weeks(touch_up.get("healing_weeks"), HEALING_WEEKS)
    if touch_ups_since:
        return touch_up_steps(
            touch_ups_since[-1], second_touch_up=second, done=len(touch_ups_since)
        )
    if due is not None and due[0] == "touch_up":
        return touch_up_steps(due[1], second_touch_up=second, planned=False)
    if due is None:
        return after_lasers(lasers[-1], touch_ups=0, second_touch_up=False, healing_weeks=healing)
    weeks = plan_weeks(laser.get("interval_weeks"), LASER_INTERVAL_WEEKS)
    value = laser.get("likely")
    likely = value if isinstance(value, int) and value >= 1 else 1
    value = (list(laser.get("range") or []) + [likely, likely])[1]
    top = value if isinstance(value, int) else likely
    step, nxt = dt.timedelta(weeks=weeks[0]), len(lasers) + 1
    events = [
        laser_step(k, due[1] + (k - nxt) * step, likely=likely, weeks=weeks)
        for k in range(nxt + 1, max(top, likely, nxt) + 1)
    ]
    last_likely = due[1] + max(0, likely - nxt) * step
    events += after_lasers(
        last_likely, touch_ups=touch_ups, second_touch_up=second, healing_weeks=healing
    )
    return sorted(events, key=lambda e: e.start)
