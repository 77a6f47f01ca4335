"""Faint impressions on a darker neighbour's shoulder, found once the neighbours are taken away."""

import cv2
import numpy as np

from scalpmap.imaging.detect import detect_impressions
from scalpmap.imaging.dot_model import draw_dots, radial_profiles
from scalpmap.imaging.dot_residual import KEPT_REASON
from scalpmap.imaging.matching import match_points

MM_PER_PX = 0.078
SKIN = np.array([205.0, 165.0, 140.0])


def _photo(faint_beside: bool, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dark dots on a grid, and (optionally) a faint one 0.45 mm from each of the first ten."""
    rng = np.random.default_rng(seed)
    size = 400
    darkening = np.zeros((size, size), np.float32)
    dark = np.array([(40.0 + 40 * i + rng.uniform(-3, 3), 40.0 + 40 * j + rng.uniform(-3, 3))
                     for i in range(9) for j in range(9)])  # fmt: skip
    for x, y in dark:
        cv2.circle(darkening, (int(round(x * 8)), int(round(y * 8))), 14, 0.55, -1, cv2.LINE_AA, 3)
    faint = np.zeros((0, 2))
    if faint_beside:
        angle = rng.uniform(0, 2 * np.pi, 10)
        faint = dark[:10] + (0.45 / MM_PER_PX) * np.column_stack([np.cos(angle), np.sin(angle)])
        for x, y in faint:
            cv2.circle(
                darkening, (int(round(x * 8)), int(round(y * 8))), 11, 0.22, -1, cv2.LINE_AA, 3
            )
    darkening = np.asarray(cv2.GaussianBlur(darkening, (0, 0), 1.0), np.float32)
    photo = SKIN[None, None, :] * (1 - darkening[..., None])
    photo += rng.normal(0, 2.0, photo.shape)
    return np.clip(photo, 0, 255).astype(np.uint8), dark, faint


def test_profiles_take_a_dot_away_and_leave_its_neighbour() -> None:
    yy, xx = np.mgrid[:40, :40].astype(np.float64)
    dot = np.exp(-np.minimum((xx - 15) ** 2 + (yy - 20) ** 2, 200) / 6.0)
    neighbour = 0.4 * np.exp(-np.minimum((xx - 20) ** 2 + (yy - 20) ** 2, 200) / 4.0)
    image = (dot + neighbour).astype(np.float32)
    centre = np.array([[15.0, 20.0]])
    left = image - draw_dots(image.shape, centre, radial_profiles(image, centre, 8))
    assert abs(float(left[20, 15])) < 0.05  # the dot is gone
    assert float(left[20, 20]) > 0.3  # its neighbour stays
    assert left.argmax() == 20 * 40 + 20


def test_faint_dots_on_a_neighbours_shoulder_are_found() -> None:
    photo, dark, faint = _photo(True)
    found = detect_impressions(photo, mm_per_px=MM_PER_PX)
    truth = np.vstack([dark, faint])
    match = match_points(truth, found.xy, tolerance=0.2 / MM_PER_PX)
    assert match.precision == 1.0
    found_faint = np.isin(np.arange(len(dark), len(truth)), match.pairs[:, 0]).sum()
    assert found_faint >= 7  # five without the residual search
    assert found.rejected.get(KEPT_REASON, 0) >= 2


def test_no_dots_are_made_beside_lone_impressions() -> None:
    photo, dark, _ = _photo(False)
    found = detect_impressions(photo, mm_per_px=MM_PER_PX)
    match = match_points(dark, found.xy, tolerance=0.2 / MM_PER_PX)
    assert found.count == len(dark)
    assert match.recall == 1.0
