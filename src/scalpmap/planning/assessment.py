"""Objective quality assessment of existing SMP: six measures, each with a threshold and a verdict.

Reasons and sources of every threshold are in docs/assessment.md. PRODUCT.md facts used:
impressions 100–250 µm, settling to 100–150 µm; needles 0.18–0.30 mm; transition zone 1–2 mm.

- **Impression size**: wider than 0.35 mm (the largest needle plus a measuring margin) is blown
  out. Blown-out share < 5 % good, 5–15 % fair, > 15 % poor.
- **Spacing**: Clark–Evans R = mean nearest-neighbour (NN) distance / (0.5 / sqrt(density)) over
  the impressions at least 2.5 Poisson spacings inside the region (a guard area: their NN is
  searched among all impressions, so no edge correction is needed). R < 0.85 clustered (poor),
  0.85–1.6 natural (good), 1.6–1.8 very regular (fair); grid-like (poor) when R > 1.8, the
  NN-distance CV < 0.15 (Poisson 0.52) or the 4- or 6-fold order of the NN directions >= 0.5.
- **Patchiness**: CV of the density over the cells at least 95 % inside the region, less the
  Poisson counting noise: < 0.20 good, 0.20–0.35 fair, > 0.35 poor.
- **Colour cast**: medians of (c_R - c_B) / mean and (c_R - c_G) / mean of the per-channel
  darkening (neutral carbon black: about 0) over dots >= 3 px in radius (JPEG halves the chroma
  resolution); the largest of blue, green and warm (-blue) < 0.12 good, 0.12–0.25 fair, > 0.25.
- **Hairline harshness**: width of the density's rise across the traced hairline, from a linear
  ramp fitted by maximum likelihood to the impressions within 4 mm of it (the centre free in each
  20 mm stretch). < 1 mm painted on (poor), 1–3 mm natural (good), > 3 mm diffuse (fair); n/a
  when the 95 % interval spans both limits.
- **Symmetry**: height difference of the temporal points (the highest hairline point in the left
  and right thirds, if the line drops >= 1 mm on both sides of it): <= 3 mm good, 3–6 mm fair.

In coverage mode (single impressions not resolved) only symmetry is assessed. The overall
verdict is the worst of the measures made, and needs at least three of the six: with fewer (a
whole-head photo) it is n/a, "not enough measured for an overall verdict".

The verdicts and the overall verdict are in :mod:`scalpmap.planning.assessment_verdicts`, the
hairline harshness in :mod:`scalpmap.planning.hairline_transition`.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from numpy.typing import NDArray

from scalpmap.imaging.analysis import Analysis
from scalpmap.imaging.impression_stats import (
    BLOWN_OUT_MM,
    ImpressionStats,
    impression_stats,
    in_region,
)
from scalpmap.planning.assessment_verdicts import (
    Assessment,
    Detail,
    Measure,
    Verdict,
    grade,
    not_assessed,
    overall_verdict,
)
from scalpmap.planning.figure_text import measure_value_text, percent_text
from scalpmap.planning.hairline_transition import hairline_harshness

__all__ = ["CLUSTERED_R", "Assessment", "assess_smp"]

BLOWN_OUT_PERCENT = (5.0, 15.0)
MIN_IMPRESSIONS = 30
CLUSTERED_R, REGULAR_R, GRID_R = 0.85, 1.6, 1.8
GRID_NN_CV, GRID_ORDER = 0.15, 0.5
GUARD_SPACINGS = 2.5
CLARK_EVANS_SE = 0.26136  # standard error of the mean NN distance is this / sqrt(n * density)
FULL_CELL_SHARE, MIN_CELLS = 0.95, 4
PATCHY_CV = (0.20, 0.35)
COLOUR_MIN_RADIUS_PX, MIN_COLOUR_DOTS, MIN_CONTRAST = 3.0, 20, 0.02
CAST_SHIFT = (0.12, 0.25)
PEAK_PROMINENCE_MM = 1.0
SYMMETRY_MM = (3.0, 6.0)


def _size(a: Analysis, stats: ImpressionStats) -> Measure:
    """Diameter distribution and the share of blown-out impressions (of those in the region)."""
    fair, poor = BLOWN_OUT_PERCENT
    threshold = f"> {BLOWN_OUT_MM} mm is blown out; good < {fair:.0f}%, poor > {poor:.0f}%"
    n = stats.count_in_region or 0
    share, median = stats.blown_out_percent, stats.median_diameter_mm
    q1, q3 = stats.q1_diameter_mm, stats.q3_diameter_mm
    if n < MIN_IMPRESSIONS or share is None or median is None or q1 is None or q3 is None:
        return not_assessed(
            "impression_size", "%", threshold, f"fewer than {MIN_IMPRESSIONS} impressions"
        )
    verdict = grade(share, fair, poor)
    blown = percent_text(share)
    text = (
        f"{verdict}: {blown} of impressions are blown out (> {BLOWN_OUT_MM} mm); "
        f"median {median:.2f} mm, IQR {q1:.2f}–{q3:.2f} mm"
    )
    details: dict[str, Detail] = {"median_mm": median, "q1_mm": q1, "q3_mm": q3, "n": n}
    return Measure("impression_size", share, "%", threshold, verdict, text, details)


def _spacing(a: Analysis, inside: NDArray[np.bool_]) -> Measure:
    """Clark–Evans index over a guard-area core, NN-distance CV and NN-direction order."""
    threshold = (
        f"Clark–Evans R < {CLUSTERED_R} clustered, {CLUSTERED_R}–{REGULAR_R} natural, > {GRID_R} "
        f"(or NN-distance CV < {GRID_NN_CV}, or direction order >= {GRID_ORDER}) grid-like"
    )
    xy, mm = a.impressions.xy, a.scale.mm_per_px
    n_region = int(inside.sum())
    if n_region < MIN_IMPRESSIONS:
        return not_assessed("spacing", "", threshold, f"fewer than {MIN_IMPRESSIONS} impressions")
    guard_px = GUARD_SPACINGS * 0.5 / math.sqrt(n_region / a.region.area)
    core = a.region.buffer(-guard_px)
    sel = shapely.contains_xy(core, xy[:, 0], xy[:, 1]) & inside
    n = int(sel.sum())
    if n < MIN_IMPRESSIONS:
        where = f"{guard_px * mm:.1f} mm inside the region's edge"
        return not_assessed(
            "spacing", "", threshold, f"fewer than {MIN_IMPRESSIONS} impressions {where}"
        )
    from scipy.spatial import cKDTree  # 0.4 s to import: only when a plan assesses

    distance, index = cKDTree(xy).query(xy[sel], k=2)
    nn = np.asarray(distance)[:, 1] * mm
    density = n / (core.area * mm**2)  # per mm²
    expected, mean_nn = 0.5 / math.sqrt(density), float(nn.mean())
    r = mean_nn / expected
    cv = float(nn.std()) / mean_nn if mean_nn > 0 else 0.0
    step = xy[np.asarray(index)[:, 1]] - xy[sel]
    theta = np.arctan2(step[:, 1], step[:, 0])
    order = max(float(abs(np.mean(np.exp(1j * k * theta)))) for k in (4, 6))
    r_text = measure_value_text("spacing", r, {})
    figures = f"{r_text}, NN-distance CV {cv:.2f}, direction order {order:.2f}"
    verdict: Verdict
    if r > GRID_R or cv < GRID_NN_CV or order >= GRID_ORDER:
        verdict, what = "poor", "the impressions form a grid-like, unnatural pattern"
    elif r < CLUSTERED_R:
        verdict, what = "poor", "the impressions are clustered"
    elif r > REGULAR_R:
        verdict, what = "fair", "the spacing is very regular"
    else:
        verdict, what = "good", "the spacing is natural"
    z = (mean_nn - expected) / (CLARK_EVANS_SE / math.sqrt(n * density))
    details: dict[str, Detail] = {"mean_nn_mm": mean_nn, "expected_nn_mm": expected, "nn_cv": cv}
    details |= {"direction_order": order, "z": z, "n": n}
    return Measure("spacing", r, "", threshold, verdict, f"{verdict}: {what} ({figures})", details)


def _patchiness(a: Analysis) -> Measure:
    """CV of the density across cells inside the region, beyond Poisson counting noise."""
    fair, poor = PATCHY_CV
    threshold = f"CV beyond counting noise: good < {fair}, fair {fair}–{poor}, poor > {poor}"
    grid, c = a.density, a.density.cell_px
    i, j = np.indices(grid.per_cm2.shape)
    cells = shapely.box(j * c - 0.5, i * c - 0.5, (j + 1) * c - 0.5, (i + 1) * c - 0.5)
    share = shapely.area(shapely.intersection(cells, a.region)) / c**2
    values = grid.per_cm2[(share >= FULL_CELL_SHARE) & np.isfinite(grid.per_cm2)]
    if len(values) < MIN_CELLS or float(values.mean()) <= 0:
        reason = f"fewer than {MIN_CELLS} density cells lie inside the region"
        return not_assessed("patchiness", "", threshold, reason)
    mean = float(values.mean())
    cv = float(values.std(ddof=1)) / mean
    noise = 1.0 / math.sqrt(mean * (grid.cell_mm / 10) ** 2)
    excess = math.sqrt(max(cv**2 - noise**2, 0.0))
    verdict = grade(excess, fair, poor)
    text = (
        f"{verdict}: the density varies by {measure_value_text('patchiness', excess, {})} beyond "
        "counting noise across "
        f"{len(values)} cells of {grid.cell_mm:.0f} mm (raw CV {cv:.2f}, noise {noise:.2f})"
    )
    details: dict[str, Detail] = {"raw_cv": cv, "noise_cv": noise, "cells": len(values)}
    return Measure("patchiness", excess, "", threshold, verdict, text, details)


def _colour(a: Analysis, inside: NDArray[np.bool_]) -> Measure:
    """Blue, green or warm shift of the ink's per-channel darkening away from neutral."""
    fair, poor = CAST_SHIFT
    threshold = (
        f"shift (c_R - c_B or c_R - c_G) / mean, neutral black about 0: good < {fair}, "
        f"fair {fair}–{poor}, poor > {poor}"
    )
    imp = a.impressions
    big = imp.diameter_mm / 2 / a.scale.mm_per_px >= COLOUR_MIN_RADIUS_PX
    rgb = imp.contrast_rgb[inside & big]
    mean = rgb.mean(axis=1) if len(rgb) else np.zeros(0)
    rgb, mean = rgb[mean > MIN_CONTRAST], mean[mean > MIN_CONTRAST]
    if len(rgb) < MIN_COLOUR_DOTS:
        reason = (
            f"fewer than {MIN_COLOUR_DOTS} impressions of at least {COLOUR_MIN_RADIUS_PX:.0f} px "
            "radius (JPEG blurs the colour of smaller dots)"
        )
        return not_assessed("colour_cast", "", threshold, reason)
    blue = float(np.median((rgb[:, 0] - rgb[:, 2]) / mean))
    green = float(np.median((rgb[:, 0] - rgb[:, 1]) / mean))
    shift, cast = max((blue, "blue"), (green, "green"), (-blue, "warm"))
    verdict = grade(shift, fair, poor)
    if verdict == "good":
        cast = "neutral"
    details: dict[str, Detail] = {"blue_shift": blue, "green_shift": green, "cast": cast}
    figure = measure_value_text("colour_cast", shift, details)
    if verdict == "good":
        text = f"good: {figure}: the ink is neutral black (blue {blue:+.2f}, green {green:+.2f})"
    elif cast == "warm":
        text = f"{verdict}: {figure}: iron-oxide-like ink may not clear"
    else:
        text = f"{verdict}: {figure}: wrong pigment or ink migration"
    details["n"] = len(rgb)
    return Measure("colour_cast", shift, "", threshold, verdict, text, details)


def _temporal_point(xy: NDArray[np.float64], left: bool, prominence_px: float) -> int | None:
    """Index of the highest point of the hairline's left or right third, if it is a peak.

    It is no peak (None: the temporal point is out of view) unless the line drops at least
    ``prominence_px`` on both sides of it, e.g. when the line still rises at its end.
    """
    x, y = xy[:, 0], xy[:, 1]
    third = (x.max() - x.min()) / 3
    idx = np.flatnonzero(x <= x.min() + third if left else x >= x.max() - third)
    i = int(idx[np.argmin(y[idx])])
    if i == 0 or i == len(y) - 1:
        return None
    return i if min(y[:i].max(), y[i + 1 :].max()) - y[i] >= prominence_px else None


def _symmetry(a: Analysis) -> Measure:
    """Height difference between the left and right temporal points."""
    fair, poor = SYMMETRY_MM
    threshold = f"good <= {fair:.0f} mm, fair {fair:.0f}–{poor:.0f} mm, poor > {poor:.0f} mm"
    xy, mm = a.hairline_xy, a.scale.mm_per_px
    if len(xy) < 3:
        return not_assessed("symmetry", "mm", threshold, "no hairline was found")
    left = _temporal_point(xy, True, PEAK_PROMINENCE_MM / mm)
    right = _temporal_point(xy, False, PEAK_PROMINENCE_MM / mm)
    if left is None or right is None:
        missing = " and ".join(s for s, i in (("left", left), ("right", right)) if i is None)
        reason = f"the {missing} temporal point is not in view (the hairline rises to its end)"
        return not_assessed("symmetry", "mm", threshold, reason)
    (lx, ly), (rx, ry) = xy[left], xy[right]
    diff = abs(float(ly - ry)) * mm
    verdict: Verdict = "good" if diff <= fair else grade(diff, fair, poor)
    higher, lower = ("left", "right") if ly < ry else ("right", "left")
    text = f"{verdict}: the {higher} temporal point sits {diff:.1f} mm higher than the {lower}"
    tilt = math.degrees(math.atan2(float(ry - ly), float(rx - lx)))
    details: dict[str, Detail] = {"left_x_px": float(lx), "left_y_px": float(ly)}
    details |= {"right_x_px": float(rx), "right_y_px": float(ry), "tilt_deg": tilt}
    return Measure("symmetry", diff, "mm", threshold, verdict, text, details)


def assess_smp(analysis: Analysis) -> Assessment:
    """Assess the existing SMP on one analysed photo.

    Parameters
    ----------
    analysis : Analysis
        The photo's analysis.

    Returns
    -------
    Assessment
        Impression size, spacing, patchiness, colour cast, hairline harshness and symmetry, and
        the overall (worst) verdict.
    """
    a = analysis
    inside = in_region(a)
    if a.mode == "coverage":
        why = "single impressions are not resolved at this scale (coverage mode)"
        measures = [
            not_assessed("impression_size", "%", f"> {BLOWN_OUT_MM} mm is blown out", why),
            not_assessed("spacing", "", "Clark–Evans R", why),
            not_assessed("patchiness", "", "CV of the density beyond counting noise", why),
            not_assessed("colour_cast", "", "shift away from neutral black", why),
        ]
    else:
        stats = impression_stats(a, inside)
        measures = [_size(a, stats), _spacing(a, inside), _patchiness(a), _colour(a, inside)]
    measures += [hairline_harshness(a), _symmetry(a)]
    return Assessment(measures, *overall_verdict(measures))
