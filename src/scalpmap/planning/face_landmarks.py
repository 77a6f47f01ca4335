"""The plan's facial landmarks: found by the head model or given by the user, each with its source.

The published hairline rules (PRODUCT.md, "Hairline design") need three points: the glabella and
the two lateral canthi (the outer corners of the eyes). :func:`detected_landmarks` takes them from
the head model (:mod:`scalpmap.imaging.head`), :func:`combine_landmarks` lets each one be
replaced by a point the user gives, and records where each came from (``detected`` or
``given``). :func:`guide_lines` draws the rules for the web designer.

Left and right. The planning's :class:`~scalpmap.planning.landmarks.Landmarks` name the canthi
*as seen in the photo* (``left_canthus``: on the photo's left), as the command line's
``--left-canthus`` does. The head model names them *anatomically* (the patient's own left and
right). In a face upright in the pixels, the patient's right eye is on the photo's left, so
``left_canthus`` is the head model's ``right_eye_outer_canthus``; in a face upside down in the
pixels (``rotation_deg`` 180), it is the ``left_eye_outer_canthus``. A face lying on its side
(90 or 270) gives no landmarks: the photo should be turned upright first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import LineString

from scalpmap.errors import InputError
from scalpmap.imaging.head import HeadModel
from scalpmap.planning.geometry import photo_frame
from scalpmap.planning.landmarks import LANDMARK_NAMES, Landmarks, LandmarkSource
from scalpmap.planning.mature_template import MIDFRONTAL_HEIGHT_MM

__all__ = [
    "DETECTED_VIEWS",
    "LANDMARK_OPTIONS",
    "DetectedLandmarks",
    "combine_landmarks",
    "detected_landmarks",
    "given_from_json",
    "guide_lines",
    "landmark_words",
    "landmarks_json",
]

Point = tuple[float, float]
DetectedLandmarks = dict[str, Point]
# Views whose face shows both lateral canthi well enough for the rules.
DETECTED_VIEWS = ("front", "left-three-quarter", "right-three-quarter")
# The command line's option for each landmark (for messages).
LANDMARK_OPTIONS = {
    "glabella": "--glabella",
    "left_canthus": "--left-canthus",
    "right_canthus": "--right-canthus",
}
# The head model's (anatomical) canthus that is on the photo's left / right, by the face's turn.
_PHOTO_LEFT_RIGHT = {
    0: ("right_eye_outer_canthus", "left_eye_outer_canthus"),
    180: ("left_eye_outer_canthus", "right_eye_outer_canthus"),
}


def detected_landmarks(head: HeadModel | None) -> tuple[DetectedLandmarks, str | None]:
    """Take the glabella and the lateral canthi from the head model, named as seen in the photo.

    Parameters
    ----------
    head : HeadModel or None
        The photo's head model (``Analysis.head``); None when it was not run (close-ups).

    Returns
    -------
    points : dict of str to tuple of float
        ``glabella``, ``left_canthus`` (on the photo's left), ``right_canthus``; empty when the
        photo gives none.
    reason : str or None
        Why there are none, in words; None when found or when no head model was run.

    Examples
    --------
    >>> detected_landmarks(None)
    ({}, None)
    """
    if head is None:
        return {}, None
    if not head.has_face:
        return {}, "no face with landmarks was found in the photo"
    if head.view not in DETECTED_VIEWS:
        return {}, f"the face is seen from the side ({head.view}): its canthi are not both shown"
    names = _PHOTO_LEFT_RIGHT.get(int(head.rotation_deg) % 360)
    if names is None:
        return {}, "the face lies on its side in the pixels: turn the photo upright first"
    glabella = head.landmark_xy("glabella")
    left, right = (head.landmark_xy(name) for name in names)
    if glabella is None or left is None or right is None:
        return {}, "the head model gave no glabella or lateral canthus"
    try:
        Landmarks(glabella, left, right, sources=("detected", "detected", "detected"))
    except InputError as error:
        return {}, f"the detected landmarks are not usable: {error}"
    return {"glabella": glabella, "left_canthus": left, "right_canthus": right}, None


def combine_landmarks(
    detected: Mapping[str, Point], given: Mapping[str, Point | None]
) -> Landmarks | None:
    """Replace detected landmarks by the ones the user gave, each on its own.

    Parameters
    ----------
    detected : mapping of str to point
        From :func:`detected_landmarks` (empty without a face).
    given : mapping of str to point or None
        The user's points by name (:data:`~scalpmap.planning.landmarks.LANDMARK_NAMES`); None or
        missing where not given.

    Returns
    -------
    Landmarks or None
        The three points with their sources; None when none was detected or given.

    Raises
    ------
    InputError
        When some are given, none detected, and not all three given; or the points do not make
        a face (see :class:`~scalpmap.planning.landmarks.Landmarks`).

    Examples
    --------
    >>> marks = combine_landmarks(
    ...     {"glabella": (50.0, 40.0), "left_canthus": (20.0, 60.0), "right_canthus": (80.0, 60.0)},
    ...     {"glabella": (52.0, 38.0)},
    ... )
    >>> marks.glabella_xy, marks.sources
    ((52.0, 38.0), ('given', 'detected', 'detected'))
    """
    unknown = sorted(set(given) - set(LANDMARK_NAMES))
    if unknown:
        raise InputError(f"unknown landmark {unknown[0]!r}; use {', '.join(LANDMARK_NAMES)}")
    points: list[Point] = []
    sources: list[LandmarkSource] = []
    missing = []
    for name in LANDMARK_NAMES:
        mine, found = given.get(name), detected.get(name)
        if mine is not None:
            points.append((float(mine[0]), float(mine[1])))
            sources.append("given")
        elif found is not None:
            points.append((float(found[0]), float(found[1])))
            sources.append("detected")
        else:
            missing.append(LANDMARK_OPTIONS[name])
    if len(missing) == len(LANDMARK_NAMES):
        return None
    if missing:
        raise InputError(
            "facial landmarks need all three points and no face was found in the photo to detect "
            f"the others; missing {', '.join(missing)}"
        )
    g, left, right = points
    return Landmarks(g, left, right, sources=(sources[0], sources[1], sources[2]))


def landmark_words(landmarks: Landmarks) -> str:
    """Say where each landmark came from, in words.

    Parameters
    ----------
    landmarks : Landmarks
        The plan's landmarks.

    Returns
    -------
    str
        E.g. ``"facial landmarks: glabella given; left canthus, right canthus detected by the
        head model"`` (left and right as seen in the photo).

    Examples
    --------
    >>> landmark_words(Landmarks((5.0, 0.0), (0.0, 1.0), (10.0, 1.0)))
    'facial landmarks: glabella, left canthus, right canthus given'
    """
    parts = []
    for source, words in (
        ("given", "given"),
        ("detected", "detected by the head model"),
    ):
        names = [n.replace("_", " ") for n, s in landmarks.source_of().items() if s == source]
        if names:
            parts.append(f"{', '.join(names)} {words}")
    return f"facial landmarks: {'; '.join(parts)}"


def _face_up(landmarks: Landmarks) -> NDArray[np.float64]:
    """Return the unit vector across the eye line, towards the glabella (the top of the head)."""
    g, left, right = (
        np.asarray(p, dtype=np.float64)
        for p in (landmarks.glabella_xy, landmarks.left_canthus_xy, landmarks.right_canthus_xy)
    )
    lateral = (right - left) / max(float(np.hypot(*(right - left))), 1e-12)
    up = np.array([lateral[1], -lateral[0]])  # the photo's up for a level, upright face
    toward = g - (left + right) / 2
    if float(np.hypot(*toward)) >= 1.0 and float(up @ toward) < 0:
        up = -up
    return up


def _clipped(a: NDArray[np.float64], b: NDArray[np.float64], shape: tuple[int, int]) -> Any:
    part = LineString([a, b]).intersection(photo_frame(shape))
    if part.is_empty or not isinstance(part, LineString):
        return []
    return np.round(np.asarray(part.coords), 1).tolist()


def guide_lines(landmarks: Landmarks, mm_per_px: float, shape: tuple[int, int]) -> dict[str, Any]:
    """Return the rules' guide lines, clipped to the photo, for drawing.

    The direction "up" is across the eye line (from the left to the right canthus), towards the
    glabella.

    Parameters
    ----------
    landmarks : Landmarks
        The glabella and lateral canthi.
    mm_per_px : float
        The photo's scale.
    shape : tuple of int
        The photo's ``(rows, cols)``.

    Returns
    -------
    dict
        ``up`` (unit ``[x, y]``), ``midfrontal_xy`` (the point ``MIDFRONTAL_HEIGHT_MM`` above the
        glabella), and lines as lists of ``[x, y]`` (empty where wholly off the photo):
        ``midline`` (glabella to that point), ``midfrontal`` (through it, parallel to the eye
        line), ``left_vertical`` and ``right_vertical`` (up from each lateral canthus).

    Examples
    --------
    >>> marks = Landmarks((500.0, 600.0), (400.0, 640.0), (600.0, 640.0))
    >>> guide_lines(marks, 0.5, (1000, 1000))["midfrontal_xy"]
    [500.0, 440.0]
    """
    up = _face_up(landmarks)
    lateral = np.array([-up[1], up[0]])
    reach = 2.0 * float(np.hypot(*shape))
    g = np.asarray(landmarks.glabella_xy, dtype=np.float64)
    top = g + up * (MIDFRONTAL_HEIGHT_MM / mm_per_px)
    lines = {
        "midline": _clipped(g, top, shape),
        "midfrontal": _clipped(top - lateral * reach, top + lateral * reach, shape),
    }
    for name, xy in (
        ("left_vertical", landmarks.left_canthus_xy),
        ("right_vertical", landmarks.right_canthus_xy),
    ):
        canthus = np.asarray(xy, dtype=np.float64)
        lines[name] = _clipped(canthus, canthus + up * reach, shape)
    return {
        "up": np.round(up, 6).tolist(),
        "midfrontal_xy": np.round(top, 1).tolist(),
        **lines,
    }


def landmarks_json(landmarks: Landmarks | None) -> dict[str, Any] | None:
    """Return the landmarks as plan.json's ``options.landmarks``: points and their sources.

    Parameters
    ----------
    landmarks : Landmarks or None
        The plan's landmarks.

    Returns
    -------
    dict or None
        ``glabella``, ``left_canthus``, ``right_canthus`` as ``[x, y]`` pixels and ``sources``
        (each ``detected`` or ``given``); None without landmarks.
    """
    if landmarks is None:
        return None
    points = {name: [round(x, 2), round(y, 2)] for name, (x, y) in landmarks.points().items()}
    return {**points, "sources": landmarks.source_of()}


def given_from_json(document: Mapping[str, Any] | None) -> dict[str, Point]:
    """Return the landmarks a saved plan.json's ``options.landmarks`` records as ``given``.

    Parameters
    ----------
    document : mapping or None
        ``options.landmarks`` of a plan.json (older plans have no ``sources``: all given).

    Returns
    -------
    dict of str to tuple of float
        The given points by name.
    """
    if not isinstance(document, Mapping):
        return {}
    sources = document.get("sources") or {}
    given = {}
    for name in LANDMARK_NAMES:
        point = document.get(name)
        if (
            isinstance(point, list | tuple)
            and len(point) == 2
            and sources.get(name, "given") == "given"
        ):
            given[name] = (float(point[0]), float(point[1]))
    return given
