import json

import numpy as np
import pytest
import shapely

from scalpmap.errors import InputError
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo, write_synthetic_photo

SMALL = {"width_px": 800, "height_px": 600}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_seed_same_photo_and_other_seed_differs(seed):
    a, truth_a = generate_scalp_photo(SynthOptions(seed=seed, **SMALL))
    b, truth_b = generate_scalp_photo(SynthOptions(seed=seed, **SMALL))
    c, _ = generate_scalp_photo(SynthOptions(seed=seed + 100, **SMALL))
    assert np.array_equal(a, b)
    assert np.array_equal(truth_a.impressions, truth_b.impressions)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("seed", range(6))
def test_truth_impressions_respect_the_domain_ranges(seed):
    _, truth = generate_scalp_photo(SynthOptions(seed=seed, **SMALL, mm_per_px=0.04))
    options = truth.options
    assert options.fitzpatrick in range(1, 7)
    diameters = truth.impressions[:, 2]
    assert diameters.min() >= 0.10 and diameters.max() <= 0.35
    assert (truth.impressions[:, 3] > 0).all() and (truth.impressions[:, 3] <= 1).all()
    # Impressions lie in the frame and mostly in the true region (the feathered edge spills).
    x, y = truth.impressions[:, 0], truth.impressions[:, 1]
    assert (x >= 0).all() and (x <= 800).all() and (y >= 0).all() and (y <= 600).all()
    inside = shapely.contains_xy(truth.region, x, y).mean()
    assert inside > 0.8
    # The realised density is near the nominal one (patchiness removes about 13 %).
    assert 0.6 * options.density_per_cm2 < truth.density_per_cm2 < 1.2 * options.density_per_cm2


@pytest.mark.parametrize("view", ["front", "side", "top"])
def test_whole_head_views_have_a_silhouette_and_a_hairline_inside_it(view):
    photo, truth = generate_scalp_photo(SynthOptions(seed=5, view=view, **SMALL))
    assert truth.scalp is not None
    assert 0.10 <= truth.mm_per_px <= 0.25
    assert len(truth.hairline_xy) >= 2
    assert truth.scalp.buffer(2).contains(shapely.LineString(truth.hairline_xy))
    # The background differs from the skin: the head is visible.
    assert photo.std() > 5


def test_written_truth_matches_the_returned_truth(tmp_path):
    path = tmp_path / "p.jpg"
    truth = write_synthetic_photo(path, SynthOptions(seed=4, **SMALL))
    doc = json.loads((tmp_path / "p.jpg.truth.json").read_text())
    assert path.read_bytes()[:2] == b"\xff\xd8"
    assert len(doc["impressions"]) == len(truth.impressions)
    assert doc["mm_per_px"] == pytest.approx(truth.mm_per_px)
    assert doc["region"]["area_cm2"] == pytest.approx(truth.region_area_cm2, rel=1e-3)


@pytest.mark.parametrize(
    "options",
    [
        SynthOptions(fitzpatrick=7),
        SynthOptions(width_px=10),
        SynthOptions(density_per_cm2=0.5),
        SynthOptions(mm_per_px=5.0),
    ],
)
def test_out_of_range_options_are_refused(options):
    with pytest.raises(InputError):
        generate_scalp_photo(options)


def test_unsupported_output_format_is_refused(tmp_path):
    with pytest.raises(InputError, match=r"\.jpg or \.png"):
        write_synthetic_photo(tmp_path / "p.gif", SynthOptions(**SMALL))
