"""The whole-head evaluation's goals (issue 10, section 5), judged from its rows."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

from bench_common import (
    fmt,
    is_finite,
    pct,
)

GOAL_COMPOSITE_IOU = 0.92


GOAL_COMPOSITE_FRONTAL_MM = 2.0


GOAL_GENERATED_IOU = 0.95


GOAL_GENERATED_HAIRLINE_MM = 1.5


GOAL_BARE_FRACTION = 0.02


GOAL_SPEED_S = 1.5
SPEED_RUNS = 3


NONE_CM2 = 0.01  # below this, "no pigment" (slivers of shared edges)


def _values(rows: Sequence[dict[str, Any]], key: str) -> list[float]:
    """Return the finite values of a measure."""
    values = (r.get(key) for r in rows)
    return [float(v) for v in values if isinstance(v, int | float) and math.isfinite(v)]


def _mean(rows: Sequence[dict[str, Any]], key: str) -> float:
    values = _values(rows, key)
    return statistics.fmean(values) if values else float("nan")


def _worst(rows: Sequence[dict[str, Any]], key: str, *, low: bool) -> tuple[float, str]:
    """Return the worst value of a measure and its case; a missing measure counts as worst."""
    if not rows:
        return float("nan"), "-"

    def badness(row: dict[str, Any]) -> float:
        value = row.get(key)
        if not isinstance(value, int | float) or math.isnan(value):
            return math.inf
        return -float(value) if low else float(value)

    worst = max(rows, key=badness)
    value = worst.get(key)
    return (float(value) if isinstance(value, int | float) else float("nan")), worst["case"]


def _none_goal(
    rows: Sequence[dict[str, Any]], key: str, total: int, goal: str, unjudged: str
) -> tuple[str, str, bool | None]:
    """Judge a "no pigment there" goal over the rows that have the measure."""
    judged = [r for r in rows if r.get(key) is not None]
    bad = [r for r in judged if not r[key] < NONE_CM2]
    worst, name = _worst(judged, key, low=False)
    measured = f"{len(bad)} of {len(judged)} photos with pigment there"
    measured += f" (worst {name}: {fmt(worst, 2)} cm²)"
    if total > len(judged):
        measured += f"; {total - len(judged)} {unjudged} not judged"
    return goal, measured, (not bad) if judged else None


def _every_goal(
    rows: Sequence[dict[str, Any]], key: str, limit: float, *, low: bool, goal: str, unit: str
) -> tuple[str, str, bool]:
    """Judge a goal that must hold on every case (a missing measure fails it)."""
    worst, name = _worst(rows, key, low=low)
    values = {r["case"]: r.get(key) for r in rows}
    failing = [
        case
        for case, v in values.items()
        if not (
            isinstance(v, int | float) and math.isfinite(v) and (v >= limit if low else v <= limit)
        )
    ]

    def show(value: float) -> str:
        if unit == "%":
            return pct(value, 2)
        return fmt(value, 3 if unit == "" else 2) + unit

    values_ok = _values(rows, key)
    median = show(statistics.median(values_ok)) if values_ok else "n/a"
    measured = f"{'min' if low else 'max'} {show(worst)} ({name}), median {median}; "
    measured += f"{len(failing)}/{len(rows)} {'below' if low else 'over'}"
    return goal, measured, not failing


def evaluate_goals(
    rows: dict[str, list[dict[str, Any]]], speed: dict[str, Any] | None
) -> list[tuple[str, str, bool | None]]:
    """Judge each goal: ``(goal, measured, passed)``; ``passed`` is None when not measured.

    Parameters
    ----------
    rows : dict of str to list of dict
        ``real``, ``composite`` and ``generated`` results.
    speed : dict or None
        The speed measurement.

    Returns
    -------
    list of tuple
        The verdicts.
    """
    goals: list[tuple[str, str, bool | None]] = []
    real = rows["real"]
    if real:
        goals.append(
            _none_goal(
                real, "below_brows_cm2", len(real),
                "Real photos: no pigment below the brow line (every photo with a brow line)",
                "photos without a brow line (no face in the photo by eye, or none found)",
            )
        )  # fmt: skip
        bare = [r for r in real if r.get("bare_fraction") is not None]
        if bare:
            goals.append(
                _every_goal(
                    bare, "bare_fraction", GOAL_BARE_FRACTION, low=False, unit="%",
                    goal=f"Real photos: bare bald scalp read as pigment ≤ {GOAL_BARE_FRACTION:.0%} "
                    "of its area (every annotated photo)",
                )
            )  # fmt: skip
        goals.append(
            _none_goal(
                real, "background_cm2", len(real),
                "Real photos: no pigment on the background (every photo with a person mask)",
                "photos without a usable person mask",
            )
        )  # fmt: skip
    if rows["composite"]:
        chosen = rows["composite"]
        goals.append(
            _every_goal(
                chosen, "scalp_iou", GOAL_COMPOSITE_IOU, low=True, unit="",
                goal=f"Semi-real composites: region IoU ≥ {GOAL_COMPOSITE_IOU:.2f} on the "
                "annotated bald scalp, where the truth is known (every photo)",
            )
        )  # fmt: skip
        goals.append(
            _every_goal(
                chosen, "frontal_error_mm", GOAL_COMPOSITE_FRONTAL_MM, low=False, unit=" mm",
                goal="Semi-real composites: mean frontal hairline error ≤ "
                f"{GOAL_COMPOSITE_FRONTAL_MM:.1f} mm (every photo)",
            )
        )  # fmt: skip
    if rows["generated"]:
        chosen = rows["generated"]
        goals.append(
            _every_goal(
                chosen, "region_iou", GOAL_GENERATED_IOU, low=True, unit="",
                goal=f"Generated whole heads: region IoU ≥ {GOAL_GENERATED_IOU:.2f} (every photo)",
            )
        )  # fmt: skip
        goals.append(
            _every_goal(
                chosen, "hairline_error_mm", GOAL_GENERATED_HAIRLINE_MM, low=False, unit=" mm",
                goal="Generated whole heads: hairline error ≤ "
                f"{GOAL_GENERATED_HAIRLINE_MM:.1f} mm (every photo)",
            )
        )  # fmt: skip
        goals.append(
            _none_goal(
                chosen, "face_cm2", len(chosen),
                "Generated whole heads: no pigment on the face below the brows, the ears or the "
                "neck (every photo)",
                "photos that failed",
            )
        )  # fmt: skip
    if speed is not None:
        median = speed.get("median_s", float("nan"))
        goals.append(
            (
                f"Speed: 12 MP whole-head `scalpmap analyse` with its overlay < {GOAL_SPEED_S} s "
                "(the whole process)",
                f"median {fmt(median, 2)} s of {len(speed.get('runs', []))} runs (CPU "
                f"{fmt(statistics.median(speed['cpu_s']), 2) if speed.get('cpu_s') else 'n/a'} s)",
                is_finite(median) and median < GOAL_SPEED_S,
            )
        )
    return goals
