"""The timeline chart: one row per step on dated axes, as the patient's plan shows it.

A local matplotlib figure on an Agg canvas (no pyplot), so nothing leaks into global matplotlib
state. Called through :func:`scalpmap.planning.timeline.render_timeline_png`.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import TYPE_CHECKING

from scalpmap.planning.timeline import Timeline, TimelineEvent

if TYPE_CHECKING:  # matplotlib loads when the chart is drawn (0.3 s): a plan encodes its
    # pictures on two threads meanwhile, and the dates alone need none of it
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

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


def draw_timeline_png(timeline: Timeline, path: str | Path | None = None) -> bytes:
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
