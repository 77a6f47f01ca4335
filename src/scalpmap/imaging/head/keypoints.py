"""Does a face mesh agree with the detector's keypoints? A check against misplaced meshes.

The face mesh readily sees a face in a forehead: on faces seen steeply from above it may put the
eyes above the brows, with a high face-presence score. The detector's six keypoints (eyes, nose
tip, mouth, ear tragions) come from a different model; a mesh whose eyes, nose tip and mouth lie
far from them has moved the face.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head.face_detection import LEFT_EYE, RIGHT_EYE, FaceDetection
from scalpmap.imaging.head.face_detection import MOUTH as DETECTED_MOUTH
from scalpmap.imaging.head.face_detection import NOSE_TIP as DETECTED_NOSE
from scalpmap.imaging.head.landmarks import (
    LEFT_EYE_INNER,
    LEFT_EYE_OUTER,
    NOSE_TIP,
    RIGHT_EYE_INNER,
    RIGHT_EYE_OUTER,
)

# The mesh's eyes, nose tip and mouth may each lie this many eye distances (the detector's, centre
# to centre) from the detector's keypoints. On the real photos of benchmarks/evaluate_head.py, the
# front and three-quarter faces the mesh placed right were within 0.30; two meshes that put the
# eyes on the forehead, agreeing with the detector's eyes, had their mouth 0.42 and 0.55 away.
MAX_KEYPOINT_SHIFT = 0.35
# The lips' midpoints, for the mouth's centre.
UPPER_LIP, LOWER_LIP = 13, 14


def mesh_eyes(points_xy: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the centres of the patient's right and left eyes from a mesh (corners' midpoints).

    Parameters
    ----------
    points_xy : ndarray of float, shape (468, 2)
        The mesh.

    Returns
    -------
    tuple of ndarray of float, shape (2,)
        Right eye, left eye.
    """
    right = (points_xy[RIGHT_EYE_OUTER] + points_xy[RIGHT_EYE_INNER]) / 2.0
    left = (points_xy[LEFT_EYE_OUTER] + points_xy[LEFT_EYE_INNER]) / 2.0
    return right, left


def keypoint_shifts(points_xy: NDArray[np.float64], face: FaceDetection) -> NDArray[np.float64]:
    """Return how far the mesh's eyes, nose tip and mouth lie from the detector's keypoints.

    Parameters
    ----------
    points_xy : ndarray of float, shape (468, 2)
        The mesh.
    face : FaceDetection
        The detection, in the same pixels.

    Returns
    -------
    ndarray of float, shape (4,)
        Right eye, left eye, nose tip, mouth, in the detector's eye distances (centre to centre).
    """
    keypoints = face.keypoints_xy
    distance = max(float(np.linalg.norm(keypoints[LEFT_EYE] - keypoints[RIGHT_EYE])), 1e-9)
    right, left = mesh_eyes(points_xy)
    mouth = (points_xy[UPPER_LIP] + points_xy[LOWER_LIP]) / 2.0
    mesh = np.stack([right, left, points_xy[NOSE_TIP], mouth])
    detected = keypoints[[RIGHT_EYE, LEFT_EYE, DETECTED_NOSE, DETECTED_MOUTH]]
    return np.asarray(np.linalg.norm(mesh - detected, axis=1) / distance, dtype=np.float64)


def agrees_with_detection(points_xy: NDArray[np.float64], face: FaceDetection) -> bool:
    """Tell whether the mesh's eyes, nose tip and mouth all lie where the detector saw them.

    Parameters
    ----------
    points_xy : ndarray of float, shape (468, 2)
        The mesh.
    face : FaceDetection
        The detection, in the same pixels.

    Returns
    -------
    bool
        True when each lies within :data:`MAX_KEYPOINT_SHIFT` eye distances of its keypoint.
    """
    return bool(np.all(keypoint_shifts(points_xy, face) <= MAX_KEYPOINT_SHIFT))
