"""A dated treatment timeline: laser sessions, healing, SMP touch-up(s) and a review.

One rule spaces every step after a laser session
(:func:`scalpmap.planning.laser_rules.interval_rule`): the skin heals for six to eight weeks, a
follow-up photo shows what is left, and the next step follows at the lower bound, six weeks.
From the start date: laser session 1 on that day, the further likely sessions one interval
apart, the possible extra sessions (up to the top of the estimate's range) at the same spacing
marked "if needed", healing after the last likely laser session, the SMP touch-up when healing
ends, an optional second touch-up three weeks later (SMP sessions are 10–30 days apart), and a
review four weeks after the last touch-up, when the new impressions have settled. The notes are
written for the patient. The dates are planning guidance; the clinic confirms each appointment.
Rules and sources: docs/session-model.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from scalpmap.errors import InputError
from scalpmap.planning.plain import to_plain
from scalpmap.planning.sessions import HEALING_WEEKS, LaserEstimate, touch_up_sessions
from scalpmap.planning.words import weeks_words

EventKind = Literal["laser", "healing", "touch_up", "touch_up_optional", "review"]
EARLIEST_START = dt.date(2000, 1, 1)
MAX_YEARS_AHEAD = 5
SECOND_TOUCH_UP_DAYS = 21
REVIEW_WEEKS = 4


@dataclass(frozen=True)
class TimelineEvent:
    """One dated step of the plan.

    Attributes
    ----------
    kind : {"laser", "healing", "touch_up", "touch_up_optional", "review"}
        What happens.
    label : str
        A short title, e.g. ``"Laser session 2"``.
    start : datetime.date
        The (earliest) date.
    end : datetime.date or None
        The last day of a period (healing); None for a single appointment.
    note : str
        What it means for the patient.
    optional : bool
        True for a session that happens only if needed, or is optional.
    """

    kind: EventKind
    label: str
    start: dt.date
    end: dt.date | None
    note: str
    optional: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return plain JSON values; dates as ISO strings (YYYY-MM-DD)."""
        return dict(to_plain(self))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TimelineEvent:
        """Rebuild an event from :meth:`to_json`'s output."""
        kind = data["kind"]
        if kind not in get_args(EventKind):
            raise InputError(f"unknown timeline event kind {kind!r}")
        end = data.get("end")
        return cls(
            kind=kind,
            label=str(data["label"]),
            start=dt.date.fromisoformat(data["start"]),
            end=None if end is None else dt.date.fromisoformat(end),
            note=str(data.get("note", "")),
            optional=bool(data.get("optional", False)),
        )


@dataclass(frozen=True)
class Timeline:
    """The dated plan, its events in date order.

    Attributes
    ----------
    start : datetime.date
        The first laser session.
    events : tuple of TimelineEvent
        In date order.
    """

    start: dt.date
    events: tuple[TimelineEvent, ...]

    @property
    def end(self) -> dt.date:
        """The last date in the plan."""
        return max(e.end or e.start for e in self.events)

    def of_kind(self, kind: EventKind) -> list[TimelineEvent]:
        """Return the events of one kind, in date order."""
        return [e for e in self.events if e.kind == kind]

    def to_json(self) -> dict[str, Any]:
        """Return plain JSON values: ``start``, ``end`` and ``events`` (a list of dicts)."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "events": [e.to_json() for e in self.events],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Timeline:
        """Rebuild a timeline from :meth:`to_json`'s output."""
        return cls(
            start=dt.date.fromisoformat(data["start"]),
            events=tuple(TimelineEvent.from_json(e) for e in data["events"]),
        )


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def check_start_date(value: Any, *, today: dt.date | None = None) -> dt.date:
    """Validate a start date: a date or a YYYY-MM-DD string, from 2000 to five years ahead.

    Parameters
    ----------
    value : datetime.date or str
        The date (a datetime is reduced to its date).
    today : datetime.date, optional
        Today's date (default: the system's), for the upper limit.

    Returns
    -------
    datetime.date
        The date.

    Raises
    ------
    InputError
        When it is not a date, impossible (e.g. 2027-02-30) or out of range.

    Examples
    --------
    >>> check_start_date("2027-03-01", today=dt.date(2027, 1, 1))
    datetime.date(2027, 3, 1)
    """
    day: dt.date
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise InputError(
                f"impossible start date {value!r}; use YYYY-MM-DD, e.g. 2027-03-01"
            ) from None
    else:
        raise InputError(f"start date must be a date (YYYY-MM-DD), got {type(value).__name__}")
    if day < EARLIEST_START:
        raise InputError(f"start date {day.isoformat()} is before 2000; check --start-date")
    limit = _years_later(today or dt.date.today(), MAX_YEARS_AHEAD)
    if day > limit:
        raise InputError(
            f"start date {day.isoformat()} is more than {MAX_YEARS_AHEAD} years ahead "
            f"(after {limit.isoformat()}); check --start-date"
        )
    return day


def build_timeline(
    start: Any,
    estimate: LaserEstimate,
    *,
    touch_up: bool = True,
    second_touch_up: bool = True,
    today: dt.date | None = None,
) -> Timeline:
    """Lay the sessions out on dates.

    Parameters
    ----------
    start : datetime.date or str
        Date of the first laser session (validated by :func:`check_start_date`).
    estimate : LaserEstimate
        The laser estimate: its likely count, range and interval.
    touch_up : bool, optional
        Plan the SMP touch-up (False for a total removal).
    second_touch_up : bool, optional
        Add the optional second touch-up.
    today : datetime.date, optional
        Today's date, for validating ``start``.

    Returns
    -------
    Timeline
        The events in date order.

    Examples
    --------
    >>> from scalpmap.planning.sessions import LaserEstimate
    >>> est = LaserEstimate(likely=1, range=(1, 2), reasons=(), interval_weeks=(6, 8),
    ...                     laser="1064 nm Nd:YAG", warnings=())
    >>> tl = build_timeline(dt.date(2027, 3, 1), est, today=dt.date(2027, 1, 1))
    >>> [(e.kind, e.start.isoformat()) for e in tl.events][:3]
    [('laser', '2027-03-01'), ('healing', '2027-03-01'), ('laser', '2027-04-12')]
    """
    start = check_start_date(start, today=today)
    step = dt.timedelta(weeks=estimate.interval_weeks[0])
    events = [
        laser_step(i, start + (i - 1) * step, likely=estimate.likely, weeks=estimate.interval_weeks)
        for i in range(1, estimate.range[1] + 1)
    ]
    last_laser = start + (estimate.likely - 1) * step
    plan = touch_up_sessions(needed=touch_up, second_touch_up=second_touch_up)
    events += after_lasers(
        last_laser,
        touch_ups=plan.sessions,
        second_touch_up=plan.optional_second,
        healing_weeks=HEALING_WEEKS,
    )
    events.sort(key=lambda e: e.start)  # stable: same-day events keep their order
    return Timeline(start=start, events=tuple(events))


def laser_step(i: int, day: dt.date, *, likely: int, weeks: Sequence[int]) -> TimelineEvent:
    """Return laser session ``i`` on ``day``, "if needed" beyond the ``likely`` count.

    Parameters
    ----------
    i : int
        The session's number, from 1.
    day : datetime.date
        Its date.
    likely : int
        The plan's likely count.
    weeks : sequence of int
        The interval rule's weeks (lowest, highest), for the note.

    Returns
    -------
    TimelineEvent
        The session, with its note for the patient.
    """
    rule, if_needed = weeks_words(weeks), i > likely
    if i == 1:
        note = "The first laser session, at the laser clinic."
    elif if_needed:
        note = (
            "Only if the follow-up photo shows pigment left; the touch-up then comes "
            f"{rule} after this session."
        )
    else:
        note = f"{rule.capitalize()} after the previous laser session, once the skin has healed."
    label = f"Laser session {i}" + (" (if needed)" if if_needed else "")
    return TimelineEvent("laser", label, day, None, note, optional=if_needed)


def after_lasers(
    last_laser: dt.date, *, touch_ups: int, second_touch_up: bool, healing_weeks: Sequence[int]
) -> list[TimelineEvent]:
    """Return healing after the last laser session, then the touch-up steps and the review.

    Parameters
    ----------
    last_laser : datetime.date
        The last (likely) laser session.
    touch_ups : int
        Planned touch-ups: 1, or 0 for a total removal.
    second_touch_up : bool
        Whether the optional second touch-up is offered.
    healing_weeks : sequence of int
        The rule's weeks (lowest, highest): healing lasts the lowest.

    Returns
    -------
    list of TimelineEvent
        Healing, then :func:`touch_up_steps` from the day it ends (the review alone when no
        touch-up is planned).
    """
    healed = last_laser + dt.timedelta(weeks=int(healing_weeks[0]))
    note = (
        f"The skin heals for {weeks_words(healing_weeks)}; a follow-up photo then shows what is "
        "left."
    )
    healing = TimelineEvent("healing", "Healing", last_laser, healed, note)
    if not touch_ups:
        review = "Photos are compared with the baseline to confirm the pigment has cleared."
        return [healing, TimelineEvent("review", "Review", healed, None, review)]
    return [healing, *touch_up_steps(healed, second_touch_up=second_touch_up)]


def touch_up_steps(
    day: dt.date, *, second_touch_up: bool, done: int = 0, planned: bool = True
) -> list[TimelineEvent]:
    """Return the touch-up on ``day``, the optional second three weeks later and the review.

    Parameters
    ----------
    day : datetime.date
        The (first) touch-up's date, or the last logged touch-up's when ``done`` > 0.
    second_touch_up : bool
        Whether the optional second touch-up is offered.
    done : int, optional
        Touch-ups already done (0, 1 or more): those are left out and the rest follow ``day``.
    planned : bool, optional
        False leaves out the touch-up on ``day`` itself (it is due, and listed as such).

    Returns
    -------
    list of TimelineEvent
        The steps, in date order, ending with the review four weeks after the last touch-up.
    """
    events, last = [], day
    if done == 0 and planned:
        events.append(
            TimelineEvent(
                "touch_up", "SMP touch-up", day, None, "New dots inside the new hairline."
            )
        )
    if second_touch_up and done <= 1:
        last = day + dt.timedelta(days=SECOND_TOUCH_UP_DAYS)
        note = "Adds density once the first touch-up has settled."
        events.append(
            TimelineEvent(
                "touch_up_optional", "Second touch-up (optional)", last, None, note, optional=True
            )
        )
    review = "Photos of the settled result are compared with the plan."
    events.append(
        TimelineEvent("review", "Review", last + dt.timedelta(weeks=REVIEW_WEEKS), None, review)
    )
    return events


def render_timeline_png(timeline: Timeline, path: str | Path | None = None) -> bytes:
    """Draw the timeline as a dated horizontal chart (:mod:`scalpmap.planning.timeline_chart`).

    Parameters
    ----------
    timeline : Timeline
        The plan.
    path : str or Path, optional
        Where to write the PNG as well.

    Returns
    -------
    bytes
        The PNG.
    """
    from scalpmap.planning.timeline_chart import draw_timeline_png

    return draw_timeline_png(timeline, path)
