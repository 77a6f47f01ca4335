"""Whole-head analysis on the head model: nothing below the brows, beards left out, the hairline.

Synthetic whole heads (small, 1200 x 900 px at 0.2 mm/px) with the generator's truth, and the
real head photos of tests/data/real-heads (no SMP: the analysis must put no pigment on the face
or the background).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest
from shapely.geometry import Polygon

from scalpmap.imaging.analysis import Analysis, analyse_photo
from scalpmap.imaging.head import HeadModel
from scalpmap.imaging.photo_io import load_photo
from scalpmap.imaging.scoring import hairline_distance_mm, score_analysis
from scalpmap.imaging.synth import SynthOptions, SynthTruth, generate_scalp_photo

MM_PER_PX = 0.2
REAL_HEADS = Path(__file__).resolve().parents[1] / "data" / "real-heads"
NO_FACE = HeadModel(view="unknown", yaw_deg=None, roll_deg=None, rotation_deg=0, face_box=None)


@cache
def _head(seed: int, view: str, skin: int, ink: str, beard: str, moustache: bool):
    options = SynthOptions(
        seed=seed,
        view=view,  # type: ignore[arg-type]
        width_px=1200,
        height_px=900,
        mm_per_px=MM_PER_PX,
        marker=False,
        fitzpatrick=skin,
        ink=ink,  # type: ignore[arg-type]
        beard=beard,  # type: ignore[arg-type]
        moustache=moustache,
    )
    return generate_scalp_photo(options)


def _cm2(area_px: float) -> float:
    return area_px * MM_PER_PX**2 / 100.0


def _frontal_error_mm(analysis: Analysis, truth: SynthTruth) -> float:
    assert truth.head is not None
    return hairline_distance_mm(
        analysis.hairline_segments["frontal"], truth.head.frontal_hairline_xy, MM_PER_PX
    )


@pytest.mark.parametrize("seed", [5, 9])
def test_a_beard_and_moustache_are_never_pigment(seed):
    photo, truth = _head(seed, "front", 3, "black", "full", True)
    analysis = analyse_photo(photo, mm_per_px=MM_PER_PX)
    assert truth.head is not None and analysis.head is not None
    assert analysis.brow_line_source == "landmarks"
    assert _cm2(analysis.region.intersection(truth.head.beard).area) < 0.05
    assert _cm2(analysis.region.intersection(truth.head.below_brows).area) < 1.0
    assert score_analysis(analysis, truth).region_iou > 0.85
    assert _frontal_error_mm(analysis, truth) < 2.5


def test_without_a_face_the_brow_line_is_estimated_and_the_beard_left_out():
    # A head whose face the model cannot find (a drawing, a dark photo): the bare forehead
    # still separates the scalp's pigment from the beard.
    photo, truth = _head(5, "front", 3, "black", "full", True)
    analysis = analyse_photo(photo, mm_per_px=MM_PER_PX, head=NO_FACE)
    assert truth.head is not None
    assert analysis.brow_line_source == "estimated"
    assert _cm2(analysis.region.intersection(truth.head.beard).area) < 0.05
    assert _cm2(analysis.region.intersection(truth.head.below_brows).area) < 1.0
    assert score_analysis(analysis, truth).region_iou > 0.75
    assert _frontal_error_mm(analysis, truth) < 2.5


@pytest.mark.parametrize(("seed", "skin"), [(6, 1), (7, 6)])
def test_faded_grey_ink_on_pale_and_dark_skin_still_gives_the_region(seed, skin):
    photo, truth = _head(seed, "front", skin, "faded-grey", "stubble", False)
    analysis = analyse_photo(photo, mm_per_px=MM_PER_PX)
    # Faded grey under stubble on pale skin is the faintest case: the region is found, but not
    # all of it (see docs/benchmarks.md for the whole-head figures).
    assert analysis.region_area_cm2 > 0.25 * truth.region_area_cm2
    assert score_analysis(analysis, truth).region_iou > 0.25
    assert len(analysis.patches) >= 1
    assert sum(p.area for p in analysis.patches) <= analysis.region.area * 1.01


def test_a_three_quarter_view_names_its_hairline_segments():
    photo, truth = _head(8, "three-quarter-left", 4, "bluish-black", "goatee", False)
    analysis = analyse_photo(photo, mm_per_px=MM_PER_PX)
    assert truth.head is not None and analysis.head is not None
    assert analysis.head.view.endswith("three-quarter")
    assert _cm2(analysis.region.intersection(truth.head.below_brows).area) < 1.0
    # Below the brow line behind the ear the generator's region goes on; it is left out here.
    assert score_analysis(analysis, truth).region_iou > 0.7
    segments = analysis.hairline_segments
    assert len(segments["frontal"]) >= 2
    # The segments run along the hairline in order and share their ends.
    joined = [s for s in segments.values() if len(s)]
    for before, after in zip(joined[:-1], joined[1:], strict=True):
        assert np.allclose(before[-1], after[0])
    assert sum(len(s) for s in joined) == len(analysis.hairline_xy) + len(joined) - 1


def _real(name: str) -> np.ndarray:
    return load_photo(REAL_HEADS / name).rgb


REAL_FACES = ["13-front.jpg", "18-front.jpg", "36-front.jpg", "55-front.jpg"]


@pytest.mark.parametrize("name", REAL_FACES)
def test_real_photos_have_no_pigment_below_the_brows_or_on_the_background(name):
    rgb = _real(name)
    analysis = analyse_photo(rgb, mm_per_px=0.35)
    head = analysis.head
    assert head is not None
    if not head.has_face:
        pytest.skip(f"the head model found no face on {name}")
    assert analysis.brow_line_source == "landmarks"
    below = analysis.excluded_area
    assert not below.is_empty
    assert analysis.region.intersection(below).area < 1.0
    brow_y = analysis.brow_line_xy[:, 1].max()
    assert all(np.asarray(p.exterior.coords)[:, 1].max() <= brow_y + 1 for p in _parts(analysis))
    if head.person_mask is not None and head.person_mask.mean() > 0.08:
        person = cv2.dilate(head.person_mask.astype(np.uint8), np.ones((15, 15), np.uint8))
        for part in _parts(analysis):
            x, y = np.asarray(part.representative_point().coords[0]).round().astype(int)
            assert person[y, x], f"pigment on the background of {name}"


def _parts(analysis: Analysis) -> list[Polygon]:
    region = analysis.region
    return [p for p in getattr(region, "geoms", [region]) if not p.is_empty]


def test_a_face_upside_down_in_the_pixels_is_a_warning():
    # 33-left.jpg is stored upside down (the dataset turned it; ATTRIBUTION.md).
    analysis = analyse_photo(_real("33-left.jpg"), mm_per_px=0.35)
    assert analysis.head is not None
    if not analysis.head.has_face:
        pytest.skip("the head model found no face in the turned photo")
    assert analysis.head.rotation_deg == 180
    assert any("upside down" in w for w in analysis.warnings)
    # Its brow line is turned with the face: the excluded part is above the brows in the pixels.
    assert analysis.brow_line_source == "landmarks"
    brows = analysis.head.landmarks["left_brow"]
    assert analysis.excluded_area.centroid.y < float(brows[:, 1].mean())


def test_a_face_too_dark_skips_the_landmarks_and_the_analysis_goes_on():
    rgb = (_real("18-front.jpg").astype(np.float32) * 0.08).astype(np.uint8)
    analysis = analyse_photo(rgb, mm_per_px=0.35)
    assert analysis.head is not None and not analysis.head.has_face
    assert analysis.mode == "coverage"
    if analysis.head.faces_found:
        assert any("landmarks skipped" in w for w in analysis.warnings)
