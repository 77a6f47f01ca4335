"""Where a target hairline may run: on the scalp of a whole head, anywhere on a close-up.

On a whole-head photo the analysis knows where the head is: its ``analysed_area`` is the
person's head above the brow line (the head model's person mask, cut at the brow line the face
landmarks give; see docs/analysis-json.md, ``analysed_area`` and ``excluded_area``). A target
hairline is clipped to that area, grown by ``SCALP_MARGIN_MM`` (the area is traced on a coarse
grid, so its edges are stepped), so that no template and no edit draws a line across the wall
behind the patient or down the face. A close-up shows only scalp: there the line is clipped to
the photo.

Examples
--------
>>> import numpy as np
>>> from shapely.geometry import box
>>> area = box(10, 10, 60, 60)
>>> edge = clip_line_to_area(np.array([[0.0, 30.0], [100.0, 30.0]]), area, min_length=1.0)
>>> [tuple(map(float, p)) for p in edge.coords]
[(10.0, 30.0), (60.0, 30.0)]
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon

from scalpmap.imaging.analysis import Analysis
from scalpmap.planning.geometry import as_lineal, as_polygonal, photo_frame

__all__ = [
    "MIN_PIECE_MM",
    "OFF_SCALP",
    "SCALP_MARGIN_MM",
    "clip_line_to_area",
    "line_area",
    "scalp_edge",
]

SCALP_MARGIN_MM = 3.0
"""How far beyond the analysed head a target line may run (the area's stepped edge)."""
OFF_SCALP = "the hairline lies outside the photo or off the scalp; move its points onto the scalp"
"""The message when a target line has no part on the scalp (:func:`scalp_edge` is empty)."""
MIN_PIECE_MM = 2.0
"""Pieces of a clipped line shorter than this (a line grazing the area's edge) are dropped."""


def line_area(analysis: Analysis) -> Polygon | MultiPolygon:
    """Return where a target hairline may run on this photo.

    Parameters
    ----------
    analysis : Analysis
        The photo's analysis.

    Returns
    -------
    Polygon or MultiPolygon
        On a whole head (``analysis.head`` set, an analysed area found): the analysed area grown
        by ``SCALP_MARGIN_MM``, within the photo. Otherwise the photo's frame.
    """
    frame = photo_frame(analysis.shape)
    if analysis.head is None or analysis.analysed_area.is_empty:
        return frame
    grown = analysis.analysed_area.buffer(SCALP_MARGIN_MM / analysis.scale.mm_per_px)
    area = as_polygonal(grown.intersection(frame))
    return frame if area.is_empty else area


def clip_line_to_area(
    line_xy: NDArray[np.float64],
    area: Polygon | MultiPolygon,
    *,
    min_length: float,
) -> LineString | MultiLineString:
    """Return the parts of a polyline inside an area, without slivers.

    Parameters
    ----------
    line_xy : ndarray of float, shape (K, 2)
        The polyline, pixels.
    area : Polygon or MultiPolygon
        Where it may run (see :func:`line_area`).
    min_length : float
        Pieces shorter than this (pixels) are dropped, unless every piece is.

    Returns
    -------
    LineString or MultiLineString
        The clipped line; empty when it misses the area.
    """
    clipped = as_lineal(LineString(line_xy).intersection(area))
    pieces = [p for p in shapely.get_parts(clipped) if p.length >= min_length]
    if not pieces or len(pieces) == len(shapely.get_parts(clipped)):
        return clipped
    return as_lineal(MultiLineString(pieces))


def scalp_edge(
    analysis: Analysis,
    line_xy: NDArray[np.float64],
    area: Polygon | MultiPolygon | None = None,
) -> LineString | MultiLineString:
    """Return a target hairline's drawn edge: the line clipped to :func:`line_area`.

    Parameters
    ----------
    analysis : Analysis
        The photo's analysis.
    line_xy : ndarray of float, shape (K, 2)
        The target line (e.g. :meth:`~scalpmap.planning.hairline.HairlineModel.polyline`).
    area : Polygon or MultiPolygon, optional
        :func:`line_area` of the analysis, when already computed.

    Returns
    -------
    LineString or MultiLineString
        The line on the scalp (whole heads) or on the photo (close-ups); empty when it misses.
    """
    area = line_area(analysis) if area is None else area
    return clip_line_to_area(line_xy, area, min_length=MIN_PIECE_MM / analysis.scale.mm_per_px)
