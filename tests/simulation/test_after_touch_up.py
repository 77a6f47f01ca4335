"""After the touch-up: new impressions fill the touch-up zone to the desired density, feathered."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import LineString, Polygon, box

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import Analysis, analyse_photo
from scalpmap.imaging.detect import Impressions
from scalpmap.imaging.matching import match_points
from scalpmap.imaging.pigment_field import DensityGrid
from scalpmap.imaging.scale import Scale
from scalpmap.planning.zones import Target, Zone, Zones
from scalpmap.simulation import simulate_after_touch_up
from scalpmap.simulation._placement import draw_weighted, feather_ramp, poisson_pool
from scalpmap.simulation.after_touch_up import (
    DEFAULT_DARKNESS,
    DEFAULT_DIAMETER_MM,
    new_dot_spacing_px,
    touch_up_area,
)


def _inside(geometry, xy):
    return shapely.contains_xy(geometry, xy[:, 0], xy[:, 1])


def test_touch_up_reaches_the_desired_density(lowered_case):
    case = lowered_case
    desired = case.zones.desired_density_per_cm2
    area = touch_up_area(case.analysis, case.zones)
    mm = case.analysis.scale.mm_per_px
    area_cm2 = area.area * mm**2 / 100
    assert area_cm2 > 1.0 and len(case.new_xy) > 80
    assert _inside(area, case.new_xy).all()
    found = analyse_photo(case.after_touch_up, mm_per_px=mm).impressions
    density = _inside(area, found.xy).sum() / area_cm2
    assert density == pytest.approx(desired, rel=0.10)
    # The planned count, too: existing + added = desired x area.
    existing = _inside(area, case.analysis.impressions.xy).sum()
    assert existing + len(case.new_xy) == pytest.approx(desired * area_cm2, abs=1.5)


def test_new_dots_keep_their_distance(lowered_case):
    case = lowered_case
    mm = case.analysis.scale.mm_per_px
    new = case.new_xy
    largest = case.analysis.impressions.diameter_mm.max()
    spacing = new_dot_spacing_px(case.zones.desired_density_per_cm2, largest, mm)
    nearest_new = cKDTree(new).query(new, k=2)[0][:, 1]
    nearest_old = cKDTree(case.analysis.impressions.xy).query(new, k=1)[0]
    assert nearest_new.min() >= spacing - 1e-6
    assert nearest_old.min() >= spacing - 1e-6
    assert spacing * mm >= largest + 0.1 - 1e-9  # never touching


def test_density_thins_out_towards_the_new_hairline(lowered_case):
    case = lowered_case
    mm = case.analysis.scale.mm_per_px
    band_px = case.target.feather_mm / mm
    area = touch_up_area(case.analysis, case.zones)
    edge = case.target.edge

    def density(lo, hi):
        strip = area.intersection(edge.buffer(hi * band_px)).difference(edge.buffer(lo * band_px))
        count = _inside(strip, case.new_xy).sum()
        return count / (strip.area * mm**2 / 100), count

    near, n_near = density(0.0, 1 / 3)
    deep, n_deep = density(2 / 3, 1.0)
    assert n_deep > 15
    assert near < 0.5 * deep


def test_new_dots_look_like_the_kept_ones(lowered_case):
    case = lowered_case
    mm = case.analysis.scale.mm_per_px
    found = analyse_photo(case.after_touch_up, mm_per_px=mm).impressions
    match = match_points(case.new_xy, found.xy, tolerance=3.0)
    assert match.recall > 0.9  # they are seen as impressions
    new = found.select(np.isin(np.arange(found.count), match.pairs[:, 1]))
    old = case.analysis.impressions
    assert np.median(new.diameter_mm) == pytest.approx(np.median(old.diameter_mm), rel=0.2)
    assert np.median(new.darkness) == pytest.approx(np.median(old.darkness), rel=0.15)
    tone_new = np.median(new.contrast_rgb / new.contrast_rgb.mean(1, keepdims=True), axis=0)
    tone_old = np.median(old.contrast_rgb / old.contrast_rgb.mean(1, keepdims=True), axis=0)
    assert np.abs(tone_new - tone_old).max() < 0.1


def test_outside_the_touch_up_zone_nothing_changes(lowered_case):
    case = lowered_case
    changed = np.any(case.after_touch_up != case.after_laser, axis=2)
    rows, cols = np.nonzero(changed)
    grown = touch_up_area(case.analysis, case.zones).buffer(
        0.5 * case.analysis.impressions.diameter_mm.max() / case.analysis.scale.mm_per_px + 4
    )
    assert changed.any() and shapely.contains_xy(grown, cols, rows).all()


def test_same_seed_same_picture(lowered_case):
    case = lowered_case
    again, xy = simulate_after_touch_up(case.after_laser, case.analysis, case.zones, case.target)
    assert np.array_equal(again, case.after_touch_up) and np.array_equal(xy, case.new_xy)
    other, other_xy = simulate_after_touch_up(
        case.after_laser, case.analysis, case.zones, case.target, seed=1
    )
    assert not np.array_equal(other_xy, case.new_xy)


def _bare_analysis(shape=(300, 400), mm=0.03, n=0):
    rows, cols = shape
    xy = np.column_stack([np.linspace(20, 380, n), np.full(n, 20.0)])
    return Analysis(
        shape=shape,
        scale=Scale(mm_per_px=mm, source="given"),
        mode="impressions",
        mode_reason="test",
        impressions=Impressions(xy, np.full(n, 0.2), np.full(n, 0.7), np.full((n, 3), 0.7)),
        region=box(0, 0, cols, 40),
        hairline_xy=np.zeros((0, 2)),
        density=DensityGrid(cell_mm=5.0, cell_px=5 / mm, per_cm2=np.full((1, 1), np.nan)),
        coverage_percent=0.0,
        analysed_area=box(-0.5, -0.5, cols - 0.5, rows - 0.5),
        ink_tone="neutral",
    )


def _zones(touch, desired):
    return Zones(
        removal=Zone("removal", Polygon(), 0.0, 0),
        keep=Zone("keep", Polygon(), 0.0, 0),
        touch_up=Zone("touch_up", touch, 1.0, 0),
        desired_density_per_cm2=desired,
    )


def test_without_measured_impressions_the_default_dots_are_drawn():
    analysis = _bare_analysis()
    photo = np.full((300, 400, 3), (200, 160, 140), np.uint8)
    touch = box(50, 80, 350, 260)
    target = Target(template="custom", region=touch)
    picture, xy = simulate_after_touch_up(photo, analysis, _zones(touch, 150.0), target)
    area_cm2 = touch.area * 0.03**2 / 100
    assert len(xy) == round(150 * area_cm2)
    found = analyse_photo(picture, mm_per_px=0.03).impressions
    assert match_points(xy, found.xy, tolerance=2.0).recall > 0.9
    assert np.median(found.diameter_mm) == pytest.approx(DEFAULT_DIAMETER_MM, rel=0.2)
    assert np.median(found.darkness) == pytest.approx(DEFAULT_DARKNESS, rel=0.15)
    spread = np.ptp(found.contrast_rgb, axis=1)  # neutral black: all channels alike
    assert np.median(spread) < 0.1


@pytest.mark.parametrize("desired", [None, 150.0])
def test_nothing_to_add_returns_the_input(desired):
    analysis = _bare_analysis()
    photo = np.full((300, 400, 3), 180, np.uint8)
    touch = Polygon() if desired else box(50, 80, 350, 260)
    target = Target(template="custom", region=box(50, 80, 350, 260))
    picture, xy = simulate_after_touch_up(photo, analysis, _zones(touch, desired), target)
    assert picture is photo and xy.shape == (0, 2)


def test_a_zone_already_dense_enough_gets_nothing():
    analysis = _bare_analysis(n=40)  # 40 impressions in a 0.04 cm² strip: 1000 per cm²
    photo = np.full((300, 400, 3), 180, np.uint8)
    touch = box(0, 0, 400, 40)
    picture, xy = simulate_after_touch_up(
        photo, analysis, _zones(touch, 100.0), Target(template="custom", region=touch)
    )
    assert picture is photo and len(xy) == 0


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (np.zeros((300, 400, 3), np.int16), "uint8"),
        (np.zeros((300, 400, 4), np.uint8), "shape"),
        (np.zeros((301, 400, 3), np.uint8), "pass the analysed photo"),
    ],
)
def test_bad_pictures_are_refused(bad, message):
    analysis = _bare_analysis()
    touch = box(50, 80, 350, 260)
    with pytest.raises(InputError, match=message):
        simulate_after_touch_up(
            bad, analysis, _zones(touch, 100.0), Target(template="custom", region=touch)
        )


def test_poisson_pool_respects_the_spacing_and_fills_the_area():
    rng = np.random.default_rng(3)
    area = box(0, 0, 300, 200).difference(box(100, 50, 200, 150))
    existing = np.array([[50.0, 100.0], [250.0, 100.0]])
    pool = poisson_pool(area, 12.0, existing, rng)
    assert _inside(area, pool).all()
    assert cKDTree(pool).query(pool, k=2)[0][:, 1].min() >= 12.0
    assert cKDTree(existing).query(pool)[0].min() >= 12.0
    # Dense enough to draw from: well over one point per 2 spacings squared.
    assert len(pool) > area.area / (2 * 12.0**2)


def test_feather_ramp_and_weighted_draw():
    line = LineString([(0, 0), (100, 0)])
    ramp = feather_ramp(np.array([[50.0, 0.0], [50.0, 5.0], [50.0, 20.0]]), line, 10.0)
    assert ramp == pytest.approx([0.0, 0.5, 1.0], abs=0.05)
    assert feather_ramp(np.zeros((2, 2)), LineString(), 10.0).tolist() == [1.0, 1.0]
    rng = np.random.default_rng(0)
    weights = np.r_[np.full(1000, 0.1), np.full(1000, 1.0)]
    drawn = draw_weighted(weights, 500, rng)
    assert len(set(drawn.tolist())) == 500
    assert (drawn >= 1000).mean() > 0.8  # heavier weights first
    assert math.isclose(len(draw_weighted(weights, 5000, rng)), 2000)
