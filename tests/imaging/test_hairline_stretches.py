"""The hairline keeps every stretch of the region's edge against bare skin, when they are near."""

from __future__ import annotations

import numpy as np
from shapely.geometry import Polygon, box

from scalpmap.imaging.hairline_edge import visible_edge
from scalpmap.imaging.region import trace_hairline


def _side_view() -> tuple[Polygon, np.ndarray]:
    """A pigmented block whose lower edge is cut in two by a masked face (blocked cells).

    The region spans x 0..200, y 0..100 (pixels, one cell per pixel); below it lies bare skin,
    except for a blocked band (the face) under x 90..110 that reaches up to the region.
    """
    region = box(0, 0, 200, 100)
    blocked = np.zeros((200, 220), dtype=bool)
    blocked[100:, 90:111] = True  # the face, touching the region's lower edge
    blocked[:, 200:] = True  # outside the head
    blocked[:2, :] = True  # the head's top
    blocked[:, :2] = True
    return region, blocked


def test_trace_hairline_joins_the_stretches_either_side_of_the_masked_face():
    region, blocked = _side_view()
    longest_only = trace_hairline(region, blocked, 1.0, clearance_px=3.0)
    joined = trace_hairline(
        region, blocked, 1.0, clearance_px=3.0, min_stretch_px=20.0, join_px=40.0
    )
    assert np.ptp(longest_only[:, 0]) < 110  # one side of the face only
    assert joined[:, 0].min() < 20 and joined[:, 0].max() > 180  # both sides
    assert np.all(joined[:, 1] > 90)  # along the lower edge, never the head's outline


def test_trace_hairline_leaves_a_far_stretch_apart():
    region, blocked = _side_view()
    joined = trace_hairline(
        region, blocked, 1.0, clearance_px=3.0, min_stretch_px=20.0, join_px=10.0
    )
    assert np.ptp(joined[:, 0]) < 110  # the gap (about 30 px) is wider than the join


def test_visible_edge_takes_every_stretch_seen_from_the_face():
    region, blocked = _side_view()
    seen = visible_edge(
        region,
        np.array([100.0, 180.0]),
        blocked,
        1.0,
        clearance_px=3.0,
        up_xy=np.array([0.0, -1.0]),
        gap_px=10.0,
        min_run_px=20.0,
        join_px=60.0,
    )
    assert seen[:, 0].min() < 20 and seen[:, 0].max() > 180
    assert np.all(seen[:, 1] > 90)
