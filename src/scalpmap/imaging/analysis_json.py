"""The analysis.json contract: serialise an :class:`Analysis` and validate against its schema.

The contract is documented in ``docs/analysis-json.md``; the JSON Schema ships in the package as
``scalpmap/schemas/analysis.schema.json``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import scalpmap
from scalpmap.imaging.analysis_result import Analysis
from scalpmap.imaging.hairline_segments import SEGMENT_NAMES
from scalpmap.imaging.impression_stats import impression_stats
from scalpmap.json_schemas import load_schema as load_schema_named
from scalpmap.json_schemas import validate_document

FORMAT = "scalpmap-analysis/1"
# Each impression's darkening per colour channel is kept to 0.0001: the colour cast the plan
# measures from it (a median of ratios, shown to 0.01) survives the round trip.
COLOUR_DIGITS = 4


def _rings(geometry: Any) -> list[list[list[float]]]:
    """Outer rings of a (multi)polygon as lists of [x, y], rounded to 0.01 px."""
    parts = [p for p in getattr(geometry, "geoms", [geometry]) if not p.is_empty]
    return [np.round(np.asarray(p.exterior.coords), 2).tolist() for p in parts]


def _holes(geometry: Any) -> list[list[list[float]]]:
    """Inner rings (holes) of a (multi)polygon."""
    parts = [p for p in getattr(geometry, "geoms", [geometry]) if not p.is_empty]
    return [np.round(np.asarray(r.coords), 2).tolist() for p in parts for r in p.interiors]


def _finite_or_none(value: float | None, digits: int = 3) -> float | None:
    """Round a number for JSON, mapping NaN and None to null."""
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits)


def analysis_to_json(analysis: Analysis, *, source: str | None = None) -> dict[str, Any]:
    """Serialise an analysis to the analysis.json contract.

    Parameters
    ----------
    analysis : Analysis
        The analysis.
    source : str, optional
        The photo's file name, recorded as given.

    Returns
    -------
    dict
        The JSON document.
    """
    scale = analysis.scale
    imp = analysis.impressions
    density = analysis.density
    diameters = imp.diameter_mm
    stats = impression_stats(analysis)
    grid = [[_finite_or_none(v, 2) for v in row] for row in density.per_cm2.tolist()]
    return {
        "format": FORMAT,
        "scalpmap_version": scalpmap.__version__,
        "photo": {"source": source, "width": analysis.shape[1], "height": analysis.shape[0]},
        "scale": {
            "mm_per_px": round(scale.mm_per_px, 6),
            "source": scale.source,
            "uncertainty_percent": scale.uncertainty_percent,
            "iris_diameter_px": None
            if scale.iris_diameter_px is None
            else round(scale.iris_diameter_px, 2),
            "marker": None
            if scale.source != "marker"
            else {
                "id": scale.marker_id,
                "side_mm": scale.marker_side_mm,
                "residual_px": _finite_or_none(scale.residual_px, 4),
                "corners": np.round(scale.marker_corners_xy, 3).tolist(),
            },
        },
        "mode": analysis.mode,
        "mode_reason": analysis.mode_reason,
        "impression_size": None if analysis.dot_scale is None else analysis.dot_scale.to_json(),
        "impressions": [
            {
                "x": round(x, 2),
                "y": round(y, 2),
                "diameter_mm": round(d, 3),
                "darkness": round(k, 3),
                "contrast_rgb": [round(c, COLOUR_DIGITS) for c in rgb],
            }
            for (x, y), d, k, rgb in zip(
                imp.xy.tolist(),
                diameters.tolist(),
                imp.darkness.tolist(),
                imp.contrast_rgb.tolist(),
                strict=True,
            )
        ],
        "rejected": dict(imp.rejected),
        "region": {
            "area_cm2": round(analysis.region_area_cm2, 3),
            "polygons": _rings(analysis.region),
            "holes": _holes(analysis.region),
            "patches": [
                {
                    "area_cm2": round(float(p.area) * scale.mm_per_px**2 / 100.0, 3),
                    "polygon": _rings(p)[0],
                }
                for p in analysis.patches
                if not p.is_empty
            ],
        },
        "density": {
            "mean_per_cm2": _finite_or_none(analysis.mean_density_per_cm2, 2),
            "cell_mm": round(density.cell_mm, 3),
            "cell_px": round(density.cell_px, 3),
            "grid_per_cm2": grid,
        },
        "coverage": {"mean_percent": round(analysis.coverage_percent, 2)},
        "hairline": {
            "points": np.round(analysis.hairline_xy, 2).tolist(),
            "length_mm": round(analysis.hairline_length_mm, 2),
            "segments": {
                name: np.round(analysis.hairline_segments.get(name, np.zeros((0, 2))), 2).tolist()
                for name in SEGMENT_NAMES
            },
        },
        "analysed_area": {
            "polygons": _rings(analysis.analysed_area),
            "holes": _holes(analysis.analysed_area),
        },
        "excluded_area": {
            "polygons": _rings(analysis.excluded_area),
            "holes": _holes(analysis.excluded_area),
            "brow_line": np.round(analysis.brow_line_xy, 2).tolist(),
            "brow_line_source": analysis.brow_line_source,
        },
        "head": None if analysis.head is None else analysis.head.to_json(),
        "warnings": list(analysis.warnings),
        "summary": {
            "count": stats.count,
            "count_in_region": stats.count_in_region,
            "mean_density_per_cm2": _finite_or_none(analysis.mean_density_per_cm2, 2),
            "median_diameter_mm": _finite_or_none(stats.median_diameter_mm),
            "blown_out_percent": _finite_or_none(stats.blown_out_percent, 1),
            "median_darkness": _finite_or_none(stats.median_darkness),
            "ink_tone": analysis.ink_tone,
            "region_area_cm2": round(analysis.region_area_cm2, 3),
            "coverage_percent": round(analysis.coverage_percent, 2),
        },
    }


def load_schema() -> dict[str, Any]:
    """Return the analysis.json JSON Schema shipped with the package.

    Returns
    -------
    dict
        The schema.
    """
    return load_schema_named("analysis")


def validate_analysis_json(document: dict[str, Any]) -> None:
    """Validate a document against the analysis.json schema.

    Parameters
    ----------
    document : dict
        The document.

    Raises
    ------
    jsonschema.ValidationError
        When it does not conform.
    """
    validate_document("analysis", document)
