"""The photo's scale in millimetres per pixel: given, from the printed marker, or from the iris.

A scale given by the user wins over the marker, which wins over an estimate from the visible iris
of a face in the photo (front views only).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from scalpmap.errors import ScaleError
from scalpmap.imaging.marker import DEFAULT_MARKER_SIDE_MM, detect_marker
from scalpmap.imaging.validate import check_mm_per_px

if TYPE_CHECKING:
    from scalpmap.imaging.head.model import HeadModel

# The printed stickers: the marker's id says the size of its black square, so one analysis reads
# any of them without being told which was used.
STANDARD_MARKER_SIDES_MM: dict[int, float] = {0: 10.0, 1: 20.0, 2: 30.0, 3: 40.0}

# The adult visible iris: 11.7 +- 0.4 mm across, horizontally (Rüfer, Schröder and Erb, Cornea
# 2005; MediaPipe Iris uses 11.7 mm too).
IRIS_DIAMETER_MM = 11.7
IRIS_DIAMETER_SD_MM = 0.4
# How far one eye's measured iris strays from the true one, as a share of the diameter (one
# standard deviation), the floor of the measurement's uncertainty. An assumption: half of the
# "relative error less than 10%" that MediaPipe states for distances from the iris (Google
# Research blog, "MediaPipe Iris", 2020), a bound on anatomy and measurement together. On the two
# real front views where both irises show (benchmarks/evaluate_head.py) the eyes differed by 3%
# and 14%.
IRIS_EYE_SPREAD = 0.05
# A diameter measured between two landmarks, each within half a pixel (uniform): sqrt(2 / 12) px.
IRIS_PIXEL_SD_PX = math.sqrt(2.0 / 12.0)

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
    source : {"marker", "given", "iris"}
        Measured from the printed marker, given by the user, or estimated from the iris.
    marker_id : int or None
        The marker's id, when measured.
    marker_side_mm : float or None
        The printed side of the marker's black square.
    residual_px : float or None
        RMS distance of the marker's corners from a perfect square after the fit.
    marker_corners_xy : ndarray of float, shape (4, 2) or (0, 2)
        The marker's corners; a found marker is also left out of the analysis.
    uncertainty_percent : float or None
        For an estimate (``source="iris"``): one standard uncertainty of ``mm_per_px`` in percent
        (see :func:`iris_uncertainty_percent`); None for a marker or a given scale.
    iris_diameter_px : float or None
        The visible iris diameter the estimate came from, in pixels.
    """

    mm_per_px: float
    source: Literal["marker", "given", "iris"]
    marker_id: int | None = None
    marker_side_mm: float | None = None
    residual_px: float | None = None
    marker_corners_xy: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 2)))
    uncertainty_percent: float | None = None
    iris_diameter_px: float | None = None

    @property
    def is_estimate(self) -> bool:
        """True when the scale is an estimate (from the iris), not a measurement."""
        return self.source == "iris"


def scale_source_words(source: str | None, uncertainty_percent: float | None = None) -> str:
    """Say in words where a scale came from, and how good an estimate is.

    Parameters
    ----------
    source : str or None
        ``scale.source`` of an analysis.json or plan.json (``marker``, ``given`` or ``iris``).
    uncertainty_percent : float, optional
        ``scale.uncertainty_percent`` of an estimate.

    Returns
    -------
    str
        E.g. ``"printed marker"`` or ``"estimated from the iris, ± 5.0 %"``.

    Examples
    --------
    >>> scale_source_words("iris", 5.04)
    'estimated from the iris, ± 5.0 %'
    """
    if source == "iris":
        if uncertainty_percent is None:
            return "estimated from the iris"
        return f"estimated from the iris, ± {uncertainty_percent:.1f} %"
    return {"marker": "printed marker", "given": "value given"}.get(source or "", "unknown")


def iris_uncertainty_percent(diameters_px: Sequence[float]) -> float:
    """Return the iris scale's standard uncertainty in percent.

    Three independent parts, added in quadrature::

        u = sqrt(a**2 + m**2 + q**2)

    - ``a = 0.4 / 11.7`` (3.4%): how adults' irises vary (:data:`IRIS_DIAMETER_SD_MM`);
    - ``m``: the measurement's own spread: with two eyes, the standard error of their mean,
      ``|d1 - d2| / (d1 + d2)``, but never less than :data:`IRIS_EYE_SPREAD` / sqrt(n);
    - ``q = 0.41 px / (sqrt(n) * mean diameter)``: the landmarks' pixel quantisation.

    Parameters
    ----------
    diameters_px : sequence of float
        One or two measured iris diameters (one per open eye), in pixels.

    Returns
    -------
    float
        The relative uncertainty of the scale, in percent.

    Examples
    --------
    >>> round(iris_uncertainty_percent([40.0, 41.0]), 1)
    5.0
    """
    values = [float(d) for d in diameters_px]
    if not values or min(values) <= 0:
        raise ValueError("iris diameters must be positive pixels")
    count = len(values)
    mean = sum(values) / count
    anatomical = IRIS_DIAMETER_SD_MM / IRIS_DIAMETER_MM
    observed = abs(values[0] - values[1]) / (values[0] + values[1]) if count == 2 else 0.0
    measurement = max(observed, IRIS_EYE_SPREAD / math.sqrt(count))
    pixels = IRIS_PIXEL_SD_PX / (math.sqrt(count) * mean)
    return 100.0 * math.sqrt(anatomical**2 + measurement**2 + pixels**2)


def iris_scale(head: HeadModel) -> Scale | None:
    """Estimate the scale from the visible iris of a face, or None without a measured iris.

    Parameters
    ----------
    head : HeadModel
        The head model of the photo (its iris is measured on front views and open eyes only).

    Returns
    -------
    Scale or None
        ``source="iris"``, ``mm_per_px = 11.7 / iris diameter``, with its uncertainty.
    """
    if head.iris_diameter_px is None or head.iris_diameter_px <= 0:
        return None
    diameters = head.iris_diameters_px or (head.iris_diameter_px,)
    return Scale(
        mm_per_px=IRIS_DIAMETER_MM / head.iris_diameter_px,
        source="iris",
        uncertainty_percent=round(iris_uncertainty_percent(diameters), 1),
        iris_diameter_px=float(head.iris_diameter_px),
    )


def resolve_scale(
    rgb: NDArray[np.uint8],
    *,
    mm_per_px: float | None = None,
    marker_side_mm: float | None = None,
    head: HeadModel | None = None,
) -> Scale:
    """Find the scale: a given value wins over the marker, which wins over the iris.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    mm_per_px : float, optional
        A scale given by the user.
    marker_side_mm : float, optional
        Printed side of the marker's black square; by default read from the marker's id
        (:data:`STANDARD_MARKER_SIDES_MM`).
    head : HeadModel, optional
        The photo's head model (from :func:`scalpmap.imaging.head.find_head`); its iris gives
        an estimated scale when there is neither a given scale nor a marker.

    Returns
    -------
    Scale
        The scale. With a given value, a marker in the photo is still found so that the analysis
        can leave it out.

    Raises
    ------
    ScaleError
        When no scale is given, no marker is in the photo and no iris was measured.
    """
    found = detect_marker(rgb, side_mm=DEFAULT_MARKER_SIDE_MM)
    corners = found.corners_xy if found is not None else np.zeros((0, 2))
    if mm_per_px is not None:
        check_mm_per_px(mm_per_px)
        return Scale(mm_per_px=float(mm_per_px), source="given", marker_corners_xy=corners)
    if found is None:
        estimate = iris_scale(head) if head is not None else None
        if estimate is None:
            raise ScaleError(NO_SCALE_MESSAGE)
        check_mm_per_px(estimate.mm_per_px)
        return estimate
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
