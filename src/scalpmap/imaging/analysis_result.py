"""The result of analysing one scalp photo: :class:`Analysis` and the types it is made of.

:func:`scalpmap.imaging.analysis.analyse_photo` builds it (impressions mode in
:mod:`scalpmap.imaging.analysis_closeup`, coverage mode on whole heads in
:mod:`scalpmap.imaging.analysis_whole_head`); :mod:`scalpmap.imaging.analysis_json` writes it
and :mod:`scalpmap.imaging.analysis_from_json` rebuilds it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.imaging import region as region_mod
from scalpmap.imaging.detect import Impressions
from scalpmap.imaging.dot_scale import DotScale, Mode
from scalpmap.imaging.face_exclusion import BrowLineSource
from scalpmap.imaging.head import HeadModel
from scalpmap.imaging.pigment_field import DensityGrid
from scalpmap.imaging.scale import Scale

InkTone = Literal["bluish", "neutral", "faded", "unknown"]

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Analysis:
    """Everything measured on one photo. Coordinates are pixels, origin top-left.

    Attributes
    ----------
    shape : tuple of int
        The photo's ``(rows, cols)``.
    scale : Scale
        Millimetres per pixel and their source.
    mode : {"impressions", "coverage"}
        Whether single impressions were resolved, or pigment coverage was measured instead.
    mode_reason : str
        Why that mode was chosen, in words.
    impressions : Impressions
        Impressions in the analysed area (empty in coverage mode).
    region : Polygon or MultiPolygon
        The pigmented region.
    hairline_xy : ndarray of float, shape (M, 2)
        The current hairline, left to right.
    density : DensityGrid
        Impressions per cm² (coverage share in coverage mode).
    coverage_percent : float
        Mean share of the region's skin darkened by pigment.
    analysed_area : Polygon or MultiPolygon
        Where the analysis looked: the scalp, within the ROI, without the marker.
    ink_tone : {"bluish", "neutral", "faded", "unknown"}
        The ink's tone judged from colour.
    pigment_field : PigmentField or None
        The field the region was traced from (impression density per mm², or pigment texture).
    head : HeadModel or None
        The head model (whole-head photos only): view, landmarks, the person's mask.
    hairline_segments : mapping of str to ndarray
        The hairline cut into the planning's named segments (whole-head photos; empty otherwise).
    patches : tuple of Polygon
        The separate parts the region was joined from (whole-head photos; one for even work).
    excluded_area : Polygon or MultiPolygon
        The part of the head never analysed for pigment: below the brow line.
    brow_line_xy : ndarray of float, shape (2, 2) or (0, 2)
        The brow line's ends across the photo.
    brow_line_source : {"landmarks", "estimated", "none"}
        Where the brow line came from.
    warnings : tuple of str
        Things the user should know about the photo or the analysis, in words.
    dot_scale : DotScale or None
        The impressions' typical size measured on the photo (close-ups; None on whole heads).
    """

    shape: tuple[int, int]
    scale: Scale
    mode: Mode
    mode_reason: str
    impressions: Impressions
    region: Polygon | MultiPolygon
    hairline_xy: NDArray[np.float64]
    density: DensityGrid
    coverage_percent: float
    analysed_area: Polygon | MultiPolygon
    ink_tone: InkTone
    pigment_field: region_mod.PigmentField | None = None
    head: HeadModel | None = None
    hairline_segments: Mapping[str, NDArray[np.float64]] = field(default_factory=dict)
    patches: tuple[Polygon, ...] = ()
    excluded_area: Polygon | MultiPolygon = field(default_factory=Polygon)
    brow_line_xy: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 2)))
    brow_line_source: BrowLineSource = "none"
    warnings: tuple[str, ...] = ()
    dot_scale: DotScale | None = None

    @property
    def region_area_cm2(self) -> float:
        """Area of the pigmented region in cm²."""
        return float(self.region.area) * self.scale.mm_per_px**2 / 100.0

    @property
    def impressions_in_region(self) -> int:
        """Number of impressions inside the region."""
        xy = self.impressions.xy
        return int(shapely.contains_xy(self.region, xy[:, 0], xy[:, 1]).sum()) if len(xy) else 0

    @property
    def mean_density_per_cm2(self) -> float | None:
        """Impressions per cm² inside the region; None in coverage mode or without a region."""
        if self.mode == "coverage" or self.region_area_cm2 <= 0:
            return None
        return self.impressions_in_region / self.region_area_cm2

    @property
    def hairline_length_mm(self) -> float:
        """Length of the hairline in millimetres."""
        steps = np.diff(self.hairline_xy, axis=0)
        return float(np.linalg.norm(steps, axis=1).sum()) * self.scale.mm_per_px
