"""Target templates: keep, soften, mature and remove-all.

Every template starts from the current hairline (resampled every ``RESAMPLE_MM``). "Up" points
across it towards the pigmented side, where the current region lies (in a frontal close-up,
smaller ``y``). The line is split into the segments of
:class:`~scalpmap.planning.hairline.HairlineModel` at its frontotemporal corners (the sharpest turns
towards the pigment over ``CORNER_WINDOW_MM`` in its left and right parts; at a quarter and three
quarters of its length when none turns by ``CORNER_MIN_DEG``); a side segment is the stretch beyond
a temporal peak after which the line falls by ``SIDE_DROP_MM`` (whole-head views only).

- ``keep``: control points every ``CONTROL_SPACING_MM`` along the current line, no added wobble;
  the target region is the current region.
- ``soften``: stretches tighter than ``corner_radius_mm`` (turning over the window more than an arc
  of that radius) are rounded to arcs of that radius: near them the pigmented side is replaced by
  its opening and closing (``buffer(-r).buffer(r).buffer(r).buffer(-r)``). Where the new line runs
  outside the region (a filled concave corner) that strip joins the target as new pigment.
- ``mature``: the midline rises by :func:`mature_rise_mm` and the frontotemporal corners 1.5 times
  as much, a V. With :class:`Landmarks`, the published rules: the mid-frontal point
  ``MIDFRONTAL_HEIGHT_MM`` above the glabella, the corners of the V on the verticals through the
  lateral canthi. When landmarks that were all detected (none given) do not fit the hairline
  (it does not cross the glabella's vertical) and the age is known, the age rule is used instead,
  with a note.
- ``remove-all``: no target; everything pigmented is removal.

Otherwise the target region is the current region clipped to the pigmented side of the new line
(:func:`~scalpmap.planning.target_file.clip_region_to_line`). Sources: PRODUCT.md, "Hairline
design" (Garg, 431 cases; Shapiro; Nusbaum).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import Polygon

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import Analysis
from scalpmap.planning.geometry import as_polygonal, photo_frame
from scalpmap.planning.hairline import (
    DEFAULT_IRREGULARITY_MM,
    SEGMENT_NAMES,
    HairlineModel,
    arc_length,
    resample,
    turning_angles_deg,
)
from scalpmap.planning.scalp_area import scalp_edge
from scalpmap.planning.target_file import (
    NEAR_MM,
    TANGENT_MM,
    clip_region_to_line,
    region_sign,
    round_line,
    side_region,
)
from scalpmap.planning.zones import Target

__all__ = [
    "LANDMARK_NAMES",
    "LandmarkRuleError",
    "LandmarkSource",
    "Landmarks",
    "Target",
    "TemplateName",
    "make_target",
    "mature_rise_mm",
]

TemplateName = Literal["keep", "soften", "mature", "remove-all"]
LandmarkSource = Literal["detected", "given"]
LANDMARK_NAMES = ("glabella", "left_canthus", "right_canthus")
TEMPLATES = ("keep", "soften", "mature", "remove-all")
RESAMPLE_MM = 0.25
CONTROL_SPACING_MM = 2.0
CORNER_WINDOW_MM = 5.0
CORNER_MIN_DEG = 25.0
SIDE_DROP_MM = 5.0
MIDFRONTAL_HEIGHT_MM = 80.0
CORNER_FACTOR = 1.5
# Midline rise (mm) of the mature template by age: linear between these, constant beyond.
AGE_RISE_MM = ((25.0, 0.0), (30.0, 10.0), (40.0, 10.0), (50.0, 20.0))
DEFAULT_RISE_MM = 10.0
MIN_AGE, MAX_AGE = 14, 100
LIMITATION = (
    "heights are measured in the photo's plane; a single photo foreshortens the curve of the "
    "forehead, so the distance along the skin is somewhat larger"
)


class LandmarkRuleError(InputError):
    """The landmarks do not fit the hairline: it does not cross the vertical above the glabella."""


@dataclass(frozen=True)
class Landmarks:
    """Facial landmarks in photo pixels; left and right as seen in the photo.

    ``left_canthus_xy`` is the canthus on the photo's left: in an upright front view, the
    patient's *right* eye (the head model names points anatomically; see
    :mod:`scalpmap.planning.face_landmarks`).

    Attributes
    ----------
    glabella_xy : tuple of float
        The glabella (between the eyebrows); may lie outside the photo.
    left_canthus_xy, right_canthus_xy : tuple of float
        The lateral canthi (outer corners of the eyes).
    sources : tuple of {"detected", "given"}
        Where the glabella, the left and the right canthus came from: found by the head model,
        or given by the user.
    """

    glabella_xy: tuple[float, float]
    left_canthus_xy: tuple[float, float]
    right_canthus_xy: tuple[float, float]
    sources: tuple[LandmarkSource, LandmarkSource, LandmarkSource] = ("given", "given", "given")

    @property
    def all_detected(self) -> bool:
        """True when no landmark was given by the user."""
        return all(source == "detected" for source in self.sources)

    def points(self) -> dict[str, tuple[float, float]]:
        """Return the points by name (:data:`LANDMARK_NAMES`).

        Returns
        -------
        dict of str to tuple of float
            ``glabella``, ``left_canthus``, ``right_canthus``: ``(x, y)`` pixels.
        """
        xy = (self.glabella_xy, self.left_canthus_xy, self.right_canthus_xy)
        return {
            name: (float(p[0]), float(p[1])) for name, p in zip(LANDMARK_NAMES, xy, strict=True)
        }

    def source_of(self) -> dict[str, LandmarkSource]:
        """Return each landmark's source by name.

        Returns
        -------
        dict of str to {"detected", "given"}
            ``glabella``, ``left_canthus``, ``right_canthus``.
        """
        return dict(zip(LANDMARK_NAMES, self.sources, strict=True))

    def __post_init__(self) -> None:
        allowed = get_args(LandmarkSource)
        if len(self.sources) != 3 or any(s not in allowed for s in self.sources):
            raise InputError("each landmark's source must be 'detected' or 'given'")
        points = [self.glabella_xy, self.left_canthus_xy, self.right_canthus_xy]
        try:
            g, left, right = (np.asarray(p, dtype=np.float64) for p in points)
        except (TypeError, ValueError):
            raise InputError("each landmark must be an (x, y) pixel point") from None
        if any(p.shape != (2,) or not np.isfinite(p).all() for p in (g, left, right)):
            raise InputError("each landmark must be a finite (x, y) pixel point")
        lateral = right - left
        if float(np.hypot(*lateral)) < 1.0:
            raise InputError("the two lateral canthi must be different points")
        if not float((left - g) @ lateral) < 0 < float((right - g) @ lateral):
            raise InputError("the glabella must lie between the two lateral canthi, left to right")

    def _axes(self, toward: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
        """Return the glabella, the unit lateral (left to right) and the unit "up" vectors."""
        g = np.asarray(self.glabella_xy, dtype=np.float64)
        lateral = _unit(np.subtract(self.right_canthus_xy, self.left_canthus_xy, dtype=float))
        up = np.array([-lateral[1], lateral[0]])
        return g, lateral, up if float(up @ toward) >= 0 else -up


def _check_age(age: int | None) -> None:
    """Raise InputError unless ``age`` is None or a whole number of 14..100 years."""
    if age is not None and (
        isinstance(age, bool) or not isinstance(age, int) or not MIN_AGE <= age <= MAX_AGE
    ):
        raise InputError(f"age must be {MIN_AGE}..{MAX_AGE} years, got {age!r}")


def mature_rise_mm(age: int) -> tuple[float, float]:
    """Return the mature template's rise at the midline and at the corners, in mm.

    None below 25, 10 mm at 30–40, 20 mm from 50, linear in between; the corners rise 1.5 times as
    much (PRODUCT.md: 1–2 cm above the juvenile line at the midline, more at the corners: a V).

    Parameters
    ----------
    age : int
        Age in years, 14..100.

    Returns
    -------
    tuple of float
        ``(midline_mm, corners_mm)``.

    Examples
    --------
    >>> mature_rise_mm(20), mature_rise_mm(35), mature_rise_mm(45), mature_rise_mm(60)
    ((0.0, 0.0), (10.0, 15.0), (15.0, 22.5), (20.0, 30.0))
    """
    _check_age(age)
    ages, rises = zip(*AGE_RISE_MM, strict=True)
    mid = float(np.interp(age, ages, rises))
    return mid, CORNER_FACTOR * mid


@dataclass(frozen=True)
class _Line:
    """The current hairline, resampled: its pigmented side, "up", and segment bounds."""

    xy: NDArray[np.float64]
    sign: int
    up: NDArray[np.float64]
    marks: tuple[int, int, int, int]  # left side end, left corner, right corner, right side start


def _unit(v: NDArray[np.float64]) -> NDArray[np.float64]:
    return v / max(float(np.hypot(*v)), 1e-12)


def _marks(xy: NDArray[np.float64], sign: int, up: NDArray[np.float64], mm: float) -> list[int]:
    """Return the segment bounds: temporal peaks (side segments) and frontotemporal corners."""
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


def _current(analysis: Analysis, template: str) -> _Line:
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
    chord = _unit(xy[-1] - xy[0])
    up = np.array([-chord[1], chord[0]]) * sign  # cross(chord, (-cy, cx)) = +1
    a, b, c, d = _marks(xy, sign, up, mm)
    return _Line(xy=xy, sign=sign, up=up, marks=(a, b, c, d))


def _model(
    xy: NDArray[np.float64],
    marks: tuple[int, int, int, int],
    mm: float,
    *,
    wobble: float,
    feather_mm: float,
    seed: int,
) -> HairlineModel:
    """Return the model with control points every ``CONTROL_SPACING_MM`` in each segment."""
    bounds = (0, *marks, len(xy) - 1)
    segments = {
        name: resample(xy[i : j + 1], CONTROL_SPACING_MM / mm) if j > i else np.zeros((0, 2))
        for name, i, j in zip(SEGMENT_NAMES, bounds[:-1], bounds[1:], strict=True)
    }
    return HairlineModel(segments, irregularity_mm=wobble, feather_mm=feather_mm, seed=seed)


def _soften(
    cur: _Line, analysis: Analysis, radius_mm: float
) -> tuple[NDArray[np.float64], tuple[int, int, int, int], str]:
    mm = analysis.scale.mm_per_px
    r, window = radius_mm / mm, CORNER_WINDOW_MM / mm
    arc_deg = math.degrees(window / r)
    sharp = np.abs(turning_angles_deg(cur.xy, window)) > arc_deg
    if not sharp.any():
        return cur.xy, cur.marks, f"soften: no corner is tighter than a {radius_mm:g} mm radius"
    frame = photo_frame(analysis.shape)
    rounded = round_line(
        cur.xy, frame, cur.sign, radius=r, at=cur.xy[sharp], tangent=TANGENT_MM / mm
    )
    if rounded is None:
        return cur.xy, cur.marks, "soften: the rounded line left the photo; the line is kept"
    xy = resample(rounded, RESAMPLE_MM / mm)
    marks = [int(np.argmin(np.linalg.norm(xy - cur.xy[i], axis=1))) for i in cur.marks]
    marks[0] = marks[0] if cur.marks[0] else 0
    marks[3] = marks[3] if cur.marks[3] < len(cur.xy) - 1 else len(xy) - 1
    a, b, c, d = (int(v) for v in np.maximum.accumulate(marks))
    corners = int((np.diff(sharp.astype(int)) == 1).sum() + sharp[0])
    note = (
        f"soften: {corners} stretch(es) turning more than {arc_deg:.0f} deg over "
        f"{CORNER_WINDOW_MM:g} mm (tighter than a {radius_mm:g} mm radius) rounded to arcs of "
        f"{radius_mm:g} mm (opening and closing of the pigmented side near them)"
    )
    return xy, (a, b, c, d), note


def _height_at(
    xy: NDArray[np.float64], axes: tuple[NDArray[np.float64], ...], at: float = 0.0
) -> float | None:
    """Return the height (px) where the line crosses the face's vertical at lateral ``at``."""
    g, lateral, up = axes
    ell, h = (xy - g) @ lateral - at, (xy - g) @ up
    i = np.flatnonzero(np.sign(ell[:-1]) * np.sign(ell[1:]) <= 0)
    if not i.size:
        return None
    d = ell[i] - ell[i + 1]
    t = np.divide(ell[i], d, out=np.zeros_like(d), where=d != 0)
    return float(np.min(h[i] + t * (h[i + 1] - h[i])))


def _mature(
    cur: _Line, mm: float, age: int | None, landmarks: Landmarks | None
) -> tuple[NDArray[np.float64], list[str]]:
    s = arc_length(cur.xy)
    side_l, left, right, side_r = cur.marks
    age_mid = mature_rise_mm(age)[0] if age is not None else DEFAULT_RISE_MM
    if landmarks is None:
        mid = int(np.argmin(np.abs(s - (s[left] + s[right]) / 2)))
        rise_mid, rise_corner, up = age_mid / mm, CORNER_FACTOR * age_mid / mm, cur.up
        position, anchors = s, [s[left], s[mid], s[right]]
        notes = [
            f"mature (age {age}): midline raised {age_mid:.1f} mm, frontotemporal corners "
            f"{CORNER_FACTOR * age_mid:.1f} mm, a V (defaults: none below 25, 10 mm at 30-40, "
            "20 mm from 50, linear between, corners 1.5x; published rule: 1-2 cm above the "
            "juvenile line at the midline and more at the corners; Garg, Shapiro, Nusbaum)"
        ]
    else:
        axes = landmarks._axes(cur.up)
        g, lateral, up = axes
        ell_l = float((np.asarray(landmarks.left_canthus_xy) - g) @ lateral)
        ell_r = float((np.asarray(landmarks.right_canthus_xy) - g) @ lateral)
        h_mid = _height_at(cur.xy, axes)
        if h_mid is None or h_mid <= 0:
            raise LandmarkRuleError(
                "the hairline does not cross the vertical above the glabella; check the landmarks"
            )
        rise_mid = max(0.0, MIDFRONTAL_HEIGHT_MM / mm - h_mid)
        rise_corner = rise_mid + (CORNER_FACTOR - 1) * age_mid / mm
        position, anchors = (cur.xy - g) @ lateral, [ell_l, 0.0, ell_r]
        notes = [
            f"mature with landmarks: mid-frontal point {MIDFRONTAL_HEIGHT_MM / 10:g} cm above the "
            f"glabella (was {h_mid * mm / 10:.1f} cm, raised {rise_mid * mm:.1f} mm; Garg: about "
            "8 cm, 7 aggressive, 10 conservative); the V's corners on the verticals through the "
            f"lateral canthi, raised {rise_corner * mm:.1f} mm (V depth for age {age or 'unknown'})"
        ]
    rise = np.interp(position, anchors, [rise_corner, rise_mid, rise_corner])
    taper = np.ones(len(s))
    if side_l > 0:
        taper[:side_l] = s[:side_l] / s[side_l]
    if side_r < len(s) - 1:
        taper[side_r + 1 :] = (s[-1] - s[side_r + 1 :]) / (s[-1] - s[side_r])
    return cur.xy + up * (rise * taper)[:, None], notes


def make_target(
    analysis: Analysis,
    template: TemplateName,
    *,
    age: int | None = None,
    landmarks: Landmarks | None = None,
    corner_radius_mm: float = 10.0,
    feather_mm: float = 1.5,
    irregularity_mm: float | None = None,
    seed: int = 0,
    require_landmarks: bool = False,
) -> Target:
    """Design a target from a template (rules in the module's docstring).

    Parameters
    ----------
    analysis : Analysis
        The photo's analysis.
    template : {"keep", "soften", "mature", "remove-all"}
        The template.
    age : int, optional
        The patient's age, 14..100; ``mature`` needs it unless landmarks are given.
    landmarks : Landmarks, optional
        ``mature`` then follows the published rules; every template reports the height.
    corner_radius_mm : float, optional
        Radius of the rounded corners (``soften``), 1..30 mm.
    feather_mm : float, optional
        Width of the transition band, 0..10 mm (PRODUCT.md: 1–2 mm).
    irregularity_mm : float, optional
        Wobble of the new line: by default 0 for ``keep`` (the line has its own), else 0.5 mm.
    seed : int, optional
        Seed of the wobble.
    require_landmarks : bool, optional
        Refuse to design without landmarks (for the landmark-based rules).

    Returns
    -------
    Target
        The target.

    Raises
    ------
    InputError
        On an unknown template, a bad age, ``mature`` with neither age nor landmarks, missing
        landmarks that were required, or no hairline to start from.
    """
    if template not in TEMPLATES:
        raise InputError(
            f"unknown template {template!r}; use keep, soften, mature or remove-all "
            "(or a TARGET.json for a custom target)"
        )
    _check_age(age)
    if not (math.isfinite(feather_mm) and 0 <= feather_mm <= 10):
        raise InputError(f"feather must be 0..10 mm, got {feather_mm}")
    if not (math.isfinite(corner_radius_mm) and 1 <= corner_radius_mm <= 30):
        raise InputError(f"corner radius must be 1..30 mm, got {corner_radius_mm}")
    if require_landmarks and landmarks is None:
        raise InputError(
            f"template {template} needs facial landmarks (the glabella and both lateral canthi)"
        )
    if template == "remove-all":
        note = "remove-all: no target; everything pigmented is removal, with no touch-up"
        return Target(template="remove-all", region=Polygon(), notes=[note], feather_mm=feather_mm)
    if template == "mature" and age is None and landmarks is None:
        raise InputError("template mature needs the patient's age (14..100) or facial landmarks")
    if template == "keep" and len(resample(np.reshape(analysis.hairline_xy, (-1, 2)), 1.0)) < 2:
        note = "keep: no hairline was found; the target is the current region"
        return Target(template="keep", region=analysis.region, notes=[note], feather_mm=feather_mm)
    mm = analysis.scale.mm_per_px
    cur = _current(analysis, template)
    wobble = irregularity_mm
    if wobble is None:
        wobble = 0.0 if template == "keep" else DEFAULT_IRREGULARITY_MM
    notes: list[str] = []
    xy, marks = cur.xy, cur.marks
    if template == "soften":
        xy, marks, note = _soften(cur, analysis, corner_radius_mm)
        notes.append(note)
    elif template == "mature":
        try:
            xy, notes = _mature(cur, mm, age, landmarks)
        except LandmarkRuleError as error:
            if landmarks is None or not landmarks.all_detected or age is None:
                raise
            xy, notes = _mature(cur, mm, age, None)
            notes.insert(0, f"the detected landmarks were not used: {error}")
    model = _model(xy, marks, mm, wobble=wobble, feather_mm=feather_mm, seed=seed)
    line = model.polyline(mm)
    frame = photo_frame(analysis.shape)
    if template == "keep":
        region = analysis.region
        notes.append("keep: the target follows the current hairline and keeps the current region")
    else:
        region, side = clip_region_to_line(analysis, line)
        if template == "soften":
            old = side_region(cur.xy, frame, cur.sign, tangent=TANGENT_MM / mm)
            fill = side.difference(old).intersection(analysis.analysed_area)
            region = as_polygonal(region.union(fill))
        notes.append("target region: the current region clipped to the new line's pigmented side")
        if region.is_empty:
            notes.append("the new line leaves no pigment in the photo: all of it is removal")
    notes.append(
        f"control points every {CONTROL_SPACING_MM:g} mm; irregularity {wobble:g} mm and a "
        f"{feather_mm:g} mm feathered edge (published rules: never ruler-straight, a transition "
        "zone of 1-2 mm; Garg, Shapiro, Nusbaum)"
    )
    height = None
    if landmarks is not None:
        h = _height_at(line, landmarks._axes(cur.up))
        if h is not None:
            height = round(h * mm / 10, 2)
            notes.append(f"hairline {height:.1f} cm above the glabella; {LIMITATION}")
    return Target(
        template=template,
        region=as_polygonal(region),
        hairline=model,
        edge=scalp_edge(analysis, line),
        feather_mm=feather_mm,
        notes=notes,
        height_above_glabella_cm=height,
    )
