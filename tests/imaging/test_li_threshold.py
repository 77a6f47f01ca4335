"""Li's threshold in numpy gives scikit-image's answer, without loading scipy."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.filters import threshold_li

from scalpmap.imaging.li_threshold import li_threshold


@pytest.mark.parametrize("seed", range(12))
def test_matches_scikit_image_on_two_classes(seed):
    rng = np.random.default_rng(seed)
    small = rng.integers(1, 400)
    values = np.concatenate(
        [
            rng.normal(rng.uniform(-3, 3), rng.uniform(0.1, 1.5), rng.integers(200, 3000)),
            rng.normal(rng.uniform(4, 20), rng.uniform(0.1, 3.0), small),
        ]
    )
    if seed % 3 == 0:
        values = np.round(values, 1)  # ties
    original = values.copy()
    expected = threshold_li(values.copy())
    assert li_threshold(values) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert np.array_equal(values, original)  # the input is left as it was


def test_the_split_lies_between_two_clear_classes():
    values = np.array([1.0, 1.1, 0.9, 1.05, 5.0, 5.2, 4.8])
    assert 1.1 < li_threshold(values) < 4.8


def test_nan_are_ignored_and_degenerate_inputs_have_an_answer():
    assert li_threshold(np.array([np.nan, 1.0, 5.0, np.nan, 1.2, 5.1])) == pytest.approx(
        threshold_li(np.array([1.0, 5.0, 1.2, 5.1]))
    )
    assert np.isnan(li_threshold(np.array([np.nan, np.nan])))
    assert li_threshold(np.full(7, 2.5)) == 2.5
    assert li_threshold(np.array([-np.inf, np.inf])) == 0.0
