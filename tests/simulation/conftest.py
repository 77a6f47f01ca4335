"""Shared fixtures of the simulation tests: small synthetic photos, their analyses and plans."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from numpy.typing import NDArray
from shapely.geometry import LineString, Polygon

from scalpmap.imaging.analysis import Analysis, analyse_photo
from scalpmap.imaging.synth import SynthOptions, SynthTruth, generate_scalp_photo
from scalpmap.planning.templates import make_target
from scalpmap.planning.zones import Target, Zones, as_polygonal, compute_zones
from scalpmap.simulation import simulate_after_laser, simulate_after_touch_up

MM = 0.035


@dataclass(frozen=True)
class Case:
    """A photo, its analysis, a target, the zones and both simulated pictures."""

    rgb: NDArray[np.uint8]
    truth: SynthTruth
    analysis: Analysis
    target: Target
    zones: Zones
    after_laser: NDArray[np.uint8]
    after_touch_up: NDArray[np.uint8]
    new_xy: NDArray[np.float64]


def lowered_target(analysis: Analysis, drop_mm: float, feather_mm: float) -> Target:
    """A target reaching ``drop_mm`` below the current hairline into bare skin."""
    hairline = analysis.hairline_xy
    edge = hairline + np.array([0.0, drop_mm / analysis.scale.mm_per_px])
    band = Polygon(np.vstack([hairline, edge[::-1]])).buffer(0)
    region = as_polygonal(analysis.region.union(band).intersection(analysis.analysed_area))
    return Target(template="custom", region=region, edge=LineString(edge), feather_mm=feather_mm)


def make_case(rgb: NDArray[np.uint8], truth: SynthTruth, target_name: str) -> Case:
    analysis = analyse_photo(rgb, mm_per_px=truth.mm_per_px)
    if target_name == "lowered":
        target = lowered_target(analysis, drop_mm=5.0, feather_mm=2.5)
    else:
        target = make_target(analysis, "mature", age=45)
    zones = compute_zones(analysis, target)
    after_laser = simulate_after_laser(rgb, analysis, zones)
    after_touch_up, new_xy = simulate_after_touch_up(after_laser, analysis, zones, target)
    return Case(rgb, truth, analysis, target, zones, after_laser, after_touch_up, new_xy)


@pytest.fixture(scope="session")
def case_factory():
    """Build a :class:`Case` from a photo, its truth and ``"mature"`` or ``"lowered"``."""
    return make_case


@pytest.fixture(scope="session")
def closeup() -> tuple[NDArray[np.uint8], SynthTruth]:
    """A close-up with a dense hairline, stubble and a few moles."""
    options = SynthOptions(
        seed=7, width_px=1200, height_px=900, mm_per_px=MM, marker=False, density_per_cm2=70
    )
    return generate_scalp_photo(options)


@pytest.fixture(scope="session")
def mature_case(closeup: tuple[NDArray[np.uint8], SynthTruth]) -> Case:
    """The close-up with the mature template: a wide removal zone."""
    return make_case(*closeup, "mature")


@pytest.fixture(scope="session")
def lowered_case(closeup: tuple[NDArray[np.uint8], SynthTruth]) -> Case:
    """The close-up with the hairline lowered 5 mm into bare skin: a wide touch-up zone."""
    return make_case(*closeup, "lowered")
