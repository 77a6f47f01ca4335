"""The iris model on each eye, as MediaPipe's iris graphs run it.

Source: ``mediapipe/modules/iris_landmark/iris_landmark_landmarks_to_roi.pbtxt`` (the eye's crop:
the box of its two corners, rotated along them, scaled 2.3 and made square) and
``iris_landmark_cpu.pbtxt`` (64 x 64 input in 0..1; the image-right eye is mirrored so that the
model always sees an image-left eye; 5 iris points, the first the centre). The diameter is the
mean of the two distances across the iris, as in MediaPipe's ``iris_to_depth_calculator.cc``.
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
from scalpmap.imaging.head.runtime import get_model

IRIS_INPUT_SIZE = 64
EYE_ROI_SCALE = 2.3
NUM_EYE_CONTOUR_POINTS = 71
NUM_IRIS_POINTS = 5


@dataclass(frozen=True)
class IrisResult:
    """One eye's iris.

    Attributes
    ----------
    center_xy : ndarray of float, shape (2,)
        The iris centre in photo pixels.
    boundary_xy : ndarray of float, shape (4, 2)
        Four points on the iris's edge.
    diameter_px : float
        Mean of the two distances across the iris (between opposite boundary points).
    """

    center_xy: NDArray[np.float64]
    boundary_xy: NDArray[np.float64]
    diameter_px: float


def eye_roi(
    image_left_corner_xy: NDArray[np.float64], image_right_corner_xy: NDArray[np.float64]
) -> RotatedRect:
    """Return the iris model's crop for an eye given its two corners.

    Parameters
    ----------
    image_left_corner_xy, image_right_corner_xy : ndarray of float, shape (2,)
        The eye's corner on the image's left and on its right (for an upright face).

    Returns
    -------
    RotatedRect
        The square crop, 2.3 times the corners' box.
    """
    corners = np.stack([image_left_corner_xy, image_right_corner_xy])
    rotation = rotation_from(corners[0], corners[1])
    return rect_around(corners, rotation).scaled(EYE_ROI_SCALE)


def run_iris(
    rgb: NDArray[np.uint8] | ImagePyramid, roi: RotatedRect, *, mirrored: bool
) -> IrisResult:
    """Run the iris model on one eye's crop.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3), or ImagePyramid
        The photo.
    roi : RotatedRect
        The eye's crop from :func:`eye_roi`.
    mirrored : bool
        True for the eye on the image's right (the patient's left eye in a front view): the crop
        is mirrored so that the model sees an image-left eye, and its answer mirrored back.

    Returns
    -------
    IrisResult
        The iris in photo pixels.
    """
    tensor = crop(rgb, roi, IRIS_INPUT_SIZE, IRIS_INPUT_SIZE, replicate_border=True)
    if mirrored:
        tensor = tensor[:, ::-1]
    outputs = get_model("iris").run(tensor[None].astype(np.float32) / 255.0)
    iris = next(out for out in outputs if out.size == NUM_IRIS_POINTS * 3)
    points = iris.reshape(NUM_IRIS_POINTS, 3)[:, :2].astype(np.float64) / IRIS_INPUT_SIZE
    if mirrored:
        points[:, 0] = 1.0 - points[:, 0]
    xy = roi.to_image(points)
    boundary = xy[1:]
    diameter = (
        float(np.linalg.norm(boundary[0] - boundary[2]))
        + float(np.linalg.norm(boundary[1] - boundary[3]))
    ) / 2.0
    return IrisResult(center_xy=xy[0], boundary_xy=boundary, diameter_px=diameter)
