"""Check an uploaded photo before any service sees it: size (413), type (415), pixels (413).

The type is sniffed from the file's first bytes, never from its name or the browser's
``Content-Type``; the name is only kept as a label. The bytes are read in memory, so no user path
ever reaches the filesystem (the photo store names files by their sha256).
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

__all__ = ["ACCEPTED_TYPES", "check_image", "read_upload", "sniff_image"]

ACCEPTED_TYPES = "JPEG, PNG, TIFF, WebP or HEIC"
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def sniff_image(data: bytes) -> str | None:
    """Return the image format the content's magic bytes show, or ``None``.

    Parameters
    ----------
    data : bytes
        The file's content (the first 16 bytes suffice).

    Returns
    -------
    str or None
        ``"JPEG"``, ``"PNG"``, ``"TIFF"``, ``"WEBP"`` or ``"HEIF"``.

    Examples
    --------
    >>> sniff_image(bytes.fromhex("89504e470d0a1a0a") + bytes(8)), sniff_image(b"%PDF-1.7")
    ('PNG', None)
    """
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "HEIF"
    return None


def read_upload(upload: UploadFile, max_bytes: int) -> bytes:
    """Read an uploaded file whole, refusing it past ``max_bytes`` (413).

    Parameters
    ----------
    upload : starlette.datastructures.UploadFile
        The file part of the form.
    max_bytes : int
        Largest accepted size.

    Returns
    -------
    bytes
        The content.

    Raises
    ------
    starlette.exceptions.HTTPException
        413 when too large, 422 when empty.
    """
    upload.file.seek(0)
    data = upload.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise HTTPException(413, f"the file is larger than the limit of {max_bytes:,} bytes")
    if not data:
        raise HTTPException(422, "the file is empty; choose a photo")
    return data


def check_image(data: bytes, *, max_pixels: int) -> str:
    """Check that bytes are an accepted image type of at most ``max_pixels`` pixels.

    Only the header is read (no pixel is decoded), so a decompression bomb costs nothing.

    Parameters
    ----------
    data : bytes
        The content.
    max_pixels : int
        Largest accepted ``width * height``.

    Returns
    -------
    str
        The sniffed format.

    Raises
    ------
    starlette.exceptions.HTTPException
        415 for anything but an accepted image type, 413 for too many pixels, 422 for an
        unreadable header.
    """
    kind = sniff_image(data)
    if kind is None:
        raise HTTPException(415, f"not a photo: upload a {ACCEPTED_TYPES} image")
    if kind == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our limit rules
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                width, height = image.size
    except Image.DecompressionBombError:
        raise HTTPException(413, "the photo has too many pixels; downscale it") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise HTTPException(
            422, f"the {kind} file is damaged ({type(error).__name__}); re-export it"
        ) from None
    if width * height > max_pixels:
        raise HTTPException(
            413,
            f"the photo has {width * height:,} pixels, above the limit of {max_pixels:,}; "
            "downscale it",
        )
    return kind
