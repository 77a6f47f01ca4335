from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from scalpmap.errors import InputError
from scalpmap.imaging.marker import (
    DEFAULT_MARKER_SIDE_MM,
    MARKER_DICTIONARY_NAME,
    MarkerScale,
    detect_marker,
    marker_pixels,
)
from scalpmap.imaging.marker_draw import paste_marker, sticker_image, write_sticker
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.imaging.synth_geometry import View

SEEDS = list(range(12))


def _skin(rng: np.random.Generator, h: int, w: int) -> NDArray[np.uint8]:
    """Skin-coloured background with a shading gradient and blotchy texture."""
    base = np.array([205.0, 160.0, 135.0]) * rng.uniform(0.8, 1.05)
    xx = np.arange(w)[None, :, None]
    shade = 18.0 * np.sin(xx / rng.uniform(60, 150) + rng.uniform(0, 6)) * np.array([1, 0.8, 0.7])
    coarse = rng.normal(0.0, 7.0, (h // 8 + 1, w // 8 + 1)).astype(np.float32)
    blotch = np.asarray(cv2.resize(coarse, (w, h)), dtype=np.float32)
    img = (base + shade).astype(np.float32) + blotch[..., None]
    out: NDArray[np.uint8] = np.clip(img, 0, 255).astype(np.uint8)
    return out


def _jpeg(rgb: NDArray[np.uint8], quality: int = 85) -> NDArray[np.uint8]:
    ok, buf = cv2.imencode(".jpg", rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    bgr = np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR), dtype=np.uint8)
    return np.ascontiguousarray(bgr[..., ::-1])


def _noisy(rng: np.random.Generator, img: NDArray[np.uint8], sigma: float) -> NDArray[np.uint8]:
    noise = rng.standard_normal(img.shape, dtype=np.float32) * np.float32(sigma)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def _photo(seed: int) -> tuple[NDArray[np.uint8], NDArray[np.float64], float, int]:
    """Blurred, noisy, JPEG-compressed synthetic photo with one marker of known geometry."""
    rng = np.random.default_rng(seed)
    side = float(rng.uniform(150.0, 800.0))
    size = int(side * 2.0) + 40  # the rotated quiet zone may be cut off
    img = _skin(rng, size, size + int(rng.integers(0, 200)))
    centre = (img.shape[1] / 2 + rng.uniform(-15, 15), size / 2 + rng.uniform(-15, 15))
    angle = 90.0 * (seed % 4) if seed % 3 == 0 else float(rng.uniform(0.0, 360.0))
    marker_id = int(rng.integers(0, 50))
    corners = paste_marker(
        img, center_xy=centre, side_px=side, angle_deg=angle, marker_id=marker_id
    )
    img = np.asarray(cv2.GaussianBlur(img, (0, 0), float(rng.uniform(0.3, 1.2))), dtype=np.uint8)
    return _jpeg(_noisy(rng, img, 3.0)), corners, side, marker_id


@pytest.mark.parametrize("seed", SEEDS)
def test_detect_marker_scale_within_half_percent(seed: int) -> None:
    img, corners, side, marker_id = _photo(seed)
    found = detect_marker(img)
    assert isinstance(found, MarkerScale)
    truth = DEFAULT_MARKER_SIDE_MM / side
    assert abs(found.mm_per_px / truth - 1.0) < 0.005
    assert abs(found.mm_per_px / truth - 1.0) < 0.001  # the method is much better than required
    assert found.marker_id == marker_id
    assert found.dictionary == MARKER_DICTIONARY_NAME
    assert found.corners_xy.shape == (4, 2)
    assert np.abs(found.corners_xy - corners).max() < 0.25  # same corner order and convention
    assert found.residual_px < 0.2
    assert found.residual_mm == pytest.approx(found.residual_px * found.mm_per_px)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_detect_marker_uses_side_mm_and_accepts_grey(seed: int) -> None:
    img, _, side, _ = _photo(seed)
    grey = np.asarray(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY), dtype=np.uint8)
    found = detect_marker(grey, side_mm=10.0)
    assert found is not None
    assert found.side_mm == 10.0
    assert found.mm_per_px == pytest.approx(10.0 / side, rel=0.005)


def test_detect_marker_picks_largest() -> None:
    rng = np.random.default_rng(7)
    img = _skin(rng, 900, 1400)
    paste_marker(img, center_xy=(300.0, 450.0), side_px=160.0, angle_deg=10.0, marker_id=3)
    paste_marker(img, center_xy=(950.0, 450.0), side_px=300.0, angle_deg=-25.0, marker_id=9)
    found = detect_marker(img)
    assert found is not None and found.marker_id == 9
    assert found.mm_per_px == pytest.approx(20.0 / 300.0, rel=0.002)


@pytest.mark.parametrize(("angle", "width"), [(0.0, 1400), (17.0, 1400), (-22.0, 2400)])
def test_detect_marker_with_sticker_at_the_frame_edge(angle: float, width: int) -> None:
    """The sticker's white quiet zone 4 px from the edge must not hide the marker.

    ArUco groups quads whose corners are closer than ``minMarkerDistanceRate`` * perimeter and
    keeps the largest, dropping the group if that one touches the image border; with the
    default rate the sticker outline (2 modules out) swallowed the marker.
    """
    rng = np.random.default_rng(int(width + angle))
    img = _skin(rng, 1000 * width // 1400, width)
    side = 330.0
    theta = np.radians(angle)
    reach = side * (0.5 + 2 / 6) * (abs(np.cos(theta)) + abs(np.sin(theta)))
    centre = (0.6 * width, img.shape[0] - reach - 4.0)
    corners = paste_marker(img, center_xy=centre, side_px=side, angle_deg=angle, marker_id=0)
    img = np.asarray(cv2.GaussianBlur(img, (0, 0), 0.8), dtype=np.uint8)
    found = detect_marker(_jpeg(_noisy(rng, img, 3.0)), side_mm=10.0)
    assert found is not None and found.marker_id == 0
    assert found.mm_per_px == pytest.approx(10.0 / side, rel=0.001)
    assert np.abs(found.corners_xy - corners).max() < 0.25


# (view, seed, width): close-ups at 1600 x 1200 px, whole-head views at 1200 x 900 px (same
# marker size in px, faster to render) and one full-size 2400 x 1800 close-up, which goes through
# the downscaled ArUco pass. ArUco's default grouping missed every one of them.
SYNTH_CASES = [
    *[("closeup", seed, 1600) for seed in range(4)],
    *[(view, seed, 1200) for view in ("front", "side", "top") for seed in (1, 2)],
    ("closeup", 1, 2400),
]


@pytest.mark.parametrize(("view", "seed", "width"), SYNTH_CASES)
def test_detect_marker_in_synthetic_scalp_photos(view: View, seed: int, width: int) -> None:
    photo, truth = generate_scalp_photo(
        SynthOptions(seed=seed, view=view, width_px=width, height_px=width * 3 // 4)
    )
    assert truth.marker_corners_xy.shape == (4, 2)  # the sticker fits in the photo
    found = detect_marker(photo, side_mm=truth.marker_side_mm)
    assert found is not None
    assert found.marker_id == (0 if view == "closeup" else 2)
    assert abs(found.mm_per_px / truth.mm_per_px - 1.0) < 0.005
    assert abs(found.mm_per_px / truth.mm_per_px - 1.0) < 0.001
    assert np.abs(found.corners_xy - truth.marker_corners_xy).max() < 0.5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_no_marker_returns_none(seed: int) -> None:
    rng = np.random.default_rng(seed)
    img = _skin(rng, 600, 800)
    assert detect_marker(_jpeg(_noisy(rng, img, 4.0))) is None


def test_detect_marker_rejects_bad_input() -> None:
    with pytest.raises(InputError):
        detect_marker(np.zeros((10, 10, 4), np.uint8))
    with pytest.raises(InputError):
        detect_marker(np.zeros((10, 10, 3), np.float32))
    with pytest.raises(InputError):
        detect_marker(np.zeros((10, 10, 3), np.uint8), side_mm=0.0)
    with pytest.raises(InputError):
        detect_marker(np.zeros((10, 10, 3), np.uint8), dictionary="NOPE")


def test_paste_marker_geometry_is_exact() -> None:
    """Dark area and its centroid match the analytic marker to a small fraction of a pixel."""
    img = np.full((400, 400, 3), 255, np.uint8)
    side, angle, centre = 150.7, 31.0, (201.3, 198.6)
    corners = paste_marker(img, center_xy=centre, side_px=side, angle_deg=angle)
    bits = marker_pixels(0, side_px=6) == 0
    dark = 1.0 - img[..., 0] / 255.0
    assert dark.sum() == pytest.approx(side**2 * bits.mean(), rel=1e-4)
    rows, cols = np.nonzero(bits)
    local = np.array([(cols + 0.5).mean() / 6 - 0.5, (rows + 0.5).mean() / 6 - 0.5]) * side
    theta = np.radians(angle)
    rot = np.array([[np.cos(theta), np.sin(theta)], [-np.sin(theta), np.cos(theta)]])
    yy, xx = np.mgrid[0:400, 0:400]
    centroid = np.array([(xx * dark).sum(), (yy * dark).sum()]) / dark.sum()
    np.testing.assert_allclose(centroid, np.array(centre) + rot @ local, atol=0.01)
    np.testing.assert_allclose(corners.mean(axis=0), centre)
    np.testing.assert_allclose(np.linalg.norm(corners[1] - corners[0]), side)
    assert corners[1, 1] < corners[0, 1]  # counter-clockwise on screen: top-right rises


def test_paste_marker_axis_aligned_edge_coverage() -> None:
    img = np.full((100, 100, 3), 255, np.uint8)
    corners = paste_marker(img, center_xy=(50.0, 50.0), side_px=30.5, angle_deg=0.0)
    np.testing.assert_allclose(corners[0], [34.75, 34.75])
    # pixel 35 spans 34.5..35.5 and is a quarter white; the linear-interpolation ramp is a
    # little narrower than a pixel (the big render is slightly finer than the photo)
    assert 0.18 * 255 <= int(img[50, 35, 0]) <= 0.26 * 255
    assert int(img[50, 34, 0]) == 255 and int(img[50, 36, 0]) == 0


def test_marker_pixels() -> None:
    img = marker_pixels(5, side_px=61)
    assert img.shape == (61, 61) and img.dtype == np.uint8
    assert set(np.unique(img).tolist()) <= {0, 255}
    assert (img[:10, :] == 0).all() and (img[:, -10:] == 0).all()  # one-module black border
    with pytest.raises(InputError):
        marker_pixels(50, side_px=60)
    with pytest.raises(InputError):
        marker_pixels(0, side_px=5)


def test_sticker_image_is_detected_with_its_id() -> None:
    img = sticker_image(17, side_mm=20.0, dpi=600)
    rgb = np.asarray(img.convert("RGB"))
    found = detect_marker(rgb)
    assert found is not None and found.marker_id == 17
    assert found.mm_per_px == pytest.approx(25.4 / 600, rel=0.002)


def test_write_sticker_png(tmp_path: Path) -> None:
    out = write_sticker(tmp_path / "sticker.png", marker_id=4, side_mm=15.0, dpi=600)
    assert out == tmp_path / "sticker.png"
    with Image.open(out) as img:
        assert img.format == "PNG"
        assert img.info["dpi"] == pytest.approx((600, 600), abs=0.01)
        rgb = np.asarray(img.convert("RGB"))
    found = detect_marker(rgb, side_mm=15.0)
    assert found is not None and found.marker_id == 4
    assert found.mm_per_px == pytest.approx(25.4 / 600, rel=0.003)


def test_write_sticker_pdf(tmp_path: Path) -> None:
    out = write_sticker(str(tmp_path / "sticker.PDF"), marker_id=1, dpi=600)
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    img = sticker_image(1, dpi=600)
    match = re.search(rb"/MediaBox \[ 0 0 ([0-9.]+) ([0-9.]+) \]", data)
    assert match is not None
    # the page is the image at 600 dpi (72 pt per inch), so the print is actual size
    page_pt = (float(match.group(1)), float(match.group(2)))
    assert page_pt == pytest.approx((img.width * 72 / 600, img.height * 72 / 600), abs=0.01)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("sticker.jpg", {}),
        ("sticker", {}),
        ("sticker.png", {"marker_id": 50}),
        ("sticker.png", {"marker_id": -1}),
        ("sticker.png", {"side_mm": 4.0}),
        ("sticker.pdf", {"side_mm": 101.0}),
        ("sticker.png", {"dpi": 10}),
        ("sticker.png", {"side_mm": 20.0, "dpi": 72}),  # 56.7 dots cannot be printed exactly
        ("missing/dir/sticker.png", {}),
    ],
)
def test_write_sticker_bad_arguments(tmp_path: Path, name: str, kwargs: dict[str, float]) -> None:
    with pytest.raises(InputError) as info:
        write_sticker(tmp_path / name, **kwargs)  # type: ignore[arg-type]
    assert "\n" not in str(info.value)
    assert not (tmp_path / name).exists()
