"""Draw the ArUco scale sticker: as a printable image or file, and into a photo.

The sticker is the marker (:mod:`scalpmap.imaging.marker`), its white quiet zone, a grey cut line
and a label. Coordinates are as in :mod:`scalpmap.imaging.marker`: ``(x, y)``, the centre of the
top-left pixel at ``(0, 0)``.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from scalpmap.errors import InputError
from scalpmap.imaging.marker import (
    DEFAULT_MARKER_SIDE_MM,
    MARKER_DICTIONARY_NAME,
    QUIET_ZONE_MODULES,
    UNIT_SQUARE,
    FloatArray,
    marker_pixels,
    module_grid,
)

MM_PER_INCH = 25.4


def sticker_image(
    marker_id: int = 0,
    *,
    side_mm: float = DEFAULT_MARKER_SIDE_MM,
    dpi: int = 600,
    dictionary: str = MARKER_DICTIONARY_NAME,
) -> Image.Image:
    """Render a printable sticker: marker, white quiet zone, grey cut line and a label.

    Parameters
    ----------
    marker_id : int
        Marker id within `dictionary`.
    side_mm : float
        Printed side of the black square, 5 to 100 mm.
    dpi : int
        Print resolution, 72 to 2400 dots per inch; the side must be a whole number of dots
        to within 0.25%.
    dictionary : str
        OpenCV ArUco dictionary name.

    Returns
    -------
    PIL.Image.Image
        Greyscale (mode ``"L"``) image to print at `dpi`.

    Raises
    ------
    InputError
        A size, resolution, dictionary or id out of range.
    """
    if not 5.0 <= side_mm <= 100.0:
        raise InputError(f"marker side {side_mm} mm is out of range; use 5 to 100 mm")
    if not 72 <= dpi <= 2400:
        raise InputError(f"print resolution {dpi} dpi is out of range; use 72 to 2400 dpi")
    px_per_mm = dpi / MM_PER_INCH
    side_px = round(side_mm * px_per_mm)
    size_error = abs(side_px / px_per_mm / side_mm - 1.0)  # the side is a whole number of dots
    if size_error > 0.0025:
        raise InputError(
            f"a {side_mm} mm marker would print {size_error:.2%} off at {dpi} dpi; "
            "use a higher dpi or another size (20 mm at 600 dpi is exact to 0.1%)"
        )
    marker = marker_pixels(marker_id, side_px=side_px, dictionary=dictionary)
    quiet = round(QUIET_ZONE_MODULES * side_px / module_grid(marker_id, dictionary).shape[0])
    zone = side_px + 2 * quiet
    mm = f"{side_mm:.1f}" if round(side_mm, 1) == side_mm else f"{side_mm:g}"
    lines = [
        "scalpmap scale marker",
        f"{dictionary}  id {marker_id}",
        f"black square = {mm} mm",
        "print at 100% / actual size",
    ]
    font_px = max(8, round(zone / 17))
    font = ImageFont.load_default(size=font_px)
    line_h, pad = round(font_px * 1.3), max(2, round(0.6 * px_per_mm))
    inner_w = max(zone, math.ceil(max(font.getlength(t) for t in lines)) + 2 * pad)
    cut, margin = max(1, round(0.1 * px_per_mm)), max(2, round(px_per_mm))  # line, blank paper
    edge = margin + cut
    size = (inner_w + 2 * edge, zone + len(lines) * line_h + 2 * pad + 2 * edge)
    img = Image.new("L", size, 255)
    img.paste(Image.fromarray(marker), (edge + (inner_w - zone) // 2 + quiet, edge + quiet))
    draw = ImageDraw.Draw(img)
    box = (margin, margin, size[0] - margin - 1, size[1] - margin - 1)
    draw.rectangle(box, outline=160, width=cut)
    for i, text in enumerate(lines):
        xy = (edge + inner_w / 2, edge + zone + pad // 2 + i * line_h)
        draw.text(xy, text, fill=0, font=font, anchor="mt")
    return img


def write_sticker(
    path: str | Path,
    *,
    marker_id: int = 0,
    side_mm: float = DEFAULT_MARKER_SIDE_MM,
    dpi: int = 600,
    dictionary: str = MARKER_DICTIONARY_NAME,
) -> Path:
    """Write a printable sticker as PNG (with dpi metadata) or PDF (page size = print size).

    Parameters
    ----------
    path : str or pathlib.Path
        Output file; the suffix ``.png`` or ``.pdf`` selects the format.
    marker_id, side_mm, dpi, dictionary
        As for :func:`sticker_image`.

    Returns
    -------
    pathlib.Path
        The written file; InputError for another suffix, a bad argument or a write failure.
    """
    out = Path(path)
    fmt = {".png": "PNG", ".pdf": "PDF"}.get(out.suffix.lower())
    if fmt is None:
        raise InputError(f"cannot write a sticker to {out.name!r}; use a .png or .pdf file name")
    img = sticker_image(marker_id, side_mm=side_mm, dpi=dpi, dictionary=dictionary)
    try:
        if fmt == "PNG":
            img.save(out, format="PNG", dpi=(dpi, dpi))
        else:
            img.save(out, format="PDF", resolution=float(dpi))
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror or exc}; check the folder") from exc
    return out


def paste_marker(
    rgb: NDArray[np.uint8],
    *,
    center_xy: tuple[float, float],
    side_px: float,
    angle_deg: float,
    marker_id: int = 0,
) -> FloatArray:
    """Draw the sticker (white quiet zone and black marker) into `rgb` in place, anti-aliased.

    The sticker is rendered big and warped (bilinear, with an alpha mask) into the image, so the
    black square's outer corners land exactly at the returned positions.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(H, W, 3)`` uint8 image, modified in place.
    center_xy : tuple of float
        Centre of the marker in pixel coordinates.
    side_px, angle_deg : float
        Side of the black square in pixels; rotation in degrees, counter-clockwise on screen.
    marker_id : int
        Marker id in :data:`MARKER_DICTIONARY_NAME`.

    Returns
    -------
    numpy.ndarray
        ``(4, 2)`` true outer corners ``(x, y)`` of the black square in ArUco order: top-left,
        top-right, bottom-right, bottom-left of the marker.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise InputError("paste_marker needs an (H, W, 3) uint8 image")
    if not side_px > 0:
        raise InputError(f"marker side {side_px} px must be positive")
    grid = module_grid(marker_id, MARKER_DICTIONARY_NAME)
    n, q = grid.shape[0], QUIET_ZONE_MODULES
    sticker = np.pad(grid, q, constant_values=255)
    m = max(4, math.ceil(side_px / n))  # source px per module: the warp never magnifies
    src = np.repeat(np.repeat(sticker, m, axis=0), m, axis=1).astype(np.float32)
    theta = math.radians(angle_deg)
    rot = np.array([[math.cos(theta), math.sin(theta)], [-math.sin(theta), math.cos(theta)]])
    centre = np.array(center_xy, dtype=np.float64)
    corners: FloatArray = centre + (UNIT_SQUARE * side_px) @ rot.T
    half = (n + 2 * q) * side_px / n / math.sqrt(2.0) + 2.0
    x0, y0 = (max(0, math.floor(v - half)) for v in centre)
    x1, y1 = (
        min(lim, math.ceil(v + half) + 1) for v, lim in zip(centre, rgb.shape[1::-1], strict=True)
    )
    if x0 >= x1 or y0 >= y1:
        return corners
    lin = rot * (side_px / (n * m))
    src_centre = (src.shape[0] - 1) / 2.0  # in pixel-centre coordinates
    shift = centre - [x0, y0] - lin @ np.array([src_centre, src_centre])
    affine, size = np.hstack([lin, shift[:, None]]), (x1 - x0, y1 - y0)
    value = cv2.warpAffine(src, affine, size, flags=cv2.INTER_LINEAR, borderValue=0.0)
    alpha = cv2.warpAffine(np.ones_like(src), affine, size, flags=cv2.INTER_LINEAR, borderValue=0.0)
    out = rgb[y0:y1, x0:x1].astype(np.float32) * (1.0 - alpha)[..., None] + value[..., None]
    rgb[y0:y1, x0:x1] = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    return corners
