"""The current hairline as the templates start from it: resampled, its sides and its segments.

The line is resampled every ``RESAMPLE_MM``. "Up" points across it towards the pigmented side,
where the current region lies (in a frontal close-up, smaller ``y``). It is split into the
segments of :class:`~scalpmap.planning.hairline.HairlineModel` at its frontotemporal corners
(the sharpest turns towards the pigment over ``CORNER_WINDOW_MM`` in its left and right parts;
at a quarter and three quarters of its length when none turns by ``CORNER_MIN_DEG``); a side
segment is the stretch beyond a temporal peak after which the line falls by ``SIDE_DROP_MM``
(whole-head views only). A template's new line becomes a model with control points every
``CONTROL_SPACING_MM`` (:func:`hairline_model`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import Analysis
from scalpmap.planning.geometry import photo_frame, unit_vector
from scalpmap.planning.hairline import (
    SEGMENT_NAMES,
    HairlineModel,
    arc_length,
    resample,
    turning_angles_deg,
)
from scalpmap.planning.target_file import NEAR_MM, TANGENT_MM, region_sign

__all__ = [
    "CONTROL_SPACING_MM",
    "CORNER_WINDOW_MM",
    "RESAMPLE_MM",
    "CurrentLine",
    "current_line",
    "hairline_model",
    "segment_marks",
]

RESAMPLE_MM = 0.25
CONTROL_SPACING_MM = 2.0
CORNER_WINDOW_MM = 5.0
CORNER_MIN_DEG = 25.0
SIDE_DROP_MM = 5.0


@dataclass(frozen=True)
class CurrentLine:
    """The current hairline, resampled: its pigmented side, "up", and segment bounds.

    Attributes
    ----------
    xy : ndarray of float, shape (N, 2)
        The line, resampled every ``RESAMPLE_MM``, pixels.
    sign : int
        +1 or -1: the side of the line where the pigmented region lies.
    up : ndarray of float, shape (2,)
        Unit vector across the line towards the pigment.
    marks : tuple of int
        Indices into ``xy``: the left side segment's end, the left and right frontotemporal
        corners, the right side segment's start.
    """

    xy: NDArray[np.float64]
    sign: int
    up: NDArray[np.float64]
    marks: tuple[int, int, int, int]  # left side end, left corner, right corner, right side start


def segment_marks(
    xy: NDArray[np.float64], sign: int, up: NDArray[np.float64], mm: float
) -> list[int]:
    """Return the segment bounds: temporal peaks (side segments) and frontotemporal corners.

    Parameters
    ----------
    xy : ndarray of float, shape (N, 2)
        The resampled line, pixels.
    sign : int
        The pigmented side (see :class:`CurrentLine`).
    up : ndarray of float, shape (2,)
        Unit vector towards the pigment.
    mm : float
        Millimetres per pixel.

    Returns
    -------
    list of int
        The four marks of :attr:`CurrentLine.marks`.
    """
    convex = turning_angles_deg(xy, CORNER_WINDOW_MM / mm) * sign
    s = arc_length(xy) / max(arc_length(xy)[-1], 1e-12)
    corners = []
    for lo, hi, fallback in ((0.1, 0.5, 0.25), (0.5, 0.9, 0.75)):
        idx = np.flatnonzero((s >= lo) & (s <= hi))
        best = int(idx[np.argmax(convex[idx])]) if idx.size else 0
        ok = idx.size and convex[best] >= CORNER_MIN_DEG
        corners.append(best if ok else int(np.argmin(np.abs(s - fallback))))
    h, drop, (left, right) = xy @ up, SIDE_DROP_MM / mm, corners
    peak_l, peak_r = int(np.argmax(h[: left + 1])), right + int(np.argmax(h[right:]))
    side_l = peak_l if peak_l > 0 and h[peak_l] - h[0] > drop else 0
    side_r = peak_r if peak_r < len(xy) - 1 and h[peak_r] - h[-1] > drop else len(xy) - 1
    return [side_l, left, right, side_r]


def current_line(analysis: Analysis, template: str) -> CurrentLine:
    """Return the analysis's hairline, resampled, with its pigmented side and segment marks.

    Parameters
    ----------
    analysis : Analysis
        The photo's analysis.
    template : str
        The template that asks (for the message).

    Returns
    -------
    CurrentLine
        The line.

    Raises
    ------
    InputError
        When the photo has no hairline or no pigmented region.
    """
    mm = analysis.scale.mm_per_px
    xy = np.asarray(analysis.hairline_xy, dtype=np.float64).reshape(-1, 2)
    xy = resample(xy, RESAMPLE_MM / mm)
    if len(xy) < 2 or analysis.region.is_empty:
        raise InputError(
            f"template {template} needs a hairline and none was found in the photo; "
            "use keep, remove-all or a TARGET.json"
        )
    frame = photo_frame(analysis.shape)
    sign = region_sign(xy, analysis.region, frame, tangent=TANGENT_MM / mm, near=NEAR_MM / mm)
    chord = unit_vector(xy[-1] - xy[0])
    up = np.array([-chord[1], chord[0]]) * sign  # cross(chord, (-cy, cx)) = +1
    named = named_marks(xy, analysis.hairline_segments)
    a, b, c, d = named if named is not None else segment_marks(xy, sign, up, mm)
    return CurrentLine(xy=xy, sign=sign, up=up, marks=(a, b, c, d))


def named_marks(
    xy: NDArray[np.float64], segments: Mapping[str, NDArray[np.float64]]
) -> list[int] | None:
    """Return the segment marks where the analysis named the hairline's segments (a whole head).

    The analysis names them from the face (the verticals through the lateral canthi; see
    :mod:`scalpmap.imaging.hairline_segments`), which the line's own shape cannot tell on a line
    that runs down one sideburn and around an ear.

    Parameters
    ----------
    xy : ndarray of float, shape (N, 2)
        The resampled line, pixels.
    segments : mapping of str to ndarray
        The analysis's named segments (``Analysis.hairline_segments``).

    Returns
    -------
    list of int or None
        The four marks of :attr:`CurrentLine.marks`; None without a frontal segment.
    """
    frontal = np.asarray(segments.get("frontal", np.zeros((0, 2))), dtype=np.float64)
    if len(frontal) < 2 or len(xy) < 2:
        return None

    def nearest(point: NDArray[np.float64]) -> int:
        return int(np.argmin(np.linalg.norm(xy - point, axis=1)))

    left, right = sorted((nearest(frontal[0]), nearest(frontal[-1])))
    if right <= left:
        return None
    side_left = np.asarray(segments.get("side_left", np.zeros((0, 2))), dtype=np.float64)
    side_right = np.asarray(segments.get("side_right", np.zeros((0, 2))), dtype=np.float64)
    side_l = min(nearest(side_left[-1]), left) if len(side_left) >= 2 else 0
    side_r = max(nearest(side_right[0]), right) if len(side_right) >= 2 else len(xy) - 1
    return [side_l, left, right, side_r]


def hairline_model(
    xy: NDArray[np.float64],
    marks: tuple[int, int, int, int],
    mm: float,
    *,
    wobble: float,
    feather_mm: float,
    seed: int,
) -> HairlineModel:
    """Return the model with control points every ``CONTROL_SPACING_MM`` in each segment.

    Parameters
    ----------
    xy : ndarray of float, shape (N, 2)
        The new line, resampled, pixels.
    marks : tuple of int
        Its segment bounds (see :attr:`CurrentLine.marks`).
    mm : float
        Millimetres per pixel.
    wobble : float
        Irregularity of the line, mm.
    feather_mm : float
        Width of the transition band, mm.
    seed : int
        Seed of the wobble.

    Returns
    -------
    HairlineModel
        The editable hairline.
    """
    bounds = (0, *marks, len(xy) - 1)
    segments = {
        name: resample(xy[i : j + 1], CONTROL_SPACING_MM / mm) if j > i else np.zeros((0, 2))
        for name, i, j in zip(SEGMENT_NAMES, bounds[:-1], bounds[1:], strict=True)
    }
    return HairlineModel(segments, irregularity_mm=wobble, feather_mm=feather_mm, seed=seed)
