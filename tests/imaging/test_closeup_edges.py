"""A close-up's pigment that runs out of frame: region and count go on to the photo's edge."""

import cv2
import numpy as np
import pytest
import shapely

from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.frame_edge import detect_to_the_edge
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo


def test_closeup_region_reaches_the_photos_edge():
    options = SynthOptions(
        seed=31, width_px=1600, height_px=1200, mm_per_px=0.035, marker=False, silhouette=False
    )
    photo, truth = generate_scalp_photo(options)
    analysis = analyse_photo(photo, mm_per_px=0.035)
    frame = shapely.box(-0.5, -0.5, 1599.5, 1199.5)
    # Skin all over the photo: the analysis looked at all of it, up to its edge.
    assert analysis.analysed_area.area == pytest.approx(frame.area, rel=1e-3)
    # Where the pigment runs out of frame, the region goes on to the photo's edge, along as
    # much of it as the truth (whose frame is the pixels' outer edge, shifted half a pixel).
    true_frame = shapely.box(0, 0, 1600, 1200)
    along_true = truth.region.boundary.intersection(true_frame.boundary.buffer(0.01)).length
    along_found = analysis.region.boundary.intersection(frame.boundary.buffer(0.01)).length
    assert along_true > 1000
    assert along_found == pytest.approx(along_true, rel=0.1)


def _dots_photo() -> tuple[np.ndarray, list[tuple[int, int]], list[tuple[int, int]]]:
    """Skin with dots inside, dots cut in half by the left edge, and hairs ending on it."""
    rng = np.random.default_rng(5)
    photo = np.full((600, 600, 3), (205, 165, 135), np.uint8)
    inside = [(x, y) for x in range(60, 560, 50) for y in range(40, 580, 60)]
    on_edge = [(0, y) for y in range(30, 600, 70)]
    for x, y in inside + on_edge:
        cv2.circle(photo, (x, y), 4, (70, 70, 80), -1, cv2.LINE_AA)
    for y in (65, 205, 345, 485):  # hairs slanting out of the frame
        end = (int(40 * np.cos(0.5)), y + int(40 * np.sin(0.5)))
        cv2.line(photo, (0, y), end, (80, 70, 65), 2, cv2.LINE_AA)
    noisy = photo.astype(np.float32) + rng.normal(0, 2.0, photo.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8), inside, on_edge


def test_impressions_cut_by_the_photos_edge_are_counted_and_hairs_leaving_it_are_not():
    photo, inside, on_edge = _dots_photo()
    found, _ = detect_to_the_edge(photo, 0.03, np.ones(photo.shape[:2], bool))
    xy = found.xy
    near = [np.hypot(xy[:, 0] - x, xy[:, 1] - y).min() < 3 for x, y in on_edge]
    assert all(near)  # every dot the edge cuts in half
    assert sum(np.hypot(xy[:, 0] - x, xy[:, 1] - y).min() < 3 for x, y in inside) == len(inside)
    assert found.count == len(inside) + len(on_edge)  # and nothing on the hairs


def test_a_dot_mostly_beyond_the_photos_edge_is_left_to_the_next_photo():
    photo = np.full((400, 400, 3), (205, 165, 135), np.uint8)
    for x, y in [(x, y) for x in range(60, 360, 50) for y in range(40, 380, 60)]:
        cv2.circle(photo, (x, y), 4, (70, 70, 80), -1, cv2.LINE_AA)
    beyond, within = [(-3, y) for y in (50, 150)], [(2, y) for y in (250, 350)]
    for x, y in beyond + within:  # radius 4 px: three fifths of the first ones are off the photo
        cv2.circle(photo, (x * 16, y * 16), 4 * 16, (70, 70, 80), -1, cv2.LINE_AA, shift=4)
    noise = np.random.default_rng(3).normal(0, 2.0, photo.shape)
    photo = np.clip(photo + noise, 0, 255).astype(np.uint8)
    found, _ = detect_to_the_edge(photo, 0.03, np.ones(photo.shape[:2], bool))
    on_edge = found.xy[found.xy[:, 0] < 10]
    assert sorted(np.round(on_edge[:, 1]).astype(int).tolist()) == [250, 350]


def test_closeup_analysed_area_reaches_the_heads_outline():
    # Skin on the left half, a green wall on the right, the outline on the coarse mask's cell
    # edges (6 px cells): the analysed area runs along the kept cells' outer edges, where the
    # mask does (it ran through their centres, half a cell inside, leaving the pigment along the
    # outline out of region and count).
    rng = np.random.default_rng(2)
    photo = np.full((1800, 2400, 3), (90, 130, 100), np.uint8)
    photo[:, :1200] = (200, 160, 130)
    for x in range(40, 1160, 45):
        for y in range(40, 1760, 45):
            cv2.circle(photo, (x, y), 3, (60, 60, 70), -1, cv2.LINE_AA)
    photo = np.clip(photo + rng.normal(0, 2, photo.shape), 0, 255).astype(np.uint8)
    analysis = analyse_photo(photo, mm_per_px=0.04)
    assert analysis.analysed_area.bounds == pytest.approx((-0.5, -0.5, 1199.5, 1799.5), abs=0.01)
    assert analysis.region.bounds == pytest.approx((-0.5, -0.5, 1199.5, 1799.5), abs=0.01)
