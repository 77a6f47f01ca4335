"""Loading photos: every format and mode round-trips to 8-bit RGB, turned upright."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from scalpmap.imaging.photo_io import Photo, decode_photo, load_photo

ORIENTATION = 0x0112


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# --- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "suffix", "tol", "kwargs"),
    [
        ("JPEG", ".jpg", 12, {"quality": 95}),
        ("PNG", ".png", 0, {}),
        ("TIFF", ".tif", 0, {}),
        ("WEBP", ".webp", 0, {"lossless": True}),
        ("HEIF", ".heic", 16, {"quality": 95}),
    ],
)
def test_round_trip(
    pattern: Callable[..., NDArray[np.uint8]],
    save_image: Callable[..., Path],
    tmp_path: Path,
    fmt: str,
    suffix: str,
    tol: int,
    kwargs: dict[str, object],
) -> None:
    rgb = pattern()
    path = save_image(Image.fromarray(rgb), tmp_path / f"photo{suffix}", fmt, **kwargs)
    photo = load_photo(path)
    assert isinstance(photo, Photo)
    assert photo.rgb.shape == (24, 32, 3) and (photo.height, photo.width) == (24, 32)
    assert photo.rgb.dtype == np.uint8 and photo.rgb.flags.c_contiguous
    assert photo.source == str(path)
    assert photo.source_format == fmt
    assert photo.source_mode == "RGB"
    assert photo.exif_orientation == 1
    # compare away from quadrant edges, where lossy codecs bleed
    for y, x in [(5, 7), (5, 24), (18, 7), (18, 24)]:
        diff = np.abs(photo.rgb[y, x].astype(int) - rgb[y, x].astype(int))
        assert diff.max() <= tol, (fmt, y, x, photo.rgb[y, x], rgb[y, x])


def test_decode_photo_from_bytes(pattern: Callable[..., NDArray[np.uint8]]) -> None:
    buf = io.BytesIO()
    Image.fromarray(pattern()).save(buf, format="PNG")
    photo = decode_photo(buf.getvalue())
    assert photo.source == "<bytes>"
    np.testing.assert_array_equal(photo.rgb, pattern())
    assert decode_photo(buf.getvalue(), source="upload.png").source == "upload.png"


def test_accepts_pathlike_and_str(
    pattern: Callable[..., NDArray[np.uint8]], save_image: Callable[..., Path], tmp_path: Path
) -> None:
    path = save_image(Image.fromarray(pattern()), tmp_path / "p.png", "PNG")
    assert load_photo(str(path)).source == str(path)
    assert load_photo(path).rgb.shape == (24, 32, 3)


def test_exif_orientation_6_rotates_clockwise(tmp_path: Path) -> None:
    stored = np.full((20, 40, 3), 128, np.uint8)  # landscape as stored
    stored[:6, :6] = (255, 0, 0)  # red marker in the stored top-left corner
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    path = tmp_path / "rot.jpg"
    Image.fromarray(stored).save(path, format="JPEG", quality=95, exif=exif.tobytes())
    photo = load_photo(path)
    assert photo.exif_orientation == 6
    assert (photo.height, photo.width) == (40, 20)
    # orientation 6: rotate 90 degrees clockwise, so stored top-left lands at top-right
    assert photo.rgb[2, 17, 0] > 200 and photo.rgb[2, 17, 1] < 60
    assert abs(int(photo.rgb[2, 2, 0]) - 128) < 20


def test_heif_orientation_applied_once_and_reported(
    save_image: Callable[..., Path], tmp_path: Path
) -> None:
    stored = np.full((20, 40, 3), 128, np.uint8)
    stored[:6, :6] = (255, 0, 0)
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    path = save_image(Image.fromarray(stored), tmp_path / "rot.heic", "HEIF", exif=exif.tobytes())
    photo = load_photo(path)
    assert photo.exif_orientation == 6 and (photo.height, photo.width) == (40, 20)
    assert photo.rgb[2, 17, 0] > 200 and photo.rgb[2, 17, 1] < 60


def test_16bit_rgb_png_with_exif_orientation() -> None:
    rgb16 = np.zeros((2, 3, 3), np.uint16)
    rgb16[0, 0] = (65535, 0, 1000)
    png = cv2.imencode(".png", np.ascontiguousarray(rgb16[..., ::-1]))[1].tobytes()
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif_chunk = png_chunk(b"eXIf", exif.tobytes().removeprefix(b"Exif\x00\x00"))
    photo = decode_photo(png[:33] + exif_chunk + png[33:])  # right after IHDR
    assert photo.exif_orientation == 6 and photo.rgb.shape == (3, 2, 3)
    np.testing.assert_array_equal(photo.rgb[0, 1], [255, 0, 4])
    assert photo.rgb[0, 0].max() == 0


def test_invalid_orientation_is_ignored(
    pattern: Callable[..., NDArray[np.uint8]], save_image: Callable[..., Path], tmp_path: Path
) -> None:
    exif = Image.Exif()
    exif[ORIENTATION] = 42
    path = save_image(Image.fromarray(pattern()), tmp_path / "o.png", "PNG", exif=exif.tobytes())
    photo = load_photo(path)
    assert photo.exif_orientation == 1 and photo.rgb.shape == (24, 32, 3)


# --- pixel normalisation -----------------------------------------------------------------------


def test_16bit_grayscale_png_scales_by_257(save_image: Callable[..., Path], tmp_path: Path) -> None:
    values = np.array([[0, 1000, 32896], [65535, 128, 129]], np.uint16)
    path = save_image(Image.fromarray(values), tmp_path / "g16.png", "PNG")
    photo = load_photo(path)
    assert photo.source_mode.startswith("I;16")
    expected = np.array([[0, 4, 128], [255, 0, 1]], np.uint8)  # round(v / 257)
    for channel in range(3):
        np.testing.assert_array_equal(photo.rgb[..., channel], expected)


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_16bit_rgb_scales_by_257(tmp_path: Path, suffix: str) -> None:
    rgb16 = np.array([[[0, 1000, 65535], [32896, 129, 383]]], np.uint16)  # 383/257 = 1.49
    path = tmp_path / f"c16{suffix}"
    assert cv2.imwrite(str(path), np.ascontiguousarray(rgb16[..., ::-1]))
    photo = load_photo(path)
    assert photo.source_mode == "RGB"
    np.testing.assert_array_equal(photo.rgb, [[[0, 4, 255], [128, 1, 1]]])


def test_16bit_rgba_png_composites_over_white(tmp_path: Path) -> None:
    bgra = np.array([[[0, 0, 65535, 65535], [0, 0, 0, 0], [0, 0, 0, 32768]]], np.uint16)
    path = tmp_path / "c16a.png"
    assert cv2.imwrite(str(path), bgra)
    np.testing.assert_array_equal(load_photo(path).rgb, [[[255, 0, 0], [255] * 3, [127] * 3]])


def test_mode_i_ranges() -> None:
    for values, expected in [
        ([[0, 255]], [[0, 255]]),
        ([[0, 65535]], [[0, 255]]),
        ([[-5, 1 << 20]], [[0, 255]]),
    ]:
        buf = io.BytesIO()
        Image.fromarray(np.array(values, np.int32)).save(buf, format="TIFF")
        photo = decode_photo(buf.getvalue())
        assert photo.source_mode == "I"
        np.testing.assert_array_equal(photo.rgb[..., 1], expected)


@pytest.mark.parametrize(
    ("values", "expected"),
    [([[0.0, 0.5, 1.0]], [[0, 128, 255]]), ([[-3.0, 100.0, 300.0]], [[0, 100, 255]])],
)
def test_float_mode(values: list[list[float]], expected: list[list[int]]) -> None:
    buf = io.BytesIO()
    Image.fromarray(np.array(values, np.float32)).save(buf, format="TIFF")
    photo = decode_photo(buf.getvalue())
    assert photo.source_mode == "F"
    np.testing.assert_array_equal(photo.rgb[..., 0], expected)


@pytest.mark.parametrize("mode", ["L", "1", "P", "LA"])
def test_grayscale_modes_give_three_equal_channels(
    save_image: Callable[..., Path], tmp_path: Path, mode: str
) -> None:
    gray = np.tile(np.array([0, 255], np.uint8), (4, 4))
    img = Image.fromarray(gray).convert(mode)
    photo = load_photo(save_image(img, tmp_path / f"g_{mode}.png", "PNG"))
    assert photo.source_mode == mode
    assert np.array_equal(photo.rgb[..., 0], photo.rgb[..., 1])
    assert np.array_equal(photo.rgb[..., 1], photo.rgb[..., 2])
    np.testing.assert_array_equal(photo.rgb[..., 0], gray)


def test_rgba_composited_over_white(save_image: Callable[..., Path], tmp_path: Path) -> None:
    rgba = np.array([[[255, 0, 0, 255], [255, 0, 0, 0], [0, 0, 0, 128]]], np.uint8)
    photo = load_photo(save_image(Image.fromarray(rgba), tmp_path / "a.png", "PNG"))
    assert photo.source_mode == "RGBA"
    np.testing.assert_array_equal(photo.rgb, [[[255, 0, 0], [255, 255, 255], [127] * 3]])


def test_palette_with_transparency_composited_over_white(
    save_image: Callable[..., Path], tmp_path: Path
) -> None:
    img = Image.new("P", (2, 1))
    img.putpalette([0, 0, 255, 0, 0, 0])
    img.putpixel((1, 0), 1)
    photo = load_photo(save_image(img, tmp_path / "t.png", "PNG", transparency=1))
    np.testing.assert_array_equal(photo.rgb, [[[0, 0, 255], [255, 255, 255]]])


@pytest.mark.parametrize(("fmt", "suffix", "tol"), [("JPEG", ".jpg", 8), ("TIFF", ".tif", 0)])
def test_cmyk(
    save_image: Callable[..., Path], tmp_path: Path, fmt: str, suffix: str, tol: int
) -> None:
    img = Image.new("CMYK", (16, 16), (0, 255, 255, 0))  # pure red
    photo = load_photo(save_image(img, tmp_path / f"cmyk{suffix}", fmt))
    assert photo.source_mode == "CMYK" and photo.source_format == fmt
    diff = np.abs(photo.rgb[8, 8].astype(int) - np.array([255, 0, 0]))
    assert diff.max() <= tol


def test_photo_rejects_bad_arrays() -> None:
    with pytest.raises(ValueError, match="uint8"):
        Photo(np.zeros((2, 2), np.uint8), "x", "PNG", "L", 1)
    with pytest.raises(ValueError, match="uint8"):
        Photo(np.zeros((2, 2, 3), np.float32), "x", "PNG", "L", 1)
