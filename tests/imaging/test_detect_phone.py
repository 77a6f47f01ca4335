"""Detection on phone close-ups (0.05-0.08 mm/px): faint and small dots found by their contrast
against the local noise, pores, stubble and moles still rejected."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from scalpmap.imaging.detect import detect_impressions
from scalpmap.imaging.matching import match_points
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo

MM = 0.075


def _photo(seed: int, skin_rgb: tuple[int, int, int], noise: float):
    """Skin with faint small dots, pores, hairs and a mole, drawn 8x supersampled with cv2.

    Pores lie anywhere (drawn first, dots may cover them); the stubble grows in a band of its
    own along the bottom and the mole sits in a gap of the dots, so that every dot is whole.
    """
    rng = np.random.default_rng(seed)
    factor, rows, cols = 8, 300, 400
    shade = np.ones((rows * factor, cols * factor), np.float32)
    for _ in range(60):  # pores: 0.05-0.08 mm, a few percent darker
        centre = (int(rng.uniform(0, cols) * factor), int(rng.uniform(0, rows) * factor))
        cv2.circle(shade, centre, int(rng.uniform(0.35, 0.55) * factor), 0.96, -1)
    for _ in range(12):  # stubble: 1.2-2 mm long, 0.06 mm wide, below the dots
        start = rng.uniform((10, 250), (cols - 40, rows - 30))
        angle = rng.uniform(0, np.pi)
        end = start + rng.uniform(16, 27) * np.array([np.cos(angle), np.sin(angle)])
        cv2.line(shade, tuple(int(v * factor) for v in start), tuple(int(v * factor) for v in end),
                 0.45, int(0.8 * factor))  # fmt: skip
    cv2.circle(shade, (200 * factor, 150 * factor), 30 * factor, 0.6, -1)  # a 4.5 mm mole
    dots = []
    for y in range(20, 230, 24):
        for x in range(20, cols - 20, 24):
            cx, cy = x + rng.uniform(-4, 4), y + rng.uniform(-4, 4)
            if 150 < cx < 250 and 100 < cy < 200:
                continue  # the mole's place
            diameter_px = rng.uniform(2.0, 3.2)  # 0.15-0.24 mm
            contrast = rng.uniform(0.15, 0.35)  # faded ink
            dots.append((cx, cy))
            centre = (int((cx + 0.5) * factor), int((cy + 0.5) * factor))
            cv2.circle(shade, centre, int(diameter_px / 2 * factor), 1 - contrast, -1)
    small = cv2.resize(shade, (cols, rows), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), 0.7)
    rgb = small[..., None] * np.asarray(skin_rgb, np.float32)
    rgb = rgb + rng.normal(0, noise, rgb.shape)
    return np.clip(rgb, 0, 255).astype(np.uint8), np.asarray(dots)


@pytest.mark.parametrize(
    ("skin_rgb", "noise"),
    [((235, 205, 185), 2.0), ((200, 150, 115), 2.5), ((95, 62, 45), 2.0)],
    ids=["light", "medium", "dark"],
)
def test_faint_small_dots_are_found_and_nothing_else(skin_rgb, noise):
    photo, dots = _photo(5, skin_rgb, noise)
    found = detect_impressions(photo, mm_per_px=MM)
    match = match_points(dots, found.xy, tolerance=0.2 / MM)
    assert match.recall >= 0.95, match.recall
    assert match.precision >= 0.97, (match.precision, found.rejected)
    assert found.rejected["elongated (stubble or hair)"] >= 12
    assert not ((found.xy[:, 0] - 200) ** 2 + (found.xy[:, 1] - 150) ** 2 < 30**2).any()


@pytest.mark.parametrize("skin", range(1, 7))
def test_phone_scale_on_every_skin_type(skin):
    """Each skin type with one of the inks in turn (faded ink on type VI can sink below the
    skin's own texture at this scale: docs/benchmarks.md measures every pair)."""
    options = SynthOptions(
        seed=70 + skin,
        width_px=900,
        height_px=700,
        mm_per_px=0.07,
        fitzpatrick=skin,
        ink=("bluish-black", "black", "faded-grey")[skin % 3],
        density_per_cm2=40,
        marker=False,
        phone=True,
    )
    photo, truth = generate_scalp_photo(options)
    found = detect_impressions(photo, mm_per_px=0.07)
    match = match_points(truth.impressions[:, :2], found.xy, tolerance=0.2 / 0.07)
    assert match.f1 >= 0.93, (match.precision, match.recall)
    assert match.precision >= 0.97
