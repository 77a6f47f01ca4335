"""The 468-point face mesh, run on a face crop as MediaPipe's face landmark graphs do.

Source: ``mediapipe/modules/face_landmark/face_landmark_cpu.pbtxt`` (192 x 192 input in 0..1,
landmarks projected back through the ROI, the face-presence flag thresholded at 0.5),
``face_detection_front_detection_to_roi.pbtxt`` (ROI from a detection: rotation from the eye
keypoints, scale 1.5, square) and ``face_landmark_landmarks_to_roi.pbtxt`` (ROI from landmarks:
rotation from points 33 to 263, scale 1.5, square). The mesh also runs on an
:class:`~scalpmap.imaging.head.eye_crop.EyeCrop`, for faces seen from above.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head.crop import (
    ImagePyramid,
    RotatedRect,
    crop,
    rect_around,
    rotation_from,
)
from scalpmap.imaging.head.eye_crop import EyeCrop
from scalpmap.imaging.head.face_detection import LEFT_EYE, RIGHT_EYE, FaceDetection
from scalpmap.imaging.head.runtime import get_model

MESH_INPUT_SIZE = 192
NUM_LANDMARKS = 468
MIN_FACE_PRESENCE = 0.5
ROI_SCALE = 1.5

# The mesh's outer eye corners: the patient's right eye (image left in a front view) and left eye.
RIGHT_EYE_OUTER, LEFT_EYE_OUTER = 33, 263


@dataclass(frozen=True)
class FaceMesh:
    """The mesh's landmarks on one face.

    Attributes
    ----------
    points_xy : ndarray of float, shape (468, 2)
        Landmarks in photo pixels.
    depth_px : ndarray of float, shape (468,)
        Relative depth in the same pixel units (smaller is nearer the camera).
    presence : float
        The model's face-presence score, 0..1.
    roi : RotatedRect or EyeCrop
        The crop the mesh ran on.
    crop_uv : ndarray of float, shape (468, 2)
        The landmarks in the crop's unit square, as the model gave them.
    """

    points_xy: NDArray[np.float64]
    depth_px: NDArray[np.float64]
    presence: float
    roi: RotatedRect | EyeCrop
    crop_uv: NDArray[np.float64]


def roi_from_detection(face: FaceDetection) -> RotatedRect:
    """Return the mesh's crop for a detected face (rotation from the eyes, 1.5 x, square).

    Parameters
    ----------
    face : FaceDetection
        A detection in photo pixels.

    Returns
    -------
    RotatedRect
        The crop.
    """
    rotation = rotation_from(face.keypoints_xy[RIGHT_EYE], face.keypoints_xy[LEFT_EYE])
    centre = face.box_xy.mean(axis=0)
    width = float(np.linalg.norm(face.box_xy[1] - face.box_xy[0]))
    height = float(np.linalg.norm(face.box_xy[3] - face.box_xy[0]))
    rect = RotatedRect(float(centre[0]), float(centre[1]), width, height, rotation)
    return rect.scaled(ROI_SCALE)


def roi_from_landmarks(points_xy: NDArray[np.float64]) -> RotatedRect:
    """Return the mesh's crop from a previous mesh (box of the landmarks, eye-line rotation).

    Parameters
    ----------
    points_xy : ndarray of float, shape (468, 2)
        Landmarks in photo pixels.

    Returns
    -------
    RotatedRect
        The crop.
    """
    rotation = rotation_from(points_xy[RIGHT_EYE_OUTER], points_xy[LEFT_EYE_OUTER])
    return rect_around(points_xy, rotation).scaled(ROI_SCALE)


def run_mesh(
    rgb: NDArray[np.uint8] | ImagePyramid,
    roi: RotatedRect | EyeCrop,
    *,
    stretch: NDArray[np.float64] | None = None,
) -> FaceMesh:
    """Run the face mesh on one crop of the photo.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3), or ImagePyramid
        The photo.
    roi : RotatedRect or EyeCrop
        The face crop (from :func:`roi_from_detection`, :func:`roi_from_landmarks` or
        :func:`~scalpmap.imaging.head.eye_crop.eye_crop_from_eyes`).
    stretch : ndarray of float, shape (2,), optional
        A :class:`RotatedRect` given in the photo stretched by these factors along ``x`` and
        ``y``; the landmarks then come back in the stretched photo's pixels too.

    Returns
    -------
    FaceMesh
        Landmarks in photo pixels and the presence score.
    """
    if isinstance(roi, EyeCrop):
        pyramid = rgb if isinstance(rgb, ImagePyramid) else ImagePyramid(rgb)
        tensor = roi.sample(pyramid, MESH_INPUT_SIZE)
    else:
        tensor = crop(
            rgb, roi, MESH_INPUT_SIZE, MESH_INPUT_SIZE, replicate_border=True, stretch=stretch
        )
    outputs = get_model("face_mesh").run(tensor[None].astype(np.float32) / 255.0)
    landmarks, flag = sorted(outputs, key=lambda out: out.size, reverse=True)
    raw = landmarks.reshape(NUM_LANDMARKS, 3).astype(np.float64) / MESH_INPUT_SIZE
    presence = float(1.0 / (1.0 + np.exp(-np.clip(float(flag.ravel()[0]), -100.0, 100.0))))
    return FaceMesh(
        points_xy=roi.to_image(raw[:, :2]),
        depth_px=raw[:, 2] * roi.width,
        presence=presence,
        roi=roi,
        crop_uv=raw[:, :2],
    )


def mesh_for(
    rgb: NDArray[np.uint8] | ImagePyramid,
    face: FaceDetection,
    *,
    stretch: NDArray[np.float64] | None = None,
) -> FaceMesh:
    """Run the mesh on a detected face, then once more on the crop its own landmarks give.

    The second pass (MediaPipe's tracking ROI) centres and levels the crop on the face.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3), or ImagePyramid
        The photo.
    face : FaceDetection
        The detected face.
    stretch : ndarray of float, shape (2,), optional
        The detection and the returned mesh are in the photo stretched by these factors along
        ``x`` and ``y`` (see :func:`run_mesh`).

    Returns
    -------
    FaceMesh
        The refined mesh, or the first one when the refined crop loses the face.
    """
    first = run_mesh(rgb, roi_from_detection(face), stretch=stretch)
    if first.presence < MIN_FACE_PRESENCE:
        return first
    second = run_mesh(rgb, roi_from_landmarks(first.points_xy), stretch=stretch)
    return second if second.presence >= MIN_FACE_PRESENCE else first
