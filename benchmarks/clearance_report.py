"""The clearance evaluation's report: its goals and the markdown section."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from bench_common import (
    fmt,
    machine_lines,
    markdown_table,
)
from scalpmap.tracking.clearance import OUTSIDE_FLAG_MIN, OUTSIDE_FLAG_PERCENT

SEED_BASE = 4000
MM_PER_PX = (0.02, 0.08)
REGISTRATION_GOAL_MM = 0.2
CLEARANCE_GOAL_PP = 3.0


def _num(rows: Sequence[dict[str, Any]], key: str) -> np.ndarray:
    return np.asarray([r[key] for r in rows if r[key] is not None], dtype=np.float64)


def goals(rows: Sequence[dict[str, Any]]) -> list[tuple[str, str, str, bool]]:
    """Judge the goals from the rows.

    Parameters
    ----------
    rows : sequence of dict
        One per series.

    Returns
    -------
    list of tuple
        ``(goal, target, measured, passed)``.
    """
    n = len(rows)
    registered = sum(bool(r["registered"]) for r in rows)
    error = _num(rows, "registration_error_mm")
    clear = np.abs(_num(rows, "clearance_error_pp"))
    flagged_right = sum(
        bool(r["outside_flagged"]) == r["true_outside_flagged"] for r in rows if r["registered"]
    )
    negatives = [r["refused"] for r in rows if r["refused"] is not None]
    return [
        ("follow-ups registered", f"{n}/{n}", f"{registered}/{n}", registered == n),
        (
            "registration error",
            f"< {REGISTRATION_GOAL_MM:g} mm on every series",
            f"mean {fmt(error.mean(), 4)} mm, max {fmt(error.max(), 4)} mm",
            bool(len(error) == n and (error < REGISTRATION_GOAL_MM).all()),
        ),
        (
            "clearance error",
            f"within +-{CLEARANCE_GOAL_PP:g} percentage points on every series",
            f"mean absolute error {fmt(clear.mean(), 2)} pp, max {fmt(clear.max(), 2)} pp, "
            f"{int((clear > CLEARANCE_GOAL_PP).sum())}/{len(clear)} over",
            bool(len(clear) == n and (clear <= CLEARANCE_GOAL_PP).all()),
        ),
        (
            "unintended loss outside the zone flagged exactly when the true loss is flagged",
            f"{registered}/{registered}",
            f"{flagged_right}/{registered}",
            flagged_right == registered,
        ),
        (
            "unregistrable photos refused (another person, blur sigma 8 px)",
            f"{2 * len(negatives)}/{2 * len(negatives)}",
            f"{sum(negatives)}/{2 * len(negatives)}",
            sum(negatives) == 2 * len(negatives),
        ),
    ]


def _cell(value: float | None, digits: int) -> str:
    return "n/a" if value is None else fmt(value, digits)


def render(
    rows: Sequence[dict[str, Any]], judged: list[tuple[str, str, str, bool]], command: str
) -> str:
    """Render the report section.

    Parameters
    ----------
    rows : sequence of dict
        One per series.
    judged : list of tuple
        The goals.
    command : str
        The reproducing command.

    Returns
    -------
    str
        Markdown.
    """
    seconds = _num(rows, "track_s")
    lines = [
        "## Clearance tracking: registration and clearance (issue 5)",
        "",
        f"Reproduce: `{command}`. {len(rows)} synthetic follow-up series (seeds "
        f"{SEED_BASE}..{SEED_BASE + len(rows) - 1}, 2400 x 1800 px close-ups without the head's "
        f"outline, Fitzpatrick I-VI, phone close-ups at {MM_PER_PX[0]}-{MM_PER_PX[1]} mm/px "
        "(spread evenly, "
        "dealt in an order shuffled by the seed), scale from the printed marker, the mode "
        "chosen from the photo; removal zone from the "
        "`mature` template at age 30..55). Each follow-up erases 10..95 % and fades 10..30 % of "
        "the removal zone's baseline impressions (faded ones keep 10..35 % of their darkness, "
        "cleared, or 70..95 %, remaining: factors near the 50 % threshold are left out), every "
        "third one also erases 4 % outside the zone (flagged when more than "
        f"{OUTSIDE_FLAG_PERCENT:g} % and at least {OUTSIDE_FLAG_MIN} impressions are lost, so a "
        "zone with few impressions outside it is not flagged); the camera then rotates up to "
        "15 degrees, zooms by up to +-10 % and shifts, and the light, blur, noise and JPEG change "
        "(`scalpmap.tracking.synth_followup`). *reg. error*: RMS distance between the true and "
        "the estimated transform at the baseline impressions in view; *clear. error*: measured "
        "minus true clearance of the impressions in view. Every fourth series also tracks "
        "another person's photo and the follow-up blurred with sigma 8 px, which must be refused "
        f"with no clearance. Tracking takes {fmt(float(np.median(seconds)), 1)} s per follow-up "
        "(median, one process).",
        "",
        *machine_lines(),
        "",
        markdown_table(
            ["goal", "target", "measured", "verdict"],
            [[g, t, m, "pass" if ok else "FAIL"] for g, t, m, ok in judged],
            numeric=False,
        ),
        "",
        markdown_table(
            [
                "seed",
                "skin",
                "mm/px",
                "rot. deg",
                "zoom",
                "reg. error mm",
                "residual mm",
                "zone n",
                "true %",
                "measured %",
                "clear. error pp",
                "outside lost % (true)",
                "flagged (true)",
                "refused",
            ],
            [
                [
                    str(r["seed"]),
                    str(r["fitzpatrick"]),
                    fmt(r["mm_per_px"], 4),
                    fmt(r["rotation_deg"], 1),
                    fmt(r["zoom"], 3),
                    _cell(r["registration_error_mm"], 4),
                    _cell(r["residual_mm"], 4),
                    str(r["removal_impressions"]),
                    _cell(r["true_percent"], 1),
                    _cell(r["percent"], 1),
                    _cell(r["clearance_error_pp"], 2),
                    f"{_cell(r['outside_lost_percent'], 1)} "
                    f"({_cell(r['true_outside_lost_percent'], 1)})",
                    f"{r['outside_flagged']} ({r['true_outside_flagged']})",
                    "-" if r["refused"] is None else f"{r['refused']}/2",
                ]
                for r in rows
            ],
        ),
    ]
    return "\n".join(lines)
