"""The timeline chart: one row per step on dated axes, as the patient's plan shows it.

Drawn with Pillow in DejaVu Sans (:mod:`scalpmap.reports.drawing`) at twice the size and shrunk,
so that edges are smooth: matplotlib drew the same chart, but importing it took 0.6-1.0 s of a
plan's 3 s. Called through :func:`scalpmap.planning.timeline.render_timeline_png`.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path

from PIL import Image, ImageDraw

from scalpmap.planning.timeline import Timeline, TimelineEvent
from scalpmap.reports.drawing import font

MARKERS = {"laser": "D", "touch_up": "o", "touch_up_optional": "o", "review": "s", "healing": "s"}
TOP_IN, ROW_IN, BOTTOM_IN = 1.35, 0.48, 1.05  # chart layout, inches
WIDTH_IN, AXES_LEFT_IN = 10.0, 2.4
AXES_WIDTH_IN, CHAR_IN = 7.2, 0.078  # chart width; width of a 9.5 pt character
DPI = 150
SUPERSAMPLE = 2
INK = "#2b2f33"
COLOURS: dict[str, str] = {
    "laser": "#1f4e8c",
    "healing": "#8cc8a6",
    "touch_up": "#c8781e",
    "touch_up_optional": "#c8781e",
    "review": "#5b6770",
}
STRIPE = "#f4f6f8"
BAR_ALPHA = 0.85


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


def _rgb(colour: str) -> tuple[int, int, int]:
    value = int(colour.lstrip("#"), 16)
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


def _mix(colour: str, under: str, alpha: float) -> tuple[int, int, int]:
    top, bottom = _rgb(colour), _rgb(under)
    return tuple(round(alpha * a + (1 - alpha) * b) for a, b in zip(top, bottom, strict=True))  # type: ignore[return-value]


class _Canvas:
    """A supersampled drawing with the chart's geometry: points to pixels, days to x."""

    def __init__(self, rows: int, left: float, right: float) -> None:
        self.scale = DPI * SUPERSAMPLE / 72.0  # pixels per point
        self.height_in = TOP_IN + rows * ROW_IN + BOTTOM_IN
        size = (round(WIDTH_IN * DPI) * SUPERSAMPLE, round(self.height_in * DPI) * SUPERSAMPLE)
        self.image = Image.new("RGB", size, "white")
        self.draw = ImageDraw.Draw(self.image)
        self.x0, self.x1 = self.inch(AXES_LEFT_IN), self.inch(AXES_LEFT_IN + AXES_WIDTH_IN)
        self.y0, self.y1 = self.inch(TOP_IN), self.inch(TOP_IN + rows * ROW_IN)
        self.left, self.right = left, right

    def inch(self, value: float) -> float:
        return value * DPI * SUPERSAMPLE

    def pt(self, value: float) -> float:
        return value * self.scale

    def x(self, days: float) -> float:
        return self.x0 + (days - self.left) / (self.right - self.left) * (self.x1 - self.x0)

    def row_y(self, row: int) -> float:
        return self.y0 + (row + 0.5) * self.inch(ROW_IN)

    def text(
        self, xy: tuple[float, float], words: str, size_pt: float, colour: str, anchor: str,
        *, bold: bool = False,
    ) -> None:  # fmt: skip
        face = font(round(self.pt(size_pt)), bold=bold)
        self.draw.text(xy, words, fill=_rgb(colour), font=face, anchor=anchor)

    def marker(
        self, xy: tuple[float, float], kind: str, size_pt: float, colour: str, *,
        hollow: bool = False, edge_pt: float = 0.0,
    ) -> None:  # fmt: skip
        """Draw a matplotlib-like marker: a diamond, circle or square of ``size_pt`` points."""
        x, y = xy
        half = self.pt(size_pt) / 2
        edge = self.pt(edge_pt)
        fill = None if hollow else _rgb(colour)
        if kind == "D":  # matplotlib's diamond: a square of the marker's size turned by 45°
            reach = half * math.sqrt(2) * 0.95
            points = [(x, y - reach), (x + reach, y), (x, y + reach), (x - reach, y)]
            self.draw.polygon(points, fill=fill or "white", outline=_rgb(colour), width=round(edge))
        elif kind == "o":
            box = (x - half, y - half, x + half, y + half)
            self.draw.ellipse(box, fill=fill or "white", outline=_rgb(colour), width=round(edge))
        else:
            side = half * 0.9
            box = (x - side, y - side, x + side, y + side)
            self.draw.rectangle(box, fill=fill or "white", outline=_rgb(colour), width=round(edge))

    def png(self) -> bytes:
        small = self.image.reduce(SUPERSAMPLE)  # the mean of each 2 x 2 block
        buffer = io.BytesIO()
        small.save(buffer, format="PNG", compress_level=1)  # flat colours: small at any level
        return buffer.getvalue()


def _draw_grid(canvas: _Canvas, rows: list[TimelineEvent]) -> None:
    """Stripes on every other row, then week gridlines (every fourth week stronger)."""
    for row in range(0, len(rows), 2):
        top = canvas.y0 + row * canvas.inch(ROW_IN)
        canvas.draw.rectangle((canvas.x0, top, canvas.x1, top + canvas.inch(ROW_IN)), fill=STRIPE)
    for week in range(0, int(canvas.right) + 1, 7):
        width = canvas.pt(0.9 if week % 28 == 0 else 0.5)
        x = canvas.x(week)
        colour = _rgb("#d9dee3")
        canvas.draw.line((x, canvas.y0, x, canvas.y1), fill=colour, width=max(1, round(width)))


def _draw_rows(canvas: _Canvas, rows: list[TimelineEvent], start: dt.date) -> None:
    """One row per event: a bar for a period, a marker (hollow when optional) for a visit."""
    for row, event in enumerate(rows):
        pos, colour, y = (event.start - start).days, COLOURS[event.kind], canvas.row_y(row)
        canvas.text(
            (canvas.x0 - canvas.pt(8), y), event.label, 10.5, "#000000", "rm"
        )  # the step's name, right-aligned before the chart
        if event.end is not None:
            width = (event.end - event.start).days
            under = STRIPE if row % 2 == 0 else "#ffffff"
            half = canvas.inch(ROW_IN) * 0.25
            box = (canvas.x(pos), y - half, canvas.x(pos + width), y + half)
            canvas.draw.rectangle(box, fill=_mix(colour, under, BAR_ALPHA))
            canvas.text((canvas.x(pos + width) + canvas.pt(6), y), _row_text(event), 9.5, INK, "lm")
            continue
        canvas.marker(
            (canvas.x(pos), y), MARKERS[event.kind], 11, colour,
            hollow=event.optional, edge_pt=2,
        )  # fmt: skip
        canvas.text((canvas.x(pos) + canvas.pt(11), y), _row_text(event), 9.5, INK, "lm")


def _draw_dates(canvas: _Canvas, start: dt.date) -> None:
    """Draw the axis along the bottom with the months, and the treatment weeks along the top."""
    bottom = _rgb("#9aa3ab")
    canvas.draw.line((canvas.x0, canvas.y1, canvas.x1, canvas.y1), fill=bottom, width=2)
    day, first = start.replace(day=1), True
    while (day - start).days <= canvas.right:
        days = (day - start).days
        if days >= canvas.left:
            x = canvas.x(days)
            tick = canvas.pt(3.5)
            canvas.draw.line((x, canvas.y1, x, canvas.y1 + tick), fill=_rgb("#4a5259"), width=2)
            label = f"{day:%b}\n{day.year}" if day.month == 1 or first else f"{day:%b}"
            face = font(round(canvas.pt(9.5)))
            canvas.draw.multiline_text(
                (x, canvas.y1 + tick + canvas.pt(3.5)), label, fill=_rgb("#4a5259"), font=face,
                anchor="ma", align="center", spacing=canvas.pt(2),
            )  # fmt: skip
            first = False
        day = (day + dt.timedelta(days=32)).replace(day=1)
    for days in range(0, int(canvas.right) + 1, 28):
        xy = (canvas.x(days), canvas.y0 - canvas.pt(3.5))
        canvas.text(xy, f"week {days // 7}", 8.5, "#6c757d", "md")


def _draw_legend(canvas: _Canvas, rows: list[TimelineEvent]) -> None:
    """Draw a legend of the kinds of step present, centred under the chart."""
    kinds = {e.kind for e in rows}
    entries = [
        ("laser" in kinds, ("D", COLOURS["laser"], False), "Laser session"),
        (any(e.optional for e in rows), ("D", COLOURS["laser"], True), "Only if needed / optional"),
        ("healing" in kinds, ("bar", COLOURS["healing"], False), "Healing"),
        ("touch_up" in kinds, ("o", COLOURS["touch_up"], False), "SMP touch-up"),
        ("review" in kinds, ("s", COLOURS["review"], False), "Review"),
    ]
    shown = [(handle, label) for present, handle, label in entries if present]
    face = font(round(canvas.pt(9)))
    handle_w, gap_after_handle, gap_between = canvas.pt(20), canvas.pt(8), canvas.pt(20)
    widths = [handle_w + gap_after_handle + canvas.draw.textlength(label, font=face)
              for _, label in shown]  # fmt: skip
    total = sum(widths) + gap_between * (len(shown) - 1)
    x = (canvas.image.width - total) / 2
    y = canvas.image.height - canvas.inch(0.33)
    for ((kind, colour, hollow), label), width in zip(shown, widths, strict=True):
        centre = (x + handle_w / 2, y)
        if kind == "bar":
            half_w, half_h = handle_w / 2, canvas.pt(4)
            box = (centre[0] - half_w, y - half_h, centre[0] + half_w, y + half_h)
            canvas.draw.rectangle(box, fill=_rgb(colour))
        else:
            canvas.marker(centre, kind, 8, colour, hollow=hollow, edge_pt=2 if hollow else 0)
        canvas.text((x + handle_w + gap_after_handle, y), label, 9, "#000000", "lm")
        x += width + gap_between


def draw_timeline_png(timeline: Timeline, path: str | Path | None = None) -> bytes:
    """Draw the timeline as a dated horizontal chart, as a patient would get it.

    The laser sessions come first (those only needed if pigment remains drawn hollow), then the
    other steps in date order.

    Parameters
    ----------
    timeline : Timeline
        The plan.
    path : str or Path, optional
        Where to write the PNG as well.

    Returns
    -------
    bytes
        The PNG, 1500 px wide at 150 dpi.
    """
    rows = sorted(timeline.events, key=lambda e: (e.kind != "laser", e.start))
    left = -7.0
    canvas = _Canvas(len(rows), left, _right_limit(rows, timeline.start, left))
    _draw_grid(canvas, rows)
    _draw_rows(canvas, rows, timeline.start)
    _draw_dates(canvas, timeline.start)
    canvas.text(
        (canvas.inch(0.3), canvas.inch(0.22)), "Your treatment timeline", 16, "#000000", "la",
        bold=True,
    )  # fmt: skip
    subtitle = (
        f"Planned from {_nice_date(timeline.start)}. The dates are a plan; "
        "your clinic confirms each appointment."
    )
    canvas.text((canvas.inch(0.3), canvas.inch(0.6)), subtitle, 9.5, "#5b6770", "la")
    _draw_legend(canvas, rows)
    png = canvas.png()
    if path is not None:
        Path(path).write_bytes(png)
    return png
