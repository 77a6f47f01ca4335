"""Which way a profile faces, from the face detector, where the face mesh finds no face.

Real photos of tests/data/real-heads (CC BY 4.0; see its ATTRIBUTION.md); the SMP on 5-right is
drawn by :mod:`scalpmap.imaging.synth_composite` into its annotated bald scalp
(benchmarks/data/real-heads).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import shapely

from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.head import find_head
from scalpmap.imaging.head.profile import profile_facing
from scalpmap.imaging.person_frame import up_from_person
from scalpmap.imaging.synth_composite import composite_smp, load_scalp_annotations

ROOT = Path(__file__).resolve().parents[2]
REAL_HEADS = ROOT / "tests" / "data" / "real-heads"
ANNOTATIONS = ROOT / "benchmarks" / "data" / "real-heads" / "scalp_annotations.json"


def _photo(name: str) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(REAL_HEADS / f"{name}.jpg")), cv2.COLOR_BGR2RGB)


@pytest.mark.parametrize(
    ("name", "facing"),
    [
        ("5-right", "right"),  # the face at the photo's right edge, the mesh sees no face
        ("15-left", "left"),  # the face cut by the photo's left edge
        ("4-top", None),  # a top view
        ("36-front", None),  # a front view
        ("13-back", None),  # a back view
        ("28-right", None),  # a profile upside down in the pixels: its up direction is in doubt
    ],
)
def test_the_detector_tells_which_way_a_profile_faces(name, facing):
    photo = _photo(name)
    head = find_head(photo)
    assert profile_facing(photo, up_from_person(head)) == facing


def test_a_turned_profile_faces_the_same_way_once_stood_upright():
    # 5-right turned a quarter anticlockwise: its top points left, so "right" (the face's side,
    # the head upright) is the photo's up.
    photo = np.ascontiguousarray(np.rot90(_photo("5-right")))
    assert profile_facing(photo, np.array([-1.0, 0.0])) == "right"


def test_the_frontal_hairline_of_a_profile_is_at_its_face():
    # SMP drawn on the bald scalp of 5-right, a profile the face mesh misses: the frontal segment
    # must lie over the face (it was the middle of the head, 40 mm off, before the detector told
    # the face's side).
    annotation = load_scalp_annotations(ANNOTATIONS)["5-right"]
    composite = composite_smp(
        _photo("5-right"), annotation, seed=7106, ink="black", density_per_cm2=60.0
    )
    analysis = analyse_photo(composite.rgb, mm_per_px=composite.mm_per_px)
    assert analysis.brow_line_source == "estimated"
    frontal = shapely.segmentize(shapely.LineString(analysis.hairline_segments["frontal"]), 1.0)
    truth = shapely.LineString(composite.frontal_hairline_xy)
    points = shapely.points(np.asarray(frontal.coords))
    off_mm = shapely.distance(truth, points) * composite.mm_per_px
    assert float(np.mean(off_mm)) < 5.0
