"""A bare bald head seen from the front reads as bare: no region where no pigment stands clearly
above the person's own forehead skin, with a warning that says so; SMP on the same head is kept.

Real photos of tests/data/real-heads (CC BY 4.0; see its ATTRIBUTION.md), upscaled x3 to about
clinic resolution as the whole-head benchmark does; the SMP is drawn on 25-front by
:mod:`scalpmap.imaging.synth_composite` into its annotated bald scalp
(benchmarks/data/real-heads).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.synth_composite import composite_smp, load_scalp_annotations

ROOT = Path(__file__).resolve().parents[2]
REAL_HEADS = ROOT / "tests" / "data" / "real-heads"
ANNOTATIONS = ROOT / "benchmarks" / "data" / "real-heads" / "scalp_annotations.json"
UPSCALE = 3
WARNING = "no pigment stands clearly above this person's forehead skin"


def _upscaled(name: str) -> np.ndarray:
    bgr = cv2.imread(str(REAL_HEADS / f"{name}.jpg"), cv2.IMREAD_COLOR)
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    return cv2.resize(rgb, None, fx=UPSCALE, fy=UPSCALE, interpolation=cv2.INTER_LANCZOS4)


@pytest.mark.parametrize(("name", "mm_per_px"), [("25-front", 0.0877), ("36-front", 0.1)])
def test_a_bare_bald_head_from_the_front_gets_no_region_and_a_warning(name, mm_per_px):
    # 25-front: a shaved head lying on its side, its crown shaded and finely stubbled (it read
    # as 38 cm² of pigment, a third of its bald scalp); 36-front: a bald head with shine and
    # forehead wrinkles.
    analysis = analyse_photo(_upscaled(name), mm_per_px=mm_per_px)
    assert analysis.head is not None and analysis.head.view == "front"
    assert analysis.region.is_empty
    assert len(analysis.hairline_xy) == 0
    assert any(WARNING in warning for warning in analysis.warnings)


def test_smp_on_the_same_bare_head_is_still_found():
    annotation = load_scalp_annotations(ANNOTATIONS)["25-front"]
    photo = cv2.cvtColor(cv2.imread(str(REAL_HEADS / "25-front.jpg")), cv2.COLOR_BGR2RGB)
    composite = composite_smp(photo, annotation, seed=7103, ink="black", density_per_cm2=50.0)
    analysis = analyse_photo(composite.rgb, mm_per_px=composite.mm_per_px)
    assert not any(WARNING in warning for warning in analysis.warnings)
    covered = analysis.region.intersection(composite.region).area / composite.region.area
    assert covered > 0.9
