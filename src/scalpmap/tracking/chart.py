"""The progress chart: the removal zone's clearance after each laser session.

The figure is local (Agg canvas, no pyplot), so nothing leaks into global matplotlib state, as
for the plan's timeline (:func:`scalpmap.planning.timeline.render_timeline_png`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from scalpmap.errors import InputError
from scalpmap.tracking.recommend import TOUCH_UP_AT_PERCENT

BAR_COLOUR = "#2e7d4f"
BELOW_COLOUR = "#d97a2b"
MISSING_COLOUR = "#b9bec4"
GOAL_COLOUR = "#5b6770"
INK = "#2b2f33"

ClearancePoint = tuple[str, float | None]


def render_clearance_chart(
    points: Sequence[ClearancePoint], *, goal_percent: float = TOUCH_UP_AT_PERCENT
) -> bytes:
    r"""Draw the clearance per session as a bar chart, as PNG bytes.

    Parameters
    ----------
    points : sequence of (str, float or None)
        One ``(label, percent)`` per follow-up in session order, e.g.
        ``("after session 1 (2027-04-01)", 62.5)``; a follow-up that could not be measured has
        ``None`` and is drawn as a short hatched stub marked "not measured".
    goal_percent : float, optional
        The clearance from which the touch-up follows, drawn as a dashed line.

    Returns
    -------
    bytes
        The PNG.

    Raises
    ------
    InputError
        When there is no point, or a percentage is outside 0..100.

    Examples
    --------
    >>> png = render_clearance_chart([("session 1", 62.0), ("session 2", None)])
    >>> png[:8] == b"\x89PNG\r\n\x1a\n"
    True
    """
    if not points:
        raise InputError("the clearance chart needs at least one follow-up")
    for label, value in points:
        if value is not None and not 0 <= value <= 100:
            raise InputError(f"clearance of {label!r} must be 0..100 %, got {value}")
    width = max(5.0, 2.2 + 1.3 * len(points))
    fig = Figure(figsize=(width, 3.6), dpi=150, facecolor="white")
    FigureCanvasAgg(fig)
    right = 1 - 1.1 / width  # room for the goal's label
    ax = fig.add_axes((0.9 / width, 0.2, right - 0.9 / width, 0.62))
    positions = range(len(points))
    for x, (_, value) in zip(positions, points, strict=True):
        if value is None:
            ax.bar(x, 6, width=0.6, color="white", edgecolor=MISSING_COLOUR, hatch="//", zorder=2)
            ax.text(x, 9, "not measured", ha="center", va="bottom", fontsize=8, color=GOAL_COLOUR)
            continue
        colour = BAR_COLOUR if value >= goal_percent else BELOW_COLOUR
        ax.bar(x, value, width=0.6, color=colour, zorder=2)
        inside = value >= 14
        ax.text(
            x,
            value - 2 if inside else value + 2,
            f"{value:.0f}%",
            ha="center",
            va="top" if inside else "bottom",
            fontsize=10,
            weight="bold",
            color="white" if inside else INK,
            zorder=3,
        )
    ax.axhline(goal_percent, color=GOAL_COLOUR, linestyle="--", linewidth=1, zorder=1)
    ax.annotate(
        f"touch-up\nfrom {goal_percent:g}%",
        xy=(1.01, goal_percent),
        xycoords=("axes fraction", "data"),
        ha="left",
        va="center",
        fontsize=8,
        color=GOAL_COLOUR,
    )
    ax.set_xlim(-0.6, len(points) - 0.4)
    ax.set_ylim(0, 105)
    ax.set_yticks([0, 25, 50, 75, 100])
    ax.set_ylabel("cleared (%)", fontsize=9)
    ax.set_xticks(list(positions), [label for label, _ in points], fontsize=8.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.text(0.03, 0.95, "Removal zone: clearance per laser session", fontsize=12, weight="bold",
             va="top", color=INK)  # fmt: skip
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()
