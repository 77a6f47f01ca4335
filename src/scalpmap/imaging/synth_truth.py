"""The ground truth of a synthetic photo: where every impression, edge and landmark is."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.imaging.synth_head_truth import HeadTruth
from scalpmap.imaging.synth_options import SynthOptions


@dataclass(frozen=True)
class SynthTruth:
    """Ground truth of a synthetic photo; coordinates in pixels, origin top-left.

    Attributes
    ----------
    options : SynthOptions
        The options with every random choice filled in.
    impressions : ndarray of float, shape (N, 4)
        Columns ``x, y, diameter_mm, darkness``.
    region : Polygon or MultiPolygon
        The true pigmented region.
    hairline_xy : ndarray of float, shape (M, 2)
        The true hairline, left to right.
    scalp : Polygon or None
        The head's silhouette, when visible.
    marker_corners_xy : ndarray of float, shape (4, 2) or (0, 2)
        The sticker's black square corners.
    marker_side_mm : float
        Printed side of the black square.
    head : HeadTruth or None
        Whole-head views: the view, the frontal hairline, the brow line, the face below it,
        the beard, the ears and the face's landmarks.
    """

    options: SynthOptions
    impressions: NDArray[np.float64]
    region: Polygon | MultiPolygon
    hairline_xy: NDArray[np.float64]
    scalp: Polygon | None
    marker_corners_xy: NDArray[np.float64]
    marker_side_mm: float
    head: HeadTruth | None = None

    @property
    def mm_per_px(self) -> float:
        """Scale of the photo in mm per pixel."""
        assert self.options.mm_per_px is not None
        return self.options.mm_per_px

    @property
    def region_area_cm2(self) -> float:
        """Area of the true region in cm²."""
        return float(self.region.area) * self.mm_per_px**2 / 100.0

    @property
    def density_per_cm2(self) -> float:
        """Impressions per cm² inside the true region."""
        inside = shapely.contains_xy(self.region, self.impressions[:, 0], self.impressions[:, 1])
        return float(inside.sum()) / max(self.region_area_cm2, 1e-9)

    def to_json(self) -> dict[str, Any]:
        """Return the truth as the JSON document written beside the photo.

        Returns
        -------
        dict
            JSON-serialisable truth.
        """
        polygons = list(getattr(self.region, "geoms", [self.region]))
        return {
            "format": "scalpmap-synth-truth/1",
            "options": asdict(self.options),
            "mm_per_px": self.mm_per_px,
            "impressions": [
                {"x": x, "y": y, "diameter_mm": d, "darkness": k}
                for x, y, d, k in self.impressions.round(4).tolist()
            ],
            "region": {
                "area_cm2": round(self.region_area_cm2, 4),
                "polygons": [np.round(p.exterior.coords, 2).tolist() for p in polygons],
            },
            "density_per_cm2": round(self.density_per_cm2, 3),
            "hairline": {"points": np.round(self.hairline_xy, 2).tolist()},
            "scalp": None
            if self.scalp is None
            else np.round(self.scalp.exterior.coords, 1).tolist(),
            "marker": None
            if len(self.marker_corners_xy) == 0
            else {
                "corners": self.marker_corners_xy.round(3).tolist(),
                "side_mm": self.marker_side_mm,
            },
            "head": None if self.head is None else self.head.to_json(),
        }
