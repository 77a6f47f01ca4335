"""The accuracy evaluation's summaries: by skin type, scale, ink and view."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from accuracy_cases import (
    INKS,
    SCALE_BANDS,
    VIEWS,
)
from bench_common import (
    fmt,
    pct,
)


def _values(rows: Sequence[dict[str, Any]], key: str) -> np.ndarray:
    return np.asarray([row[key] for row in rows], dtype=np.float64)


def _stat(rows: Sequence[dict[str, Any]], key: str, how: Callable[[np.ndarray], Any]) -> float:
    """Compute a statistic over the rows' values, leaving NaN (not applicable) out.

    Infinite values (e.g. a hairline that was not found) are kept, so that they show.
    """
    values = _values(rows, key)
    values = values[~np.isnan(values)]
    return float(how(values)) if len(values) else float("nan")


def _mean(rows: Sequence[dict[str, Any]], key: str) -> float:
    return _stat(rows, key, np.mean)


def _min(rows: Sequence[dict[str, Any]], key: str) -> float:
    return _stat(rows, key, np.min)


def _max(rows: Sequence[dict[str, Any]], key: str) -> float:
    return _stat(rows, key, np.max)


def _scale_cell(rows: Sequence[dict[str, Any]]) -> str:
    """Largest marker scale error, with the number of missed markers."""
    found = [row for row in rows if row["marker"] == "found"]
    missed = sum(row["marker"] == "missed" for row in rows)
    text = pct(_max(found, "scale_error"), 3) if found else "n/a"
    return text + (f" ({missed} missed)" if missed else "")


def closeup_summary(rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """Per skin type rows for close-ups, and an overall row.

    Parameters
    ----------
    rows : sequence of dict
        Close-up results.

    Returns
    -------
    header : list of str
        Column titles.
    table : list of list of str
        Cells.
    """
    header = [
        "Skin type", "Photos", "Precision (mean)", "Recall (mean)", "F1 min", "F1 mean",
        "Area error mean", "Area error max", "Count error mean", "Count error max",
        "Hairline error mean", "Density error mean", "Scale error max",
    ]  # fmt: skip
    groups = [(f"{s}", [r for r in rows if r["fitzpatrick"] == s]) for s in range(1, 7)]
    groups.append(("**all**", list(rows)))
    table = [
        [
            name,
            str(len(group)),
            fmt(_mean(group, "precision")),
            fmt(_mean(group, "recall")),
            fmt(_min(group, "f1")),
            fmt(_mean(group, "f1")),
            pct(_mean(group, "region_area_error")),
            pct(_max(group, "region_area_error")),
            pct(_mean(group, "count_error")),
            pct(_max(group, "count_error")),
            fmt(_mean(group, "hairline_error_mm"), 2) + " mm",
            pct(_mean(group, "density_error")),
            _scale_cell(group),
        ]
        for name, group in groups
        if group
    ]
    return header, table


def scale_summary(rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """Close-ups by scale band: detection, the measured dot size and the errors.

    Parameters
    ----------
    rows : sequence of dict
        Close-up results.

    Returns
    -------
    header : list of str
        Column titles.
    table : list of list of str
        Cells.
    """
    header = [
        "mm/px", "Photos", "Counted", "Precision (mean)", "Recall (mean)", "F1 min",
        "True median dot", "Measured dot (median)", "Area error max", "Count error max",
    ]  # fmt: skip
    table = []
    for low, high in SCALE_BANDS:
        group = [
            r for r in rows if low <= r["mm_per_px"] < high or (high == 0.08 == r["mm_per_px"])
        ]
        if not group:
            continue
        counted = sum(r["mode"] == "impressions" for r in group)
        table.append(
            [
                f"{low:.2f}–{high:.2f}",
                str(len(group)),
                f"{counted}/{len(group)}",
                fmt(_mean(group, "precision")),
                fmt(_mean(group, "recall")),
                fmt(_min(group, "f1")),
                fmt(_stat(group, "true_diameter_px", np.median), 2) + " px",
                fmt(_stat(group, "typical_diameter_px", np.median), 2) + " px",
                pct(_max(group, "region_area_error")),
                pct(_max(group, "count_error")),
            ]
        )
    return header, table


def ink_summary(rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """Close-up detection by ink.

    Parameters
    ----------
    rows : sequence of dict
        Close-up results.

    Returns
    -------
    header : list of str
        Column titles.
    table : list of list of str
        Cells.
    """
    header = [
        "Ink", "Photos", "Precision (mean)", "Recall (mean)", "F1 min", "F1 mean",
        "Area error max", "Count error max",
    ]  # fmt: skip
    table = []
    for ink in INKS:
        group = [r for r in rows if r["ink"] == ink]
        if group:
            table.append(
                [
                    ink,
                    str(len(group)),
                    fmt(_mean(group, "precision")),
                    fmt(_mean(group, "recall")),
                    fmt(_min(group, "f1")),
                    fmt(_mean(group, "f1")),
                    pct(_max(group, "region_area_error")),
                    pct(_max(group, "count_error")),
                ]
            )
    return header, table


def whole_head_summary(rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """Per view rows for whole-head photos, and an overall row.

    Parameters
    ----------
    rows : sequence of dict
        Whole-head results.

    Returns
    -------
    header : list of str
        Column titles.
    table : list of list of str
        Cells.
    """
    header = [
        "View", "Photos", "Region IoU min", "Region IoU mean", "Hairline error mean",
        "Hairline error max", "Area error mean", "Area error max", "Scale error max",
    ]  # fmt: skip
    groups = [(view, [r for r in rows if r["view"] == view]) for view in VIEWS]
    groups.append(("**all**", list(rows)))
    table = [
        [
            name,
            str(len(group)),
            fmt(_min(group, "region_iou")),
            fmt(_mean(group, "region_iou")),
            fmt(_mean(group, "hairline_error_mm"), 2) + " mm",
            fmt(_max(group, "hairline_error_mm"), 2) + " mm",
            pct(_mean(group, "region_area_error")),
            pct(_max(group, "region_area_error")),
            _scale_cell(group),
        ]
        for name, group in groups
        if group
    ]
    return header, table
