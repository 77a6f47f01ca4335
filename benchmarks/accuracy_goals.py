"""The accuracy evaluation's goals, judged from the rows and their summaries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from accuracy_cases import (
    INKS,
)
from accuracy_summaries import (
    _max,
    _mean,
    _min,
)
from bench_common import (
    fmt,
    is_finite,
    pct,
)

GOAL_F1 = 0.95
GOAL_COUNT_ERROR = 0.03


GOAL_AREA_ERROR = 0.03


GOAL_HAIRLINE_MM = 1.0


GOAL_DENSITY_ERROR = 0.05


GOAL_SCALE_ERROR = 0.005


GOAL_WHOLE_HEAD_IOU = 0.95


GOAL_WHOLE_HEAD_HAIRLINE_MM = 1.5


@dataclass(frozen=True)
class Goal:
    """One accuracy goal and whether the measurements meet it.

    Attributes
    ----------
    goal : str
        The goal, in words.
    measured : str
        What was measured.
    passed : bool
        Whether the goal is met.
    """

    goal: str
    measured: str
    passed: bool


def _at_most(value: float, limit: float) -> bool:
    return is_finite(value) and value <= limit


def _at_least(value: float, limit: float) -> bool:
    return is_finite(value) and value >= limit


def evaluate_goals(
    closeups: Sequence[dict[str, Any]],
    whole_head: Sequence[dict[str, Any]],
    independent: Sequence[dict[str, Any]] = (),
) -> list[Goal]:
    """Check the accuracy goals against the measurements.

    Per-photo goals (F1, area, density, scale, whole-head IoU) must hold on every photo; the
    hairline goals are on the mean over the photos. A measure that is missing (NaN, or an
    infinite hairline error where no hairline was found) fails its goal.

    Parameters
    ----------
    closeups, whole_head : sequence of dict
        Results.

    Returns
    -------
    list of Goal
        The verdicts.
    """
    goals: list[Goal] = []
    for skin in range(1, 7):
        group = [r for r in closeups if r["fitzpatrick"] == skin]
        if not group:
            continue
        worst = _min(group, "f1")
        bad = [r for r in group if not _at_least(r["f1"], GOAL_F1)]
        goals.append(
            Goal(
                f"Impression F1 ≥ {GOAL_F1:.2f} on skin type {skin} (every close-up)",
                f"min {fmt(worst)}, mean {fmt(_mean(group, 'f1'))}"
                + (f"; {len(bad)}/{len(group)} below" if bad else ""),
                _at_least(worst, GOAL_F1),
            )
        )
    for ink in INKS:
        group = [r for r in closeups if r["ink"] == ink]
        if not group:
            continue
        worst = _min(group, "f1")
        goals.append(
            Goal(
                f"Impression F1 ≥ {GOAL_F1:.2f} with {ink} ink (every close-up)",
                f"min {fmt(worst)}, mean {fmt(_mean(group, 'f1'))}",
                _at_least(worst, GOAL_F1),
            )
        )
    if closeups:
        counted = sum(r["mode"] == "impressions" for r in closeups)
        goals.append(
            Goal(
                "Impressions mode chosen from the photo on every close-up (0.02–0.08 mm/px)",
                f"{counted}/{len(closeups)}",
                counted == len(closeups),
            )
        )
        worst_count = _max(closeups, "count_error")
        goals.append(
            Goal(
                f"Impression count in the region within {GOAL_COUNT_ERROR * 100:.0f} % "
                "(every close-up)",
                f"max {pct(worst_count)}, mean {pct(_mean(closeups, 'count_error'))}",
                _at_most(worst_count, GOAL_COUNT_ERROR),
            )
        )
        worst_area = _max(closeups, "region_area_error")
        over = sum(not _at_most(r["region_area_error"], GOAL_AREA_ERROR) for r in closeups)
        goals.append(
            Goal(
                f"Region area error ≤ {GOAL_AREA_ERROR * 100:.0f} % (every close-up)",
                f"max {pct(worst_area)}, mean {pct(_mean(closeups, 'region_area_error'))}"
                + (f"; {over}/{len(closeups)} over" if over else ""),
                _at_most(worst_area, GOAL_AREA_ERROR),
            )
        )
        hairline = _mean(closeups, "hairline_error_mm")
        goals.append(
            Goal(
                f"Mean hairline error ≤ {GOAL_HAIRLINE_MM:.1f} mm (close-ups)",
                f"mean {fmt(hairline, 2)} mm, max {fmt(_max(closeups, 'hairline_error_mm'), 2)} mm",
                _at_most(hairline, GOAL_HAIRLINE_MM),
            )
        )
        worst_density = _max(closeups, "density_error")
        over = sum(not _at_most(r["density_error"], GOAL_DENSITY_ERROR) for r in closeups)
        goals.append(
            Goal(
                f"Density error ≤ {GOAL_DENSITY_ERROR * 100:.0f} % (every close-up)",
                f"max {pct(worst_density)}, mean {pct(_mean(closeups, 'density_error'))}"
                + (f"; {over}/{len(closeups)} over" if over else ""),
                _at_most(worst_density, GOAL_DENSITY_ERROR),
            )
        )
    everything = [*closeups, *whole_head]
    with_marker = [r for r in everything if r["marker"] != "n/a"]
    if with_marker:
        found = [r for r in with_marker if r["marker"] == "found"]
        missed = len(with_marker) - len(found)
        worst_scale = _max(found, "scale_error") if found else float("nan")
        goals.append(
            Goal(
                f"Marker mm/px within {GOAL_SCALE_ERROR * 100:.1f} % "
                "(every photo with the marker in frame)",
                f"max {pct(worst_scale, 3)} over {len(found)} found; "
                f"{missed}/{len(with_marker)} markers not found",
                missed == 0 and _at_most(worst_scale, GOAL_SCALE_ERROR),
            )
        )
    if independent:
        counted = sum(r["mode"] == "impressions" for r in independent)
        worst = _min(independent, "f1")
        goals.append(
            Goal(
                f"Independent model: impressions mode and F1 ≥ {GOAL_F1:.2f} (every close-up)",
                f"{counted}/{len(independent)} counted; F1 min {fmt(worst)}, "
                f"mean {fmt(_mean(independent, 'f1'))}",
                counted == len(independent) and _at_least(worst, GOAL_F1),
            )
        )
    if whole_head:
        worst_iou = _min(whole_head, "region_iou")
        goals.append(
            Goal(
                f"Whole-head region IoU ≥ {GOAL_WHOLE_HEAD_IOU:.2f} (every whole-head photo)",
                f"min {fmt(worst_iou)}, mean {fmt(_mean(whole_head, 'region_iou'))}",
                _at_least(worst_iou, GOAL_WHOLE_HEAD_IOU),
            )
        )
        hairline = _mean(whole_head, "hairline_error_mm")
        goals.append(
            Goal(
                f"Whole-head mean hairline error ≤ {GOAL_WHOLE_HEAD_HAIRLINE_MM:.1f} mm",
                f"mean {fmt(hairline, 2)} mm, "
                f"max {fmt(_max(whole_head, 'hairline_error_mm'), 2)} mm",
                _at_most(hairline, GOAL_WHOLE_HEAD_HAIRLINE_MM),
            )
        )
    return goals
