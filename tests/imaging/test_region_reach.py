"""The region reaches the edges where the pigment goes out of sight, not a cut made by rule."""

from __future__ import annotations

from shapely.geometry import Point, box

from scalpmap.imaging.region import reach_edges

REACH_PX = 30.0


def test_the_region_reaches_the_heads_outline_but_not_the_brow_lines_cut():
    # The analysed area: a head 1000 px wide whose face below y = 600 is left out by rule
    # (x 0..500, the cut) while the back of the head runs on down to y = 900. A sideburn's
    # pigment ends 20 px above the cut; the region's side stops 20 px short of the outline.
    analysed = box(0, 0, 1000, 600).union(box(500, 600, 1000, 900))
    left_out = box(0, 600, 500, 900)
    region = box(100, 0, 300, 580).union(box(500, 0, 980, 880))
    grown = reach_edges(region, analysed, REACH_PX, left_out=left_out)
    assert grown.contains(Point(990, 500))  # out to the head's outline, where it turns away
    assert grown.contains(Point(700, 895))  # and to the photo's edge
    assert not grown.contains(Point(200, 595))  # not down to the cut: the sideburn ends there
    assert not grown.contains(Point(90, 595))  # nor sideways along it
    # Without the cut named, the whole analysed area's outline is an edge out of sight.
    assert reach_edges(region, analysed, REACH_PX).contains(Point(200, 595))
