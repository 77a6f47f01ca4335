"""Frame the simulation's pictures on the scalp, so that the change shows at page size.

A whole-head photo shows the face, the neck and the wall behind; the pigmented scalp fills a
tenth of it, and a removal zone or a touch-up band drawn at the report's width (a third of a
page for each picture) is a few millimetres of paper. :func:`scalp_frame` returns the part of
the photo around the plan's zones (the pigmented region and the target), with a margin and the
photo's own proportions; the before and after pictures of the reports and the side-by-side
comparison are cut to it (:func:`crop`). Close-ups, where the zones fill most of the photo,
keep the whole photo.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from scalpmap.imaging.analysis import Analysis
from scalpmap.planning.zones import Target, Zones

__all__ = ["MARGIN_FRACTION", "MIN_MARGIN_MM", "WHOLE_PHOTO_SHARE", "crop", "scalp_frame"]

# A frame covering at least this share of the photo is the photo itself.
WHOLE_PHOTO_SHARE = 0.6
# Around the zones: this share of their size on each side, and at least this many mm.
MARGIN_FRACTION = 0.12
MIN_MARGIN_MM = 10.0

Frame = tuple[int, int, int, int]


def _fit(low: float, high: float, size: int) -> tuple[int, int]:
    """Return ``[low, high)`` rounded outwards and moved (not shrunk) to lie within ``0..size``."""
    length = min(size, math.ceil(high - low))
    start = min(max(0, math.floor(low)), size - length)
    return start, start + length


def scalp_frame(analysis: Analysis, zones: Zones, target: Target | None = None) -> Frame | None:
    """Return the part of the photo the simulation's pictures show, or None for all of it.

    Parameters
    ----------
    analysis : Analysis
        The photo's analysis.
    zones : Zones
        The plan's zones.
    target : Target, optional
        The target; its new hairline is kept in the frame.

    Returns
    -------
    tuple of int or None
        ``(x0, y0, x1, y1)`` in pixels (``x1``, ``y1`` excluded), with the photo's proportions:
        the zones and the pigmented region, a margin of :data:`MARGIN_FRACTION` of their size
        (at least :data:`MIN_MARGIN_MM`) on each side. None when that would cover
        :data:`WHOLE_PHOTO_SHARE` of the photo or more (a close-up), or there are no zones.

    Examples
    --------
    >>> from scalpmap.simulation.framing import _fit
    >>> _fit(-5.2, 40.0, 100), _fit(90.5, 130.0, 100)
    ((0, 46), (60, 100))
    """
    parts: list[BaseGeometry] = [
        analysis.region,
        zones.removal.geometry,
        zones.touch_up.geometry,
        zones.keep.geometry,
    ]
    if target is not None and not target.edge.is_empty:
        parts.append(target.edge)
    shown = [p for p in parts if not p.is_empty]
    if not shown:
        return None
    rows, cols = analysis.shape
    x0, y0, x1, y1 = shapely.union_all(shown).bounds
    x0, y0, x1, y1 = max(x0, 0.0), max(y0, 0.0), min(x1, cols - 1.0), min(y1, rows - 1.0)
    if x1 <= x0 or y1 <= y0:
        return None
    margin_px = MIN_MARGIN_MM / analysis.scale.mm_per_px
    width = (x1 - x0) + 2 * max(MARGIN_FRACTION * (x1 - x0), margin_px)
    height = (y1 - y0) + 2 * max(MARGIN_FRACTION * (y1 - y0), margin_px)
    aspect = cols / rows
    width, height = max(width, height * aspect), max(height, width / aspect)
    if width * height >= WHOLE_PHOTO_SHARE * rows * cols or width >= cols or height >= rows:
        return None
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left, right = _fit(cx - width / 2, cx + width / 2, cols)
    top, bottom = _fit(cy - height / 2, cy + height / 2, rows)
    return left, top, right, bottom


def crop(picture: NDArray[np.uint8], frame: Frame | None) -> NDArray[np.uint8]:
    """Cut a picture of the photo's size to a frame (the picture itself for None).

    Parameters
    ----------
    picture : ndarray of uint8, shape (rows, cols, 3)
        The photo or a simulated picture of it.
    frame : tuple of int or None
        From :func:`scalp_frame`.

    Returns
    -------
    ndarray of uint8
        A contiguous copy of the framed part, or ``picture`` unchanged.
    """
    if frame is None:
        return picture
    x0, y0, x1, y1 = frame
    return np.ascontiguousarray(picture[y0:y1, x0:x1])
