"""Is a found face good enough to place landmarks on? Too small, too dark or too blurred.

Each check returns a reason in words, or None when the face passes.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head.crop import ImagePyramid, crop, rect_around, rotation_from

# Outer eye corners closer than this (photo pixels) leave too few pixels per landmark.
MIN_EYE_SPAN_PX = 24.0
# Median brightness (0..255, Rec. 601 luma) of the face below which features may be lost in noise.
MIN_FACE_LUMA = 35.0
# ... unless its brightest parts (the 99th percentile: the eyes' whites, the skin's highlights)
# reach this: then it is a dark skin in a fair exposure, not a dark photo (a photo darkened to 15 %
# keeps nothing above 38).
MIN_FACE_HIGHLIGHT_LUMA = 60.0
# Sharpness: how much of the face's gradient a further small blur removes (the "re-blur" measure
# of Crete-Roffet et al., 2007), on the face seen at 128 pixels across, so that blur counts relative
# to the face's size. Real photos score 0.2-0.4; the same faces blurred by a Gaussian of 4% of the
# face's width score below 0.07 (benchmarks/evaluate_head.py measures both).
MIN_FACE_SHARPNESS = 0.08
SHARPNESS_VIEW_PX = 128


def face_pixels(
    rgb: NDArray[np.uint8] | ImagePyramid,
    face_oval_xy: NDArray[np.float64],
    right_eye_xy: NDArray[np.float64],
    left_eye_xy: NDArray[np.float64],
) -> NDArray[np.uint8]:
    """Return the face, levelled and resampled to 128 x 128 grey pixels.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3), or ImagePyramid
        The photo.
    face_oval_xy : ndarray of float, shape (k, 2)
        The face's outline in the photo's pixels.
    right_eye_xy, left_eye_xy : ndarray of float, shape (2,)
        A point of each eye (the outer corners), for the eye line.

    Returns
    -------
    ndarray of uint8, shape (128, 128)
        The middle of the face's box (rotated along the eye line), in grey.
    """
    rotation = rotation_from(right_eye_xy, left_eye_xy)
    rect = rect_around(face_oval_xy, rotation).scaled(0.8)
    face = crop(rgb, rect, SHARPNESS_VIEW_PX, SHARPNESS_VIEW_PX, replicate_border=True)
    return np.asarray(cv2.cvtColor(face, cv2.COLOR_RGB2GRAY), dtype=np.uint8)


def too_small(right_eye_xy: NDArray[np.float64], left_eye_xy: NDArray[np.float64]) -> str | None:
    """Return a reason when the eyes' outer corners are too few pixels apart.

    Parameters
    ----------
    right_eye_xy, left_eye_xy : ndarray of float, shape (2,)
        The outer eye corners in the photo's pixels.

    Returns
    -------
    str or None
        The reason, or None.
    """
    span = float(np.linalg.norm(left_eye_xy - right_eye_xy))
    if span < MIN_EYE_SPAN_PX:
        return f"face too small ({span:.0f} px between the eye corners): landmarks skipped"
    return None


def too_dark(face_grey: NDArray[np.uint8]) -> str | None:
    """Return a reason when the face is too dark: dim all over, its highlights too.

    A face of Fitzpatrick type VI skin can have a median brightness under ``MIN_FACE_LUMA`` in
    a fair exposure; its eyes' whites and highlights still reach ``MIN_FACE_HIGHLIGHT_LUMA``, and
    its landmarks are found as well as any. An underexposed photo keeps no such highlights.

    Parameters
    ----------
    face_grey : ndarray of uint8, shape (128, 128)
        From :func:`face_pixels`.

    Returns
    -------
    str or None
        The reason, or None.
    """
    luma, highlight = (float(v) for v in np.percentile(face_grey, [50, 99]))
    if luma < MIN_FACE_LUMA and highlight < MIN_FACE_HIGHLIGHT_LUMA:
        return (
            f"face too dark (median brightness {luma:.0f} of 255, highlights "
            f"{highlight:.0f}): landmarks skipped"
        )
    return None


def sharpness(face_grey: NDArray[np.uint8]) -> float:
    """Return the share of the face's gradient that a Gaussian blur of 1.5 pixels removes.

    Parameters
    ----------
    face_grey : ndarray of uint8, shape (128, 128)
        From :func:`face_pixels`.

    Returns
    -------
    float
        0..1: about 0.2-0.4 for a sharp face, near 0 for a blurred one.
    """
    grey = face_grey.astype(np.float32)
    blurred = np.asarray(cv2.GaussianBlur(grey, (0, 0), 1.5), dtype=np.float32)

    def mean_gradient(image: NDArray[np.float32]) -> float:
        gx = cv2.Sobel(image, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(image, cv2.CV_32F, 0, 1, ksize=3)
        return float(np.mean(np.hypot(gx, gy)))

    original = mean_gradient(grey)
    if original <= 1e-6:
        return 0.0
    return max(0.0, 1.0 - mean_gradient(blurred) / original)


def too_blurred(face_grey: NDArray[np.uint8]) -> str | None:
    """Return a reason when the face is too blurred.

    Parameters
    ----------
    face_grey : ndarray of uint8, shape (128, 128)
        From :func:`face_pixels`.

    Returns
    -------
    str or None
        The reason, or None.
    """
    value = sharpness(face_grey)
    if value < MIN_FACE_SHARPNESS:
        return (
            f"face too blurred (sharpness {value:.3f}, needs {MIN_FACE_SHARPNESS}): "
            "landmarks skipped"
        )
    return None
