"""Side views and sideburns: what the brow line leaves out, the face's bare skin without landmarks,
a head's outline as a whole-head photo, and the frontal segment of a side view's hairline."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Point

from scalpmap.imaging.analysis_mode import head_in_view
from scalpmap.imaging.bare_skin import estimate_brow_line, face_bare_unlandmarked
from scalpmap.imaging.face_exclusion import SIDEBURN_MM, BrowLine, brow_line_from_landmarks
from scalpmap.imaging.hairline_segments import name_segments
from scalpmap.imaging.head import HeadModel
from scalpmap.imaging.scale import Scale

MM_PER_PX = 0.1
UP = np.array([0.0, -1.0])


def _line(brows_span: tuple[float, float] | None = None) -> BrowLine:
    # A brow line at y = 1000 across a face from x = 800 to 1200 (40 mm), cut 40 mm either side.
    return BrowLine(
        point_xy=np.array([1000.0, 1000.0]),
        up_xy=UP,
        source="landmarks",
        span=(400.0, 1600.0),
        face_span=(800.0, 1200.0),
        sideburn_px=SIDEBURN_MM / MM_PER_PX,
        brows_span=brows_span,
    )


def _excluded(line: BrowLine, x: float, mm_below: float) -> bool:
    return line.below((3000, 2400)).contains(Point(x, 1000.0 + mm_below / MM_PER_PX))


def test_the_face_is_cut_at_the_brow_line_and_the_sideburns_at_mid_ear_height():
    line = _line()
    assert _excluded(line, 1000, 5)  # the face, just below the brows
    assert not _excluded(line, 1250, 20)  # a sideburn beside the face
    assert not _excluded(line, 1500, SIDEBURN_MM - 5)  # in front of the ear
    assert _excluded(line, 1250, SIDEBURN_MM + 5)  # below mid-ear: a beard, never pigment
    assert not _excluded(line, 1700, 80)  # behind the ear: the back of the head keeps its pigment


def test_the_sideburn_allowance_never_reaches_under_the_brows():
    # The face's edge is inset by 10 mm for the sideburn: where the brows reach further out,
    # the cut follows the brows.
    assert not _excluded(_line(), 1150, 10)
    assert _excluded(_line(brows_span=(820.0, 1190.0)), 1150, 10)


def test_in_a_three_quarter_view_the_sideburn_starts_beside_the_brows_tail():
    # The face oval runs out to the ear (x = 1200), over the sideburn; the brows (with their
    # tails) end at x = 1050: the sideburn between keeps its pigment down to mid-ear height.
    line = _line(brows_span=(800.0, 1050.0))
    assert not _excluded(line, 1120, 20)
    assert _excluded(line, 1120, SIDEBURN_MM + 5)
    assert _excluded(line, 1000, 5)  # under the brows


def test_a_moved_line_keeps_its_face_and_sideburns():
    line = _line(brows_span=(820.0, 1190.0)).moved(100.0, 50.0)
    assert line.below((3000, 2400)).contains(Point(1100.0, 1100.0))
    assert not line.below((3000, 2400)).contains(Point(1350.0, 1250.0))
    ends = line.face_ends_xy
    assert ends is not None and np.allclose(ends[:, 0], [900.0, 1300.0])
    assert line.brows_span == (920.0, 1290.0)  # moved along the line with the rest


def test_without_landmarks_the_face_is_the_bare_skin_that_reaches_the_scalp():
    # A side view in cells of 1 mm: the head above, the face's bare skin in front (left), a
    # beard in between, and the neck's larger bare skin below: the face is the one that runs up
    # towards the hairline, not the largest.
    cell = 10.0  # photo px per cell at 0.1 mm/px: 1 mm cells
    area = np.zeros((300, 200), bool)
    area[10:290, 20:180] = True
    bare = np.zeros_like(area)
    bare[80:160, 20:70] = True  # forehead and cheek: 40 cm^2, from 70 mm below the top
    bare[200:290, 20:180] = True  # neck: 144 cm^2, from 190 mm below the top
    face = face_bare_unlandmarked(bare, area, cell, MM_PER_PX, UP)
    assert face[100, 40] and not face[250, 100]


def test_a_gap_closed_by_pigment_is_not_the_face():
    cell = 10.0
    area = np.zeros((300, 200), bool)
    area[10:290, 20:180] = True
    bare = np.zeros_like(area)
    bare[30:90, 60:140] = True  # a large gap in patchy work at the top, closed all round
    bare[120:200, 20:70] = True  # the face's bare skin, open onto the outline
    face = face_bare_unlandmarked(bare, area, cell, MM_PER_PX, UP)
    assert face[150, 40] and not face[60, 100]


def test_an_estimated_profile_cut_stays_in_front_of_the_ear():
    # A profile facing right in cells of 1 mm: the forehead's bare skin runs from the hairline
    # (50 mm below the top) down the face and over the cheek back to the ear, whose top stands
    # above the brow line; the sideburn's pigment parts the ear from the forehead there. The ear
    # is not the face: the cut reaches no further back than a sideburn's width beyond the
    # forehead, and the nape behind the ear keeps its pigment.
    cell = 10.0
    area = np.zeros((300, 260), bool)
    area[10:290, 10:250] = True
    bare = np.zeros_like(area)
    bare[60:200, 180:250] = True  # forehead and face
    bare[150:200, 100:250] = True  # cheek
    bare[110:200, 100:140] = True  # ear
    face = face_bare_unlandmarked(bare, area, cell, MM_PER_PX, UP)
    line = estimate_brow_line(face, cell, MM_PER_PX, UP, head_top_px=-100.0)
    assert line is not None and line.span is not None
    assert line.span[0] > 1400.0  # 30 mm before the forehead's edge (x = 1800), not the ear's
    below = line.below((3000, 2600))
    assert below.contains(Point(2200.0, 1300.0))  # the face under the forehead
    assert not below.contains(Point(800.0, 1600.0))  # behind the ear


def _model(mask: np.ndarray | None) -> HeadModel:
    return HeadModel(
        view="unknown",
        yaw_deg=None,
        roll_deg=None,
        rotation_deg=0,
        face_box=None,
        person_mask=mask,
    )


@pytest.mark.parametrize(
    ("rows", "cols", "whole_head"),
    [
        (slice(200, 1000), slice(150, 650), True),  # a head and shoulders against a wall
        (slice(0, 0), slice(0, 0), False),  # nothing the segmentation calls a person: a close-up
        (slice(0, 1000), slice(0, 800), False),  # skin to every edge: a close-up
    ],
)
def test_a_head_outline_without_a_face_is_a_whole_head(rows, cols, whole_head):
    mask = np.zeros((1000, 800), bool)
    mask[rows, cols] = True
    rgb = np.zeros((1000, 800, 3), np.uint8)
    scale = Scale(mm_per_px=0.08, source="given")
    found = head_in_view(rgb, scale, _model(mask))
    assert (found is not None) is whole_head


def test_the_curve_of_a_scalp_across_a_close_up_is_not_a_whole_head():
    # 192 x 144 mm at 0.08 mm/px: the scalp's curve runs from edge to edge below a strip of
    # wall, wider than any head 30 mm below its top.
    yy, xx = np.mgrid[0:1800, 0:2400]
    mask = yy > 300 + ((xx - 1200) / 1200.0) ** 2 * 300
    rgb = np.zeros((1800, 2400, 3), np.uint8)
    scale = Scale(mm_per_px=0.08, source="given")
    assert head_in_view(rgb, scale, _model(mask)) is None


def test_a_side_views_frontal_segment_lies_over_the_forehead():
    # A hairline 200 mm long; without canthi the frontal segment is centred on the face's
    # bare skin (here its first 50 mm), not on the line's middle, and no wider than that skin.
    line = np.column_stack([np.linspace(0, 2000, 401), np.full(401, 300.0)])
    face_ends = np.array([[0.0, 500.0], [500.0, 500.0]])
    parts = name_segments(line, None, up_xy=UP, mm_per_px=MM_PER_PX, face_ends_xy=face_ends)
    frontal = parts["frontal"]
    assert frontal[:, 0].min() >= 0 and frontal[:, 0].max() <= 500
    assert frontal[:, 0].max() - frontal[:, 0].min() >= 450


def test_the_face_below_the_brows_is_cut_in_its_own_frame_too():
    # The eye line is level, but the nose and mouth lie 10 degrees to the right of straight down
    # (a face turned and tilted): beside the left brow's tail the face's own frame reaches a
    # little above the level line through the brows.
    xs = np.linspace(900.0, 1000.0, 5)
    brow = np.column_stack([xs, np.full(5, 1000.0)])
    landmarks = {
        "right_brow": brow,
        "left_brow": brow + [250.0, 0.0],
        "right_eye_outer_canthus": np.array([[900.0, 1050.0]]),
        "left_eye_outer_canthus": np.array([[1250.0, 1050.0]]),
        "nose_tip": np.array([[1110.0, 1200.0]]),
        "mouth": np.array([[1144.0, 1390.0]]),
    }
    head = HeadModel(
        view="front", yaw_deg=0.0, roll_deg=0.0, rotation_deg=0, face_box=None, landmarks=landmarks
    )
    line = brow_line_from_landmarks(head, MM_PER_PX)
    assert line is not None and line.face_band_xy is not None
    excluded = line.below((3000, 3000))
    # Beside the left brow's tail, just above the level line: below the brow line as the
    # face's own frame draws it (straight through the brows' highest point, 10 mm past them).
    assert excluded.contains(Point(1340.0, 995.0))
    assert not excluded.contains(Point(1340.0, 900.0))  # well above the brow's tail: forehead
    assert not excluded.contains(Point(1075.0, 900.0))  # the forehead stays in


def test_what_is_left_out_may_fall_apart_at_the_photos_edge():
    # A head rolled 25 degrees with its brows just above the bottom edge: clipped to the photo,
    # the face's strip and the sideburns' deeper strips fall apart, and both stay left out.
    angle = np.radians(25.0)
    up = np.array([np.sin(angle), -np.cos(angle)])
    point = np.array([1200.0, 950.0])
    middle = float(point @ np.array([-up[1], up[0]]))  # the point's place along the line
    line = BrowLine(
        point_xy=point,
        up_xy=up,
        source="landmarks",
        span=(middle - 1500.0, middle + 1500.0),
        face_span=(middle - 300.0, middle + 300.0),
        sideburn_px=SIDEBURN_MM / MM_PER_PX,
    )
    excluded = line.below((1000, 2400))
    assert excluded.geom_type == "MultiPolygon"
    assert excluded.contains(Point(*(point - 40.0 * up)))  # the face, just below the brows


def test_a_head_outline_upside_down_is_a_whole_head_too():
    # A 150 mm head and the shoulders at 0.08 mm/px, stored upside down: the body leaves the
    # photo at its top, and the crown is measured from the other end.
    yy, xx = np.mgrid[0:4000, 0:3000]
    mask = ((xx - 1500) ** 2 + (yy - 1400) ** 2 < 937**2) | (yy > 2600)
    rgb = np.zeros((4000, 3000, 3), np.uint8)
    scale = Scale(mm_per_px=0.08, source="given")
    assert head_in_view(rgb, scale, _model(mask)) is not None
    assert head_in_view(rgb, scale, _model(mask[::-1].copy())) is not None
