"""TARGET.json: both forms, and a one-line error for every kind of bad input."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.planning.target_file import MISSES, load_target_file
from scalpmap.planning.zones import compute_zones

MM = 0.035


@pytest.fixture(scope="module")
def analysis():
    options = SynthOptions(seed=1, width_px=1200, height_px=900, mm_per_px=MM, marker=False)
    photo, _truth = generate_scalp_photo(options)
    return analyse_photo(photo, mm_per_px=MM)


def write(tmp_path, doc):
    path = tmp_path / "TARGET.json"
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return path


def test_region_form(analysis, tmp_path):
    polygon = [[0, 0], [700, 0], [700, 300], [0, 300]]
    target = load_target_file(write(tmp_path, {"region": polygon}), analysis)
    assert target.template == "custom" and target.hairline is None
    assert target.region.difference(Polygon(polygon)).area < 1e-6
    assert target.region.intersection(analysis.region).area > 0.9 * 700 * 300
    assert not target.edge.is_empty  # the cut through the pigment
    zones = compute_zones(analysis, target)
    assert zones.removal.area_cm2 > 0 and zones.keep.area_cm2 > 0
    total = zones.removal.impressions + zones.keep.impressions + zones.touch_up.impressions
    assert total == analysis.impressions_in_region


def test_region_form_reaching_into_bare_skin_is_touch_up(analysis, tmp_path):
    polygon = [[0, 0], [1199, 0], [1199, 700], [0, 700]]  # beyond the hairline (y < 470)
    target = load_target_file(write(tmp_path, {"region": polygon, "feather_mm": 0}), analysis)
    zones = compute_zones(analysis, target)
    bare = box(0, 0, 1199, 700).difference(analysis.region)
    assert zones.touch_up.geometry.intersection(bare).area == pytest.approx(bare.area, rel=0.01)
    assert zones.touch_up.impressions_to_add > 0
    assert zones.removal.area_cm2 < 0.01


@pytest.mark.parametrize("reverse", [False, True])
def test_hairline_form_clips_the_region_to_the_pigmented_side(analysis, tmp_path, reverse):
    line = [[-10, 200], [600, 230], [1210, 200]]
    doc = {"hairline": line[::-1] if reverse else line}
    target = load_target_file(write(tmp_path, doc), analysis)
    above = Polygon([[-10, -100], *line, [1210, -100]])
    expected = analysis.region.intersection(above)
    assert target.region.symmetric_difference(expected).area < 1e-3 * expected.area
    assert target.edge.length == pytest.approx(shapely.LineString(line).length, rel=0.03)
    zones = compute_zones(analysis, target)
    removal = analysis.region.difference(above)
    assert zones.removal.geometry.symmetric_difference(removal).area < 1e-3 * removal.area


def test_hairline_form_extends_a_short_line_to_the_photo_edges(analysis, tmp_path):
    target = load_target_file(write(tmp_path, {"hairline": [[400, 250], [800, 250]]}), analysis)
    expected = analysis.region.intersection(box(-1, -1, 1201, 250))
    assert target.region.symmetric_difference(expected).area < 1e-3 * expected.area


BOW_TIE = [[0, 0], [300, 300], [300, 0], [0, 300]]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ('{"region": [[0, 0], [1, 1]', "not valid JSON"),
        ("[[0, 0], [10, 0], [0, 10]]", "must hold a JSON object"),
        ({}, "exactly one of 'region'"),
        ({"region": [[0, 0], [9, 0], [0, 9]], "hairline": [[0, 0], [9, 9]]}, "exactly one of"),
        ({"regions": [[0, 0], [9, 0], [0, 9]]}, "unknown key 'regions'"),
        ({"region": [[0, 0], [10, 10], [0, 0]]}, "at least 3 distinct points"),
        ({"region": [[0, 0], [10, 10], [20, 20]]}, "zero area"),
        ({"region": [[0, 0], [500, 500], [1000, 1000.0001]]}, "zero area"),
        ({"region": BOW_TIE}, "self-intersecting"),
        ({"region": [[5000, 5000], [6000, 5000], [6000, 6000]]}, "entirely outside the photo"),
        ({"region": [[1, 2, 3], [4, 5, 6], [7, 8, 9]]}, r"list of \[x, y\] points"),
        ({"region": [["a", "b"], [1, 2], [3, 4]]}, r"list of \[x, y\] points"),
        ('{"region": [[0, 0], [NaN, 5], [5, 5]]}', "not a finite number"),
        ({"region": [[0, 700], [1199, 700], [1199, 899], [0, 899]]}, "misses the pigmented"),
        ({"hairline": [[0, 0]]}, "at least 2 distinct points"),
        ({"hairline": [[0, 0], [500, 500], [500, 0], [0, 500]]}, "crosses itself"),
        ({"hairline": [[-900, -50], [-100, -50]]}, "hairline lies entirely outside the photo"),
        ({"hairline": [[0, 895], [1199, 895]], "feather_mm": 20}, "feather_mm"),
    ],
)
def test_bad_target_files_get_one_line_errors(analysis, tmp_path, doc, message):
    with pytest.raises(InputError, match=message) as err:
        load_target_file(write(tmp_path, doc), analysis)
    assert "\n" not in str(err.value)


def test_a_hairline_whose_pigmented_side_holds_no_pigment_misses(analysis, tmp_path):
    # The pigment runs out of the photo's top: keep 3 px of bare skin above it for the line.
    analysis = dataclasses.replace(
        analysis, region=analysis.region.intersection(box(-1, 3, 1201, 901))
    )
    top = float(np.asarray(analysis.region.bounds)[1])
    line = [[-10, top - 0.4], [1210, top - 0.4]]
    with pytest.raises(InputError) as err:
        load_target_file(write(tmp_path, {"hairline": line}), analysis)
    assert str(err.value) == MISSES


def test_a_missing_file_is_a_one_line_error(analysis, tmp_path):
    with pytest.raises(InputError, match="cannot read the target file"):
        load_target_file(tmp_path / "nope.json", analysis)
