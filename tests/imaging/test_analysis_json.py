"""The analysis.json contract: analyses conform to the shipped schema and are self-consistent."""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable
from typing import Any, Literal

import jsonschema
import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from scalpmap.imaging.analysis import Analysis, DensityGrid, analyse_photo
from scalpmap.imaging.analysis_json import (
    FORMAT,
    analysis_to_json,
    load_schema,
    validate_analysis_json,
)
from scalpmap.imaging.detect import Impressions
from scalpmap.imaging.scale import Scale
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo

Doc = dict[str, Any]

# A close-up resolves single impressions; a whole-head view is too coarse and falls back to
# measuring pigment coverage.
MM_PER_PX = {"impressions": 0.035, "coverage": 0.2}
SEEDS = (0, 3)
CASES = [(mode, seed) for mode in ("impressions", "coverage") for seed in SEEDS]
CASE_IDS = [f"{mode}-seed{seed}" for mode, seed in CASES]


@functools.cache
def _analysed(mode: str, seed: int) -> Doc:
    view: Literal["closeup", "front"] = "closeup" if mode == "impressions" else "front"
    options = SynthOptions(
        seed=seed,
        view=view,
        width_px=1200,
        height_px=900,
        mm_per_px=MM_PER_PX[mode],
        marker=False,
    )
    rgb, _truth = generate_scalp_photo(options)
    analysis = analyse_photo(rgb, mm_per_px=MM_PER_PX[mode])
    # The CLI records the file name; library callers may leave it out (null).
    source = f"seed{seed}.jpg" if mode == "impressions" else None
    return analysis_to_json(analysis, source=source)


def document(mode: str, seed: int) -> Doc:
    """A fresh copy of the (cached) analysis.json of a synthetic photo."""
    return copy.deepcopy(_analysed(mode, seed))


def _polygon_area_px(doc: Doc) -> float:
    """Area of the region's polygons minus its holes, in px², from the document alone."""
    outer = sum(Polygon(ring).area for ring in doc["region"]["polygons"])
    holes = sum(Polygon(ring).area for ring in doc["region"]["holes"])
    return outer - holes


def _region(doc: Doc) -> BaseGeometry:
    """The region rebuilt from the document (outer rings minus holes)."""
    outer = shapely.union_all([Polygon(ring) for ring in doc["region"]["polygons"]])
    holes = shapely.union_all([Polygon(ring) for ring in doc["region"]["holes"]])
    return outer.difference(holes)


def test_shipped_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize(("mode", "seed"), CASES, ids=CASE_IDS)
def test_analysis_of_synthetic_photo_conforms_to_schema(mode: str, seed: int) -> None:
    doc = document(mode, seed)
    validate_analysis_json(doc)
    assert doc["format"] == FORMAT == "scalpmap-analysis/1"
    assert doc["mode"] == mode
    assert (doc["photo"]["width"], doc["photo"]["height"]) == (1200, 900)
    assert doc["scale"] == {
        "mm_per_px": MM_PER_PX[mode],
        "source": "given",
        "uncertainty_percent": None,
        "iris_diameter_px": None,
        "marker": None,
    }
    summary = doc["summary"]
    if mode == "coverage":
        assert doc["impressions"] == []
        assert doc["density"]["mean_per_cm2"] is None
        assert summary["count"] is None and summary["count_in_region"] is None
        assert summary["mean_density_per_cm2"] is None
        assert summary["ink_tone"] == "unknown"
        assert 0 < summary["coverage_percent"] <= 100
    else:
        assert summary["count"] > 0
        assert summary["mean_density_per_cm2"] is not None
        assert summary["mean_density_per_cm2"] == doc["density"]["mean_per_cm2"]
        assert summary["ink_tone"] != "unknown"


def _drop_hairline(doc: Doc) -> None:
    del doc["hairline"]


def _unknown_ink_tone(doc: Doc) -> None:
    doc["summary"]["ink_tone"] = "black"


def _darkness_above_one(doc: Doc) -> None:
    doc["impressions"][0]["darkness"] = 1.2


def _extra_top_level_key(doc: Doc) -> None:
    doc["notes"] = "hand-edited"


@pytest.mark.parametrize(
    ("corrupt", "validator", "path"),
    [
        (_drop_hairline, "required", []),
        (_unknown_ink_tone, "enum", ["summary", "ink_tone"]),
        (_darkness_above_one, "maximum", ["impressions", 0, "darkness"]),
        (_extra_top_level_key, "additionalProperties", []),
    ],
    ids=["missing-required-field", "wrong-enum", "darkness-above-1", "unknown-top-level-key"],
)
def test_schema_rejects_malformed_document(
    corrupt: Callable[[Doc], None], validator: str, path: list[str | int]
) -> None:
    doc = document("impressions", SEEDS[0])
    validate_analysis_json(doc)  # valid before the corruption
    corrupt(doc)
    with pytest.raises(jsonschema.ValidationError) as caught:
        validate_analysis_json(doc)
    assert caught.value.validator == validator
    assert list(caught.value.absolute_path) == path


@pytest.mark.parametrize(("mode", "seed"), CASES, ids=CASE_IDS)
def test_document_round_trips_through_strict_json(mode: str, seed: int) -> None:
    doc = document(mode, seed)
    text = json.dumps(doc, allow_nan=False)  # raises on NaN or infinity
    assert json.loads(text) == doc


@pytest.mark.parametrize(("mode", "seed"), CASES, ids=CASE_IDS)
def test_hairline_runs_left_to_right_and_its_length_matches(mode: str, seed: int) -> None:
    doc = document(mode, seed)
    points = np.asarray(doc["hairline"]["points"], dtype=float)
    assert len(points) >= 2, "a synthetic photo always shows a hairline"
    assert points[0, 0] <= points[-1, 0]
    length_px = float(np.linalg.norm(np.diff(points, axis=0), axis=1).sum())
    assert doc["hairline"]["length_mm"] == pytest.approx(
        length_px * doc["scale"]["mm_per_px"], rel=0.01
    )


@pytest.mark.parametrize(("mode", "seed"), CASES, ids=CASE_IDS)
def test_region_area_matches_its_polygons(mode: str, seed: int) -> None:
    doc = document(mode, seed)
    assert doc["region"]["polygons"], "a synthetic photo always has a pigmented region"
    mm_per_px = doc["scale"]["mm_per_px"]
    area_cm2 = _polygon_area_px(doc) * mm_per_px**2 / 100
    assert doc["region"]["area_cm2"] == pytest.approx(area_cm2, rel=0.01)
    assert doc["summary"]["region_area_cm2"] == doc["region"]["area_cm2"]


def test_region_with_holes_and_parts_serialises_its_exact_area() -> None:
    # A 100 x 100 px square with a 50 x 50 px hole, plus a separate 20 x 20 px square, at
    # 0.1 mm/px: (10000 - 2500 + 400) px² = 79 mm² = 0.79 cm².
    square = Polygon(
        [(0, 0), (100, 0), (100, 100), (0, 100)],
        holes=[[(25, 25), (75, 25), (75, 75), (25, 75)]],
    )
    region = MultiPolygon([square, Polygon([(150, 0), (170, 0), (170, 20), (150, 20)])])
    analysis = Analysis(
        shape=(200, 300),
        scale=Scale(mm_per_px=0.1, source="given"),
        mode="coverage",
        mode_reason="coverage mode was requested",
        impressions=Impressions.empty(),
        region=region,
        hairline_xy=np.array([[0.0, 100.0], [100.0, 100.0]]),
        density=DensityGrid(cell_mm=5.0, cell_px=50.0, per_cm2=np.full((4, 6), np.nan)),
        coverage_percent=12.5,
        analysed_area=Polygon([(0, 0), (299, 0), (299, 199), (0, 199)]),
        ink_tone="unknown",
    )
    doc = analysis_to_json(analysis)
    validate_analysis_json(doc)
    assert len(doc["region"]["polygons"]) == 2
    assert len(doc["region"]["holes"]) == 1
    assert doc["region"]["area_cm2"] == pytest.approx(0.79)
    assert _polygon_area_px(doc) * 0.1**2 / 100 == pytest.approx(0.79)
    assert _region(doc).area * 0.1**2 / 100 == pytest.approx(0.79)
    assert doc["density"]["grid_per_cm2"] == [[None] * 6] * 4  # no analysed cell: all null
    assert doc["hairline"]["length_mm"] == pytest.approx(10.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_impression_counts_agree_with_the_list_and_region(seed: int) -> None:
    doc = document("impressions", seed)
    summary = doc["summary"]
    assert summary["count"] == len(doc["impressions"])
    region = _region(doc)
    xy = np.array([[i["x"], i["y"]] for i in doc["impressions"]])
    inside = int(shapely.contains_xy(region, xy[:, 0], xy[:, 1]).sum())
    # Ring vertices are rounded to 0.01 px, which may move an impression on the very edge.
    assert abs(summary["count_in_region"] - inside) <= 1
    density = summary["count_in_region"] / doc["region"]["area_cm2"]
    assert summary["mean_density_per_cm2"] == pytest.approx(density, rel=0.001, abs=0.01)
