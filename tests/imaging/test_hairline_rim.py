"""A region's edge along a bare-reading strip at the head's rim is not hairline."""

from __future__ import annotations

from functools import partial

import numpy as np
from shapely.geometry import Polygon

from scalpmap.imaging.hairline_rim import rim_strip_points
from scalpmap.imaging.region import trace_hairline


def _head() -> np.ndarray:
    blocked = np.ones((200, 200), dtype=bool)
    blocked[2:198, 2:198] = False
    return blocked


def _trace(region: Polygon, blocked: np.ndarray, rim: bool) -> np.ndarray:
    skip = partial(
        rim_strip_points, blocked=blocked, px_per_cell=1.0, width_px=10.0, min_run_px=30.0
    )
    return trace_hairline(
        region,
        blocked,
        1.0,
        clearance_px=3.0,
        min_stretch_px=20.0,
        join_px=40.0,
        skip=skip if rim else None,
    )


def test_the_edge_along_a_bare_strip_at_the_rim_is_not_hairline() -> None:
    # Pigment above a bare forehead (y > 100), stopping 6 px short of the right rim: a strip.
    region = Polygon([(2, 2), (192, 2), (192, 100), (2, 100)])
    blocked = _head()
    before = _trace(region, blocked, rim=False)
    after = _trace(region, blocked, rim=True)
    assert np.any((before[:, 0] > 185) & (before[:, 1] < 80))  # up the strip
    assert not np.any((after[:, 0] > 185) & (after[:, 1] < 80))
    assert after[:, 0].min() < 20 and after[:, 0].max() > 180  # the forehead's edge stays


def test_a_temple_meeting_the_rim_at_an_angle_stays_hairline() -> None:
    region = Polygon([(2, 2), (198, 2), (198, 60), (150, 100), (2, 100)])
    after = _trace(region, _head(), rim=True)
    assert after[:, 0].max() > 180


def test_a_sideburn_of_pigment_along_the_rim_stays_hairline() -> None:
    # A thin strip of pigment runs down the rim beside the bare temple: bare inside, not out.
    region = Polygon([(2, 2), (198, 2), (198, 180), (192, 180), (192, 100), (2, 100)])
    after = _trace(region, _head(), rim=True)
    assert np.any((np.abs(after[:, 0] - 192) < 3) & (after[:, 1] > 150))
