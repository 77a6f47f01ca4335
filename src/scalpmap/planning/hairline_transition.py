"""Hairline harshness: how wide the impression density's rise across the traced hairline is.

The width comes from a linear ramp fitted by maximum likelihood (:func:`fit_transition`) to the
impressions within ``BAND_MM`` of the hairline, the ramp's centre free in each ``SEGMENT_MM``
stretch. Under ``HARSH_MM`` the hairline is painted on (poor), ``HARSH_MM``–``DIFFUSE_MM``
natural (good), above ``DIFFUSE_MM`` diffuse (fair); n/a when the 95 % interval spans both
limits. One of the six measures of :mod:`scalpmap.planning.assessment` (docs/assessment.md).
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString

from scalpmap.imaging.analysis import Analysis
from scalpmap.planning.assessment_verdicts import Detail, Measure, Verdict, not_assessed

BAND_MM, SAMPLE_MM, BIN_MM, SEGMENT_MM = 4.0, 0.2, 0.2, 20.0
RAMP_MM = (0.1, 8.0)
HARSH_MM, DIFFUSE_MM = 1.0, 3.0
MIN_BAND_POINTS = 40
CHI2_95 = 3.84  # chi-squared quantile (1 degree of freedom) of a 95 % likelihood interval


def _band(
    line: LineString, a: Analysis, xy: NDArray[np.float64], edges: NDArray[np.float64], n: int
) -> NDArray[np.float64]:
    """Count points per (stretch of the hairline, signed-distance bin); + is the pigmented side.

    Points within ``BAND_MM`` of the line's ends along it are left out: their distance is to an
    end, not across the edge.
    """
    mm = a.scale.mm_per_px
    points = shapely.points(xy)
    signed = shapely.distance(line, points) * mm
    signed = np.where(shapely.contains_xy(a.region, xy[:, 0], xy[:, 1]), signed, -signed)
    along = shapely.line_locate_point(line, points) * mm - BAND_MM
    length = line.length * mm - 2 * BAND_MM
    range_ = ((0.0, length), (float(edges[0]), float(edges[-1])))
    counts, _, _ = np.histogram2d(along, signed, bins=(n, len(edges) - 1), range=range_)
    return np.asarray(counts, dtype=np.float64)


def fit_transition(
    centres_mm: NDArray[np.float64], counts: NDArray[np.float64], area_mm2: NDArray[np.float64]
) -> tuple[float, float, float]:
    """Fit a linear density ramp across the hairline by (binned Poisson) maximum likelihood.

    In stretch ``j`` of the hairline the density is ``h_j * (b + (1 - b) * clip(0.5 + (d - d0_j)
    / w, 0, 1))``: a floor ``b`` for stray dots, then a rise over the width ``w`` around ``d0_j``.
    The traced hairline wanders slowly around the true edge, so each stretch's centre ``d0_j``
    is marginalised out (uniform over +-2.5 mm) and its plateau ``h_j`` profiled out; ``w`` and
    ``b`` are shared and searched on a grid.

    Parameters
    ----------
    centres_mm : ndarray of float, shape (K,)
        Signed distance of each bin's centre from the hairline.
    counts : ndarray of float, shape (J, K)
        Impressions in each stretch and bin.
    area_mm2 : ndarray of float, shape (J, K)
        Area of each stretch and bin.

    Returns
    -------
    width_mm, low_mm, high_mm : float
        The fitted width and its 95 % profile-likelihood interval.

    Examples
    --------
    >>> d = np.arange(-3.9, 4.0, 0.2)
    >>> steps = np.array([np.where(d > 0, 50.0, 0), np.where(d > 1, 50.0, 0)])
    >>> width, low, high = fit_transition(d, steps, np.full((2, 40), 10.0))
    >>> bool(width < 0.3 and high < 1)
    True
    """
    d0 = (np.arange(-50, 51) * 0.05)[:, None, None, None]
    widths = np.geomspace(*RAMP_MM, 45)
    b = np.array([0.002, 0.01, 0.03])[None, None, :, None]
    g = b + (1 - b) * np.clip(0.5 + (centres_mm - d0) / widths[None, :, None, None], 0, 1)
    total, log_g = np.zeros(g.shape[1:3]), np.log(g)
    for c, area in zip(counts, area_mm2, strict=True):
        if c.sum() > 0:
            expected = np.maximum((g * area).sum(axis=-1), 1e-12)
            loglik = (c * log_g).sum(axis=-1) - c.sum() * np.log(expected)
            peak = loglik.max(axis=0)
            with np.errstate(under="ignore"):  # d0_j marginalised out: log-mean-exp
                total += peak + np.log(np.exp(loglik - peak).mean(axis=0))
    profile = total.max(axis=1)
    within = widths[profile >= profile.max() - CHI2_95 / 2]
    return float(widths[np.argmax(profile)]), float(within.min()), float(within.max())


def hairline_harshness(a: Analysis) -> Measure:
    """Measure the width of the impression density's rise across the hairline.

    Parameters
    ----------
    a : Analysis
        The photo's analysis (impressions mode; n/a in coverage mode).

    Returns
    -------
    Measure
        ``hairline_harshness``: the width in mm, its verdict and its 95 % interval.
    """
    name, mm = "hairline_harshness", a.scale.mm_per_px
    threshold = (
        f"transition width < {HARSH_MM:.0f} mm painted on, {HARSH_MM:.0f}–{DIFFUSE_MM:.0f} mm "
        f"natural, > {DIFFUSE_MM:.0f} mm diffuse"
    )
    if a.mode == "coverage":
        reason = "the pigment field is smoothed over millimetres, wider than the transition"
        return not_assessed(name, "mm", threshold, reason)
    if len(a.hairline_xy) < 2 or a.region.is_empty:
        return not_assessed(name, "mm", threshold, "no hairline was found")
    # Simplified to 0.05 mm: far below the 0.2 mm bins, and it keeps the distance queries fast.
    line = shapely.simplify(LineString(a.hairline_xy), max(0.25, 0.05 / mm))
    if line.length * mm < 3 * BAND_MM:
        return not_assessed(
            name, "mm", threshold, f"the hairline is shorter than {3 * BAND_MM:.0f} mm"
        )
    edges = np.arange(-BAND_MM, BAND_MM + BIN_MM / 2, BIN_MM)
    stretches = max(1, round((line.length * mm - 2 * BAND_MM) / SEGMENT_MM))
    band = line.buffer(BAND_MM / mm).intersection(a.analysed_area)
    shapely.prepare(band)
    xy = a.impressions.xy
    near = xy[shapely.contains_xy(band, xy[:, 0], xy[:, 1])] if len(xy) else xy
    counts = _band(line, a, near, edges, stretches)
    if counts[:, edges[:-1] >= 0].sum() < MIN_BAND_POINTS:
        reason = f"fewer than {MIN_BAND_POINTS} impressions within {BAND_MM:.0f} mm of the hairline"
        return not_assessed(name, "mm", threshold, reason)
    x0, y0, x1, y1 = band.bounds
    gx, gy = np.arange(x0, x1, SAMPLE_MM / mm), np.arange(y0, y1, SAMPLE_MM / mm)
    grid = np.stack(np.meshgrid(gx, gy), axis=-1).reshape(-1, 2)
    # Jittered (one random sample per cell, seeded) so the grid does not alias with the bins.
    jitter = np.random.default_rng(0).uniform(0.0, SAMPLE_MM / mm, grid.shape)
    grid = grid + jitter
    grid = grid[shapely.contains_xy(band, grid[:, 0], grid[:, 1])]
    area = _band(line, a, grid, edges, stretches) * SAMPLE_MM**2
    width, low, high = fit_transition((edges[:-1] + edges[1:]) / 2, counts, area)
    figures = f"{width:.1f} mm (95% CI {low:.1f}–{high:.1f} mm)"
    if low < HARSH_MM and high > DIFFUSE_MM:
        reason = f"too few impressions to tell a sharp from a diffuse edge: {figures}"
        return not_assessed(name, "mm", threshold, reason)
    verdict: Verdict = "poor" if width < HARSH_MM else "fair" if width > DIFFUSE_MM else "good"
    looks = {"poor": "it looks painted on", "fair": "a diffuse edge", "good": "a natural edge"}
    text = f"{verdict}: the density rises across {figures} at the hairline: {looks[verdict]}"
    details: dict[str, Detail] = {"low_mm": low, "high_mm": high, "n": int(counts.sum())}
    return Measure(name, width, "mm", threshold, verdict, text, details)
