"""The mature template's rule: the hairline rises, a V, by the patient's age or by the landmarks.

The midline rises by :func:`mature_rise_mm` and the frontotemporal corners ``CORNER_FACTOR``
times as much, a V. With :class:`~scalpmap.planning.landmarks.Landmarks`, the published rules:
the mid-frontal point ``MIDFRONTAL_HEIGHT_MM`` above the glabella, the corners of the V on the
verticals through the lateral canthi. Beyond a temporal peak the rise tapers to nothing at the
line's ends. Sources: PRODUCT.md, "Hairline design" (Garg, 431 cases; Shapiro; Nusbaum).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from scalpmap.errors import InputError
from scalpmap.planning.hairline import arc_length
from scalpmap.planning.landmarks import LandmarkRuleError, Landmarks
from scalpmap.planning.template_line import CurrentLine

__all__ = [
    "MAX_AGE",
    "MIDFRONTAL_HEIGHT_MM",
    "MIN_AGE",
    "check_age",
    "height_at",
    "mature_line",
    "mature_rise_mm",
]

MIDFRONTAL_HEIGHT_MM = 80.0
CORNER_FACTOR = 1.5
# Midline rise (mm) of the mature template by age: linear between these, constant beyond.
AGE_RISE_MM = ((25.0, 0.0), (30.0, 10.0), (40.0, 10.0), (50.0, 20.0))
DEFAULT_RISE_MM = 10.0
MIN_AGE, MAX_AGE = 14, 100


def check_age(age: int | None) -> None:
    """Raise InputError unless ``age`` is None or a whole number of 14..100 years.

    Parameters
    ----------
    age : int or None
        The patient's age in years.

    Raises
    ------
    InputError
        When it is not a whole number of ``MIN_AGE``..``MAX_AGE`` years.
    """
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
    check_age(age)
    ages, rises = zip(*AGE_RISE_MM, strict=True)
    mid = float(np.interp(age, ages, rises))
    return mid, CORNER_FACTOR * mid


def height_at(
    xy: NDArray[np.float64], axes: tuple[NDArray[np.float64], ...], at: float = 0.0
) -> float | None:
    """Return the height (px) where the line crosses the face's vertical at lateral ``at``.

    Parameters
    ----------
    xy : ndarray of float, shape (N, 2)
        The line, pixels.
    axes : tuple of ndarray
        The face's glabella, lateral and "up" vectors (:meth:`Landmarks.axes`).
    at : float, optional
        Lateral distance of the vertical from the glabella, pixels.

    Returns
    -------
    float or None
        The lowest crossing's height above the glabella; None when the line does not cross.
    """
    g, lateral, up = axes
    ell, h = (xy - g) @ lateral - at, (xy - g) @ up
    i = np.flatnonzero(np.sign(ell[:-1]) * np.sign(ell[1:]) <= 0)
    if not i.size:
        return None
    d = ell[i] - ell[i + 1]
    t = np.divide(ell[i], d, out=np.zeros_like(d), where=d != 0)
    return float(np.min(h[i] + t * (h[i + 1] - h[i])))


def mature_line(
    cur: CurrentLine, mm: float, age: int | None, landmarks: Landmarks | None
) -> tuple[NDArray[np.float64], list[str]]:
    """Raise the current line by the mature rule (see the module's docstring).

    Parameters
    ----------
    cur : CurrentLine
        The current hairline.
    mm : float
        Millimetres per pixel.
    age : int or None
        The patient's age; without landmarks None means the default rise.
    landmarks : Landmarks or None
        The landmarks, for the published rules.

    Returns
    -------
    xy : ndarray of float, shape (N, 2)
        The new line, pixels.
    notes : list of str
        What was done and why, with sources.

    Raises
    ------
    LandmarkRuleError
        When the line does not cross the vertical above the glabella.
    """
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
        axes = landmarks.axes(cur.up)
        g, lateral, up = axes
        ell_l = float((np.asarray(landmarks.left_canthus_xy) - g) @ lateral)
        ell_r = float((np.asarray(landmarks.right_canthus_xy) - g) @ lateral)
        h_mid = height_at(cur.xy, axes)
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
    if landmarks is not None:
        # Between the verticals through the lateral canthi the line rises in full, wherever the
        # current line's side segments were found (a line that runs down one sideburn only).
        inside = np.flatnonzero((position >= min(anchors)) & (position <= max(anchors)))
        if inside.size:
            side_l, side_r = min(side_l, int(inside[0])), max(side_r, int(inside[-1]))
    taper = np.ones(len(s))
    if side_l > 0:
        taper[:side_l] = s[:side_l] / s[side_l]
    if side_r < len(s) - 1:
        taper[side_r + 1 :] = (s[-1] - s[side_r + 1 :]) / (s[-1] - s[side_r])
    return cur.xy + up * (rise * taper)[:, None], notes
