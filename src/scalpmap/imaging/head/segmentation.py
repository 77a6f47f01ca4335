"""The person against the background, from MediaPipe's selfie segmentation model.

Source: ``mediapipe/modules/selfie_segmentation/selfie_segmentation_cpu.pbtxt`` (the general
model: the whole photo stretched to 256 x 256, values in 0..1; the model's output is already a
probability, ``activation: NONE``).
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head.crop import ImagePyramid, RotatedRect, crop
from scalpmap.imaging.head.runtime import get_model

SEGMENTATION_INPUT_SIZE = 256
PERSON_THRESHOLD = 0.5


def person_probability(
    rgb: NDArray[np.uint8] | ImagePyramid, *, turn_deg: int = 0
) -> NDArray[np.float32]:
    """Return the model's probability of "person" on its 256 x 256 grid, in the photo's frame.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3), or ImagePyramid
        The photo (a reduced copy is enough).
    turn_deg : {0, 90, 180, 270}
        Show the model the photo turned clockwise by this much (so that the person stands
        upright for it); the result is turned back.

    Returns
    -------
    ndarray of float32, shape (256, 256)
        Probabilities, the grid stretched over the whole photo.
    """
    rows, cols = (rgb.base if isinstance(rgb, ImagePyramid) else rgb).shape[:2]
    turned_sideways = turn_deg in (90, 270)
    width, height = (rows, cols) if turned_sideways else (cols, rows)
    rect = RotatedRect(cols / 2.0, rows / 2.0, float(width), float(height), -np.radians(turn_deg))
    size = SEGMENTATION_INPUT_SIZE
    tensor = crop(rgb, rect, size, size, replicate_border=False)
    (output,) = get_model("selfie_segmentation").run(tensor[None].astype(np.float32) / 255.0)
    probability = np.clip(output.reshape(size, size), 0.0, 1.0)
    # The crop showed the photo turned clockwise by turn_deg: turn the answer back.
    return np.ascontiguousarray(np.rot90(probability, k=turn_deg // 90), dtype=np.float32)


def person_mask(
    rgb: NDArray[np.uint8] | ImagePyramid,
    *,
    shape: tuple[int, int] | None = None,
    turn_deg: int = 0,
) -> NDArray[np.bool_]:
    """Return where the person is, at the photo's resolution (or ``shape``).

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3), or ImagePyramid
        The photo or a reduced copy of it.
    shape : tuple of int, optional
        ``(rows, cols)`` of the mask; the size of ``rgb`` by default.
    turn_deg : {0, 90, 180, 270}
        How far the photo must be turned clockwise to stand the person upright.

    Returns
    -------
    ndarray of bool, shape (rows, cols)
        True on the person (head, hair, body).
    """
    probability = person_probability(rgb, turn_deg=turn_deg)
    image = rgb.base if isinstance(rgb, ImagePyramid) else rgb
    rows, cols = shape if shape is not None else image.shape[:2]
    levels = np.round(probability * 255.0).astype(np.uint8)
    upsampled = cv2.resize(levels, (cols, rows), interpolation=cv2.INTER_LINEAR)
    # 0/1 bytes, viewed as booleans without a copy.
    _, ones = cv2.threshold(upsampled, round(PERSON_THRESHOLD * 255) - 1, 1, cv2.THRESH_BINARY)
    return np.asarray(ones, dtype=np.uint8).reshape(rows, cols).view(np.bool_)
