import cv2
import numpy as np
import pytest

from scalpmap.errors import InputError, ScaleError
from scalpmap.imaging.detect import Impressions, detect_impressions
from scalpmap.imaging.matching import match_points
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo

MM_PER_PX = 0.035


@pytest.mark.parametrize("skin", range(1, 7))
@pytest.mark.parametrize("seed", [101, 202])
def test_impressions_are_found_on_every_skin_type(skin, seed):
    inks = ("bluish-black", "black", "faded-grey")
    options = SynthOptions(
        seed=seed + skin,
        width_px=1000,
        height_px=750,
        mm_per_px=MM_PER_PX,
        fitzpatrick=skin,
        ink=inks[(seed + skin) % 3],
        marker=False,
    )
    photo, truth = generate_scalp_photo(options)
    found = detect_impressions(photo, mm_per_px=MM_PER_PX)
    match = match_points(truth.impressions[:, :2], found.xy, tolerance=0.2 / MM_PER_PX)
    assert match.f1 >= 0.93, (match.precision, match.recall)
    # Sub-pixel centres and millimetre sizes agree with what was drawn.
    assert match.distances.mean() * MM_PER_PX < 0.02
    drawn = truth.impressions[match.pairs[:, 0], 2]
    measured = found.diameter_mm[match.pairs[:, 1]]
    assert np.median(np.abs(measured - drawn)) < 0.05


def _skin(rows=300, cols=300, colour=(205, 160, 128)):
    rng = np.random.default_rng(0)
    photo = np.empty((rows, cols, 3), np.float64)
    photo[:] = colour
    photo += rng.normal(0, 2, photo.shape)
    return photo


def _finish(photo):
    return cv2.GaussianBlur(np.clip(photo, 0, 255).astype(np.uint8), (0, 0), 0.7)


def test_stubble_moles_freckles_and_pores_are_not_impressions():
    photo = _skin()
    ink = np.array([0.2, 0.2, 0.22])
    for x, y in [(60, 60), (150, 60), (240, 60)]:  # three dots 0.25 mm across
        cv2.circle(photo, (x, y), 3, tuple((photo[y, x] * ink).tolist()), -1)
    cv2.line(photo, (40, 150), (80, 170), (60, 45, 40), 2)  # a hair 1.6 mm long
    cv2.circle(photo, (150, 160), 30, (120, 80, 55), -1)  # a mole 2 mm across
    cv2.circle(photo, (240, 240), 20, (185, 130, 95), -1)  # a light-brown freckle
    cv2.circle(photo, (60, 240), 1, (197, 153, 122), -1)  # a faint pore
    found = detect_impressions(_finish(photo), mm_per_px=0.04)
    assert found.count == 3
    assert sorted(np.round(found.xy[:, 1]).astype(int).tolist()) == [60, 60, 60]
    assert found.rejected["elongated (stubble or hair)"] >= 1
    assert found.rejected["too large (mole or freckle)"] >= 1


def test_the_same_dots_are_found_on_light_and_dark_skin():
    counts = []
    for colour in [(240, 215, 195), (75, 52, 38)]:
        photo = _skin(colour=colour)
        for x in range(40, 280, 40):
            cv2.circle(photo, (x, 150), 3, tuple((np.array(colour) * 0.25).tolist()), -1)
        counts.append(detect_impressions(_finish(photo), mm_per_px=0.04).count)
    assert counts == [6, 6]


def test_empty_skin_gives_an_empty_result_with_the_right_shapes():
    found = detect_impressions(_finish(_skin()), mm_per_px=0.04)
    assert found.xy.shape == (0, 2) and found.contrast_rgb.shape == (0, 3)


@pytest.mark.parametrize(
    ("image", "error"),
    [
        (np.zeros((100, 100), np.uint8), InputError),
        (np.zeros((100, 100, 4), np.uint8), InputError),
        (np.zeros((100, 100, 3), np.float32), InputError),
        (np.zeros((8, 8, 3), np.uint8), InputError),
    ],
)
def test_wrong_arrays_are_refused_with_a_hint(image, error):
    with pytest.raises(error, match="load_photo|too small"):
        detect_impressions(image, mm_per_px=0.04)


@pytest.mark.parametrize("scale", [0.0, -1.0, float("nan"), 10.0])
def test_impossible_scales_are_refused(scale):
    with pytest.raises(ScaleError):
        detect_impressions(np.zeros((100, 100, 3), np.uint8), mm_per_px=scale)


def _dots_and_pores(faded_share):
    """Thirty dots, half of them faded if asked, and thirty pores a tenth as dark, 0.04 mm/px."""
    photo = _skin(400, 400)
    rng = np.random.default_rng(5)
    dots, pores = [], []
    for k in range(60):
        x, y = 30 + (k % 8) * 48 + int(rng.integers(-5, 6)), 25 + (k // 8) * 48
        if k % 2 == 0:
            faded = k % 4 == 0 and rng.uniform() < faded_share
            ink = 0.75 if faded else 0.25  # darkness 0.25 (old, faded work) or 0.75
            cv2.circle(photo, (x, y), 3, tuple((photo[y, x] * ink).tolist()), -1)
            dots.append((x, y))
        else:  # a pore: as large as a dot, 7 % darker than the skin
            cv2.circle(photo, (x, y), 3, tuple((photo[y, x] * 0.93).tolist()), -1)
            pores.append((x, y))
    return _finish(photo), np.array(dots, float), np.array(pores, float)


def test_pores_much_fainter_than_the_photo_s_impressions_are_rejected():
    photo, dots, pores = _dots_and_pores(faded_share=0.0)
    found = detect_impressions(photo, mm_per_px=0.04)
    # Every pore stands out from the smooth skin, but none is an impression beside the ink.
    assert match_points(pores, found.xy, tolerance=3).pairs.shape[0] == 0
    assert match_points(dots, found.xy, tolerance=3).recall == 1.0
    assert found.rejected["faint (pore or skin texture)"] >= len(pores)


def test_faded_impressions_among_dark_ones_are_kept():
    photo, dots, _ = _dots_and_pores(faded_share=1.0)
    found = detect_impressions(photo, mm_per_px=0.04)
    assert match_points(dots, found.xy, tolerance=3).recall == 1.0


def test_axis_contrast_leaves_out_samples_on_a_neighbouring_dot() -> None:
    """A round neighbour's shoulder on one side of a faint dot is no evidence of a hair."""
    from scalpmap.imaging.dot_shape import axis_contrast

    image = np.zeros((20, 20), np.float32)
    image[10, 13] = 0.5  # the neighbour, beside the candidate at (10, 10)
    x, y = np.array([10.0, 13.0]), np.array([10.0, 10.0])
    angle, reach = np.zeros(2), np.full(2, 3.0)
    plain = axis_contrast(image, x, y, angle, reach)
    hidden = axis_contrast(
        image, x, y, angle, reach, (np.array([1.0, 1.0]), np.array([0, 1], bool))
    )
    assert plain[0] > 0.2
    assert hidden[0] == 0.0


def test_weak_marks_count_only_when_like_the_ink() -> None:
    """A weak mark counts when dark enough against the typical impression and no broader."""
    from scalpmap.imaging.impressions import drop_weak_unlike_typical

    darkness = np.r_[np.full(20, 0.5), 0.2, 0.1, 0.2]
    size = np.r_[np.full(20, 0.2), 0.18, 0.18, 0.3]
    found = Impressions(np.zeros((23, 2)), size, darkness, np.zeros((23, 3)))
    weak = np.r_[np.zeros(20, bool), True, True, True]
    kept = drop_weak_unlike_typical(found, weak)
    assert kept.count == 21
    assert kept.rejected["faint (pore or skin texture)"] == 2


def test_faint_weak_marks_count_only_with_the_inks_tone() -> None:
    """A weak mark fainter than 0.3 of the typical one counts when it has the ink's tone."""
    from scalpmap.imaging.impressions import drop_weak_unlike_typical

    scale = np.linspace(0.4, 1.2, 20)
    wobble = np.outer((-1.0) ** np.arange(20), [0.004, -0.004, 0.0])
    ink = np.outer(scale, [0.40, 0.45, 0.50]) + wobble
    marks = np.array([[0.10, 0.112, 0.125], [0.14, 0.11, 0.07], [0.04, 0.045, 0.05]])
    contrast = np.vstack([ink, marks])
    darkness = contrast.mean(axis=1)  # typical 0.45; the marks 0.112, 0.107 and 0.045
    size = np.r_[np.full(20, 0.2), 0.18, 0.18, 0.18]
    found = Impressions(np.zeros((23, 2)), size, darkness, contrast)
    weak = np.r_[np.zeros(20, bool), True, True, True]
    kept = drop_weak_unlike_typical(found, weak)
    # the first has the ink's tone; the second is as dark but brown; the third is too faint
    assert kept.count == 21
    assert np.allclose(kept.contrast_rgb[20], marks[0])
