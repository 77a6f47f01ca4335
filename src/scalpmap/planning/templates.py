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

The current line and its segments are in :mod:`scalpmap.planning.template_line`, the mature rule
in :mod:`scalpmap.planning.mature_template`, the landmarks in :mod:`scalpmap.planning.landmarks`.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import Polygon

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import Analysis
from scalpmap.planning.geometry import as_polygonal, photo_frame
from scalpmap.planning.hairline import DEFAULT_IRREGULARITY_MM, resample, turning_angles_deg
from scalpmap.planning.landmarks import (
    LANDMARK_NAMES,
    LandmarkRuleError,
    Landmarks,
    LandmarkSource,
)
from scalpmap.planning.mature_template import (
    MAX_AGE,
    MIN_AGE,
    check_age,
    height_at,
    mature_line,
    mature_rise_mm,
)
from scalpmap.planning.scalp_area import scalp_edge
from scalpmap.planning.target_file import (
    TANGENT_MM,
    clip_region_to_line,
    round_line,
    side_region,
)
from scalpmap.planning.template_line import (
    CONTROL_SPACING_MM,
    CORNER_WINDOW_MM,
    RESAMPLE_MM,
    CurrentLine,
    current_line,
    hairline_model,
)
from scalpmap.planning.zones import Target

# The landmarks, the ages and mature_rise_mm are re-exported: the plan, the web app and the
# documentation import them from here.
__all__ = [
    "LANDMARK_NAMES",
    "MAX_AGE",
    "MIN_AGE",
    "TEMPLATES",
    "LandmarkRuleError",
    "LandmarkSource",
    "Landmarks",
    "Target",
    "TemplateName",
    "make_target",
    "mature_rise_mm",
]

TemplateName = Literal["keep", "soften", "mature", "remove-all"]
TEMPLATES = ("keep", "soften", "mature", "remove-all")
LIMITATION = (
    "heights are measured in the photo's plane; a single photo foreshortens the curve of the "
    "forehead, so the distance along the skin is somewhat larger"
)


def _soften(
    cur: CurrentLine, analysis: Analysis, radius_mm: float
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
    check_age(age)
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
    cur = current_line(analysis, template)
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
            xy, notes = mature_line(cur, mm, age, landmarks)
        except LandmarkRuleError as error:
            if landmarks is None or not landmarks.all_detected or age is None:
                raise
            xy, notes = mature_line(cur, mm, age, None)
            notes.insert(0, f"the detected landmarks were not used: {error}")
    model = hairline_model(xy, marks, mm, wobble=wobble, feather_mm=feather_mm, seed=seed)
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
        h = height_at(line, landmarks.axes(cur.up))
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
