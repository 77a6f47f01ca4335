"""Compare an analysis with the ground truth of a synthetic photo: the accuracy measures."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString

from scalpmap.imaging.analysis_result import Analysis
from scalpmap.imaging.matching import match_points
from scalpmap.imaging.synth_truth import SynthTruth

MATCH_TOLERANCE_MM = 0.2


@dataclass(frozen=True)
class Score:
    """Accuracy of one analysis against its truth.

    Attributes
    ----------
    precision, recall, f1 : float
        Impression detection, a match lying within ``MATCH_TOLERANCE_MM`` (NaN in coverage mode).
    position_error_mm : float
        Mean distance of matched impressions.
    region_iou : float
        Intersection over union of the found and true regions.
    region_area_error : float
        Relative error of the region's area.
    hairline_error_mm : float
        Mean distance between the found and true hairlines, both ways.
    density_error : float
        Relative error of the mean density inside the region (NaN in coverage mode).
    scale_error : float
        Relative error of mm/px (NaN when the scale was given).
    """

    precision: float
    recall: float
    f1: float
    position_error_mm: float
    region_iou: float
    region_area_error: float
    hairline_error_mm: float
    density_error: float
    scale_error: float


def hairline_distance_mm(found_xy: np.ndarray, true_xy: np.ndarray, mm_per_px: float) -> float:
    """Mean distance between two polylines, sampled every pixel, both ways, in mm.

    Parameters
    ----------
    found_xy, true_xy : ndarray of float, shape (M, 2)
        The polylines.
    mm_per_px : float
        Scale.

    Returns
    -------
    float
        The distance; infinite when either line is missing.
    """
    if len(found_xy) < 2 or len(true_xy) < 2:
        return float("inf")
    a, b = LineString(found_xy), LineString(true_xy)
    pa = shapely.segmentize(a, 1.0).coords
    pb = shapely.segmentize(b, 1.0).coords
    da = shapely.distance(b, shapely.points(np.asarray(pa)))
    db = shapely.distance(a, shapely.points(np.asarray(pb)))
    return float((da.mean() + db.mean()) / 2) * mm_per_px


def score_analysis(analysis: Analysis, truth: SynthTruth) -> Score:
    """Score an analysis against the truth of the photo it analysed.

    Parameters
    ----------
    analysis : Analysis
        What was found.
    truth : SynthTruth
        What was drawn.

    Returns
    -------
    Score
        The accuracy measures.
    """
    mm = truth.mm_per_px
    nan = float("nan")
    if analysis.mode == "impressions":
        match = match_points(
            truth.impressions[:, :2], analysis.impressions.xy, tolerance=MATCH_TOLERANCE_MM / mm
        )
        p, r, f1 = match.precision, match.recall, match.f1
        pos = float(match.distances.mean()) * mm if len(match.distances) else nan
        found_density = analysis.mean_density_per_cm2 or 0.0
        density_error = abs(found_density - truth.density_per_cm2) / truth.density_per_cm2
    else:
        p = r = f1 = pos = density_error = nan
    union = analysis.region.union(truth.region).area
    iou = analysis.region.intersection(truth.region).area / union if union else 0.0
    area_error = abs(analysis.region.area - truth.region.area) / truth.region.area
    scale_error = (
        abs(analysis.scale.mm_per_px - mm) / mm if analysis.scale.source == "marker" else nan
    )
    return Score(
        precision=p,
        recall=r,
        f1=f1,
        position_error_mm=pos,
        region_iou=float(iou),
        region_area_error=float(area_error),
        hairline_error_mm=hairline_distance_mm(analysis.hairline_xy, truth.hairline_xy, mm),
        density_error=float(density_error),
        scale_error=float(scale_error),
    )
