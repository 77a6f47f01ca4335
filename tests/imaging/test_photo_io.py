from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pillow_heif
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from PIL import Image, ImageFile

from scalpmap.errors import InputError, PhotoError
from scalpmap.imaging.photo_io import DEFAULT_MAX_PIXELS, Photo, decode_photo, load_photo

ORIENTATION = 0x0112


def _pattern(h: int = 24, w: int = 32) -> NDArray[np.uint8]:
    """Four flat quadrants: red, green / blue, white (survives lossy codecs)."""
    rgb = np.zeros((h, w, 3), np.uint8)
    rgb[: h // 2, : w // 2] = (220, 30, 30)
    rgb[: h // 2, w // 2 :] = (30, 200, 40)
    rgb[h // 2 :, : w // 2] = (30, 40, 210)
    rgb[h // 2 :, w // 2 :] = (250, 250, 250)
    return rgb


def _save(img: Image.Image, path: Path, fmt: str, **kwargs: object) -> Path:
    if fmt == "HEIF":  # save without registering the opener: photo_io must do that itself
        pillow_heif.from_pillow(img).save(path, **kwargs)
    else:
        img.save(path, format=fmt, **kwargs)
    return path


def _noise_bytes(fmt: str) -> bytes:
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(buf, format=fmt)
    return buf.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _bilevel_png(width: int, height: int) -> bytes:
    """A valid all-black 1-bit PNG, tiny on disk whatever its size."""
    row = bytes(1 + (width + 7) // 8)
    comp = zlib.compressobj(1)
    idat = b"".join(comp.compress(row * 500) for _ in range(height // 500)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _assert_one_line_error(exc: pytest.ExceptionInfo[PhotoError], path: object) -> str:
    message = str(exc.value)
    assert "\n" not in message and "\r" not in message
    assert str(path) in message
    return message


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
    tmp_path: Path, fmt: str, suffix: str, tol: int, kwargs: dict[str, object]
) -> None:
    rgb = _pattern()
    path = _save(Image.fromarray(rgb), tmp_path / f"photo{suffix}", fmt, **kwargs)
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


def test_decode_photo_from_bytes() -> None:
    buf = io.BytesIO()
    Image.fromarray(_pattern()).save(buf, format="PNG")
    photo = decode_photo(buf.getvalue())
    assert photo.source == "<bytes>"
    np.testing.assert_array_equal(photo.rgb, _pattern())
    assert decode_photo(buf.getvalue(), source="upload.png").source == "upload.png"


def test_accepts_pathlike_and_str(tmp_path: Path) -> None:
    path = _save(Image.fromarray(_pattern()), tmp_path / "p.png", "PNG")
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


def test_heif_orientation_applied_once_and_reported(tmp_path: Path) -> None:
    stored = np.full((20, 40, 3), 128, np.uint8)
    stored[:6, :6] = (255, 0, 0)
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    path = _save(Image.fromarray(stored), tmp_path / "rot.heic", "HEIF", exif=exif.tobytes())
    photo = load_photo(path)
    assert photo.exif_orientation == 6 and (photo.height, photo.width) == (40, 20)
    assert photo.rgb[2, 17, 0] > 200 and photo.rgb[2, 17, 1] < 60


def test_16bit_rgb_png_with_exif_orientation() -> None:
    rgb16 = np.zeros((2, 3, 3), np.uint16)
    rgb16[0, 0] = (65535, 0, 1000)
    png = cv2.imencode(".png", np.ascontiguousarray(rgb16[..., ::-1]))[1].tobytes()
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif_chunk = _chunk(b"eXIf", exif.tobytes().removeprefix(b"Exif\x00\x00"))
    photo = decode_photo(png[:33] + exif_chunk + png[33:])  # right after IHDR
    assert photo.exif_orientation == 6 and photo.rgb.shape == (3, 2, 3)
    np.testing.assert_array_equal(photo.rgb[0, 1], [255, 0, 4])
    assert photo.rgb[0, 0].max() == 0


def test_invalid_orientation_is_ignored(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[ORIENTATION] = 42
    path = _save(Image.fromarray(_pattern()), tmp_path / "o.png", "PNG", exif=exif.tobytes())
    photo = load_photo(path)
    assert photo.exif_orientation == 1 and photo.rgb.shape == (24, 32, 3)


# --- pixel normalisation -----------------------------------------------------------------------


def test_16bit_grayscale_png_scales_by_257(tmp_path: Path) -> None:
    values = np.array([[0, 1000, 32896], [65535, 128, 129]], np.uint16)
    path = _save(Image.fromarray(values), tmp_path / "g16.png", "PNG")
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
def test_grayscale_modes_give_three_equal_channels(tmp_path: Path, mode: str) -> None:
    gray = np.tile(np.array([0, 255], np.uint8), (4, 4))
    img = Image.fromarray(gray).convert(mode)
    photo = load_photo(_save(img, tmp_path / f"g_{mode}.png", "PNG"))
    assert photo.source_mode == mode
    assert np.array_equal(photo.rgb[..., 0], photo.rgb[..., 1])
    assert np.array_equal(photo.rgb[..., 1], photo.rgb[..., 2])
    np.testing.assert_array_equal(photo.rgb[..., 0], gray)


def test_rgba_composited_over_white(tmp_path: Path) -> None:
    rgba = np.array([[[255, 0, 0, 255], [255, 0, 0, 0], [0, 0, 0, 128]]], np.uint8)
    photo = load_photo(_save(Image.fromarray(rgba), tmp_path / "a.png", "PNG"))
    assert photo.source_mode == "RGBA"
    np.testing.assert_array_equal(photo.rgb, [[[255, 0, 0], [255, 255, 255], [127] * 3]])


def test_palette_with_transparency_composited_over_white(tmp_path: Path) -> None:
    img = Image.new("P", (2, 1))
    img.putpalette([0, 0, 255, 0, 0, 0])
    img.putpixel((1, 0), 1)
    photo = load_photo(_save(img, tmp_path / "t.png", "PNG", transparency=1))
    np.testing.assert_array_equal(photo.rgb, [[[0, 0, 255], [255, 255, 255]]])


@pytest.mark.parametrize(("fmt", "suffix", "tol"), [("JPEG", ".jpg", 8), ("TIFF", ".tif", 0)])
def test_cmyk(tmp_path: Path, fmt: str, suffix: str, tol: int) -> None:
    img = Image.new("CMYK", (16, 16), (0, 255, 255, 0))  # pure red
    photo = load_photo(_save(img, tmp_path / f"cmyk{suffix}", fmt))
    assert photo.source_mode == "CMYK" and photo.source_format == fmt
    diff = np.abs(photo.rgb[8, 8].astype(int) - np.array([255, 0, 0]))
    assert diff.max() <= tol


def test_photo_rejects_bad_arrays() -> None:
    with pytest.raises(ValueError, match="uint8"):
        Photo(np.zeros((2, 2), np.uint8), "x", "PNG", "L", 1)
    with pytest.raises(ValueError, match="uint8"):
        Photo(np.zeros((2, 2, 3), np.float32), "x", "PNG", "L", 1)


# --- errors ------------------------------------------------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.jpg"
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    assert "not found" in _assert_one_line_error(exc, path)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(PhotoError) as exc:
        load_photo(tmp_path)
    assert "directory" in _assert_one_line_error(exc, tmp_path)


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    assert "empty" in _assert_one_line_error(exc, path)


@pytest.mark.parametrize(
    "content",
    [b"hello, this is a text file\n", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"],
    ids=["text", "pdf"],
)
def test_not_an_image(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(content)
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    assert "not a JPEG, PNG" in _assert_one_line_error(exc, path)


def test_unsupported_image_format(tmp_path: Path) -> None:
    path = _save(Image.fromarray(_pattern()), tmp_path / "photo.gif", "GIF")
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    _assert_one_line_error(exc, path)


@pytest.mark.parametrize(("fmt", "suffix"), [("JPEG", ".jpg"), ("PNG", ".png")])
def test_truncated(tmp_path: Path, fmt: str, suffix: str) -> None:
    data = _noise_bytes(fmt)
    path = tmp_path / f"cut{suffix}"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    assert "truncated" in _assert_one_line_error(exc, path)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_corrupt_png_body(tmp_path: Path) -> None:
    data = _noise_bytes("PNG")
    start = data.index(b"IDAT") + 4
    garbage = np.random.default_rng(1).integers(0, 256, len(data) - start - 20, np.uint8)
    path = tmp_path / "corrupt.png"
    path.write_bytes(data[:start] + garbage.tobytes() + data[-20:])
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    assert "corrupt" in _assert_one_line_error(exc, path)


@pytest.mark.parametrize(
    "header", [b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"II*\x00"], ids=["jpeg", "png", "tiff"]
)
def test_valid_magic_garbage_body(tmp_path: Path, header: bytes) -> None:
    garbage = np.random.default_rng(2).integers(0, 256, 4000, np.uint8).tobytes()
    path = tmp_path / "garbage.img"
    path.write_bytes(header + garbage)
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    assert "corrupt" in _assert_one_line_error(exc, path)


def test_max_pixels_small_limit(tmp_path: Path) -> None:
    path = _save(Image.fromarray(_pattern()), tmp_path / "p.png", "PNG")  # 24 * 32 = 768
    with pytest.raises(PhotoError) as exc:
        load_photo(path, max_pixels=700)
    message = _assert_one_line_error(exc, path)
    assert "768" in message and "700" in message and "--max-pixels" in message
    assert load_photo(path, max_pixels=768).rgb.shape == (24, 32, 3)


def _forbid_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(self: ImageFile.ImageFile) -> None:
        raise AssertionError("pixel data must not be decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", fail)


def test_bomb_over_default_limit_rejected_from_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 12000 x 12000 = 144 M pixels: above our default limit, below Pillow's hard limit
    path = tmp_path / "bomb.png"
    path.write_bytes(_bilevel_png(12_000, 12_000))
    assert path.stat().st_size < 100_000
    _forbid_decoding(monkeypatch)
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    message = _assert_one_line_error(exc, path)
    assert "144,000,000" in message and f"{DEFAULT_MAX_PIXELS:,}" in message
    assert "--max-pixels" in message


def test_bomb_20000_squared_rejected_without_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 20000 x 20000 = 400 M pixels; Pillow's own DecompressionBombError fires while opening
    path = tmp_path / "bomb.png"
    path.write_bytes(_bilevel_png(20_000, 20_000))
    assert path.stat().st_size < 300_000
    _forbid_decoding(monkeypatch)
    for limit in (DEFAULT_MAX_PIXELS, 1_000, 10**12):
        with pytest.raises(PhotoError) as exc:
            load_photo(path, max_pixels=limit)
        message = _assert_one_line_error(exc, path)
        assert "400,000,000" in message and "too large" in message
        assert ("hard limit" in message) == (limit == 10**12)


def test_pillow_bomb_warning_becomes_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # 1.5 M pixels: above Pillow's (patched) warning limit, below its 2 M error limit
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
    data = _bilevel_png(1_000, 1_500)
    with pytest.raises(PhotoError) as exc:
        decode_photo(data, max_pixels=500_000)
    message = _assert_one_line_error(exc, "<bytes>")
    assert "1,500,000" in message and "500,000" in message and "--max-pixels" in message


def test_invalid_max_pixels() -> None:
    with pytest.raises(InputError):
        decode_photo(b"x", max_pixels=0)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_permission_denied(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root, which can read any file")
    path = _save(Image.fromarray(_pattern()), tmp_path / "locked.png", "PNG")
    path.chmod(0)
    try:
        with pytest.raises(PhotoError) as exc:
            load_photo(path)
        assert "permission" in _assert_one_line_error(exc, path)
    finally:
        path.chmod(0o600)


def test_permission_denied_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # runs as root too: simulate the error that reading a mode-000 file raises
    path = _save(Image.fromarray(_pattern()), tmp_path / "locked.png", "PNG")

    def deny(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    assert "permission" in _assert_one_line_error(exc, path)


def test_newline_in_path_kept_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad\nname.jpg"
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    assert "\n" not in str(exc.value) and "bad\\nname.jpg" in str(exc.value)


_SEEDS = [_noise_bytes("PNG"), _noise_bytes("JPEG"), _noise_bytes("TIFF"), _noise_bytes("WEBP")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(_SEEDS),
    cut=st.floats(0.0, 1.0),
    edits=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=8),
)
def test_damaged_files_raise_only_photo_error(
    seed: bytes, cut: float, edits: list[tuple[float, int]]
) -> None:
    data = bytearray(seed[: max(1, int(len(seed) * cut))])
    for where, value in edits:
        data[int(where * (len(data) - 1))] = value
    try:
        photo = decode_photo(bytes(data))
    except PhotoError as exc:
        assert "\n" not in str(exc) and "<bytes>" in str(exc)
    else:
        assert photo.rgb.dtype == np.uint8 and photo.rgb.shape[2] == 3
