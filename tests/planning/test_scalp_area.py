"""A target hairline stays on the scalp: whole heads clip it to the head, close-ups to the photo."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, box

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.planning.design_state import prepare_design, start_design, update_design
from scalpmap.planning.geometry import photo_frame
from scalpmap.planning.scalp_area import clip_line_to_area, line_area
from scalpmap.planning.target_file import round_line
from scalpmap.planning.templates import make_target

AGE = 45


@pytest.fixture(scope="module", params=["front", "three-quarter-left", "side"])
def whole_head(request):
    options = SynthOptions(seed=1, view=request.param, width_px=1600, height_px=1200, marker=False)
    photo, truth = generate_scalp_photo(options)
    return analyse_photo(photo, mm_per_px=truth.mm_per_px), truth


def _off_head_mm(edge, truth, analysis):
    """Length (mm) of a line off the true head, or on the part of the face left out."""
    mm = analysis.scale.mm_per_px
    head = truth.scalp.buffer(4.0 / mm)  # the analysed area's stepped edge, and the margin
    face = analysis.excluded_area.buffer(-4.0 / mm)
    return (edge.difference(head).length + edge.intersection(face).length) * mm


@pytest.mark.parametrize("template", ["keep", "soften", "mature"])
def test_a_template_line_on_a_whole_head_stays_on_the_head(whole_head, template):
    analysis, truth = whole_head
    mm = analysis.scale.mm_per_px
    target = make_target(analysis, template, age=AGE)
    edge = target.edge
    assert _off_head_mm(edge, truth, analysis) < 1.0
    # Nothing reaches the photo's border across the wall behind the head.
    border = photo_frame(analysis.shape).exterior
    wall = border.buffer(5.0 / mm).difference(truth.scalp.buffer(5.0 / mm))
    assert edge.intersection(wall).length * mm < 1.0
    # The line is still there: at least half as long as the current hairline. (Not asserted on
    # the side view, whose current hairline runs from the temple to the ear straight across the
    # face: the analysis's, not the template's, doing.)
    if truth.head.view not in ("left-side", "right-side"):
        current = LineString(analysis.hairline_xy).length
        assert edge.length > 0.5 * current


def test_soften_on_a_whole_head_ends_where_the_hairline_ends(whole_head):
    analysis, _truth = whole_head
    mm = analysis.scale.mm_per_px
    line = make_target(analysis, "soften").hairline.polyline(mm)
    ends = np.asarray(analysis.hairline_xy)[[0, -1]]
    # Within 15 mm of the current line's ends (rounding moves them a little), not at the border.
    assert np.linalg.norm(line[0] - ends[0]) * mm < 15.0
    assert np.linalg.norm(line[-1] - ends[1]) * mm < 15.0


def test_the_designer_state_carries_the_scalp_area_and_clips_a_dragged_line(whole_head):
    analysis, truth = whole_head
    mm = analysis.scale.mm_per_px
    design = prepare_design(analysis)
    state = start_design(design, "soften", age=AGE)
    rings = [np.asarray(ring) for polygon in state["scalp_area"] for ring in polygon]
    assert rings and all(len(ring) >= 4 for ring in rings)
    # Drag the frontal segment 3 cm up: the parts that leave the head are not drawn.
    hairline = state["hairline"]
    frontal = np.asarray(hairline["segments"]["frontal"]["points_px"])
    frontal[:, 1] -= 30.0 / mm
    hairline["segments"]["frontal"]["points_px"] = frontal.tolist()
    moved = update_design(design, hairline)
    edge = shapely.MultiLineString([line for line in moved["target_lines"] if len(line) >= 2])
    assert _off_head_mm(edge, truth, analysis) < 1.0


def test_a_line_wholly_off_the_head_is_refused_in_words(whole_head):
    analysis, _truth = whole_head
    design = prepare_design(analysis)
    hairline = start_design(design, "keep")["hairline"]
    for segment in hairline["segments"].values():
        segment["points_px"] = [[x, 2.0] for x, _y in segment["points_px"]]  # the top row
    with pytest.raises(InputError, match="off the scalp; move its points onto the scalp"):
        update_design(design, hairline)


def test_a_close_up_line_is_clipped_to_the_photo_only():
    options = SynthOptions(seed=2, width_px=900, height_px=700, mm_per_px=0.035, marker=False)
    photo, truth = generate_scalp_photo(options)
    analysis = analyse_photo(photo, mm_per_px=truth.mm_per_px)
    assert analysis.head is None
    assert line_area(analysis).equals(photo_frame(analysis.shape))
    design = prepare_design(analysis)
    state = start_design(design, "soften")
    assert state["scalp_area"] is None
    line = make_target(analysis, "soften").edge
    # The softened line spans the current hairline, which crosses the close-up from side to side.
    x0, _y0, x1, _y1 = line.bounds
    ends = np.asarray(analysis.hairline_xy)[[0, -1], 0]
    assert ends[0] < 0.05 * analysis.shape[1] and ends[1] > 0.95 * analysis.shape[1]
    assert abs(x0 - ends[0]) * truth.mm_per_px < 1.0
    assert abs(x1 - ends[1]) * truth.mm_per_px < 1.0


def test_clipping_drops_slivers_but_keeps_a_short_line_whole():
    area = shapely.union_all([box(0, 0, 30, 10), box(35, 0, 36, 10), box(40, 0, 100, 10)])
    clipped = clip_line_to_area(np.array([[-10.0, 5.0], [110.0, 5.0]]), area, min_length=5.0)
    assert clipped.length == pytest.approx(90.0)  # the 1 px piece across the strip dropped
    assert len(shapely.get_parts(clipped)) == 2
    short = clip_line_to_area(np.array([[35.2, 5.0], [35.8, 5.0]]), area, min_length=5.0)
    assert short.length == pytest.approx(0.6)  # every piece short: kept rather than nothing


def test_rounding_a_line_that_ends_inside_the_photo_keeps_its_ends():
    # An L-shaped hairline ending well inside a 400 x 300 photo, pigment above and to its right.
    xy = np.array([[100.0, 250.0], [100.0, 150.0], [300.0, 150.0]])
    dense = LineString(xy).segmentize(1.0).coords
    xy = np.asarray(dense)
    frame = photo_frame((300, 400))
    rounded = round_line(xy, frame, -1, radius=20.0, at=np.array([[100.0, 150.0]]), tangent=5.0)
    assert rounded is not None
    assert np.linalg.norm(rounded[0] - xy[0]) < 1.0
    assert np.linalg.norm(rounded[-1] - xy[-1]) < 1.0
    # The corner is rounded: the new line passes inside it.
    corner = shapely.Point(100.0, 150.0)
    assert LineString(rounded).distance(corner) > 4.0
