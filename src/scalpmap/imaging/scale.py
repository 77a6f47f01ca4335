"""The photo's scale in millimetres per pixel: from the printed marker, or given by the user."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from scalpmap.errors import ScaleError
from scalpmap.imaging.marker import DEFAULT_MARKER_SIDE_MM, detect_marker
from scalpmap.imaging.validate import check_mm_per_px

# The printed stickers: the marker's id says the size of its black square, so one analysis reads
# any of them without being told which was used.
STANDARD_MARKER_SIDES_MM: dict[int, float] = {0: 10.0, 1: 20.0, 2: 30.0, 3: 40.0}

NO_SCALE_MESSAGE = (
    "no scale: put the printed marker (scalpmap marker) in the photo or pass --mm-per-px"
)


@dataclass(frozen=True)
class Scale:
    """How many millimetres one pixel spans, and where that came from.

    Attributes
    ----------
    mm_per_px : float
        The scale.
    source : {"marker", "given"}
        Measured from the printed marker, or given by the user.
    marker_id : int or None
        The marker's id, when measured.
    marker_side_mm : float or None
        The printed side of the marker's black square.
    residual_px : float or None
        RMS distance of the marker's corners from a perfect square after the fit.
    marker_corners_xy : ndarray of float, shape (4, 2) or (0, 2)
        The marker's corners; a found marker is also left out of the analysis.
    """

    mm_per_px: float
    source: Literal["marker", "given"]
    marker_id: int | None = None
    marker_side_mm: float | None = None
    residual_px: float | None = None
    marker_corners_xy: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 2)))


def resolve_scale(
    rgb: NDArray[np.uint8],
    *,
    mm_per_px: float | None = None,
    marker_side_mm: float | None = None,
) -> Scale:
    """Find the scale: a given value wins over the marker; neither is an error.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    mm_per_px : float, optional
        A scale given by the user.
    marker_side_mm : float, optional
        Printed side of the marker's black square; by default read from the marker's id
        (:data:`STANDARD_MARKER_SIDES_MM`).

    Returns
    -------
    Scale
        The scale. With a given value, a marker in the photo is still found so that the analysis
        can leave it out.

    Raises
    ------
    ScaleError
        When no scale is given and no marker is in the photo.
    """
    found = detect_marker(rgb, side_mm=DEFAULT_MARKER_SIDE_MM)
    corners = found.corners_xy if found is not None else np.zeros((0, 2))
    if mm_per_px is not None:
        check_mm_per_px(mm_per_px)
        return Scale(mm_per_px=float(mm_per_px), source="given", marker_corners_xy=corners)
    if found is None:
        raise ScaleError(NO_SCALE_MESSAGE)
    side_mm = marker_side_mm or STANDARD_MARKER_SIDES_MM.get(found.marker_id)
    if side_mm is None:
        raise ScaleError(
            f"marker id {found.marker_id} is not a standard scalpmap sticker; "
            "pass its printed size with --marker-mm or give --mm-per-px"
        )
    measured = found.mm_per_px * side_mm / found.side_mm
    check_mm_per_px(measured)
    return Scale(
        mm_per_px=measured,
        source="marker",
        marker_id=found.marker_id,
        marker_side_mm=side_mm,
        residual_px=found.residual_px,
        marker_corners_xy=corners,
    )
