"""Facial landmarks for the hairline rules: the glabella and the lateral canthi, in photo pixels.

The templates (:mod:`scalpmap.planning.templates`) measure the hairline's height above the
glabella along the face's vertical, and the mature template places its V with them
(:mod:`scalpmap.planning.mature_template`). The head model finds them
(:mod:`scalpmap.planning.face_landmarks`), or the user gives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from numpy.typing import NDArray

from scalpmap.errors import InputError
from scalpmap.planning.geometry import unit_vector

__all__ = ["LANDMARK_NAMES", "LandmarkRuleError", "LandmarkSource", "Landmarks"]

LandmarkSource = Literal["detected", "given"]
LANDMARK_NAMES = ("glabella", "left_canthus", "right_canthus")


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

    def axes(self, toward: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
        """Return the glabella, the unit lateral (left to right) and the unit "up" vectors.

        Parameters
        ----------
        toward : ndarray of float, shape (2,)
            A direction on the hairline's pigmented side; "up" is the face's vertical that
            points the same way.

        Returns
        -------
        tuple of ndarray
            ``(glabella, lateral, up)``: the glabella's ``[x, y]`` and two unit vectors.
        """
        g = np.asarray(self.glabella_xy, dtype=np.float64)
        lateral = unit_vector(np.subtract(self.right_canthus_xy, self.left_canthus_xy, dtype=float))
        up = np.array([-lateral[1], lateral[0]])
        return g, lateral, up if float(up @ toward) >= 0 else -up
