"""Read clinic photos (JPEG, PNG, TIFF, WebP, HEIC) into upright uint8 RGB arrays.

Every failure (missing file, not an image, truncated or corrupt data, a decompression bomb) is
raised as :class:`~scalpmap.errors.PhotoError` with a one-line message naming the photo.

Pixel normalisation to 8-bit RGB:

* 16-bit data (``I;16*`` modes, 16-bit RGB/RGBA PNG and TIFF,
  decoded with OpenCV because Pillow keeps only their high byte) is scaled by ``/257`` with
  rounding, so 65535 maps to 255 and ``257 * k`` to ``k``.
* Mode ``I`` (32-bit integers) is clipped at 0, then kept as is if its maximum is at most 255,
  scaled by ``/257`` if at most 65535, and otherwise stretched linearly so its maximum maps to 255.
* Mode ``F`` (float): NaN becomes 0; if the largest value is at most 1.0 the data is taken as
  0..1 and multiplied by 255, otherwise as 0..255; the result is clipped to 0..255.
* Grayscale, bilevel and palette images are repeated to three equal channels; CMYK is converted
  with Pillow's plain formula (ICC profiles are ignored); alpha is composited over white.
"""

from __future__ import annotations

import functools
import io
import os
import re
import struct
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from scalpmap.errors import InputError, PhotoError
from scalpmap.imaging.photo_limits import DEFAULT_MAX_PIXELS

__all__ = ["DEFAULT_MAX_PIXELS", "Photo", "decode_photo", "load_photo"]

_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "HEIF")  # JPEG also opens MPO files
_ORIENTATION_TAG = 0x0112
_LINE_BREAKS = {ord(c): repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}
_PIL_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, RuntimeError)
_DECODE_ERRORS = (*_PIL_ERRORS, struct.error, zlib.error)  # what a damaged file can raise


@dataclass(frozen=True, eq=False)
class Photo:
    """A decoded photo, upright (EXIF orientation applied) and normalised to 8-bit RGB.

    Attributes
    ----------
    rgb : numpy.ndarray
        ``(H, W, 3)`` C-contiguous ``uint8`` RGB pixels.
    source : str
        The path as given, or ``"<bytes>"`` for in-memory data.
    source_format : str
        ``"JPEG"``, ``"PNG"``, ``"TIFF"``, ``"WEBP"`` or ``"HEIF"`` (multi-picture JPEG
        files, which Pillow calls MPO, are reported as ``"JPEG"``).
    source_mode : str
        Pillow mode before normalisation, e.g. ``"RGB"``, ``"I;16"``, ``"CMYK"``, ``"LA"``.
    exif_orientation : int
        EXIF orientation 1..8 that was applied; 1 when absent or invalid.
    """

    rgb: NDArray[np.uint8]
    source: str
    source_format: str
    source_mode: str
    exif_orientation: int

    def __post_init__(self) -> None:
        rgb = self.rgb
        if rgb.dtype != np.uint8 or rgb.shape[2:] != (3,) or not rgb.flags.c_contiguous:
            raise ValueError(f"rgb must be C-contiguous (H, W, 3) uint8, got {rgb.shape}")

    @property
    def height(self) -> int:
        """Height in pixels (after orientation)."""
        return int(self.rgb.shape[0])

    @property
    def width(self) -> int:
        """Width in pixels (after orientation)."""
        return int(self.rgb.shape[1])


def load_photo(path: str | os.PathLike[str], *, max_pixels: int = DEFAULT_MAX_PIXELS) -> Photo:
    """Read a photo file into an upright 8-bit RGB :class:`Photo`.

    Parameters
    ----------
    path : str or os.PathLike
        JPEG, PNG, TIFF, WebP or HEIC/HEIF file.
    max_pixels : int, optional
        Largest accepted ``width * height``, checked from the header before decoding.

    Returns
    -------
    Photo
        The decoded photo; ``source`` is ``path`` as given.

    Raises
    ------
    PhotoError
        If the file is missing, unreadable, empty, not a supported image, truncated, corrupt
        or larger than ``max_pixels``.
    InputError
        If ``max_pixels`` is not a positive integer.
    """
    source = os.fspath(path)
    shown = _clean(source)
    p = Path(source)
    if not p.exists():
        raise PhotoError(f"photo not found: {shown}; check the path")
    if not p.is_file():
        what = "a directory" if p.is_dir() else "not a regular file"
        raise PhotoError(f"photo path is {what}: {shown}; give the path of an image file")
    try:
        data = p.read_bytes()
    except PermissionError:
        raise PhotoError(
            f"permission denied reading photo: {shown}; check its permissions"
        ) from None
    except OSError as exc:
        reason = _clean(exc.strerror or exc)
        raise PhotoError(f"cannot read photo: {shown} ({reason}); check the file") from None
    return decode_photo(data, max_pixels=max_pixels, source=source)


def decode_photo(
    data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS, source: str = "<bytes>"
) -> Photo:
    """Decode an in-memory photo (e.g. a web upload) into an upright 8-bit RGB :class:`Photo`.

    Parameters
    ----------
    data : bytes
        Encoded JPEG, PNG, TIFF, WebP or HEIC/HEIF file content.
    max_pixels : int, optional
        Largest accepted ``width * height``, checked from the header before decoding.
    source : str, optional
        Name used in error messages and stored in :attr:`Photo.source`.

    Returns
    -------
    Photo
        The decoded photo.

    Raises
    ------
    PhotoError
        If the data is empty, not a supported image, truncated, corrupt or larger than
        ``max_pixels``.
    InputError
        If ``max_pixels`` is not a positive integer.
    """
    if isinstance(max_pixels, bool) or not isinstance(max_pixels, int) or max_pixels < 1:
        raise InputError(f"max_pixels must be a positive integer, got {max_pixels!r}")
    shown = _clean(source)
    if not data:
        raise PhotoError(f"photo is empty (0 bytes): {shown}; re-copy or re-export the photo")
    _register_heif()
    pil_limit = Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            # Our max_pixels check is authoritative; Pillow's own (looser) warning is escalated
            # to an error only when the caller's limit is at least as strict as Pillow's.
            loose = pil_limit is not None and max_pixels > pil_limit
            warnings.simplefilter("ignore" if loose else "error", Image.DecompressionBombWarning)
            # Pillow's metadata complaints (e.g. corrupt EXIF) are not actionable: pixel data
            # errors still raise, and unreadable EXIF just means orientation 1.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
            with Image.open(io.BytesIO(data), formats=_FORMATS) as img:
                width, height = img.size
                if width * height > max_pixels:
                    raise _too_large(shown, width * height, max_pixels)
                fmt = "JPEG" if img.format == "MPO" else str(img.format)
                rgb, orientation = _upright_rgb8(img, data)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        match = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = int(match.group(1)) if match else None
        hard = 2 * pil_limit if pil_limit is not None else max_pixels
        raise _too_large(shown, pixels, min(max_pixels, hard), pillow=max_pixels > hard) from None
    except UnidentifiedImageError:
        kind = _sniff(data)
        problem = (
            f"is corrupt {kind} data; re-copy or re-export it"
            if kind
            else "is not a JPEG, PNG, TIFF, WebP or HEIC image; export it in one of those formats"
        )
        raise PhotoError(f"cannot read photo: {shown} {problem}") from None
    except _DECODE_ERRORS as exc:
        raise PhotoError(
            f"corrupt or truncated photo: {shown} ({_clean(exc)}); re-copy or re-export it"
        ) from None
    return Photo(np.ascontiguousarray(rgb), source, fmt, img.mode, orientation)


@functools.cache
def _register_heif() -> None:
    """Register pillow_heif's HEIC/HEIF opener with Pillow, once, on first use."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


def _clean(text: object) -> str:
    """Return ``text`` on one line, with line breaks escaped as in a Python repr."""
    return str(text).translate(_LINE_BREAKS)


def _too_large(shown: str, pixels: int | None, limit: int, *, pillow: bool = False) -> PhotoError:
    """Build the decompression-bomb error; ``pillow`` means Pillow's hard limit was hit."""
    count = f"{pixels:,} pixels" if pixels else "too many pixels"
    advice = "" if pillow else ", or raise the limit with --max-pixels if you trust the file"
    kind = "Pillow's hard limit" if pillow else "the limit"
    return PhotoError(
        f"photo too large: {shown} has {count}, above {kind} of {limit:,}; downscale it{advice}"
    )


def _sniff(data: bytes) -> str | None:
    """Return the format a file's magic bytes claim, or ``None`` for unknown data."""
    claims = {
        "JPEG": data[:3] == b"\xff\xd8\xff",
        "PNG": data[:8] == b"\x89PNG\r\n\x1a\n",
        "TIFF": data[:4] in (b"II*\x00", b"MM\x00*"),
        "WebP": data[:4] == b"RIFF" and data[8:12] == b"WEBP",
        "HEIF": data[4:8] == b"ftyp",
    }
    return next((kind for kind, claimed in claims.items() if claimed), None)


def _upright_rgb8(img: ImageFile.ImageFile, data: bytes) -> tuple[NDArray[np.uint8], int]:
    """Decode ``img`` (opened from ``data``), apply its orientation, return RGB and orientation."""
    args = img.tile[0].args if img.tile else None
    rawmode = args[0] if isinstance(args, tuple) and args else args
    wide = img.mode in ("RGB", "RGBA") and isinstance(rawmode, str) and ";16" in rawmode
    # Some libraries (WeasyPrint) turn truncated-image loading on process-wide: not for photos.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    img.load()  # inside the caller's try: truncated or corrupt data raises here
    orientation = _valid_orientation(img.getexif().get(_ORIENTATION_TAG)) or 1
    if wide and (rgb16 := _decode_16bit_colour(data, img.size[::-1])) is not None:
        fresh = Image.fromarray(rgb16)  # Pillow keeps only the high byte of 16-bit colour
        fresh.getexif()[_ORIENTATION_TAG] = orientation
        return np.asarray(ImageOps.exif_transpose(fresh)), orientation
    # Upright already: no transposed copy (exif_transpose copies a 12 MP photo for nothing).
    rgb = _to_rgb8(img if orientation == 1 else ImageOps.exif_transpose(img))
    # HEIF: libheif applied the orientation already and pillow_heif reset the EXIF tag to 1
    return rgb, _valid_orientation(img.info.get("original_orientation")) or orientation


def _valid_orientation(value: object) -> int | None:
    """Return ``value`` if it is an EXIF orientation 1..8, else ``None``."""
    return value if isinstance(value, int) and 1 <= value <= 8 else None


def _decode_16bit_colour(data: bytes, shape: tuple[int, int]) -> NDArray[np.uint8] | None:
    """Decode 16-bit colour PNG/TIFF data with OpenCV and round to 8-bit RGB (None on failure)."""
    import cv2

    raw = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if raw is None or raw.dtype != np.uint16 or raw.shape[:2] != shape or raw.ndim != 3:
        return None
    if raw.shape[2] not in (3, 4):
        return None
    rgb = np.asarray(raw, dtype=np.uint16)[..., [2, 1, 0, 3][: raw.shape[2]]]  # BGR(A) -> RGB(A)
    rgb32 = _over_white(rgb, 65535) if rgb.shape[2] == 4 else rgb.astype(np.uint32)
    return ((rgb32 + 128) // 257).astype(np.uint8)  # round(v / 257)


def _to_rgb8(img: Image.Image) -> NDArray[np.uint8]:
    """Normalise a loaded Pillow image of any supported mode to ``(H, W, 3)`` uint8 RGB."""
    mode = img.mode
    if mode == "RGB":
        return np.asarray(img, dtype=np.uint8)
    if mode in ("LA", "La", "PA", "RGBA", "RGBa") or "transparency" in img.info:
        return _over_white(np.asarray(img.convert("RGBA"), dtype=np.uint8), 255).astype(np.uint8)
    if mode != "F" and not mode.startswith("I"):
        return np.asarray(img.convert("RGB"), dtype=np.uint8)
    values = np.nan_to_num(np.asarray(img, dtype=np.float32), nan=0.0)  # I;16*, I or F
    top = float(values[np.isfinite(values)].max(initial=0.0))
    if mode == "F":
        scale = 255.0 if top <= 1.0 else 1.0
    elif mode.startswith("I;16") or 255 < top <= 65535:
        scale = 1 / 257
    else:
        scale = 255.0 / top if top > 65535 else 1.0
    gray = np.rint(np.clip(values * scale, 0.0, 255.0)).astype(np.uint8)
    return np.repeat(gray[:, :, np.newaxis], 3, axis=2)


def _over_white(rgba: NDArray[np.integer], top: int) -> NDArray[np.uint32]:
    """Composite ``(H, W, 4)`` RGBA samples with maximum ``top`` over white; returns RGB."""
    rgb = rgba[..., :3].astype(np.uint32)
    alpha = rgba[..., 3:].astype(np.uint32)
    return (rgb * alpha + top * (top - alpha) + top // 2) // top
