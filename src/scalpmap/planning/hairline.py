"""The target hairline: named segments of control points, smoothed by a spline.

A natural hairline is never ruler-straight and has a 1–2 mm transition zone (PRODUCT.md,
"Hairline design"; Garg, Shapiro, Nusbaum). :class:`HairlineModel` therefore carries an
``irregularity_mm`` (the amplitude of a seeded, low-frequency wobble laid along the line's normal)
and a ``feather_mm`` (the width of the transition band). Control points are held in image pixels,
origin top-left, and reported in millimetres through the scale.

Examples
--------
>>> import numpy as np
>>> model = HairlineModel({"frontal": np.array([[0.0, 100.0], [200.0, 110.0], [400.0, 100.0]])})
>>> line = model.polyline(mm_per_px=0.1)
>>> line.shape[1], bool(abs(line[:, 1] - 105).max() < 10)
(2, True)
>>> HairlineModel.from_json(model.to_json(0.1)).control_points().shape
(3, 2)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scalpmap.errors import InputError

SEGMENT_NAMES = ("side_left", "temporal_left", "frontal", "temporal_right", "side_right")
HAIRLINE_FORMAT = "scalpmap-hairline/1"
DEFAULT_IRREGULARITY_MM = 0.5
DEFAULT_FEATHER_MM = 1.5
MAX_IRREGULARITY_MM = 5.0
MAX_FEATHER_MM = 10.0
# The spline may pass this far (mm, RMS) from the control points: it smooths digitising noise.
SPLINE_TOLERANCE_MM = 0.1
# Wavelengths of the wobble (mm): bumps a few centimetres long, as on a natural hairline.
WOBBLE_WAVELENGTHS_MM = (12.0, 40.0)
WOBBLE_HARMONICS = 4


def as_points(value: Any, what: str) -> NDArray[np.float64]:
    """Return ``value`` as a finite (K, 2) float array, or raise a one-line InputError.

    Parameters
    ----------
    value : array_like
        Points ``[[x, y], ...]``.
    what : str
        What they are, for the message.

    Returns
    -------
    ndarray of float, shape (K, 2)
        The points; ``(0, 2)`` when empty.
    """
    try:
        xy = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{what} must be a list of [x, y] points in pixels") from None
    if xy.size == 0:
        return np.zeros((0, 2))
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise InputError(f"{what} must be a list of [x, y] points in pixels, got shape {xy.shape}")
    if not np.isfinite(xy).all():
        raise InputError(f"{what} has a point that is not a finite number")
    return xy


def distinct_points(xy: NDArray[np.float64], tolerance: float = 1e-6) -> NDArray[np.float64]:
    """Drop points that repeat the point before them.

    Parameters
    ----------
    xy : ndarray of float, shape (K, 2)
        Points in order.
    tolerance : float, optional
        Points closer than this to their predecessor are dropped.

    Returns
    -------
    ndarray of float, shape (L, 2)
        The points without consecutive repeats.

    Examples
    --------
    >>> distinct_points(np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0]])).tolist()
    [[0.0, 0.0], [1.0, 0.0]]
    """
    if len(xy) < 2:
        return xy
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = np.linalg.norm(np.diff(xy, axis=0), axis=1) > tolerance
    return xy[keep]


def arc_length(xy: NDArray[np.float64]) -> NDArray[np.float64]:
    """Cumulative length along a polyline, starting at 0.

    Parameters
    ----------
    xy : ndarray of float, shape (K, 2)
        The polyline.

    Returns
    -------
    ndarray of float, shape (K,)
        Distance from the first point, along the line.
    """
    if len(xy) == 0:
        return np.zeros(0)
    return np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(xy, axis=0), axis=1))])


def resample(xy: NDArray[np.float64], step: float) -> NDArray[np.float64]:
    """Resample a polyline at equal steps along its length, keeping both ends.

    Parameters
    ----------
    xy : ndarray of float, shape (K, 2)
        The polyline.
    step : float
        Wanted spacing, in the units of ``xy``; the real spacing divides the length evenly.

    Returns
    -------
    ndarray of float, shape (L, 2)
        The resampled polyline (``L >= 2`` unless the line has fewer than two distinct points).

    Examples
    --------
    >>> resample(np.array([[0.0, 0.0], [10.0, 0.0]]), 2.5)[:, 0].tolist()
    [0.0, 2.5, 5.0, 7.5, 10.0]
    """
    xy = distinct_points(xy)
    if len(xy) < 2:
        return xy
    s = arc_length(xy)
    n = max(2, int(math.ceil(s[-1] / step - 1e-9)) + 1)
    t = np.linspace(0.0, s[-1], n)
    return np.column_stack([np.interp(t, s, xy[:, 0]), np.interp(t, s, xy[:, 1])])


def turning_angles_deg(xy: NDArray[np.float64], window: float) -> NDArray[np.float64]:
    """How far the line turns over a window centred on each point, in degrees.

    Parameters
    ----------
    xy : ndarray of float, shape (K, 2)
        A polyline sampled at (roughly) equal steps.
    window : float
        Window length along the line, in the units of ``xy``.

    Returns
    -------
    ndarray of float, shape (K,)
        The angle between the chord into each point (from ``window / 2`` before it) and the
        chord out of it, signed like the cross product of the two chords in image coordinates
        (negative when a line heading right turns up the screen); 0 within half a window of
        either end.

    Examples
    --------
    >>> corner = np.array([[x, 0.0] for x in range(10)] + [[9.0, -y] for y in range(1, 10)])
    >>> float(turning_angles_deg(corner, 4.0).min())
    -90.0
    """
    angles = np.zeros(len(xy))
    if len(xy) < 3:
        return angles
    s = arc_length(xy)
    half = window / 2
    before = np.searchsorted(s, s - half, side="right") - 1
    after = np.searchsorted(s, s + half, side="left")
    inner = (s - half >= 0) & (s + half <= s[-1])
    for i in np.flatnonzero(inner):
        a, b = xy[i] - xy[before[i]], xy[min(after[i], len(xy) - 1)] - xy[i]
        na, nb = float(np.hypot(*a)), float(np.hypot(*b))
        if na > 0 and nb > 0:
            cos = float(np.clip(a @ b / (na * nb), -1.0, 1.0))
            sign = 1.0 if a[0] * b[1] - a[1] * b[0] >= 0 else -1.0
            angles[i] = sign * math.degrees(math.acos(cos))
    return angles


def _wobble_mm(s_mm: NDArray[np.float64], amplitude_mm: float, seed: int) -> NDArray[np.float64]:
    """Seeded sum of sines along the line; never more than ``amplitude_mm`` from zero."""
    rng = np.random.default_rng([seed, 0x4A1])
    wavelength = rng.uniform(*WOBBLE_WAVELENGTHS_MM, size=WOBBLE_HARMONICS)
    phase = rng.uniform(0.0, 2 * np.pi, size=WOBBLE_HARMONICS)
    weight = rng.uniform(0.4, 1.0, size=WOBBLE_HARMONICS)
    waves = np.sin(2 * np.pi * s_mm[:, None] / wavelength + phase) * weight
    return np.asarray(amplitude_mm * waves.sum(axis=1) / weight.sum(), dtype=np.float64)


def _check_scale(mm_per_px: float) -> None:
    if not (math.isfinite(mm_per_px) and mm_per_px > 0):
        raise InputError(f"mm per px must be a positive number, got {mm_per_px}")


@dataclass(frozen=True, eq=False)
class HairlineModel:
    """A hairline made of named segments of control points, left to right.

    Attributes
    ----------
    segments : mapping of str to ndarray of float, shape (K, 2)
        Control points in image pixels for each of :data:`SEGMENT_NAMES` (``side_left``,
        ``temporal_left``, ``frontal``, ``temporal_right``, ``side_right``), in that order along
        the line; a segment that is not visible is empty, ``(0, 2)``. Read-only arrays.
    irregularity_mm : float
        Amplitude of the seeded low-frequency wobble along the line's normal (0..5 mm).
    feather_mm : float
        Width of the transition band inside the new hairline (PRODUCT.md: 1–2 mm).
    seed : int
        Seed of the wobble.
    """

    segments: Mapping[str, NDArray[np.float64]] = field(default_factory=dict)
    irregularity_mm: float = DEFAULT_IRREGULARITY_MM
    feather_mm: float = DEFAULT_FEATHER_MM
    seed: int = 0

    def __post_init__(self) -> None:
        unknown = sorted(set(self.segments) - set(SEGMENT_NAMES))
        if unknown:
            raise InputError(
                f"unknown hairline segment {unknown[0]!r}; use {', '.join(SEGMENT_NAMES)}"
            )
        clean: dict[str, NDArray[np.float64]] = {}
        for name in SEGMENT_NAMES:
            xy = as_points(self.segments.get(name, []), f"hairline segment {name!r}").copy()
            xy.setflags(write=False)
            clean[name] = xy
        object.__setattr__(self, "segments", MappingProxyType(clean))
        if not (math.isfinite(self.irregularity_mm) and 0 <= self.irregularity_mm):
            raise InputError(f"irregularity must be >= 0 mm, got {self.irregularity_mm}")
        if self.irregularity_mm > MAX_IRREGULARITY_MM:
            raise InputError(
                f"irregularity must be at most {MAX_IRREGULARITY_MM} mm, got {self.irregularity_mm}"
            )
        if not (math.isfinite(self.feather_mm) and 0 <= self.feather_mm <= MAX_FEATHER_MM):
            raise InputError(f"feather must be 0..{MAX_FEATHER_MM} mm, got {self.feather_mm}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InputError(f"hairline seed must be a whole number >= 0, got {self.seed!r}")
        if len(self.control_points()) < 2:
            raise InputError("a hairline needs at least 2 distinct control points")

    def control_points(self) -> NDArray[np.float64]:
        """Return every control point in order, left to right, without consecutive repeats.

        Returns
        -------
        ndarray of float, shape (K, 2)
            Points in pixels.
        """
        return distinct_points(np.vstack([self.segments[name] for name in SEGMENT_NAMES]))

    def polyline(self, mm_per_px: float, samples_per_mm: float = 2.0) -> NDArray[np.float64]:
        """Return the hairline as a dense polyline: spline through the points, plus the wobble.

        A smoothing spline (cubic, or lower with fewer than 4 points) passes within about
        ``SPLINE_TOLERANCE_MM`` of the control points; the wobble then moves each sample along
        the line's normal by at most ``irregularity_mm``.

        Parameters
        ----------
        mm_per_px : float
            Scale.
        samples_per_mm : float, optional
            Samples per millimetre of line.

        Returns
        -------
        ndarray of float, shape (M, 2)
            Points in pixels, equally spaced along the line, left to right.
        """
        _check_scale(mm_per_px)
        if not (math.isfinite(samples_per_mm) and 0 < samples_per_mm <= 100):
            raise InputError(f"samples per mm must be in (0, 100], got {samples_per_mm}")
        from scipy.interpolate import make_splprep  # 0.2 s to import: only when drawn

        points = self.control_points()
        k = min(3, len(points) - 1)
        tolerance_px = SPLINE_TOLERANCE_MM / mm_per_px
        with warnings.catch_warnings():
            # Zigzag points cannot be smoothed within the tolerance: interpolate them instead.
            warnings.simplefilter("error", RuntimeWarning)
            try:
                spline, _ = make_splprep(points.T, k=k, s=len(points) * tolerance_px**2)
            except (RuntimeWarning, ValueError):
                warnings.simplefilter("ignore", RuntimeWarning)
                spline, _ = make_splprep(points.T, k=k, s=0)
        dense = np.asarray(spline(np.linspace(0.0, 1.0, 20 * len(points) + 200)), dtype=np.float64)
        length_mm = float(arc_length(dense.T)[-1]) * mm_per_px
        line = resample(dense.T, max(1e-9, 1.0 / samples_per_mm / mm_per_px))
        if self.irregularity_mm == 0 or len(line) < 2:
            return line
        tangent = np.gradient(line, axis=0)
        tangent /= np.maximum(np.linalg.norm(tangent, axis=1, keepdims=True), 1e-12)
        normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
        s_mm = np.linspace(0.0, length_mm, len(line))
        offset_px = _wobble_mm(s_mm, self.irregularity_mm, self.seed) / mm_per_px
        return np.asarray(line + normal * offset_px[:, None], dtype=np.float64)

    def to_json(self, mm_per_px: float) -> dict[str, Any]:
        """Return the model as JSON: control points in pixels and in millimetres.

        Parameters
        ----------
        mm_per_px : float
            Scale, for the millimetre coordinates (origin at the photo's top-left corner).

        Returns
        -------
        dict
            ``{"format", "mm_per_px", "irregularity_mm", "feather_mm", "seed", "segments":
            {name: {"points_px": [[x, y], ...], "points_mm": [[x, y], ...]}}}``.
        """
        _check_scale(mm_per_px)
        return {
            "format": HAIRLINE_FORMAT,
            "mm_per_px": mm_per_px,
            "irregularity_mm": self.irregularity_mm,
            "feather_mm": self.feather_mm,
            "seed": self.seed,
            "segments": {
                name: {
                    "points_px": np.round(xy, 2).tolist(),
                    "points_mm": np.round(xy * mm_per_px, 3).tolist(),
                }
                for name, xy in self.segments.items()
            },
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> HairlineModel:
        """Build a model from :meth:`to_json`'s document (the pixel points are used).

        Parameters
        ----------
        doc : mapping
            The document.

        Returns
        -------
        HairlineModel
            The model.

        Raises
        ------
        InputError
            When the document is malformed.
        """
        if not isinstance(doc, Mapping) or not isinstance(doc.get("segments"), Mapping):
            raise InputError("hairline JSON needs an object with a 'segments' object")
        segments: dict[str, NDArray[np.float64]] = {}
        for name, value in doc["segments"].items():
            points = value.get("points_px") if isinstance(value, Mapping) else value
            segments[str(name)] = as_points(points, f"hairline segment {name!r}")
        numbers = {}
        for key, default in (
            ("irregularity_mm", DEFAULT_IRREGULARITY_MM),
            ("feather_mm", DEFAULT_FEATHER_MM),
        ):
            value = doc.get(key, default)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(f"hairline JSON: {key} must be a number, got {value!r}")
            numbers[key] = float(value)
        seed = doc.get("seed", 0)
        return cls(segments, seed=seed, **numbers)
