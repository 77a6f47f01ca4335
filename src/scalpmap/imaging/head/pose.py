"""The head's pose from the face mesh: yaw, roll, the turn of the pixels, and the view's name.

Yaw comes from fitting MediaPipe's canonical face (``canonical_face_vertices.txt``, the vertices of
``mediapipe/modules/face_geometry/data/canonical_face_model.obj``) to the mesh's 3-D points with a
rotation and a scale (Umeyama's least-squares fit) and reading where the fitted face's nose points.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head.landmarks import (
    LEFT_EYE_INNER,
    LEFT_EYE_OUTER,
    RIGHT_EYE_INNER,
    RIGHT_EYE_OUTER,
)
from scalpmap.imaging.head.model import HeadModelError, HeadView
from scalpmap.imaging.head.runtime import MODELS_DIR, REINSTALL_HINT

CANONICAL_FACE_FILE = "canonical_face_vertices.txt"

# View names by |yaw|: a front view up to 20 degrees, a three-quarter view up to 45, then a side
# (beyond about 45 degrees the nose hides the far eye).
FRONT_MAX_YAW_DEG = 20.0
THREE_QUARTER_MAX_YAW_DEG = 45.0


@functools.cache
def canonical_face(models_dir: Path | None = None) -> NDArray[np.float64]:
    """Return the canonical face's 468 vertices in image axes (x right, y down, z away).

    Parameters
    ----------
    models_dir : Path, optional
        Where the file is; the package's ``models/`` folder by default.

    Returns
    -------
    ndarray of float, shape (468, 3)
        The vertices, in centimetres.

    Raises
    ------
    HeadModelError
        When the file is missing or unreadable.
    """
    path = (models_dir or MODELS_DIR) / CANONICAL_FACE_FILE
    try:
        vertices = np.loadtxt(path, dtype=np.float64)
    except (OSError, ValueError):
        raise HeadModelError(
            f"head model file {path.name} is missing or broken; {REINSTALL_HINT}"
        ) from None
    if vertices.shape != (468, 3):
        raise HeadModelError(f"head model file {path.name} is broken; {REINSTALL_HINT}")
    # The .obj has y up and z towards the viewer.
    return np.asarray(vertices * np.array([1.0, -1.0, -1.0]), dtype=np.float64)


def fitted_rotation(points_xyz: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return the rotation that best maps the canonical face onto the mesh's points.

    Parameters
    ----------
    points_xyz : ndarray of float, shape (468, 3)
        The mesh: ``x, y`` in pixels and depth in the same units (larger is farther).

    Returns
    -------
    ndarray of float, shape (3, 3)
        A proper rotation ``R`` with ``points ~ s * R @ canonical + t``.
    """
    canonical = canonical_face()
    source = canonical - canonical.mean(axis=0)
    target = points_xyz - points_xyz.mean(axis=0)
    u, _, vt = np.linalg.svd(target.T @ source)
    sign = np.sign(np.linalg.det(u @ vt)) or 1.0
    return np.asarray(u @ np.diag([1.0, 1.0, sign]) @ vt, dtype=np.float64)


def yaw_from_mesh(points_xy: NDArray[np.float64], depth: NDArray[np.float64]) -> float:
    """Return the head's yaw in degrees from a mesh.

    Parameters
    ----------
    points_xy : ndarray of float, shape (468, 2)
        The mesh's points, in pixels (the face may lie at any angle).
    depth : ndarray of float, shape (468,)
        Their depths in the same units.

    Returns
    -------
    float
        0 facing the camera; positive when the nose points to the image's right, i.e. the patient
        has turned towards their own left and their right cheek faces the camera.
    """
    # Level the eye line first, so that "right" means the face's own right.
    angle = -math.radians(eye_line_angle_deg(points_xy))
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    centred = points_xy - points_xy.mean(axis=0)
    level = centred @ np.array([[cos_a, sin_a], [-sin_a, cos_a]])
    rotation = fitted_rotation(np.column_stack([level, depth]))
    # The canonical face looks towards -z (towards the viewer); where does its nose point now?
    facing = rotation @ np.array([0.0, 0.0, -1.0])
    return math.degrees(math.atan2(float(facing[0]), float(-facing[2])))


def eye_line_angle_deg(points_xy: NDArray[np.float64]) -> float:
    """Return the angle of the line from the patient's right eye to their left eye.

    Parameters
    ----------
    points_xy : ndarray of float, shape (468, 2)
        The mesh in photo pixels.

    Returns
    -------
    float
        Degrees in (-180, 180], clockwise in the image (y down): 0 for an upright face, 90 when
        the face has been turned clockwise by a quarter (its top towards the image's right).
    """
    right = (points_xy[RIGHT_EYE_OUTER] + points_xy[RIGHT_EYE_INNER]) / 2.0
    left = (points_xy[LEFT_EYE_OUTER] + points_xy[LEFT_EYE_INNER]) / 2.0
    return math.degrees(math.atan2(float(left[1] - right[1]), float(left[0] - right[0])))


def rotation_and_roll(eye_line_deg: float) -> tuple[int, float]:
    """Split the eye line's angle into a quarter turn of the pixels and the head's own roll.

    Parameters
    ----------
    eye_line_deg : float
        From :func:`eye_line_angle_deg`.

    Returns
    -------
    rotation_deg : int
        0, 90, 180 or 270: how far the photo must be turned clockwise to stand the face upright.
    roll_deg : float
        What is left, in -45..45 degrees: positive when the patient's left eye is lower.
    """
    quarter = round(eye_line_deg / 90.0)
    roll = eye_line_deg - 90.0 * quarter
    return (-90 * quarter) % 360, roll


def view_from_yaw(yaw_deg: float) -> HeadView:
    """Name the view from the yaw.

    Parameters
    ----------
    yaw_deg : float
        From :func:`yaw_from_mesh`.

    Returns
    -------
    HeadView
        ``front`` up to 20 degrees; ``right-three-quarter`` / ``left-three-quarter`` up to 45;
        then ``right-side`` / ``left-side`` (named by the cheek that faces the camera).
    """
    side = "right" if yaw_deg > 0 else "left"
    magnitude = abs(yaw_deg)
    if magnitude <= FRONT_MAX_YAW_DEG:
        return "front"
    if magnitude <= THREE_QUARTER_MAX_YAW_DEG:
        return "right-three-quarter" if side == "right" else "left-three-quarter"
    return "right-side" if side == "right" else "left-side"
