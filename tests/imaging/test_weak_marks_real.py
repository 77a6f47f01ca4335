"""A real bald head without SMP, at clinic resolution: its skin's texture is no impressions.

Marks that barely stand out from the noise count only beside enough clear impressions
(``impressions.MIN_CLEAR_FOR_WEAK``). Without that floor the pores and flecks of this bare
head (tests/data/real-heads/5-front.jpg, CC BY 4.0, see ATTRIBUTION.md), upscaled x3 to
0.096 mm/px as the whole-head benchmark reads it, became "impressions": the photo went to the
close-up path and 3.3 cm² of "pigment" lay under the brows.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from scalpmap.imaging.analysis import analyse_photo

PHOTO = Path(__file__).resolve().parents[1] / "data" / "real-heads" / "5-front.jpg"
MM_PER_PX = 0.2885 / 3  # the photo's annotated scale, upscaled x3


def test_a_bare_real_head_at_clinic_resolution_is_not_a_close_up_of_impressions():
    bgr = cv2.imread(str(PHOTO), cv2.IMREAD_COLOR)
    assert bgr is not None
    big = cv2.resize(bgr, None, fx=3, fy=3, interpolation=cv2.INTER_LANCZOS4)
    analysis = analyse_photo(np.ascontiguousarray(big[:, :, ::-1]), mm_per_px=MM_PER_PX)
    assert analysis.mode == "coverage", analysis.mode_reason
    assert len(analysis.impressions.xy) == 0
