import json

import cv2
import numpy as np
import pytest
import shapely

from scalpmap.errors import InputError
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo, write_synthetic_photo

PORTRAIT = {"width_px": 600, "height_px": 800, "mm_per_px": 0.35, "marker": False}
HEAD_VIEW_NAMES = {
    "front": {"front"},
    "three-quarter-left": {"left-three-quarter"},
    "three-quarter-right": {"right-three-quarter"},
    "side": {"left-side", "right-side"},
    "top": {"top"},
}


def _luma(photo, geometry):
    mask = np.zeros(photo.shape[:2], np.uint8)
    for part in getattr(geometry, "geoms", [geometry]):
        cv2.fillPoly(mask, [np.round(part.exterior.coords).astype(np.int32)], 1)
    return photo.mean(axis=2)[mask > 0]


@pytest.mark.parametrize("view", list(HEAD_VIEW_NAMES))
def test_every_view_has_its_head_truth_and_keeps_the_region_off_the_face(view):
    _, truth = generate_scalp_photo(SynthOptions(seed=11, view=view, **PORTRAIT))
    head = truth.head
    assert head is not None and head.view in HEAD_VIEW_NAMES[view]
    assert truth.scalp is not None and truth.region.area > 0
    assert truth.scalp.buffer(2).contains(truth.region)
    assert truth.scalp.buffer(2).contains(shapely.LineString(truth.hairline_xy))
    # The frontal hairline is a part of the whole hairline.
    frontal = shapely.LineString(head.frontal_hairline_xy)
    assert shapely.LineString(truth.hairline_xy).buffer(1.5).contains(frontal)
    # Pigment never reaches the face below the brows, the ears or the neck.
    assert truth.region.intersection(head.below_brows).area < 0.01 * truth.region.area


def test_three_quarter_views_turn_the_nose_to_the_side_they_name():
    tips = {}
    for view in ("three-quarter-left", "three-quarter-right"):
        _, truth = generate_scalp_photo(SynthOptions(seed=3, view=view, **PORTRAIT))
        centre_x = truth.scalp.centroid.x
        tips[view] = truth.head.landmarks["nose_tip"][0, 0] - centre_x
        assert (truth.head.yaw_deg > 0) == (view == "three-quarter-right")
    # The patient's left cheek faces the camera: the nose points to the image's left.
    assert tips["three-quarter-left"] < 0 < tips["three-quarter-right"]


def test_front_view_landmarks_sit_where_a_face_has_them():
    _, truth = generate_scalp_photo(SynthOptions(seed=5, view="front", **PORTRAIT))
    marks = truth.head.landmarks
    glabella, left, right = (
        marks[k][0] for k in ("glabella", "left_iris_center", "right_iris_center")
    )
    # Patient's left eye on the image's right; the glabella above and between the eyes.
    assert right[0] < glabella[0] < left[0]
    assert glabella[1] < min(left[1], right[1])
    ipd_mm = np.hypot(*(left - right)) * truth.mm_per_px
    assert 54 <= ipd_mm <= 74
    assert truth.head.brow_line_xy[:, 1].mean() < glabella[1]


@pytest.mark.parametrize("beard", ["full", "stubble", "goatee"])
def test_beards_are_dark_hair_below_the_brows_and_outside_the_region(beard):
    options = SynthOptions(seed=8, view="front", beard=beard, fitzpatrick=2, **PORTRAIT)
    photo, truth = generate_scalp_photo(options)
    head = truth.head
    assert head.beard_style == beard and head.beard.area > 0
    assert head.beard.intersection(truth.region).area == 0
    brow_y = head.brow_line_xy[:, 1].max()
    assert head.beard.bounds[1] > brow_y
    forehead = shapely.box(*truth.scalp.bounds).intersection(truth.scalp)
    forehead = forehead.intersection(shapely.box(0, brow_y - 40, 600, brow_y - 10))
    assert np.median(_luma(photo, head.beard)) < np.median(_luma(photo, forehead))


def test_goatee_is_smaller_than_a_full_beard_and_none_is_bare():
    areas = {}
    for beard in ("none", "goatee", "full"):
        options = SynthOptions(seed=9, view="front", beard=beard, moustache=False, **PORTRAIT)
        areas[beard] = generate_scalp_photo(options)[1].head.beard.area
    assert areas["none"] == 0 < areas["goatee"] < areas["full"]


def test_shine_brightens_the_scalp_and_nothing_else_changes():
    dull, truth = generate_scalp_photo(SynthOptions(seed=4, view="front", shine=0.0, **PORTRAIT))
    shiny, truth_shiny = generate_scalp_photo(
        SynthOptions(seed=4, view="front", shine=1.0, **PORTRAIT)
    )
    assert truth.region.equals(truth_shiny.region)
    scalp_dull, scalp_shiny = _luma(dull, truth.region), _luma(shiny, truth.region)
    assert np.percentile(scalp_shiny, 99) > np.percentile(scalp_dull, 99) + 20


def test_whole_head_truth_file_carries_the_head(tmp_path):
    path = tmp_path / "head.jpg"
    truth = write_synthetic_photo(path, SynthOptions(seed=2, view="side", beard="full", **PORTRAIT))
    doc = json.loads((tmp_path / "head.jpg.truth.json").read_text())
    assert doc["head"]["view"] == truth.head.view
    assert doc["head"]["beard"]["style"] == "full" and doc["head"]["beard"]["polygons"]
    assert len(doc["head"]["frontal_hairline"]) >= 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (SynthOptions(view="sideways"), "view must be one of"),
        (SynthOptions(view="front", beard="long"), "beard must be one of"),
        (SynthOptions(view="front", shine=2.0), "shine must be 0..1"),
    ],
)
def test_bad_whole_head_options_are_refused(options, message):
    with pytest.raises(InputError, match=message):
        generate_scalp_photo(options)


def test_glasses_draw_a_dark_bridge_between_the_eyes():
    pictures = {}
    for glasses in (False, True):
        options = SynthOptions(seed=6, view="front", glasses=glasses, beard="none", **PORTRAIT)
        photo, truth = generate_scalp_photo(options)
        assert truth.head.glasses is glasses
        marks = truth.head.landmarks
        inner = (marks["left_eye_inner_canthus"][0] + marks["right_eye_inner_canthus"][0]) / 2
        half = int(6 / truth.mm_per_px)
        x, y = np.round(inner).astype(int)
        pictures[glasses] = photo[y - 2 * half : y + half, x - half : x + half].mean(axis=2)
    # The bridge is a dark line across the nose that the bare face does not have.
    assert pictures[True].min() < pictures[False].min() - 25


def test_shaved_natural_hair_grows_inside_the_region_on_the_sides():
    options = SynthOptions(seed=12, view="side", natural_hair=True, fitzpatrick=2, **PORTRAIT)
    photo, truth = generate_scalp_photo(options)
    hair = truth.head.natural_hair
    assert hair.area > 0.05 * truth.region.area
    assert hair.difference(truth.region.buffer(2)).area < 0.01 * hair.area
    bare = truth.region.difference(hair.buffer(10))
    assert np.median(_luma(photo, hair)) < np.median(_luma(photo, bare))
    _, without = generate_scalp_photo(
        SynthOptions(seed=12, view="side", natural_hair=False, fitzpatrick=2, **PORTRAIT)
    )
    assert without.head.natural_hair.is_empty and without.region.equals(truth.region)
