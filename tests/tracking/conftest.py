"""Shared fixtures of the tracking tests: a baseline, its removal zone and follow-ups."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.imaging.analysis import Analysis, analyse_photo
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.planning.templates import make_target
from scalpmap.planning.zones import compute_zones
from scalpmap.tracking.synth_followup import FollowupOptions, FollowupTruth, make_followup
from scalpmap.tracking.track import Tracking, track_followup

FOLLOWUP_DATE = dt.date(2027, 4, 1)


@dataclass(frozen=True)
class Baseline:
    rgb: NDArray[np.uint8]
    analysis: Analysis
    removal: Polygon | MultiPolygon


@dataclass(frozen=True)
class Followup:
    rgb: NDArray[np.uint8]
    truth: FollowupTruth
    tracking: Tracking


def synthetic(seed: int) -> NDArray[np.uint8]:
    options = SynthOptions(
        seed=seed, width_px=1200, height_px=900, silhouette=False, density_per_cm2=60, fitzpatrick=3
    )
    return generate_scalp_photo(options)[0]


def track(baseline: Baseline, rgb: NDArray[np.uint8], **kwargs) -> Tracking:
    return track_followup(
        baseline.rgb,
        baseline.analysis,
        rgb,
        baseline.removal,
        followup_date=FOLLOWUP_DATE,
        interval_weeks=3,
        **kwargs,
    )


@pytest.fixture(scope="session")
def baseline() -> Baseline:
    rgb = synthetic(41)
    analysis = analyse_photo(rgb)
    zones = compute_zones(analysis, make_target(analysis, "mature", age=35))
    return Baseline(rgb, analysis, zones.removal.geometry)


@pytest.fixture(scope="session")
def followup(baseline: Baseline) -> Followup:
    options = FollowupOptions(seed=5, erase_share=0.5, fade_share=0.2, outside_loss_share=0.1)
    rgb, truth = make_followup(baseline.rgb, baseline.analysis, baseline.removal, options)
    return Followup(rgb, truth, track(baseline, rgb))


@pytest.fixture(scope="session")
def tracker(baseline: Baseline) -> Callable[..., Tracking]:
    """Track a follow-up photo against the baseline."""
    return functools.partial(track, baseline)


@pytest.fixture(scope="session")
def other_person() -> NDArray[np.uint8]:
    return synthetic(42)


@pytest.fixture(scope="session")
def unregistered(tracker: Callable[..., Tracking], other_person: NDArray[np.uint8]) -> Tracking:
    """Another person's photo, tracked against the baseline."""
    return tracker(other_person)


@pytest.fixture(scope="session")
def blurred(followup: Followup) -> NDArray[np.uint8]:
    return np.asarray(cv2.GaussianBlur(followup.rgb, (0, 0), 8.0), dtype=np.uint8)


@pytest.fixture(scope="session")
def blank_skin() -> NDArray[np.uint8]:
    rng = np.random.default_rng(3)
    skin = np.full((900, 1200, 3), (196, 150, 122), np.float64) + rng.normal(0, 3, (900, 1200, 3))
    return np.clip(skin, 0, 255).astype(np.uint8)
