"""Removal, keep and touch-up zones: geometry invariants (hypothesis) and impression counts."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiPoint, Polygon, box

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import Analysis, DensityGrid, analyse_photo
from scalpmap.imaging.detect import Impressions
from scalpmap.imaging.scale import Scale
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.planning.geometry import GRID_PX, SLIVER_PX2
from scalpmap.planning.target_file import clip_region_to_line
from scalpmap.planning.templates import make_target
from scalpmap.planning.zones import Target, compute_zones

SHAPE = (600, 800)
MM = 0.05
CELL_PX = 100.0


def fake_analysis(region, xy, *, hairline=None, mode="impressions"):
    """An analysis with a known region, impressions and density grid."""
    rows, cols = SHAPE
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    n_rows, n_cols = math.ceil(rows / CELL_PX), math.ceil(cols / CELL_PX)
    counts, _, _ = np.histogram2d(
        xy[:, 1], xy[:, 0], bins=(n_rows, n_cols), range=((-0.5, rows - 0.5), (-0.5, cols - 0.5))
    )
    per_cm2 = counts / (CELL_PX * MM / 10) ** 2
    if mode == "coverage":
        per_cm2 = np.full_like(per_cm2, np.nan)
    n = len(xy)
    return Analysis(
        shape=SHAPE,
        scale=Scale(mm_per_px=MM, source="given"),
        mode=mode,
        mode_reason="test",
        impressions=Impressions(xy, np.full(n, 0.15), np.full(n, 0.6), np.zeros((n, 3))),
        region=region,
        hairline_xy=np.zeros((0, 2)) if hairline is None else np.asarray(hairline, float),
        density=DensityGrid(cell_mm=CELL_PX * MM, cell_px=CELL_PX, per_cm2=per_cm2),
        coverage_percent=0.0,
        analysed_area=box(-0.5, -0.5, cols - 0.5, rows - 0.5),
        ink_tone="neutral",
    )


def uniform_points(region, n, seed):
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = region.bounds
    xy = np.column_stack([rng.uniform(x0, x1, 8 * n), rng.uniform(y0, y1, 8 * n)])
    return xy[shapely.contains_xy(region, xy[:, 0], xy[:, 1])][:n]


def check_invariants(analysis, target, zones):
    region = analysis.region
    removal, keep, touch = (z.geometry for z in (zones.removal, zones.keep, zones.touch_up))
    # Each of the three zones may drop overlay slivers under SLIVER_PX2, by design.
    tolerance = 1e-3 * max(region.area, 1.0) + 3 * SLIVER_PX2

    def disjoint(a, b) -> bool:  # at the zones' precision: GRID_PX along their outlines
        allowed = 1e-6 * max(region.area, 1.0) + GRID_PX * (a.length + b.length)
        return shapely.intersection(a, b, grid_size=GRID_PX).area <= allowed

    for a, b in ((removal, keep), (removal, touch), (keep, touch)):
        assert disjoint(a, b)
    assert disjoint(removal, target.region)
    covered = shapely.union_all([removal, keep, touch.intersection(region)])
    assert covered.symmetric_difference(region).area <= tolerance
    parts = removal.area + shapely.union(keep, touch).intersection(region).area
    assert parts == pytest.approx(region.area, rel=1e-3, abs=3 * SLIVER_PX2)
    assert touch.difference(target.region).area <= tolerance
    counted = zones.removal.impressions + zones.keep.impressions + zones.touch_up.impressions
    assert counted == analysis.impressions_in_region
    assert zones.touch_up.impressions_to_add >= 0
    px_cm2 = MM**2 / 100
    for zone in (zones.removal, zones.keep, zones.touch_up):
        assert zone.area_cm2 == pytest.approx(zone.geometry.area * px_cm2)


coordinates = st.tuples(st.integers(0, 8000), st.integers(0, 6000)).map(
    lambda p: (p[0] / 10, p[1] / 10)
)


@st.composite
def polygons(draw):
    """A convex hull of random points, or a buffered random walk (concave)."""
    if draw(st.booleans()):
        points = draw(st.lists(coordinates, min_size=3, max_size=12))
        shape = MultiPoint(points).convex_hull
    else:
        start = np.array(draw(coordinates))
        step = st.tuples(st.integers(-150, 150), st.integers(-150, 150))
        steps = draw(st.lists(step, min_size=1, max_size=8))
        walk = start + np.cumsum(np.vstack([[0, 0], steps]), axis=0)
        shape = LineString(walk).buffer(draw(st.integers(10, 80)))
    shape = shape.intersection(box(0, 0, 800, 600))
    if not isinstance(shape, Polygon) or shape.area < 500:
        shape = box(100, 100, 500, 400)
    return shape


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    region=polygons(),
    goal=polygons(),
    n=st.integers(0, 300),
    seed=st.integers(0, 2**16),
    feather=st.sampled_from([0.0, 1.5, 4.0]),
    desired=st.one_of(st.none(), st.integers(10, 500).map(float)),
)
def test_zones_partition_the_region_for_random_targets(region, goal, n, seed, feather, desired):
    xy = np.vstack([uniform_points(region, n, seed), uniform_points(box(0, 0, 800, 600), 20, seed)])
    analysis = fake_analysis(region, xy)
    target = Target(template="custom", region=goal, edge=goal.exterior, feather_mm=feather)
    zones = compute_zones(analysis, target, desired_density_per_cm2=desired)
    check_invariants(analysis, target, zones)


@settings(max_examples=50, deadline=None)
@given(
    region=polygons(),
    point=coordinates,
    angle=st.integers(0, 359).map(math.radians),
    n=st.integers(0, 300),
    seed=st.integers(0, 2**16),
)
def test_zones_partition_the_region_for_random_half_planes(region, point, angle, n, seed):
    xy = uniform_points(region, n, seed)
    direction = np.array([math.cos(angle), math.sin(angle)])
    line = np.array([np.array(point) - 50 * direction, np.array(point) + 50 * direction])
    analysis = fake_analysis(region, xy, hairline=line)
    goal, _side = clip_region_to_line(analysis, line)
    target = Target(template="custom", region=goal, edge=LineString(line), feather_mm=1.5)
    zones = compute_zones(analysis, target)
    check_invariants(analysis, target, zones)
    # The half-plane keeps the side where the region lies "beyond" its own hairline.
    assert goal.difference(region).area < 1e-3  # a thousandth of a pixel: rounding


def test_thin_cells_and_bare_skin_are_touched_up():
    region = box(0, 0, 800, 400)
    dense = uniform_points(box(0, 0, 600, 400), 6000, 1)  # 6000 / 6 cm2 = 1000 per cm2
    sparse = uniform_points(box(600, 0, 800, 400), 400, 2)  # 200 per cm2
    analysis = fake_analysis(region, np.vstack([dense, sparse]))
    goal = box(0, 0, 800, 500)  # reaches 100 px (5 mm) into bare skin
    target = Target(template="custom", region=goal, edge=LineString(), feather_mm=0.0)
    zones = compute_zones(analysis, target)
    touch = zones.touch_up.geometry
    assert touch.contains(box(610, 10, 790, 390))  # the sparse quarter
    assert touch.contains(box(10, 410, 790, 490))  # the bare strip
    assert zones.keep.geometry.contains(box(10, 10, 590, 390))
    desired = zones.desired_density_per_cm2
    assert desired == pytest.approx(1000, rel=0.1)
    existing = zones.touch_up.impressions
    expected = desired * zones.touch_up.area_cm2 - existing
    assert zones.touch_up.impressions_to_add == pytest.approx(expected, abs=1)
    assert zones.removal.area_cm2 == 0
    check_invariants(analysis, target, zones)


def test_feathered_band_runs_inside_the_new_hairline():
    region = box(0, 0, 800, 400)
    analysis = fake_analysis(region, uniform_points(region, 2000, 3))
    line = np.array([[0.0, 200.0], [800.0, 200.0]])
    target = Target(
        template="custom", region=box(0, 0, 800, 200), edge=LineString(line), feather_mm=2.0
    )
    zones = compute_zones(analysis, target, desired_density_per_cm2=100.0)
    band_px = 2.0 / MM
    assert zones.touch_up.geometry.area == pytest.approx(800 * band_px, rel=0.01)
    assert zones.touch_up.geometry.bounds[1] == pytest.approx(200 - band_px)
    assert zones.removal.geometry.equals(box(0, 200, 800, 400))


def test_coverage_mode_has_no_density_unless_given():
    region = box(0, 0, 800, 400)
    analysis = fake_analysis(region, np.zeros((0, 2)), mode="coverage")
    target = Target(template="custom", region=box(0, 0, 800, 500), edge=LineString())
    zones = compute_zones(analysis, target)
    assert zones.desired_density_per_cm2 is None and zones.touch_up.impressions_to_add == 0
    given_zones = compute_zones(analysis, target, desired_density_per_cm2=50.0)
    bare_cm2 = 800 * 100 * MM**2 / 100
    assert given_zones.touch_up.impressions_to_add == round(50 * bare_cm2)


@pytest.mark.parametrize("desired", [0.0, -5.0, math.nan, 5000.0])
def test_bad_desired_density_is_refused(desired):
    analysis = fake_analysis(box(0, 0, 10, 10), np.zeros((0, 2)))
    with pytest.raises(InputError, match="desired density"):
        compute_zones(
            analysis,
            Target(template="custom", region=box(0, 0, 5, 5)),
            desired_density_per_cm2=desired,
        )


def test_json_has_rings_of_points():
    region = box(0, 0, 800, 400)
    analysis = fake_analysis(region, uniform_points(region, 500, 4))
    target = Target(
        template="custom", region=box(100, 100, 300, 300).difference(box(150, 150, 200, 200))
    )
    doc = compute_zones(analysis, target).to_json()
    json.dumps(doc)
    assert set(doc) == {"removal", "keep", "touch_up", "desired_density_per_cm2", "notes"}
    rings = doc["removal"]["polygons"][0]
    assert len(rings) == 2  # the exterior and the hole where the target lies
    assert all(len(point) == 2 for ring in rings for point in ring)
    assert doc["touch_up"]["impressions_to_add"] >= 0


@pytest.mark.parametrize("template", ["keep", "soften", "mature"])
def test_zones_of_templates_on_a_synthetic_photo(template):
    options = SynthOptions(seed=7, width_px=1200, height_px=900, mm_per_px=0.035, marker=False)
    photo, _truth = generate_scalp_photo(options)
    analysis = analyse_photo(photo, mm_per_px=0.035)
    target = make_target(analysis, template, age=28)
    zones = compute_zones(analysis, target)
    counted = zones.removal.impressions + zones.keep.impressions + zones.touch_up.impressions
    assert counted == analysis.impressions_in_region > 100
    covered = zones.removal.area_cm2 + (
        shapely.union(zones.keep.geometry, zones.touch_up.geometry)
        .intersection(analysis.region)
        .area
        * 0.035**2
        / 100
    )
    assert covered == pytest.approx(analysis.region_area_cm2, rel=1e-3)
    if template == "mature":
        assert zones.removal.area_cm2 > 0.5 and zones.removal.impressions > 10
