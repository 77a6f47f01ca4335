import numpy as np
import pytest
import shapely

from scalpmap.errors import InputError, ScaleError
from scalpmap.imaging.analysis import analyse_photo, choose_mode
from scalpmap.imaging.photo_io import load_photo
from scalpmap.imaging.roi import parse_roi
from scalpmap.imaging.scale import NO_SCALE_MESSAGE
from scalpmap.imaging.scoring import score_analysis
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo


@pytest.mark.parametrize("seed", [31, 32, 33])
def test_closeup_region_hairline_and_density_match_the_truth(seed):
    options = SynthOptions(
        seed=seed, width_px=1600, height_px=1200, mm_per_px=0.035, marker=False, silhouette=False
    )
    photo, truth = generate_scalp_photo(options)
    analysis = analyse_photo(photo, mm_per_px=0.035)
    score = score_analysis(analysis, truth)
    assert analysis.mode == "impressions"
    assert score.region_area_error < 0.10
    assert score.hairline_error_mm < 1.6
    assert score.density_error < 0.08
    # The hairline runs left to right, inside the photo.
    hairline = analysis.hairline_xy
    assert hairline[0, 0] < hairline[-1, 0]
    assert (hairline[:, 0] >= -1).all() and (hairline[:, 0] <= 1600).all()


@pytest.mark.parametrize(("view", "seed"), [("front", 41), ("top", 42)])
def test_whole_head_views_use_coverage_and_find_the_scalp_region(view, seed):
    options = SynthOptions(
        seed=seed,
        view=view,
        width_px=1600,
        height_px=1200,
        mm_per_px=0.15,
        marker=False,
        ink="black",
        fitzpatrick=2,
    )
    photo, truth = generate_scalp_photo(options)
    analysis = analyse_photo(photo, mm_per_px=0.15)
    score = score_analysis(analysis, truth)
    assert analysis.mode == "coverage"
    assert "coverage" in analysis.mode_reason
    assert score.region_iou > 0.8
    # The brows, the face and the background are dark texture too, but not pigment (a top view
    # shows no face to find the brows with: its ears may still touch the region).
    assert truth.head is not None and truth.scalp is not None
    below_cm2 = analysis.region.intersection(truth.head.below_brows).area * 0.15**2 / 100
    assert below_cm2 < (1.0 if view == "front" else 3.0)
    outside = analysis.region.difference(truth.scalp.buffer(2.0 / 0.15))
    assert outside.area * 0.15**2 / 100 < 1.0


def test_marker_gives_the_scale(closeup_photo):
    path, truth = closeup_photo
    analysis = analyse_photo(load_photo(path).rgb)
    assert analysis.scale.source == "marker"
    assert analysis.scale.marker_id == 0
    assert analysis.scale.mm_per_px == pytest.approx(truth.mm_per_px, rel=0.005)
    # The sticker is not pigment: no impression is reported on it.
    sticker = shapely.Polygon(truth.marker_corners_xy).buffer(5)
    xy = analysis.impressions.xy
    assert not shapely.contains_xy(sticker, xy[:, 0], xy[:, 1]).any()


def test_a_given_scale_overrides_the_marker(closeup_photo):
    path, _ = closeup_photo
    analysis = analyse_photo(load_photo(path).rgb, mm_per_px=0.05)
    assert analysis.scale.source == "given" and analysis.scale.mm_per_px == 0.05


def test_no_scale_is_a_clear_error(unmarked_photo):
    path, _ = unmarked_photo
    with pytest.raises(ScaleError) as error:
        analyse_photo(load_photo(path).rgb)
    assert str(error.value) == NO_SCALE_MESSAGE


def test_roi_limits_the_analysis(unmarked_photo):
    path, truth = unmarked_photo
    rgb = load_photo(path).rgb
    whole = analyse_photo(rgb, mm_per_px=0.035)
    left = analyse_photo(rgb, mm_per_px=0.035, roi=parse_roi("0,0,600,900"))
    assert 0 < left.impressions.count < whole.impressions.count
    assert (left.impressions.xy[:, 0] <= 601).all()  # sub-pixel centres of edge pixels
    assert left.region_area_cm2 < whole.region_area_cm2


def test_roi_outside_the_photo_is_refused(unmarked_photo):
    path, _ = unmarked_photo
    with pytest.raises(InputError, match="outside"):
        analyse_photo(load_photo(path).rgb, mm_per_px=0.035, roi=parse_roi("5000,5000,6000,6000"))


@pytest.mark.parametrize(
    "text", ["1,2,3", "0,0,-5,10", "a,b,c,d", "0,0;1,1", "0,0;10,10;0,10;10,0", "missing.json"]
)
def test_malformed_roi_is_refused(text):
    with pytest.raises(InputError):
        parse_roi(text)


def test_roi_from_a_json_file(tmp_path):
    path = tmp_path / "roi.json"
    path.write_text('{"roi": [[0, 0], [100, 0], [100, 50]]}')
    assert parse_roi(str(path)).area == pytest.approx(2500)


def test_mode_follows_the_scale():
    assert choose_mode(0.03)[0] == "impressions"
    assert choose_mode(0.2)[0] == "coverage"


def test_blank_skin_has_no_region():
    rng = np.random.default_rng(1)
    photo = np.clip(rng.normal(180, 2, (400, 500, 3)), 0, 255).astype(np.uint8)
    photo[..., 2] = 140
    analysis = analyse_photo(photo, mm_per_px=0.035)
    assert analysis.impressions.count < 3
    assert analysis.region_area_cm2 == 0.0
    assert len(analysis.hairline_xy) == 0


@pytest.mark.parametrize(("view", "seed"), [("front", 100), ("side", 101), ("top", 100)])
def test_whole_head_analysis_is_clean_under_strict_float_errors(view, seed):
    # conftest sets np.seterr(all="raise"): harmless underflow must not stop an analysis.
    photo, truth = generate_scalp_photo(
        SynthOptions(seed=seed, view=view, width_px=1200, height_px=900, marker=False)
    )
    analysis = analyse_photo(photo, mm_per_px=truth.mm_per_px)
    assert analysis.region_area_cm2 > 0
