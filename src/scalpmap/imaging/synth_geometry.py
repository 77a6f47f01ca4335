"""Scene geometry of synthetic scalp photos: head outline, hairline and pigmented region.

All coordinates are pixels, origin top-left, ``x`` to the right and ``y`` down. Curves are dense
polylines so that the shapely polygons built from them follow the drawn shape closely.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiPolygon, Polygon, box

View = Literal["closeup", "front", "three-quarter-left", "three-quarter-right", "side", "top"]
HairlineStyle = Literal["aggressive", "rounded"]

CURVE_SAMPLES = 400


@dataclass(frozen=True)
class SceneGeometry:
    """Where the head, the pigmented region and the hairline lie in a synthetic photo.

    Attributes
    ----------
    head : Polygon or None
        The head's silhouette, or None when the head fills the frame.
    region : Polygon or MultiPolygon
        The true pigmented region (the 50 % density line of the feathered edge).
    hairline_xy : ndarray of float, shape (M, 2)
        The true current hairline, ordered left to right, limited to the head and the frame.
    eyebrows : list of ndarray
        Eyebrow centre curves, each of shape (K, 2); empty when the view shows none.
    marker_center_xy : tuple of float
        Where to place the calibration sticker.
    """

    head: Polygon | None
    region: Polygon | MultiPolygon
    hairline_xy: NDArray[np.float64]
    eyebrows: list[NDArray[np.float64]]
    marker_center_xy: tuple[float, float]


def smooth_wobble(
    n: int, amplitude_px: float, rng: np.random.Generator, *, periods: float = 6.0
) -> NDArray[np.float64]:
    """Low-frequency random offsets that make a drawn line irregular, never ruler-straight.

    Parameters
    ----------
    n : int
        Number of samples.
    amplitude_px : float
        Typical size of the offsets in pixels.
    rng : numpy.random.Generator
        Source of randomness.
    periods : float, optional
        Roughly how many bumps fit along the line.

    Returns
    -------
    ndarray of float, shape (n,)
        Offsets with zero mean.
    """
    t = np.linspace(0.0, 1.0, n)
    wobble = np.zeros(n)
    for harmonic in range(1, 5):
        phase = rng.uniform(0, 2 * np.pi)
        weight = rng.normal(0, 1) / harmonic
        wobble += weight * np.sin(2 * np.pi * periods * harmonic / 2 * t + phase)
    wobble -= wobble.mean()
    scale = float(np.abs(wobble).max()) or 1.0
    return amplitude_px * wobble / scale


def hairline_curve(
    x_left: float,
    x_right: float,
    y_front: float,
    corner_rise_px: float,
    style: HairlineStyle,
    rng: np.random.Generator,
    *,
    px_per_mm: float,
) -> NDArray[np.float64]:
    """Draw a frontal hairline with temple recessions from ``x_left`` to ``x_right``.

    An aggressive line is straight across the front with sharp temple corners that turn steeply
    upwards; a rounded one is a smooth arch. Both get a millimetre-scale irregularity.

    Parameters
    ----------
    x_left, x_right : float
        Horizontal extent of the curve in pixels.
    y_front : float
        Height of the midline (frontal) part in pixels.
    corner_rise_px : float
        How far the temple ends rise above the front line.
    style : {"aggressive", "rounded"}
        Shape of the line.
    rng : numpy.random.Generator
        Source of randomness.
    px_per_mm : float
        Scale, used to size the irregularity.

    Returns
    -------
    ndarray of float, shape (CURVE_SAMPLES, 2)
        Points ``(x, y)`` ordered left to right.
    """
    x = np.linspace(x_left, x_right, CURVE_SAMPLES)
    u = (x - x_left) / (x_right - x_left) * 2.0 - 1.0  # -1 .. 1
    if style == "aggressive":
        corner = rng.uniform(0.62, 0.75)
        ramp = np.clip((np.abs(u) - corner) / (1.0 - corner), 0.0, 1.0)
        y = y_front - corner_rise_px * ramp**0.9
    else:
        y = y_front - corner_rise_px * np.abs(u) ** rng.uniform(1.8, 2.6)
    y = y + smooth_wobble(CURVE_SAMPLES, rng.uniform(0.4, 1.0) * px_per_mm, rng)
    return np.column_stack([x, y])


def ellipse_polygon(cx: float, cy: float, rx: float, ry: float, *, samples: int = 720) -> Polygon:
    """Return an ellipse as a dense polygon.

    Parameters
    ----------
    cx, cy : float
        Centre in pixels.
    rx, ry : float
        Half axes in pixels.
    samples : int, optional
        Number of vertices.

    Returns
    -------
    shapely.Polygon
        The ellipse.
    """
    t = np.linspace(0, 2 * np.pi, samples, endpoint=False)
    return Polygon(np.column_stack([cx + rx * np.cos(t), cy + ry * np.sin(t)]))


def _region_above(curve_xy: NDArray[np.float64], frame: Polygon) -> Polygon:
    """Close a left-to-right curve upwards over the top of the frame."""
    x0, y0, x1, y1 = frame.bounds
    top = y0 - 10 * (y1 - y0)
    ring = np.vstack([[[curve_xy[0, 0], top]], curve_xy, [[curve_xy[-1, 0], top]]])
    return Polygon(ring).buffer(0)


def _clip_line(curve_xy: NDArray[np.float64], area: Polygon) -> NDArray[np.float64]:
    """Keep the longest part of a curve that lies inside ``area``, ordered left to right."""
    inside = LineString(curve_xy).intersection(area)
    parts = list(getattr(inside, "geoms", [inside]))
    lines = [p for p in parts if isinstance(p, LineString) and not p.is_empty]
    if not lines:
        return np.zeros((0, 2))
    longest = max(lines, key=lambda line: line.length)
    xy = np.asarray(longest.coords, dtype=np.float64)
    return xy if xy[0, 0] <= xy[-1, 0] else xy[::-1]


def build_scene(
    view: View,
    width: int,
    height: int,
    mm_per_px: float,
    style: HairlineStyle,
    with_silhouette: bool,
    rng: np.random.Generator,
) -> SceneGeometry:
    """Lay out a synthetic scene for one view.

    Parameters
    ----------
    view : {"closeup"}
        A close-up of the frontal hairline (whole-head views are laid out by
        :mod:`scalpmap.imaging.synth_whole_head`).
    width, height : int
        Photo size in pixels.
    mm_per_px : float
        Scale of the photo.
    style : {"aggressive", "rounded"}
        Hairline shape.
    with_silhouette : bool
        Whether a close-up shows the head's outline against a background.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    SceneGeometry
        The layout.
    """
    px_per_mm = 1.0 / mm_per_px
    frame = box(0, 0, width, height)
    eyebrows: list[NDArray[np.float64]] = []
    head: Polygon | None = None
    if view != "closeup":
        raise ValueError(f"build_scene draws close-ups; {view!r} is drawn by synth_whole_head")
    margin = rng.uniform(-0.05, 0.08) * width
    curve = hairline_curve(
        -abs(margin) - 5,
        width + abs(margin) + 5,
        rng.uniform(0.36, 0.5) * height,
        rng.uniform(0.2, 0.34) * height,
        style,
        rng,
        px_per_mm=px_per_mm,
    )
    if with_silhouette:
        rx = rng.uniform(0.9, 1.3) * width
        head = ellipse_polygon(
            width * rng.uniform(0.35, 0.65),
            rx * 0.95 + rng.uniform(0.06, 0.16) * height,
            rx,
            rx * 0.95,
        )
    marker_center = (rng.uniform(0.2, 0.8) * width, float(height))
    area = frame if head is None else frame.intersection(head)
    region = _region_above(curve, frame).intersection(area)
    if isinstance(region, MultiPolygon):
        region = max(region.geoms, key=lambda g: g.area)
    # The part of the frame above the curve, within the head: polygonal.
    region = cast("Polygon | MultiPolygon", shapely.simplify(region, 0.3))
    hairline_xy = _clip_line(curve, head if head is not None else frame)
    hairline_xy = _clip_line(hairline_xy, frame.buffer(-1.0)) if len(hairline_xy) else hairline_xy
    return SceneGeometry(
        head=head,
        region=region,
        hairline_xy=hairline_xy,
        eyebrows=eyebrows,
        marker_center_xy=(float(marker_center[0]), float(marker_center[1])),
    )
