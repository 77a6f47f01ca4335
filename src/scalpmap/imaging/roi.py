"""Region of interest: a box or polygon the user draws to limit the analysis to one area."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray
from shapely.geometry import Polygon

from scalpmap.errors import InputError

ROI_HELP = (
    "give a box 'x0,y0,x1,y1', a polygon 'x,y;x,y;x,y;...' in pixels, "
    "or a JSON file holding [[x, y], ...]"
)


def parse_roi(text: str) -> Polygon:
    """Parse a region of interest given on the command line or in a form.

    Parameters
    ----------
    text : str
        ``"x0,y0,x1,y1"`` (a box), ``"x,y;x,y;x,y"`` (a polygon), or the path of a JSON file
        holding ``[[x, y], ...]`` or ``{"roi": [[x, y], ...]}``.

    Returns
    -------
    shapely.Polygon
        The region, in pixels.

    Raises
    ------
    InputError
        When the text is none of these, or the polygon is degenerate.

    Examples
    --------
    >>> parse_roi("10,20,110,220").bounds
    (10.0, 20.0, 110.0, 220.0)
    >>> parse_roi("0,0; 100,0; 50,80").area
    4000.0
    """
    text = text.strip()
    try:
        if text.endswith(".json"):
            path = Path(text)
            if not path.is_file():
                raise InputError(f"ROI file not found: {text}; {ROI_HELP}")
            data = json.loads(path.read_text())
            points = data["roi"] if isinstance(data, dict) else data
            xy = np.asarray(points, dtype=np.float64)
        elif ";" in text:
            xy = np.asarray([[float(v) for v in p.split(",")] for p in text.split(";")])
        else:
            values = [float(v) for v in text.split(",")]
            if len(values) != 4:
                raise InputError(f"ROI box needs 4 numbers, got {len(values)}; {ROI_HELP}")
            x0, y0, x1, y1 = values
            if x1 <= x0 or y1 <= y0:
                raise InputError(f"ROI box {text!r} is empty: x1 must exceed x0 and y1 exceed y0")
            xy = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    except InputError:
        raise
    except (ValueError, KeyError, TypeError, json.JSONDecodeError, OSError):
        raise InputError(f"cannot read ROI {text[:60]!r}; {ROI_HELP}") from None
    if xy.ndim != 2 or xy.shape[1] != 2 or len(xy) < 3 or not np.isfinite(xy).all():
        raise InputError(f"ROI needs at least 3 points of 2 finite numbers; {ROI_HELP}")
    polygon = Polygon(xy)
    if not polygon.is_valid or polygon.area < 1.0:
        raise InputError("ROI polygon crosses itself or has no area; draw it again")
    return polygon


def roi_mask(roi: Polygon, shape: tuple[int, int]) -> NDArray[np.bool_]:
    """Rasterise a region of interest.

    Parameters
    ----------
    roi : shapely.Polygon
        The region, in pixels.
    shape : tuple of int
        The photo's ``(rows, cols)``.

    Returns
    -------
    ndarray of bool
        True inside the region.

    Raises
    ------
    InputError
        When the region lies outside the photo.
    """
    rows, cols = shape
    x0, y0, x1, y1 = roi.bounds
    if x1 < 0 or y1 < 0 or x0 > cols or y0 > rows:
        raise InputError(f"ROI {roi.bounds} lies outside the {cols}x{rows} photo; check it")
    mask = np.zeros(shape, dtype=np.uint8)
    ring = np.round(np.asarray(roi.exterior.coords) * 16).astype(np.int32)
    cv2.fillPoly(mask, [ring], 1, cv2.LINE_8, shift=4)
    return mask.astype(bool)
