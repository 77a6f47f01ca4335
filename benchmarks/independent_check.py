"""The accuracy benchmark's guard: close-ups drawn by the independent model, analysed in auto mode.

Every photo comes from :mod:`independent_closeups` (none of ``scalpmap.imaging.synth``'s code or
models), is analysed with ``analyse_photo(rgb, mm_per_px=...)`` with the mode chosen from the
photo, and scored like the main close-ups: impressions matched within 0.2 mm, the region's area
against the drawn region, and the measured typical diameter against the drawn dots' median.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import shapely

from bench_common import fmt, markdown_table, pct
from independent_closeups import INKS, draw_closeup
from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.matching import match_points
from scalpmap.imaging.scoring import MATCH_TOLERANCE_MM

SEED_BASE = 12000
SCALES = (0.02, 0.08)


@dataclass(frozen=True)
class IndependentCase:
    """One close-up of the independent model.

    Attributes
    ----------
    seed : int
        Seed of the drawing.
    mm_per_px : float
        Scale.
    fitzpatrick : int
        Skin type 1..6.
    ink : str
        ``black``, ``blue-black`` or ``faded``.
    """

    seed: int
    mm_per_px: float
    fitzpatrick: int
    ink: str


def independent_cases(count: int) -> list[IndependentCase]:
    """Skin types 1..6 and the three inks in turn, the scale rising over 0.02-0.08 mm/px.

    Photo ``k`` has skin type ``k % 6 + 1``, ink ``INKS[k % 3]`` (so that every skin type meets
    every ink over 18 photos) and a scale spread evenly, in an order shuffled by the seed.

    Parameters
    ----------
    count : int
        Number of photos.

    Returns
    -------
    list of IndependentCase
        The photos.
    """
    scales = np.linspace(*SCALES, count) if count > 1 else np.array([SCALES[0]])
    order = np.random.default_rng(SEED_BASE).permutation(count)
    return [
        IndependentCase(
            seed=SEED_BASE + k,
            mm_per_px=round(float(scales[order[k]]), 4),
            fitzpatrick=k % 6 + 1,
            ink=INKS[k % 3],
        )
        for k in range(count)
    ]


def evaluate_independent(case: IndependentCase) -> dict[str, Any]:
    """Draw, analyse (auto mode, the true scale given) and score one independent close-up.

    Parameters
    ----------
    case : IndependentCase
        The photo.

    Returns
    -------
    dict
        The case, the mode, the detection scores, the area and count errors, the typical
        diameter against the truth's and the time; plain Python values.
    """
    photo = draw_closeup(
        case.seed, mm_per_px=case.mm_per_px, fitzpatrick=case.fitzpatrick, ink=case.ink
    )
    started = time.perf_counter()
    analysis = analyse_photo(photo.rgb, mm_per_px=case.mm_per_px)
    seconds = time.perf_counter() - started
    mm = case.mm_per_px
    dots = photo.dots
    match = match_points(dots[:, :2], analysis.impressions.xy, tolerance=MATCH_TOLERANCE_MM / mm)
    inside = shapely.contains_xy(photo.region, dots[:, 0], dots[:, 1])
    true_area = float(photo.region.area)
    size = analysis.dot_scale
    return {
        **asdict(case),
        "mode": analysis.mode,
        "true_impressions": len(dots),
        "found_impressions": analysis.impressions.count,
        "precision": match.precision if analysis.mode == "impressions" else float("nan"),
        "recall": match.recall if analysis.mode == "impressions" else float("nan"),
        "f1": match.f1 if analysis.mode == "impressions" else float("nan"),
        "area_error": abs(float(analysis.region.area) - true_area) / true_area,
        "count_error": abs(analysis.impressions_in_region - int(inside.sum()))
        / max(int(inside.sum()), 1),
        "true_diameter_px": float(np.median(dots[:, 2])) / mm,
        "typical_diameter_px": float("nan")
        if size is None or size.typical_diameter_px is None
        else size.typical_diameter_px,
        "analyse_s": seconds,
    }


def independent_table(rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """Every independent close-up's scores.

    Parameters
    ----------
    rows : sequence of dict
        Results of :func:`evaluate_independent`.

    Returns
    -------
    header : list of str
        Column titles.
    table : list of list of str
        Cells.
    """
    header = [
        "Seed", "mm/px", "Skin", "Ink", "Mode", "Dots", "Precision", "Recall", "F1",
        "Area error", "Count error", "True median dot", "Measured dot",
    ]  # fmt: skip
    table = [
        [
            str(r["seed"]),
            fmt(r["mm_per_px"], 4),
            str(r["fitzpatrick"]),
            r["ink"],
            r["mode"],
            str(r["true_impressions"]),
            fmt(r["precision"]),
            fmt(r["recall"]),
            fmt(r["f1"]),
            pct(r["area_error"]),
            pct(r["count_error"]),
            fmt(r["true_diameter_px"], 2) + " px",
            fmt(r["typical_diameter_px"], 2) + " px",
        ]
        for r in rows
    ]
    return header, table


def independent_summary(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Markdown lines summarising the independent close-ups by skin type and by ink.

    Parameters
    ----------
    rows : sequence of dict
        Results of :func:`evaluate_independent`.

    Returns
    -------
    list of str
        Markdown.
    """

    def stats(group: Sequence[dict[str, Any]]) -> list[str]:
        f1 = np.asarray([r["f1"] for r in group], dtype=float)
        p = np.asarray([r["precision"] for r in group], dtype=float)
        r_ = np.asarray([r["recall"] for r in group], dtype=float)
        area = np.asarray([r["area_error"] for r in group], dtype=float)
        counted = sum(r["mode"] == "impressions" for r in group)
        return [
            str(len(group)),
            f"{counted}/{len(group)}",
            fmt(float(np.nanmean(p)) if counted else float("nan")),
            fmt(float(np.nanmean(r_)) if counted else float("nan")),
            fmt(float(np.nanmin(f1)) if counted else float("nan")),
            fmt(float(np.nanmean(f1)) if counted else float("nan")),
            pct(float(np.max(area))),
        ]

    header = ["Group", "Photos", "Counted", "Precision (mean)", "Recall (mean)", "F1 min",
              "F1 mean", "Area error max"]  # fmt: skip
    groups = [(f"skin {s}", [r for r in rows if r["fitzpatrick"] == s]) for s in range(1, 7)]
    groups += [(f"ink {ink}", [r for r in rows if r["ink"] == ink]) for ink in INKS]
    groups.append(("**all**", list(rows)))
    return [markdown_table(header, [[name, *stats(g)] for name, g in groups if g])]
