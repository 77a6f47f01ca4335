"""Profiles that the face model misses: the face's bare skin, which side the face is on, the
hairline seen from the face and its named segments."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import LineString, Point

from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.bare_skin import face_bare_unlandmarked
from scalpmap.imaging.face_exclusion import BrowLine
from scalpmap.imaging.hairline_segments import name_segments
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.imaging.whole_head_edges import profile_face_side

MM_PER_PX = 0.1
UP = np.array([0.0, -1.0])
CELL = 10.0  # photo px per cell at 0.1 mm/px: 1 mm cells


def test_a_bare_crown_is_not_the_face():
    # A side view in 1 mm cells: a bald crown at the top, larger than the face and reaching
    # higher, but only down to 60 mm below the top; the face's bare skin runs from the
    # hairline (60 mm below the top) down past the brows to the jaw.
    area = np.zeros((300, 200), bool)
    area[10:290, 20:180] = True
    bare = np.zeros_like(area)
    bare[10:70, 20:180] = True  # the crown: 96 cm^2
    bare[90:230, 20:60] = True  # forehead, temple and cheek: 56 cm^2
    face = face_bare_unlandmarked(bare, area, CELL, MM_PER_PX, UP)
    assert face[150, 40] and not face[40, 100]


def test_of_two_bare_areas_reaching_below_the_brows_the_face_reaches_higher():
    # The neck's bare skin runs up behind the ear (to 120 mm below the top) and is larger; the
    # face's runs up to the hairline (70 mm below the top).
    area = np.zeros((300, 200), bool)
    area[10:290, 20:180] = True
    bare = np.zeros_like(area)
    bare[80:240, 20:70] = True  # the face: 80 cm^2
    bare[130:290, 100:180] = True  # the neck, behind the ear: 128 cm^2
    face = face_bare_unlandmarked(bare, area, CELL, MM_PER_PX, UP)
    assert face[150, 40] and not face[200, 140]


def test_a_rim_along_the_outline_does_not_carry_the_neck_up_to_the_top():
    # Along the silhouette a 2 mm rim reads as bare and joins the neck's bare skin to the top
    # of the head; how high an area reaches is judged away from the outline.
    area = np.zeros((300, 200), bool)
    area[10:290, 20:180] = True
    bare = np.zeros_like(area)
    bare[80:240, 20:60] = True  # the face, from 70 mm below the top
    bare[130:290, 110:180] = True  # the neck, behind the ear
    bare[10:130, 178:180] = True  # the rim up the back of the head
    face = face_bare_unlandmarked(bare, area, CELL, MM_PER_PX, UP)
    assert face[150, 40] and not face[200, 140]


def _brow_at(x: float) -> BrowLine:
    return BrowLine(point_xy=np.array([x, 1200.0]), up_xy=UP, source="estimated")


@pytest.mark.parametrize(("x", "side"), [(300.0, "left"), (1700.0, "right"), (1000.0, None)])
def test_a_brow_line_at_one_side_of_the_head_is_a_profiles(x, side):
    # A head 160 mm wide in 1 mm cells: photo x from 200 to 1800 px, middle 1000.
    area = np.zeros((200, 200), bool)
    area[20:180, 20:180] = True
    assert profile_face_side(_brow_at(x), area, CELL) == side


def test_a_profiles_frontal_segment_runs_from_the_forehead_up_to_the_temple():
    # A profile facing left: the line rises from the forehead (x = 0) to the temple's corner
    # (x = 500, its highest point), then runs down the sideburn.
    rising = np.column_stack([np.linspace(0, 500, 101), np.linspace(500, 300, 101)])
    falling = np.column_stack([np.full(200, 500.0), np.linspace(300, 1300, 201)[1:]])
    line = np.vstack([rising, falling])
    parts = name_segments(line, None, up_xy=UP, mm_per_px=MM_PER_PX, profile_face="left")
    assert parts["frontal"][0].tolist() == [0.0, 500.0]
    assert parts["frontal"][-1].tolist() == [500.0, 300.0]
    temporal = parts["temporal_right"]
    assert temporal[-1, 1] - temporal[0, 1] == pytest.approx(50 / MM_PER_PX, abs=10)
    assert len(parts["side_right"]) and parts["side_right"][-1].tolist() == line[-1].tolist()
    assert not len(parts["temporal_left"]) and not len(parts["side_left"])
    mirrored = name_segments(
        line[::-1] * (-1, 1), None, up_xy=UP, mm_per_px=MM_PER_PX, profile_face="right"
    )
    assert mirrored["frontal"][-1].tolist() == [0.0, 500.0]
    assert len(mirrored["side_left"]) and not len(mirrored["side_right"])


def test_a_missed_profiles_hairline_stops_at_the_sideburn():
    # A generated left-side view with glasses, whose face the model misses: the hairline is
    # what the face sees (the frontal line, the temple and the sideburn), not the region's edge
    # over the ear and down the nape; its frontal segment is the frontal line.
    options = SynthOptions(
        seed=7408, view="side", width_px=2048, height_px=2730, mm_per_px=0.11,
        fitzpatrick=3, ink="black", glasses=True, marker=False,
    )  # fmt: skip
    rgb, truth = generate_scalp_photo(options)
    assert truth.head is not None
    analysis = analyse_photo(rgb, mm_per_px=truth.mm_per_px)
    mm = truth.mm_per_px
    true_line = LineString(truth.hairline_xy)
    off = [true_line.distance(Point(p)) * mm for p in analysis.hairline_xy]
    assert np.mean(off) < 5.0, f"the hairline strays {np.mean(off):.1f} mm from the true one"
    frontal = analysis.hairline_segments["frontal"]
    true_frontal = LineString(truth.head.frontal_hairline_xy)
    assert len(frontal) >= 2
    gaps = [true_frontal.distance(Point(p)) * mm for p in frontal]
    assert np.mean(gaps) < 3.0, f"the frontal segment lies {np.mean(gaps):.1f} mm off"
