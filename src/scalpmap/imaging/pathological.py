"""Pathological photos: pictures no camera should give, for testing that the analysis stays bounded.

A lens cap, a dark room, an overexposed frame, a screenshot of text: none is a scalp, and the
analysis must still finish in bounded time and memory, with a result or a one-line error. Each
picture is made in code at any size, as 8-bit RGB pixels (:func:`pathological_rgb`) or as the PNG
file an upload would carry (:func:`pathological_png`; the 16-bit gradient only exists as a
16-bit PNG).

Examples
--------
>>> rgb = pathological_rgb("checkerboard", rows=60, cols=80)
>>> rgb.shape, int(rgb.min()), int(rgb.max())
((60, 80, 3), 0, 255)
>>> pathological_png("strip", rows=600, cols=1).startswith(bytes([0x89]) + b"PNG")
True
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.errors import InputError

__all__ = ["PATHOLOGICAL", "STRIP_LENGTH_PX", "pathological_png", "pathological_rgb"]

PATHOLOGICAL: tuple[str, ...] = (
    "black",
    "white",
    "skin",
    "noise",
    "checkerboard",
    "strip",
    "gradient16",
    "text",
    "dots",
)
"""The pathological photos, by name."""

STRIP_LENGTH_PX = 20_000
"""Length of the full-size strip (1 pixel wide)."""

SKIN_RGB = (198, 160, 135)
CHECKER_SQUARE_PX = 8
DOT_SHARE = 0.005
_SEED = 14


def _check_size(name: str, rows: int, cols: int) -> None:
    if name not in PATHOLOGICAL:
        raise InputError(
            f"unknown pathological photo {name!r}; use one of {', '.join(PATHOLOGICAL)}"
        )
    if rows < 1 or cols < 1:
        raise InputError(f"a photo needs at least 1 x 1 pixels, got {cols} x {rows}")


def _text(rows: int, cols: int) -> NDArray[np.uint8]:
    """Black lines of text on white paper, sized so that about 40 lines fill the page."""
    page = np.full((rows, cols, 3), 255, np.uint8)
    line_px = max(8, rows // 40)
    font_scale = line_px / 30.0
    thickness = max(1, line_px // 12)
    words = "scalp micropigmentation removal plan hairline laser session density"
    y = line_px
    k = 0
    while y < rows:
        line = " ".join(words.split()[k % 7 :] + words.split()[: k % 7]) + " "
        origin = (line_px // 2, y)
        font = cv2.FONT_HERSHEY_SIMPLEX
        cv2.putText(page, line * 4, origin, font, font_scale, (0, 0, 0), thickness, cv2.LINE_AA)
        y += line_px
        k += 1
    return page


def _dots(rows: int, cols: int, rng: np.random.Generator) -> NDArray[np.uint8]:
    """Draw 0.5 % of the pixels of a uniform skin-coloured field dark, as single-pixel dots."""
    field = np.full((rows, cols, 3), SKIN_RGB, np.uint8)
    count = max(1, round(DOT_SHARE * rows * cols))
    flat = rng.choice(rows * cols, size=min(count, rows * cols), replace=False)
    field.reshape(-1, 3)[flat] = (40, 40, 45)
    return field


def pathological_rgb(name: str, *, rows: int, cols: int) -> NDArray[np.uint8]:
    """Make one pathological photo as 8-bit RGB pixels.

    Parameters
    ----------
    name : str
        One of :data:`PATHOLOGICAL`: ``black``, ``white``, ``skin`` (one skin colour), ``noise``
        (uniform random pixels), ``checkerboard`` (8 px squares), ``strip`` (a skin-coloured
        gradient; pass ``cols=1``), ``gradient16`` (a smooth grey ramp, here reduced to 8 bits),
        ``text`` (black text on white) or ``dots`` (0.5 % dark pixels on one skin colour).
    rows, cols : int
        Size in pixels.

    Returns
    -------
    ndarray of uint8, shape (rows, cols, 3)
        The photo. Random content is the same on every call.

    Raises
    ------
    InputError
        When the name is unknown or the size is empty.
    """
    _check_size(name, rows, cols)
    rng = np.random.default_rng(_SEED)
    if name in ("black", "white", "skin"):
        colour = {"black": (0, 0, 0), "white": (255, 255, 255), "skin": SKIN_RGB}[name]
        return np.full((rows, cols, 3), colour, np.uint8)
    if name == "noise":
        return rng.integers(0, 256, size=(rows, cols, 3), dtype=np.uint8)
    if name == "checkerboard":
        r = (np.arange(rows) // CHECKER_SQUARE_PX)[:, None]
        c = (np.arange(cols) // CHECKER_SQUARE_PX)[None, :]
        board = np.where((r + c) % 2 == 0, np.uint8(255), np.uint8(0))
        return np.repeat(board[..., None], 3, axis=2)
    if name == "text":
        return _text(rows, cols)
    if name == "dots":
        return _dots(rows, cols, rng)
    ramp16 = _gradient16(rows, cols)
    if name == "gradient16":
        grey = ((ramp16.astype(np.uint32) + 128) // 257).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[..., None], 3, axis=2), dtype=np.uint8)
    # strip: a skin-coloured gradient along its length
    shade = 0.6 + 0.4 * ramp16.astype(np.float32) / 65535.0
    strip = np.clip(shade[..., None] * np.array(SKIN_RGB, np.float32), 0, 255)
    return np.asarray(strip, dtype=np.uint8)


def _gradient16(rows: int, cols: int) -> NDArray[np.uint16]:
    """Make a diagonal ramp over the full 16-bit range."""
    r = np.linspace(0.0, 0.5, rows, dtype=np.float64)[:, None]
    c = np.linspace(0.0, 0.5, cols, dtype=np.float64)[None, :]
    return np.round((r + c) * 65535).astype(np.uint16)


def pathological_png(name: str, *, rows: int, cols: int) -> bytes:
    """Make one pathological photo as the bytes of a PNG file.

    Parameters
    ----------
    name : str
        One of :data:`PATHOLOGICAL` (see :func:`pathological_rgb`); ``gradient16`` is written as
        a 16-bit greyscale PNG, the others as 8-bit RGB.
    rows, cols : int
        Size in pixels.

    Returns
    -------
    bytes
        The PNG file.

    Raises
    ------
    InputError
        When the name is unknown or the size is empty.
    """
    _check_size(name, rows, cols)
    if name == "gradient16":
        pixels: NDArray[np.uint8] | NDArray[np.uint16] = _gradient16(rows, cols)
    else:
        rgb = pathological_rgb(name, rows=rows, cols=cols)
        pixels = np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), dtype=np.uint8)
    ok, encoded = cv2.imencode(".png", pixels, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    if not ok:  # pragma: no cover - OpenCV encodes any uint8/uint16 array
        raise InputError(f"could not encode the {name} photo as PNG")
    return encoded.tobytes()
