"""Encode pictures for the reports: PNG/JPEG bytes, data URIs, and downscaling for embedding.

A report embeds every picture as a data URI. Photographic panels are re-encoded as JPEG no wider
than :data:`MAX_EMBED_WIDTH_PX`: WeasyPrint copies JPEG data into the PDF as is, whereas a
12-megapixel PNG would be decoded and recompressed, which takes seconds.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from scalpmap.errors import InputError

MAX_EMBED_WIDTH_PX = 1400
MAX_CHART_WIDTH_PX = 1600
JPEG_QUALITY = 86
PNG_COMPRESSION = 6
# Pictures that are drawn charts (crisp lines and text) stay PNG; the rest are photographs.
CHART_KEYS = frozenset({"timeline"})
# A photograph already this small (bytes per pixel) is kept as it is.
COMPACT_BYTES_PER_PX = 0.6

_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def _check_rgb(rgb: NDArray[np.uint8]) -> None:
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3 or 0 in rgb.shape[:2]:
        raise InputError(
            f"expected an RGB uint8 picture of shape (rows, cols, 3), got {rgb.dtype} "
            f"{rgb.shape}; load photos with scalpmap.imaging.photo_io.load_photo"
        )


def encode_png(
    rgb: NDArray[np.uint8], *, compression: int = PNG_COMPRESSION, photographic: bool = False
) -> bytes:
    r"""Encode an RGB picture as PNG.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The picture.
    compression : int, optional
        zlib level 0..9.
    photographic : bool, optional
        A photograph: use zlib's Huffman-only strategy after the average filter, about as small
        as level 6 on photos and several times faster (a 2400 x 1800 picture: 0.12 s of CPU
        against 0.2 s with the adaptive filters, and 5 % smaller).

    Returns
    -------
    bytes
        The PNG file.

    Examples
    --------
    >>> import numpy as np
    >>> encode_png(np.zeros((2, 3, 3), np.uint8))[:4]
    b'\x89PNG'
    """
    _check_rgb(rgb)
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    params = [cv2.IMWRITE_PNG_COMPRESSION, int(compression)]
    if photographic:
        params += [
            cv2.IMWRITE_PNG_STRATEGY,
            cv2.IMWRITE_PNG_STRATEGY_HUFFMAN_ONLY,
            cv2.IMWRITE_PNG_FILTER,
            cv2.IMWRITE_PNG_FILTER_AVG,
        ]
    ok, data = cv2.imencode(".png", bgr, params)
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 RGB array
        raise InputError("could not encode the picture as PNG")
    return bytes(data.tobytes())


def encode_jpeg(rgb: NDArray[np.uint8], *, quality: int = JPEG_QUALITY) -> bytes:
    """Encode an RGB picture as JPEG (4:2:0, progressive off).

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The picture.
    quality : int, optional
        JPEG quality 1..100.

    Returns
    -------
    bytes
        The JPEG file.
    """
    _check_rgb(rgb)
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    ok, data = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:  # pragma: no cover
        raise InputError("could not encode the picture as JPEG")
    return bytes(data.tobytes())


def image_mime(data: bytes) -> str:
    """Return the MIME type of PNG or JPEG bytes.

    Parameters
    ----------
    data : bytes
        The file's content.

    Returns
    -------
    str
        ``"image/png"`` or ``"image/jpeg"``.

    Raises
    ------
    InputError
        For any other content.
    """
    for signature, mime in _SIGNATURES.items():
        if data[: len(signature)] == signature:
            return mime
    raise InputError("a report picture must be PNG or JPEG bytes")


def data_uri(image: bytes) -> str:
    r"""Return PNG or JPEG bytes as a ``data:`` URI for inline embedding.

    Parameters
    ----------
    image : bytes
        PNG or JPEG file content.

    Returns
    -------
    str
        ``data:image/png;base64,...`` (or ``image/jpeg``).

    Examples
    --------
    >>> data_uri(b"\x89PNG\r\n\x1a\n")
    'data:image/png;base64,iVBORw0KGgo='
    """
    mime = image_mime(image)
    return f"data:{mime};base64,{base64.b64encode(image).decode('ascii')}"


def downscale(rgb: NDArray[np.uint8], max_width: int) -> NDArray[np.uint8]:
    """Shrink a picture (area averaging) so it is at most ``max_width`` pixels wide.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The picture.
    max_width : int
        The widest it may be.

    Returns
    -------
    ndarray of uint8
        The picture itself when it is narrow enough, else a smaller copy.
    """
    rows, cols = rgb.shape[:2]
    if cols <= max_width:
        return rgb
    size = (max_width, max(1, round(rows * max_width / cols)))
    return np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _decode(data: bytes, max_width: int) -> NDArray[np.uint8]:
    """Decode to RGB; a JPEG is decoded at a reduced scale when it is far wider than needed."""
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        if image.format == "JPEG" and width > max_width:
            # DCT scaling (1/2, 1/4, 1/8) keeps at least the requested size: fast and sharp.
            image.draft("RGB", (max_width, max(1, round(height * max_width / width))))
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


def prepare_image(data: bytes, *, chart: bool = False) -> bytes:
    """Make one picture light enough to embed: downscaled, and JPEG unless it is a chart.

    Parameters
    ----------
    data : bytes
        PNG or JPEG content.
    chart : bool, optional
        A drawn chart: kept as PNG and only shrunk beyond :data:`MAX_CHART_WIDTH_PX`.

    Returns
    -------
    bytes
        The input itself when it is already compact, else the re-encoded picture.
    """
    mime = image_mime(data)
    with Image.open(io.BytesIO(data)) as image:  # reads the header only
        width, height = image.size
    limit = MAX_CHART_WIDTH_PX if chart else MAX_EMBED_WIDTH_PX
    compact = len(data) <= COMPACT_BYTES_PER_PX * width * height
    if width <= limit and (chart or (mime == "image/jpeg" and compact)):
        return data
    rgb = downscale(_decode(data, limit), limit)
    return encode_png(rgb) if chart else encode_jpeg(rgb)


def prepare_images(images: Mapping[str, bytes]) -> dict[str, bytes]:
    """Prepare a report's pictures for embedding (see :func:`prepare_image`).

    Parameters
    ----------
    images : mapping of str to bytes
        PNG or JPEG pictures by role (``"zones"``, ``"timeline"``, ...); ``timeline`` is
        treated as a chart, the others as photographs.

    Returns
    -------
    dict of str to bytes
        The pictures, by the same roles.
    """
    return {key: prepare_image(data, chart=key in CHART_KEYS) for key, data in images.items()}
