"""Loading photos: missing, empty, corrupt, truncated, huge and hostile files: one-line errors."""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from PIL import Image, ImageFile

from scalpmap.errors import InputError, PhotoError
from scalpmap.imaging.photo_io import DEFAULT_MAX_PIXELS, decode_photo, load_photo


def noise_bytes(fmt: str) -> bytes:
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)).save(buf, format=fmt)
    return buf.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bilevel_png(width: int, height: int) -> bytes:
    """A valid all-black 1-bit PNG, tiny on disk whatever its size."""
    row = bytes(1 + (width + 7) // 8)
    comp = zlib.compressobj(1)
    idat = b"".join(comp.compress(row * 500) for _ in range(height // 500)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def assert_one_line_error(exc: pytest.ExceptionInfo[PhotoError], path: object) -> str:
    message = str(exc.value)
    assert "\n" not in message and "\r" not in message
    assert str(path) in message
    return message


# --- errors ------------------------------------------------------------------------------------


def test_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.jpg"
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    assert "not found" in assert_one_line_error(exc, path)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(PhotoError) as exc:
        load_photo(tmp_path)
    assert "directory" in assert_one_line_error(exc, tmp_path)


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    assert "empty" in assert_one_line_error(exc, path)


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
    assert "not a JPEG, PNG" in assert_one_line_error(exc, path)


def test_unsupported_image_format(
    pattern: Callable[..., NDArray[np.uint8]], save_image: Callable[..., Path], tmp_path: Path
) -> None:
    path = save_image(Image.fromarray(pattern()), tmp_path / "photo.gif", "GIF")
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    assert_one_line_error(exc, path)


@pytest.mark.parametrize(("fmt", "suffix"), [("JPEG", ".jpg"), ("PNG", ".png")])
def test_truncated(tmp_path: Path, fmt: str, suffix: str) -> None:
    data = noise_bytes(fmt)
    path = tmp_path / f"cut{suffix}"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    assert "truncated" in assert_one_line_error(exc, path)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_corrupt_png_body(tmp_path: Path) -> None:
    data = noise_bytes("PNG")
    start = data.index(b"IDAT") + 4
    garbage = np.random.default_rng(1).integers(0, 256, len(data) - start - 20, np.uint8)
    path = tmp_path / "corrupt.png"
    path.write_bytes(data[:start] + garbage.tobytes() + data[-20:])
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    assert "corrupt" in assert_one_line_error(exc, path)


@pytest.mark.parametrize(
    "header", [b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"II*\x00"], ids=["jpeg", "png", "tiff"]
)
def test_valid_magic_garbage_body(tmp_path: Path, header: bytes) -> None:
    garbage = np.random.default_rng(2).integers(0, 256, 4000, np.uint8).tobytes()
    path = tmp_path / "garbage.img"
    path.write_bytes(header + garbage)
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    assert "corrupt" in assert_one_line_error(exc, path)


def test_max_pixels_small_limit(
    pattern: Callable[..., NDArray[np.uint8]], save_image: Callable[..., Path], tmp_path: Path
) -> None:
    path = save_image(Image.fromarray(pattern()), tmp_path / "p.png", "PNG")  # 24 * 32 = 768
    with pytest.raises(PhotoError) as exc:
        load_photo(path, max_pixels=700)
    message = assert_one_line_error(exc, path)
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
    path.write_bytes(bilevel_png(12_000, 12_000))
    assert path.stat().st_size < 100_000
    _forbid_decoding(monkeypatch)
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    message = assert_one_line_error(exc, path)
    assert "144,000,000" in message and f"{DEFAULT_MAX_PIXELS:,}" in message
    assert "--max-pixels" in message


def test_bomb_20000_squared_rejected_without_decoding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 20000 x 20000 = 400 M pixels; Pillow's own DecompressionBombError fires while opening
    path = tmp_path / "bomb.png"
    path.write_bytes(bilevel_png(20_000, 20_000))
    assert path.stat().st_size < 300_000
    _forbid_decoding(monkeypatch)
    for limit in (DEFAULT_MAX_PIXELS, 1_000, 10**12):
        with pytest.raises(PhotoError) as exc:
            load_photo(path, max_pixels=limit)
        message = assert_one_line_error(exc, path)
        assert "400,000,000" in message and "too large" in message
        assert ("hard limit" in message) == (limit == 10**12)


def test_pillow_bomb_warning_becomes_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # 1.5 M pixels: above Pillow's (patched) warning limit, below its 2 M error limit
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
    data = bilevel_png(1_000, 1_500)
    with pytest.raises(PhotoError) as exc:
        decode_photo(data, max_pixels=500_000)
    message = assert_one_line_error(exc, "<bytes>")
    assert "1,500,000" in message and "500,000" in message and "--max-pixels" in message


def test_invalid_max_pixels() -> None:
    with pytest.raises(InputError):
        decode_photo(b"x", max_pixels=0)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_permission_denied(
    pattern: Callable[..., NDArray[np.uint8]], save_image: Callable[..., Path], tmp_path: Path
) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root, which can read any file")
    path = save_image(Image.fromarray(pattern()), tmp_path / "locked.png", "PNG")
    path.chmod(0)
    try:
        with pytest.raises(PhotoError) as exc:
            load_photo(path)
        assert "permission" in assert_one_line_error(exc, path)
    finally:
        path.chmod(0o600)


def test_permission_denied_message(
    pattern: Callable[..., NDArray[np.uint8]],
    save_image: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # runs as root too: simulate the error that reading a mode-000 file raises
    path = save_image(Image.fromarray(pattern()), tmp_path / "locked.png", "PNG")

    def deny(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    assert "permission" in assert_one_line_error(exc, path)


def test_newline_in_path_kept_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad\nname.jpg"
    with pytest.raises(PhotoError) as exc:
        load_photo(path)
    assert "\n" not in str(exc.value) and "bad\\nname.jpg" in str(exc.value)


_SEEDS = [noise_bytes("PNG"), noise_bytes("JPEG"), noise_bytes("TIFF"), noise_bytes("WEBP")]


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
