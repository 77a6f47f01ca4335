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
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from scalpmap.errors import InputError
from scalpmap.planning.sessions import (
    HEALING_WEEKS,
    LaserEstimate,
    to_plain,
    touch_up_sessions,
)
from scalpmap.planning.words import weeks_words

if TYPE_CHECKING:  # matplotlib loads when the chart is drawn (0.3 s): a plan encodes its
    # pictures on two threads meanwhile, and the dates alone need none of it
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

EventKind = Literal["laser", "healing", "touch_up", "touch_up_optional", "review"]
EARLIEST_START = dt.date(2000, 1, 1)
MAX_YEARS_AHEAD = 5
SECOND_TOUCH_UP_DAYS = 21
REVIEW_WEEKS = 4
MARKERS = {"laser": "D", "touch_up": "o", "touch_up_optional": "o", "review": "s", "healing": "s"}
TOP_IN, ROW_IN, BOTTOM_IN = 1.35, 0.48, 1.05  # chart layout, inches
INK = "#2b2f33"
AXES_WIDTH_IN, CHAR_IN = 7.2, 0.078  # chart width; width of a 9.5 pt character
COLOURS: dict[str, str] = {
    "laser": "#1f4e8c",
    "healing": "#8cc8a6",
    "touch_up": "#c8781e",
    "touch_up_optional": "#c8781e",
    "review": "#5b6770",
}


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
    interval = estimate.interval_weeks[0]
    step = dt.timedelta(weeks=interval)
    rule = weeks_words(estimate.interval_weeks)
    events: list[TimelineEvent] = []
    for i in range(1, estimate.range[1] + 1):
        day = start + (i - 1) * step
        if_needed = i > estimate.likely
        if i == 1:
            note = "The first laser session, at the laser clinic."
        elif if_needed:
            note = (
                "Only if the follow-up photo shows pigment left; the touch-up then comes "
                f"{rule} after this session."
            )
        else:
            note = (
                f"{rule.capitalize()} after the previous laser session, once the skin has healed."
            )
        label = f"Laser session {i}" + (" (if needed)" if if_needed else "")
        events.append(TimelineEvent("laser", label, day, None, note, optional=if_needed))
    last_laser = start + (estimate.likely - 1) * step
    plan = touch_up_sessions(needed=touch_up, second_touch_up=second_touch_up)
    healed = last_laser + dt.timedelta(weeks=HEALING_WEEKS[0])
    events.append(
        TimelineEvent(
            "healing",
            "Healing",
            last_laser,
            healed,
            f"The skin heals for {weeks_words(HEALING_WEEKS)}; a follow-up photo then shows what "
            "is left.",
        )
    )
    last = healed
    if plan.sessions:
        events.append(
            TimelineEvent(
                "touch_up", "SMP touch-up", healed, None, "New dots inside the new hairline."
            )
        )
        if plan.optional_second:
            last = healed + dt.timedelta(days=SECOND_TOUCH_UP_DAYS)
            events.append(
                TimelineEvent(
                    "touch_up_optional",
                    "Second touch-up (optional)",
                    last,
                    None,
                    "Adds density once the first touch-up has settled.",
                    optional=True,
                )
            )
        last += dt.timedelta(weeks=REVIEW_WEEKS)
        review_note = "Photos of the settled result are compared with the plan."
    else:
        review_note = "Photos are compared with the baseline to confirm the pigment has cleared."
    events.append(TimelineEvent("review", "Review", last, None, review_note))
    events.sort(key=lambda e: e.start)  # stable: same-day events keep their order
    return Timeline(start=start, events=tuple(events))


def _nice_date(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _row_text(event: TimelineEvent) -> str:
    if event.end is None:
        return _nice_date(event.start)
    return f"{_nice_date(event.start)} – {_nice_date(event.end)}"


def _right_limit(rows: list[TimelineEvent], start: dt.date, left: float) -> float:
    """Return the chart's right end (days) so that every date text fits after its mark."""
    right = 0.0
    for event in rows:
        x = ((event.end or event.start) - start).days
        share = (len(_row_text(event)) * CHAR_IN + 0.3) / AXES_WIDTH_IN  # of the axes' width
        right = max(right, (x - share * left) / (1 - share))
    return right


def _note(ax: Axes, x: float, row: int, text: str, gap_pt: float) -> None:
    ax.annotate(
        text, (x, row), xytext=(gap_pt, 0), textcoords="offset points", va="center",
        fontsize=9.5, color=INK,
    )  # fmt: skip


def _draw_rows(ax: Axes, rows: list[TimelineEvent], start: dt.date) -> None:
    """One row per event: a bar for a period, a marker (hollow when optional) for a visit."""
    for row, event in enumerate(rows):
        pos, colour = (event.start - start).days, COLOURS[event.kind]
        if row % 2 == 0:
            ax.axhspan(row - 0.5, row + 0.5, color="#f4f6f8", zorder=-1, linewidth=0)
        if event.end is not None:
            width = (event.end - event.start).days
            ax.barh(row, width, left=pos, height=0.5, color=colour, alpha=0.85, zorder=2)
            _note(ax, pos + width, row, _row_text(event), 6)
            continue
        face = "white" if event.optional else colour
        ax.plot(
            [pos], [row], marker=MARKERS[event.kind], markersize=11, markerfacecolor=face,
            markeredgecolor=colour, markeredgewidth=2, linestyle="none", zorder=3,
        )  # fmt: skip
        _note(ax, pos, row, _row_text(event), 11)
    ax.set_yticks(range(len(rows)), [e.label for e in rows], fontsize=10.5)
    ax.tick_params(axis="y", length=0, pad=8)


def _draw_dates(ax: Axes, start: dt.date, left: float, right: float) -> None:
    """Week gridlines, months along the bottom and treatment weeks along the top."""
    for week in range(0, int(right) + 1, 7):
        ax.axvline(week, color="#d9dee3", linewidth=0.9 if week % 28 == 0 else 0.5, zorder=0)
    for name in ("top", "right", "left"):
        ax.spines[name].set_visible(False)
    ax.spines["bottom"].set_color("#9aa3ab")
    months: list[tuple[int, str]] = []
    day = start.replace(day=1)
    while (day - start).days <= right:
        if (day - start).days >= left:
            label = f"{day:%b}\n{day.year}" if day.month == 1 or not months else f"{day:%b}"
            months.append(((day - start).days, label))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    ax.set_xticks([m[0] for m in months], [m[1] for m in months], fontsize=9.5)
    ax.tick_params(axis="x", colors="#4a5259")
    top = ax.twiny()
    top.set_xlim(left, right)
    weeks = list(range(0, int(right) + 1, 28))
    top.set_xticks(weeks, [f"week {d // 7}" for d in weeks], fontsize=8.5, color="#6c757d")
    top.tick_params(axis="x", length=0)
    for spine in top.spines.values():
        spine.set_visible(False)


def _legend(fig: Figure, rows: list[TimelineEvent], height: float) -> None:
    """Draw a legend of the kinds of step present, under the chart."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    kinds = {e.kind for e in rows}
    entries: list[tuple[bool, Artist, str]] = [
        ("laser" in kinds, Line2D([], [], marker="D", color=COLOURS["laser"], linestyle="none",
                                  markersize=8), "Laser session"),
        (any(e.optional for e in rows), Line2D([], [], marker="D", color=COLOURS["laser"],
         markerfacecolor="white", linestyle="none", markersize=8, markeredgewidth=2),
         "Only if needed / optional"),
        ("healing" in kinds, Patch(color=COLOURS["healing"]), "Healing"),
        ("touch_up" in kinds, Line2D([], [], marker="o", color=COLOURS["touch_up"],
                                     linestyle="none", markersize=8), "SMP touch-up"),
        ("review" in kinds, Line2D([], [], marker="s", color=COLOURS["review"], linestyle="none",
                                   markersize=8), "Review"),
    ]  # fmt: skip
    shown = [(handle, label) for present, handle, label in entries if present]
    fig.legend(
        [h for h, _ in shown], [label for _, label in shown], loc="lower center",
        ncol=len(shown), frameon=False, fontsize=9, bbox_to_anchor=(0.5, 0.08 / height),
    )  # fmt: skip


def render_timeline_png(timeline: Timeline, path: str | Path | None = None) -> bytes:
    """Draw the timeline as a dated horizontal chart, as a patient would get it.

    The laser sessions come first (those only needed if pigment remains drawn hollow), then the
    other steps in date order. The figure is local (Agg canvas, no pyplot), so nothing leaks
    into global matplotlib state.

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
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = sorted(timeline.events, key=lambda e: (e.kind != "laser", e.start))
    n = len(rows)
    height = TOP_IN + n * ROW_IN + BOTTOM_IN
    fig = Figure(figsize=(10.0, height), dpi=150, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.24, BOTTOM_IN / height, AXES_WIDTH_IN / 10.0, n * ROW_IN / height))
    left = -7.0
    right = _right_limit(rows, timeline.start, left)
    ax.set_xlim(left, right)
    ax.set_ylim(n - 0.5, -0.5)
    _draw_rows(ax, rows, timeline.start)
    _draw_dates(ax, timeline.start, left, right)
    fig.text(
        0.03, 1 - 0.22 / height, "Your treatment timeline", fontsize=16, weight="bold", va="top"
    )
    subtitle = (
        f"Planned from {_nice_date(timeline.start)}. The dates are a plan; "
        "your clinic confirms each appointment."
    )
    fig.text(0.03, 1 - 0.6 / height, subtitle, fontsize=9.5, color="#5b6770", va="top")
    _legend(fig, rows, height)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white")
    png = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(png)
    return png
