"""Landmarks the practitioner moves in the designer, and the rules' guide lines drawn from them.

A :class:`~scalpmap.planning.design_state.Design` keeps the glabella and lateral canthi the head
model found; the practitioner may drag each one (it is then ``given``).
:func:`check_given_landmarks` checks such points, :func:`design_landmarks` combines them with
the detected ones, and :func:`design_guides` returns the guide lines of the published rules
(:func:`~scalpmap.planning.face_landmarks.guide_lines`), which the designer draws as they are:
the geometry is computed here only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import Analysis
from scalpmap.planning.face_landmarks import Point, combine_landmarks, guide_lines
from scalpmap.planning.landmarks import Landmarks

if TYPE_CHECKING:
    from scalpmap.planning.design_state import Design

__all__ = ["check_given_landmarks", "design_guides", "design_landmarks"]


def check_given_landmarks(
    analysis: Analysis, given: Mapping[str, Any] | None
) -> dict[str, Point | None]:
    """Check landmarks the practitioner placed: known names, ``[x, y]``, not far off the photo.

    Parameters
    ----------
    analysis : Analysis
        The photo's analysis.
    given : mapping or None
        ``glabella``, ``left_canthus``, ``right_canthus`` (each optional) as ``[x, y]`` pixels.

    Returns
    -------
    dict of str to point or None
        The points by name.

    Raises
    ------
    InputError
        On an unknown name, a point that is not two finite numbers, or one more than the photo's
        size off the photo.
    """
    points: dict[str, Point | None] = {}
    rows, cols = analysis.shape
    margin = max(rows, cols)
    for name, value in (given or {}).items():
        if value is None:
            points[name] = None
            continue
        try:
            if not isinstance(value, list | tuple) or len(value) != 2:
                raise ValueError
            x, y = float(value[0]), float(value[1])
        except (TypeError, ValueError):
            raise InputError(f"landmark {name} must be [x, y] in pixels") from None
        if not (np.isfinite(x) and np.isfinite(y)):
            raise InputError(f"landmark {name} must be finite [x, y] pixels")
        if not (-margin <= x <= cols + margin and -margin <= y <= rows + margin):
            raise InputError(f"landmark {name} ({x:.0f}, {y:.0f}) lies far outside the photo")
        points[name] = (x, y)
    return points


def design_landmarks(design: Design, given: Mapping[str, Any] | None = None) -> Landmarks | None:
    """Return the design's landmarks: the detected ones, each replaced where the user placed it.

    Parameters
    ----------
    design : Design
        The design.
    given : mapping, optional
        Landmarks the practitioner placed (see :func:`check_given_landmarks`).

    Returns
    -------
    Landmarks or None
        None without a face and without given landmarks.

    Raises
    ------
    InputError
        See :func:`check_given_landmarks` and
        :func:`~scalpmap.planning.face_landmarks.combine_landmarks`.
    """
    return combine_landmarks(design.detected, check_given_landmarks(design.analysis, given))


def design_guides(design: Design, given: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """Return the rules' guide lines for the design's landmarks, as the practitioner moved them.

    The designer asks for them while a landmark is dragged, so that the guide lines are
    computed in one place (:func:`~scalpmap.planning.face_landmarks.guide_lines`).

    Parameters
    ----------
    design : Design
        The design.
    given : mapping, optional
        Landmarks the practitioner placed (see :func:`check_given_landmarks`); the others are
        the detected ones.

    Returns
    -------
    dict or None
        :func:`~scalpmap.planning.face_landmarks.guide_lines`; None without landmarks.

    Raises
    ------
    InputError
        See :func:`design_landmarks`.
    """
    landmarks = design_landmarks(design, given)
    if landmarks is None:
        return None
    return guide_lines(landmarks, design.analysis.scale.mm_per_px, design.analysis.shape)
