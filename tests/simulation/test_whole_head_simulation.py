"""Whole-head simulations: the change shows at the size a report prints it, and stays plausible.

A whole-head photo is analysed in coverage mode (single impressions not resolved). The reports
print each simulated picture about a third of a page wide; these tests look at the pictures at
that size (``PAGE_WIDTH_PX``), framed as the reports frame them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import cv2
import numpy as np
import pytest
import shapely
from numpy.typing import NDArray

from scalpmap.imaging.analysis import Analysis, analyse_photo
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.planning.plan import Plan, PlanOptions, build_plan
from scalpmap.simulation import simulate_after_laser, simulate_after_touch_up
from scalpmap.simulation._coverage import max_gain
from scalpmap.simulation._patches import polygon_mask
from scalpmap.simulation.framing import WHOLE_PHOTO_SHARE, crop, scalp_frame

PAGE_WIDTH_PX = 330  # a third of an A4 text column at 150 dpi: one picture of a row of three


@dataclass(frozen=True)
class Simulated:
    rgb: NDArray[np.uint8]
    analysis: Analysis
    plan: Plan
    after_laser: NDArray[np.uint8]
    after_touch_up: NDArray[np.uint8]
    new_xy: NDArray[np.float64]


@pytest.fixture(scope="module")
def whole_head() -> tuple[NDArray[np.uint8], Analysis]:
    # A phone photo of the whole head (0.18 mm/px: the head is a third of the frame), without
    # shaved natural hair, so that every speck on the scalp is pigment.
    options = SynthOptions(
        seed=5, view="front", width_px=1600, height_px=1200, mm_per_px=0.18, fitzpatrick=3
    )
    rgb, _truth = generate_scalp_photo(dataclasses.replace(options, natural_hair=False))
    analysis = analyse_photo(rgb)
    assert analysis.mode == "coverage"
    return rgb, analysis


def _simulate(rgb: NDArray[np.uint8], analysis: Analysis, template: str) -> Simulated:
    plan = build_plan(rgb, analysis, PlanOptions(template=template, age=60, skin_type=3))
    after_laser = simulate_after_laser(rgb, analysis, plan.zones)
    after_touch_up, new_xy = simulate_after_touch_up(after_laser, analysis, plan.zones, plan.target)
    return Simulated(rgb, analysis, plan, after_laser, after_touch_up, new_xy)


@pytest.fixture(scope="module")
def mature(whole_head) -> Simulated:
    return _simulate(*whole_head, "mature")


@pytest.fixture(scope="module")
def soften(whole_head) -> Simulated:
    return _simulate(*whole_head, "soften")


def _at_page(picture: NDArray[np.uint8], frame) -> NDArray[np.float64]:
    framed = crop(picture, frame)
    height = round(framed.shape[0] * PAGE_WIDTH_PX / framed.shape[1])
    small = cv2.resize(framed, (PAGE_WIDTH_PX, height), interpolation=cv2.INTER_AREA)
    return np.asarray(small, dtype=np.float64).mean(axis=2)


def _zone_at_page(sim: Simulated, geometry, frame) -> NDArray[np.bool_]:
    mask = polygon_mask(geometry, sim.rgb.shape[:2]).astype(np.uint8) * 255
    framed = crop(np.dstack([mask] * 3), frame)[..., 0]
    height = round(framed.shape[0] * PAGE_WIDTH_PX / framed.shape[1])
    small = cv2.resize(np.ascontiguousarray(framed), (PAGE_WIDTH_PX, height), cv2.INTER_AREA)
    return np.asarray(small >= 250)


def _texture(luma: NDArray[np.float64]) -> NDArray[np.float64]:
    """The fine texture a page shows: the picture less its 2-pixel blur."""
    return np.abs(luma - cv2.GaussianBlur(luma, (0, 0), 2.0))


def test_the_reports_frame_the_scalp_of_a_whole_head(mature: Simulated) -> None:
    frame = scalp_frame(mature.analysis, mature.plan.zones, mature.plan.target)
    assert frame is not None
    x0, y0, x1, y1 = frame
    rows, cols = mature.rgb.shape[:2]
    assert (x1 - x0) * (y1 - y0) < WHOLE_PHOTO_SHARE * rows * cols
    assert abs((x1 - x0) / (y1 - y0) - cols / rows) < 0.01  # the photo's proportions
    # Every zone lies inside the frame.
    bx0, by0, bx1, by1 = mature.analysis.region.bounds
    assert x0 <= bx0 and y0 <= by0 and bx1 <= x1 and by1 <= y1
    # The removal zone takes clearly more of the page than it took in the whole photo (at least
    # 1.5 times: the frame holds the whole pigmented region, ears and temples included).
    whole = _zone_at_page(mature, mature.plan.zones.removal.geometry, None).sum()
    framed = _zone_at_page(mature, mature.plan.zones.removal.geometry, frame).sum()
    assert framed >= 1.5 * whole > 0


def test_after_the_laser_the_removal_zone_visibly_loses_its_pigment(mature: Simulated) -> None:
    frame = scalp_frame(mature.analysis, mature.plan.zones, mature.plan.target)
    # Well inside the zone (2 mm), so that the zone's soft rim does not count.
    inner = mature.plan.zones.removal.geometry.buffer(-2.0 / mature.analysis.scale.mm_per_px)
    zone = _zone_at_page(mature, inner, frame)
    assert zone.sum() >= 1500  # a patch about 40 x 40 px of the printed picture, at least
    before, after = _at_page(mature.rgb, frame), _at_page(mature.after_laser, frame)
    # The pigment's speckle is gone: the fine texture falls by more than a third...
    assert _texture(after)[zone].mean() < 0.67 * _texture(before)[zone].mean()
    # ... and the zone is lighter, but by no more than the pigment could darken it.
    lift = after[zone].mean() / before[zone].mean()
    assert 1.01 < lift < max_gain(mature.analysis) + 0.05
    # Outside the zone (and its 2 px rim) nothing changes.
    outer = ~polygon_mask(mature.plan.zones.removal.geometry.buffer(3), mature.rgb.shape[:2])
    assert np.array_equal(mature.rgb[outer], mature.after_laser[outer])


def test_the_touch_up_fills_unpigmented_target_with_dots_like_the_kept_ones(
    soften: Simulated,
) -> None:
    fill = soften.plan.zones.touch_up.geometry.difference(soften.analysis.region)
    if fill.area * soften.analysis.scale.mm_per_px**2 < 100:  # under 1 cm² to fill
        pytest.skip("this plan leaves no unpigmented target to fill")
    assert len(soften.new_xy) > 0
    mm = soften.analysis.scale.mm_per_px
    near_fill = fill.buffer(1.0)
    assert shapely.contains_xy(near_fill, soften.new_xy[:, 0], soften.new_xy[:, 1]).all()
    frame = scalp_frame(soften.analysis, soften.plan.zones, soften.plan.target)
    zone = _zone_at_page(soften, fill.buffer(-1.0 / mm), frame)
    laser, touch = _at_page(soften.after_laser, frame), _at_page(soften.after_touch_up, frame)
    assert zone.any()
    assert touch[zone].mean() < laser[zone].mean()  # darker where dots were added
    assert _texture(touch)[zone].mean() > 1.2 * _texture(laser)[zone].mean()


def test_a_close_up_keeps_the_whole_photo(case_factory) -> None:
    rgb, truth = generate_scalp_photo(
        SynthOptions(seed=2, width_px=900, height_px=700, mm_per_px=0.035)
    )
    case = case_factory(rgb, truth, "mature")
    assert scalp_frame(case.analysis, case.zones, case.target) is None
