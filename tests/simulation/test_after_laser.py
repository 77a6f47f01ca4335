"""After the laser: the removal zone's impressions are healed away, and nothing else changes."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import Analysis, analyse_photo
from scalpmap.imaging.detect import Impressions
from scalpmap.imaging.matching import match_points
from scalpmap.imaging.pigment_field import DensityGrid
from scalpmap.imaging.scale import Scale
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.planning.templates import make_target
from scalpmap.planning.zones import Zone, Zones, compute_zones
from scalpmap.simulation import simulate_after_laser
from scalpmap.simulation._canvas import MAX_GROW_PX, RIM_PX
from scalpmap.simulation.after_laser import fill_radius_px


def _luma(rgb):
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float64)


def _erased(case):
    found = case.analysis.impressions
    return shapely.contains_xy(case.zones.removal.geometry, found.xy[:, 0], found.xy[:, 1])


def test_removal_zone_impressions_are_gone(mature_case):
    erased = _erased(mature_case)
    assert erased.sum() > 100
    mm = mature_case.analysis.scale.mm_per_px
    again = analyse_photo(mature_case.after_laser, mm_per_px=mm).impressions
    match = match_points(mature_case.analysis.impressions.xy[erased], again.xy, tolerance=3.0)
    assert len(match.pairs) / erased.sum() < 0.02
    # The kept impressions are all still there.
    kept = mature_case.analysis.impressions.xy[~erased]
    assert match_points(kept, again.xy, tolerance=3.0).recall > 0.9


def test_only_pixels_near_erased_impressions_change(mature_case):
    found = mature_case.analysis.impressions
    erased = _erased(mature_case)
    mm = mature_case.analysis.scale.mm_per_px
    reach = fill_radius_px(found.diameter_mm[erased], mm) + MAX_GROW_PX + RIM_PX + 1.0
    changed = np.any(mature_case.after_laser != mature_case.rgb, axis=2)
    assert changed.any()
    rows, cols = np.nonzero(changed)
    distance = np.full(len(rows), np.inf)
    for (x, y), r in zip(found.xy[erased], reach, strict=True):
        distance = np.minimum(distance, np.hypot(cols - x, rows - y) - r)
    assert distance.max() <= 0.0
    # In particular nothing changes outside the removal zone but the healed disks' rims.
    grown = mature_case.zones.removal.geometry.buffer(float(reach.max()))
    assert shapely.contains_xy(grown, cols, rows).all()


def test_healed_skin_keeps_its_texture(mature_case):
    """No smear: the healed disks are as noisy and as bright as the skin ring around them."""
    found = mature_case.analysis.impressions
    erased = np.flatnonzero(_erased(mature_case))
    mm = mature_case.analysis.scale.mm_per_px
    before, after = _luma(mature_case.rgb), _luma(mature_case.after_laser)
    fine = after - cv2.GaussianBlur(after, (0, 0), 2.0)  # texture without shading
    rows, cols = before.shape
    yy, xx = np.mgrid[0:rows, 0:cols]
    others = found.xy
    std_ratio, level_ratio = [], []
    for i in erased[:150]:
        x, y = found.xy[i]
        r = float(fill_radius_px(found.diameter_mm[i : i + 1], mm)[0])
        x0, x1, y0, y1 = int(x - r - 8), int(x + r + 9), int(y - r - 8), int(y + r + 9)
        if x0 < 0 or y0 < 0 or x1 > cols or y1 > rows:
            continue
        d = np.hypot(xx[y0:y1, x0:x1] - x, yy[y0:y1, x0:x1] - y)
        near = np.min(np.hypot(*(others - (x, y)).T)[np.arange(len(others)) != i])
        if near < r + 12:
            continue  # judge isolated impressions only: their ring is plain skin
        disk, ring = d <= r, (d > r + 2) & (d <= r + 7)
        patch_fine, patch = fine[y0:y1, x0:x1], after[y0:y1, x0:x1]
        std_ratio.append(patch_fine[disk].std() / patch_fine[ring].std())
        level_ratio.append(patch[disk].mean() / patch[ring].mean())
    assert len(std_ratio) > 20
    assert 0.5 < np.median(std_ratio) < 1.5
    assert np.percentile(std_ratio, 10) > 0.4  # not a single smeared blob among them
    assert abs(np.median(level_ratio) - 1.0) < 0.02
    assert np.percentile(np.abs(np.array(level_ratio) - 1.0), 90) < 0.05


def test_smeared_inpainting_fails_the_texture_measure(mature_case):
    """The texture measure above does catch a smear (plain cv2.inpaint)."""
    found = mature_case.analysis.impressions
    mm = mature_case.analysis.scale.mm_per_px
    mask = np.zeros(mature_case.rgb.shape[:2], np.uint8)
    radius = fill_radius_px(found.diameter_mm, mm)
    for (x, y), r in zip(found.xy, radius, strict=True):
        cv2.circle(mask, (int(round(x)), int(round(y))), int(np.ceil(r)), 1, -1)
    smeared = _luma(cv2.inpaint(mature_case.rgb, mask, 3, cv2.INPAINT_TELEA))
    fine = smeared - cv2.GaussianBlur(smeared, (0, 0), 2.0)
    healed = _luma(mature_case.after_laser)
    fine_healed = healed - cv2.GaussianBlur(healed, (0, 0), 2.0)
    yy, xx = np.mgrid[0 : mask.shape[0], 0 : mask.shape[1]]
    inside = mask.astype(bool) & shapely.contains_xy(mature_case.zones.removal.geometry, xx, yy)
    assert inside.sum() > 1000
    assert fine[inside].std() < 0.6 * fine_healed[inside].std()


def _hair_photo():
    """Plain skin with one hair and one impression on it; the analysis and zones by hand."""
    rgb = np.full((200, 240, 3), (205, 160, 135), np.uint8)
    noise = np.random.default_rng(1).normal(0, 3, rgb.shape)
    rgb = np.clip(rgb + noise, 0, 255).astype(np.uint8)
    cv2.line(rgb, (40, 100), (200, 100), (90, 70, 60), 3, cv2.LINE_AA)
    cv2.circle(rgb, (120, 100), 6, (40, 40, 48), -1, cv2.LINE_AA)
    rgb = cv2.GaussianBlur(rgb, (0, 0), 0.7)
    mm = 0.03
    area = box(-0.5, -0.5, 239.5, 199.5)
    analysis = Analysis(
        shape=(200, 240),
        scale=Scale(mm_per_px=mm, source="given"),
        mode="impressions",
        mode_reason="test",
        impressions=Impressions(
            np.array([[120.0, 100.0]]), np.array([12 * mm]), np.array([0.75]), np.zeros((1, 3))
        ),
        region=box(60, 60, 180, 140),
        hairline_xy=np.zeros((0, 2)),
        density=DensityGrid(cell_mm=5.0, cell_px=5 / mm, per_cm2=np.full((2, 2), np.nan)),
        coverage_percent=0.0,
        analysed_area=area,
        ink_tone="neutral",
    )
    empty = Zone("keep", Polygon(), 0.0, 0)
    zones = Zones(
        removal=Zone("removal", box(60, 60, 180, 140), 1.0, 1),
        keep=empty,
        touch_up=Zone("touch_up", Polygon(), 0.0, 0),
        desired_density_per_cm2=None,
    )
    return rgb, analysis, zones


def test_a_hair_through_an_impression_is_kept():
    rgb, analysis, zones = _hair_photo()
    after = simulate_after_laser(rgb, analysis, zones)
    before_luma, after_luma = _luma(rgb), _luma(after)
    skin = np.median(before_luma)
    # The impression's darkness is gone beside the hair...
    assert after_luma[92:95, 116:124].mean() > skin - 6
    assert after_luma[105:108, 116:124].mean() > skin - 6
    # ...but the hair runs on through where it was, as dark as elsewhere along it.
    hair_elsewhere = before_luma[99:102, 60:80].mean()
    hair_here = after_luma[99:102, 116:125].mean()
    assert abs(hair_here - hair_elsewhere) < 0.25 * (skin - hair_elsewhere)


def test_nothing_to_remove_returns_an_equal_copy(lowered_case):
    assert lowered_case.zones.removal.geometry.is_empty
    assert np.array_equal(lowered_case.after_laser, lowered_case.rgb)
    assert lowered_case.after_laser is not lowered_case.rgb


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (np.zeros((90, 120, 3), np.float32), "uint8"),
        (np.zeros((90, 120), np.uint8), "shape"),
        (np.zeros((90, 120, 3), np.uint8), "pass the analysed photo"),
        ([[1, 2, 3]], "numpy"),
    ],
)
def test_bad_pictures_are_refused(mature_case, bad, message):
    with pytest.raises(InputError, match=message):
        simulate_after_laser(bad, mature_case.analysis, mature_case.zones)


def _coverage_case():
    options = SynthOptions(seed=4, view="front", width_px=1000, height_px=750)
    rgb, truth = generate_scalp_photo(options)
    analysis = analyse_photo(rgb, mm_per_px=truth.mm_per_px)
    target = make_target(analysis, "mature", age=45)
    return rgb, truth, analysis, compute_zones(analysis, target)


def _dot_contrast(luma, xy):
    """Darkening at each dot centre against the local median (the skin without the specks)."""
    reference = cv2.medianBlur(np.clip(luma, 0, 255).astype(np.uint8), 9).astype(np.float64)
    cols, rows = np.round(xy[:, 0]).astype(int), np.round(xy[:, 1]).astype(int)
    return 1.0 - luma[rows, cols] / np.maximum(reference[rows, cols], 1.0)


def test_coverage_mode_lightens_the_zone_to_the_skin_and_keeps_texture():
    rgb, truth, analysis, zones = _coverage_case()
    assert analysis.mode == "coverage" and zones.removal.area_cm2 > 1.0
    after = simulate_after_laser(rgb, analysis, zones)
    rows, cols = rgb.shape[:2]
    yy, xx = np.mgrid[0:rows, 0:cols]
    zone = shapely.contains_xy(zones.removal.geometry.buffer(-3), xx, yy)
    rim = zones.removal.geometry.buffer(2.0)
    outside = ~shapely.contains_xy(rim, xx, yy)
    assert np.array_equal(after[outside], rgb[outside])  # a 2 px rim at most
    before_luma, after_luma = _luma(rgb), _luma(after)
    bare = shapely.contains_xy(analysis.analysed_area, xx, yy) & ~shapely.contains_xy(
        analysis.region.buffer(40), xx, yy
    )
    # The specks of ink are gone: the true impressions in the zone barely darken the skin now.
    dots = truth.impressions[:, :2]
    dots = dots[shapely.contains_xy(zones.removal.geometry.buffer(-3), dots[:, 0], dots[:, 1])]
    assert len(dots) > 100
    before_dots, after_dots = _dot_contrast(before_luma, dots), _dot_contrast(after_luma, dots)
    # (Most of them: where the zone crosses the forehead's shine, a speck that stands out less
    # than the skin's noise there is left, as the laser's result cannot be told from it.)
    assert np.mean(after_dots) < 0.45 * np.mean(before_dots)
    # Lighter, and the skin's fine texture is still there (not flattened).
    assert after_luma[zone].mean() > before_luma[zone].mean()
    fine_after = after_luma - cv2.GaussianBlur(after_luma, (0, 0), 2.0)
    fine_before = before_luma - cv2.GaussianBlur(before_luma, (0, 0), 2.0)
    assert fine_after[zone].std() > 0.5 * fine_before[bare].std()


def test_mature_case_of_another_photo_is_removed_cleanly(case_factory):
    options = SynthOptions(seed=5, width_px=900, height_px=700, mm_per_px=0.03, fitzpatrick=5)
    case = case_factory(*generate_scalp_photo(options), "mature")
    erased = _erased(case)
    again = analyse_photo(case.after_laser, mm_per_px=0.03).impressions
    match = match_points(case.analysis.impressions.xy[erased], again.xy, tolerance=3.0)
    assert erased.sum() > 30 and len(match.pairs) <= 0.02 * erased.sum()


def test_changes_stay_inside_a_custom_removal_strip(mature_case):
    """A removal zone that cuts through the pigment: kept impressions beside it stay whole."""
    analysis = mature_case.analysis
    x0, y0, x1, y1 = analysis.region.bounds
    strip = box(x0, y0, x0 + (x1 - x0) / 2, y1).intersection(analysis.region)
    zones = Zones(
        removal=Zone("removal", strip, 1.0, 1),
        keep=Zone("keep", analysis.region.difference(strip), 1.0, 1),
        touch_up=Zone("touch_up", Polygon(), 0.0, 0),
        desired_density_per_cm2=None,
    )
    after = simulate_after_laser(mature_case.rgb, analysis, zones)
    found = analysis.impressions
    kept = ~shapely.contains_xy(strip, found.xy[:, 0], found.xy[:, 1])
    assert 20 < kept.sum() < found.count - 20
    mm = analysis.scale.mm_per_px
    on_kept = np.zeros(after.shape[:2], dtype=np.uint8)
    for (x, y), d in zip(found.xy[kept], found.diameter_mm[kept], strict=True):
        centre, radius = (round(x * 16), round(y * 16)), round((d / 2 / mm + 0.5) * 16)
        cv2.circle(on_kept, centre, radius, 1, -1, cv2.LINE_8, 4)
    assert np.array_equal(after[on_kept > 0], mature_case.rgb[on_kept > 0])
    assert not np.array_equal(after, mature_case.rgb)


def test_an_impression_on_the_head_s_outline_is_healed_on_the_skin_only():
    """A dot on the edge of the analysed area (the head against a wall): no skin over the wall."""
    rng = np.random.default_rng(3)
    rgb = np.full((200, 240, 3), (205, 160, 135), np.float64)
    rgb[:100] = (200, 205, 212)  # the wall above the head
    rgb = rgb + rng.normal(0, 3, rgb.shape)
    cv2.circle(rgb, (120, 102), 6, (40, 40, 48), -1, cv2.LINE_AA)  # a third over the outline
    rgb = cv2.GaussianBlur(np.clip(rgb, 0, 255).astype(np.uint8), (0, 0), 0.7)
    _, analysis, zones = _hair_photo()
    head = box(-0.5, 99.5, 239.5, 199.5)
    dot = Impressions(
        np.array([[120.0, 102.0]]), np.array([0.36]), np.array([0.75]), np.zeros((1, 3))
    )
    analysis = dataclasses.replace(
        analysis, impressions=dot, analysed_area=head, region=box(60, 100, 180, 160)
    )
    zones = dataclasses.replace(zones, removal=Zone("removal", box(60, 100, 180, 160), 1.0, 1))
    after = simulate_after_laser(rgb, analysis, zones)
    wall = np.zeros(rgb.shape[:2], bool)
    wall[:100] = True
    assert np.array_equal(after[wall], rgb[wall])  # the wall is left as it was
    skin = np.median(_luma(rgb)[150:, :])
    assert _luma(after)[101:108, 115:126].mean() > skin - 6  # the dot's skin side is healed
