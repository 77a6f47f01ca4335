"""analysis.json back to an Analysis: the round trip keeps the zones and the plan."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json

import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import Analysis, DensityGrid, analyse_photo
from scalpmap.imaging.analysis_from_json import analysis_from_json, rings_to_geometry
from scalpmap.imaging.analysis_json import analysis_to_json
from scalpmap.imaging.detect import Impressions
from scalpmap.imaging.scale import Scale
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.planning.plan import PlanOptions, build_plan
from scalpmap.planning.plan_json import plan_to_json
from scalpmap.planning.templates import make_target
from scalpmap.planning.zones import compute_zones

TODAY = dt.date(2026, 3, 2)


@functools.cache
def _photo(seed: int, view: str, mm: float, marker: bool):
    options = SynthOptions(
        seed=seed, view=view, width_px=1200, height_px=900, mm_per_px=mm, marker=marker
    )
    rgb, _ = generate_scalp_photo(options)
    analysis = analyse_photo(rgb, mm_per_px=None if marker else mm)
    return rgb, analysis, analysis_to_json(analysis, source="photo.jpg")


@pytest.fixture(scope="module")
def closeup():
    """A close-up whose scale comes from the printed marker."""
    return _photo(4, "closeup", 0.035, True)


def test_the_document_round_trips_within_its_rounding(closeup):
    _, original, document = closeup
    rebuilt = analysis_from_json(copy.deepcopy(document))
    assert original.scale.source == "marker" == rebuilt.scale.source
    assert rebuilt.scale.marker_id == original.scale.marker_id
    np.testing.assert_allclose(
        rebuilt.scale.marker_corners_xy, original.scale.marker_corners_xy, atol=1e-3
    )
    assert rebuilt.shape == original.shape and rebuilt.mode == original.mode
    np.testing.assert_allclose(rebuilt.impressions.xy, original.impressions.xy, atol=0.005)
    np.testing.assert_allclose(
        rebuilt.impressions.darkness, original.impressions.darkness, atol=5e-4
    )
    assert rebuilt.impressions.contrast_rgb.shape == (original.impressions.count, 3)
    # Each impression's colour, to the document's 0.0001.
    assert (
        np.abs(rebuilt.impressions.contrast_rgb - original.impressions.contrast_rgb).max() <= 5e-5
    )
    assert rebuilt.impressions.rejected == original.impressions.rejected
    assert rebuilt.ink_tone == original.ink_tone and rebuilt.pigment_field is None
    assert rebuilt.region.symmetric_difference(original.region).area < 1e-3 * original.region.area
    assert rebuilt.analysed_area.symmetric_difference(original.analysed_area).area < 1.0
    np.testing.assert_allclose(rebuilt.hairline_xy, original.hairline_xy, atol=0.005)
    np.testing.assert_allclose(rebuilt.density.per_cm2, original.density.per_cm2, atol=0.005)
    assert rebuilt.coverage_percent == pytest.approx(original.coverage_percent, abs=0.005)
    again = analysis_to_json(rebuilt, source="photo.jpg")
    for key in ("photo", "scale", "mode", "impressions", "rejected", "region", "density"):
        assert again[key] == document[key], key
    assert again["hairline"]["points"] == document["hairline"]["points"]
    assert again["analysed_area"] == document["analysed_area"]


@pytest.mark.parametrize("template", ["keep", "soften", "mature", "remove-all"])
def test_zones_of_the_rebuilt_analysis_match(closeup, template):
    _, original, document = closeup
    rebuilt = analysis_from_json(document)
    zones = [compute_zones(a, make_target(a, template, age=40)) for a in (original, rebuilt)]
    for name in ("removal", "keep", "touch_up"):
        before, after = (getattr(z, name) for z in zones)
        assert after.area_cm2 == pytest.approx(before.area_cm2, rel=1e-3, abs=1e-4), name
        assert abs(after.impressions - before.impressions) <= 1, name
        assert abs(after.impressions_to_add - before.impressions_to_add) <= 1, name


def test_the_plan_of_the_rebuilt_analysis_matches(closeup):
    rgb, original, document = closeup
    options = PlanOptions(template="mature", age=35, skin_type=3)
    docs = [
        plan_to_json(build_plan(rgb, a, options, today=TODAY), created=TODAY)
        for a in (original, analysis_from_json(document))
    ]
    for key in ("sessions", "timeline", "skin", "options", "photo", "scale", "analysis", "zones"):
        assert _close(docs[1][key], docs[0][key]), key
    measures = [{m["name"]: m for m in d["assessment"]["measures"]} for d in docs]
    assert measures[1].keys() == measures[0].keys()
    for name, measure in measures[0].items():
        assert _close(measures[1][name], measure), name
    # The colour cast is judged from each impression's colour, which the document keeps.
    assert measures[0]["colour_cast"]["verdict"] != "n/a"
    assert measures[1]["colour_cast"]["text"] == measures[0]["colour_cast"]["text"]
    # Every figure the plan shows reads the same (the values differ in the rounding only).
    texts = [{name: f["text"] for name, f in d["figures"].items()} for d in docs]
    assert texts[1] == texts[0]


def test_a_document_without_colours_still_reads_with_the_colour_cast_not_measured(closeup):
    rgb, original, document = closeup
    old = copy.deepcopy(document)  # as written before each impression's colour was kept
    for item in old["impressions"]:
        del item["contrast_rgb"]
    del old["analysed_area"]["holes"]
    rebuilt = analysis_from_json(old)
    assert not rebuilt.impressions.contrast_rgb.any()
    plan = build_plan(rgb, rebuilt, PlanOptions(template="mature", age=35, skin_type=3))
    assert plan.assessment.measure("colour_cast").verdict == "n/a"
    assert plan_to_json(plan)["figures"]["colour_cast"]["text"] == "not measured"


def _close(a, b) -> bool:
    """Equal JSON, numbers within the documents' rounding; polygons by area only."""
    if isinstance(a, dict):
        if "polygons" in a:
            a, b = {**a, "polygons": None}, {**b, "polygons": None}
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, int | float):
        return b == pytest.approx(a, rel=5e-3, abs=2e-3)
    if isinstance(a, str) and isinstance(b, str) and a != b:
        print(f"text differs:\n{a}\n{b}")
    return a == b


def test_a_coverage_mode_document_round_trips():
    _, original, document = _photo(3, "front", 0.2, False)
    rebuilt = analysis_from_json(document)
    assert rebuilt.mode == "coverage" and rebuilt.impressions.count == 0
    assert np.isnan(rebuilt.density.per_cm2).sum() == np.isnan(original.density.per_cm2).sum()
    assert rebuilt.region.symmetric_difference(original.region).area < 1e-3 * original.region.area
    again, first = analysis_to_json(rebuilt)["region"], analysis_to_json(original)["region"]
    # The areas are measured again on the rounded outlines: equal to their last digit.
    assert again["area_cm2"] == pytest.approx(first["area_cm2"], abs=2e-3)
    assert [p["area_cm2"] for p in again["patches"]] == pytest.approx(
        [p["area_cm2"] for p in first["patches"]], abs=2e-3
    )

    def outlines(region: dict) -> dict:
        patches = [{**p, "area_cm2": 0} for p in region["patches"]]
        return {**region, "area_cm2": 0, "patches": patches}

    assert outlines(again) == outlines(first)


def test_holes_go_back_to_their_own_polygons():
    outer = box(0, 0, 100, 100).difference(box(10, 10, 30, 30)).difference(box(50, 50, 60, 90))
    other = box(200, 0, 300, 100).difference(box(220, 20, 240, 40))
    region = MultiPolygon([outer, other])
    analysis = Analysis(
        shape=(120, 320),
        scale=Scale(mm_per_px=0.05, source="given"),
        mode="impressions",
        mode_reason="test",
        impressions=Impressions.empty(),
        region=region,
        hairline_xy=np.zeros((0, 2)),
        density=DensityGrid(cell_mm=5.0, cell_px=100.0, per_cm2=np.full((2, 4), np.nan)),
        coverage_percent=0.0,
        analysed_area=box(-0.5, -0.5, 319.5, 119.5),
        ink_tone="unknown",
    )
    rebuilt = analysis_from_json(analysis_to_json(analysis))
    assert isinstance(rebuilt.region, MultiPolygon) and rebuilt.region.is_valid
    assert sorted(len(p.interiors) for p in rebuilt.region.geoms) == [1, 2]
    assert rebuilt.region.symmetric_difference(region).area == pytest.approx(0.0, abs=1e-9)
    assert rebuilt.density.per_cm2.shape == (2, 4)


def test_rings_are_repaired_when_rounding_made_them_invalid():
    bowtie = [[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]
    geometry = rings_to_geometry([bowtie])
    assert geometry.is_valid and geometry.area == pytest.approx(50.0)
    assert rings_to_geometry([]) == Polygon()


def _broken(mutate):
    document = copy.deepcopy(_photo(4, "closeup", 0.035, True)[2])
    mutate(document)
    return document


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d.pop("region"), "not a valid analysis.json at the document"),
        (lambda d: d.update(format="scalpmap-analysis/2"), "at format"),
        (lambda d: d["impressions"][0].update(x="left"), "at impressions/0/x"),
        (lambda d: d["scale"].update(mm_per_px=float("nan")), "not a finite JSON number"),
        (lambda d: d["hairline"]["points"].append([float("inf"), 1.0]), "not a finite"),
        (lambda d: d["density"]["grid_per_cm2"][0].append(1.0), "rows differ in length"),
        (
            lambda d: d["region"]["holes"].append([[-9, -9], [-8, -9], [-8, -8], [-9, -9]]),
            "hole lies outside every region polygon",
        ),
    ],
)
def test_a_bad_document_raises_a_one_line_input_error(mutate, fragment):
    with pytest.raises(InputError, match=fragment) as caught:
        analysis_from_json(_broken(mutate))
    assert "\n" not in str(caught.value)


def test_a_document_that_is_not_an_object_is_refused():
    with pytest.raises(InputError, match="JSON object"):
        analysis_from_json([1, 2])  # type: ignore[arg-type]
    text = json.dumps({"format": "scalpmap-analysis/1"})
    with pytest.raises(InputError, match="not a valid analysis.json"):
        analysis_from_json(json.loads(text))


def test_the_region_is_rebuilt_from_polygons_in_any_order(closeup):
    _, original, document = closeup
    shuffled = copy.deepcopy(document)
    shuffled["region"]["polygons"] = shuffled["region"]["polygons"][::-1]
    rebuilt = analysis_from_json(shuffled)
    assert shapely.equals_exact(
        shapely.normalize(rebuilt.region), shapely.normalize(analysis_from_json(document).region)
    )
