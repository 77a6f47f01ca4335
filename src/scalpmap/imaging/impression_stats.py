"""The impressions' headline figures, computed once over the impressions inside the region.

analysis.json's ``summary``, the photo page, the plan's assessment (impression size), its
Kirby-Desai ink amount and its laser estimate all read these figures, so that "blown out",
"median diameter" and "median darkness" mean one thing: a share or a median of the impressions
counted in the pigmented region (``count_in_region``), never of every impression detected.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from scalpmap.imaging.analysis_result import Analysis

__all__ = ["BLOWN_OUT_MM", "ImpressionStats", "impression_stats", "in_region"]

# Wider than the largest needle (0.30 mm) plus a measuring margin: blown out or migrated.
BLOWN_OUT_MM = 0.35


@dataclass(frozen=True)
class ImpressionStats:
    """Figures of the impressions inside the pigmented region (None where not measurable).

    Attributes
    ----------
    count : int or None
        Impressions detected; None in coverage mode.
    count_in_region : int or None
        Of them, inside the region; None in coverage mode.
    mean_density_per_cm2 : float or None
        ``count_in_region`` per cm² of region; None in coverage mode or without a region.
    median_diameter_mm, q1_diameter_mm, q3_diameter_mm : float or None
        Median and quartiles of the diameters in the region; None without impressions there.
    blown_out_percent : float or None
        Share (0..100) of them wider than :data:`BLOWN_OUT_MM`.
    median_darkness : float or None
        Their median darkness, 0..1.
    """

    count: int | None
    count_in_region: int | None
    mean_density_per_cm2: float | None
    median_diameter_mm: float | None
    q1_diameter_mm: float | None
    q3_diameter_mm: float | None
    blown_out_percent: float | None
    median_darkness: float | None


def in_region(analysis: Analysis) -> NDArray[np.bool_]:
    """Return which impressions lie inside the pigmented region.

    Parameters
    ----------
    analysis : Analysis
        The analysis.

    Returns
    -------
    ndarray of bool, shape (N,)
        True for the impressions inside ``analysis.region``.
    """
    xy = analysis.impressions.xy
    if not len(xy) or analysis.region.is_empty:
        return np.zeros(len(xy), dtype=bool)
    return np.asarray(shapely.contains_xy(analysis.region, xy[:, 0], xy[:, 1]), dtype=bool)


def impression_stats(
    analysis: Analysis, inside: NDArray[np.bool_] | None = None
) -> ImpressionStats:
    """Compute the impressions' headline figures over the region.

    Parameters
    ----------
    analysis : Analysis
        The analysis.
    inside : ndarray of bool, optional
        :func:`in_region`, when already computed.

    Returns
    -------
    ImpressionStats
        The figures; all None in coverage mode (single impressions are not resolved).
    """
    if analysis.mode == "coverage":
        return ImpressionStats(None, None, None, None, None, None, None, None)
    inside = in_region(analysis) if inside is None else inside
    imp = analysis.impressions
    diameters, darkness = imp.diameter_mm[inside], imp.darkness[inside]
    n = int(inside.sum())
    quartiles: list[float | None] = [None, None, None]
    blown: float | None = None
    dark: float | None = None
    if n:
        quartiles = [float(q) for q in np.percentile(diameters, [25, 50, 75])]
        blown = 100.0 * float(np.mean(diameters > BLOWN_OUT_MM))
        dark = float(np.median(darkness))
    area = analysis.region_area_cm2
    return ImpressionStats(
        count=imp.count,
        count_in_region=n,
        mean_density_per_cm2=n / area if area > 0 else None,
        median_diameter_mm=quartiles[1],
        q1_diameter_mm=quartiles[0],
        q3_diameter_mm=quartiles[2],
        blown_out_percent=blown,
        median_darkness=dark,
    )
