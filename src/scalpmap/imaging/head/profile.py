"""Which way a profile faces, from the face detector alone.

The face mesh cannot confirm a face seen from the side, so :func:`scalpmap.imaging.head.find_head`
finds no face in a true profile. MediaPipe's detector still sees one there: on the 27 side views of
the real-head collection (``benchmarks/data/real_heads_annotations.json``) its best detection in
the upright photo scored 0.66-0.92 in 26 of them, and its nose keypoint lay 0.07-0.24 of the box's
side ahead of the eyes, always towards the way the face looked. In the collection's top, back and
front views, no upright detection scored at least ``MIN_PROFILE_SCORE`` with the nose further
than ``MIN_NOSE_AHEAD`` of the box from the eyes (the most was 0.23 at a score of 0.33, and 0.14
at 0.57), so such a detection is taken for a profile, provided the detector is surest of it in the
upright copy of the photo: it also sees "faces" in turned copies, and the head's up direction,
from the person's outline, can be wrong (a photo upside down in the pixels).
"""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head.face_detection import detect_faces

# The detector's score a profile needs (MediaPipe's full-range setting; see detector_views).
MIN_PROFILE_SCORE = 0.6
# How far the nose keypoint must lie ahead of the eyes' midpoint, across the head, as a share of
# the detector's box side.
MIN_NOSE_AHEAD = 0.12
# The detector sees 128 px; a copy this wide is plenty.
DETECTOR_COPY_PX = 256
# Clockwise quarter turns (degrees) that stand the head upright, by its up direction in the photo.
UPRIGHT_TURN_DEG = {(0, -1): 0, (-1, 0): 90, (0, 1): 180, (1, 0): 270}


def profile_facing(
    rgb: NDArray[np.uint8], up_xy: NDArray[np.float64]
) -> Literal["left", "right"] | None:
    """Tell which side of the upright photo a profile's face looks to, or None.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo (any size; the detector sees a reduced copy).
    up_xy : ndarray of float, shape (2,)
        The head's up direction in the photo; the photo is shown to the detector turned by the
        nearest quarter turn that stands the head upright.

    Returns
    -------
    {"left", "right"} or None
        The side of the photo, the head stood upright, that the face looks to; None when the
        detector sees no profile (no detection scoring ``MIN_PROFILE_SCORE``, or its nose not
        ``MIN_NOSE_AHEAD`` ahead of its eyes: a front, top or back view).
    """
    up = np.asarray(up_xy, dtype=np.float64)
    axis = (int(np.sign(up[0])), 0) if abs(up[0]) > abs(up[1]) else (0, int(np.sign(up[1])))
    turn = UPRIGHT_TURN_DEG.get(axis)
    if turn is None:
        return None
    rows, cols = rgb.shape[:2]
    shrink = min(1.0, DETECTOR_COPY_PX / max(rows, cols))
    small: NDArray[np.uint8] = (
        np.asarray(cv2.resize(rgb, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA))
        if shrink < 1.0
        else rgb
    )
    best = {t: detect_faces(small, turn_deg=t)[:1] for t in UPRIGHT_TURN_DEG.values()}
    faces = best[turn]
    if not faces or faces[0].score < MIN_PROFILE_SCORE:
        return None
    face = faces[0]
    # The detector also sees "faces" in turned copies (the eyes stay eyes); a profile's must be
    # surest in the upright copy, or the head's up direction is in doubt.
    if any(other[0].score > face.score for t, other in best.items() if other and t != turn):
        return None
    right = np.array([-axis[1], axis[0]], dtype=np.float64)
    ahead = float((face.keypoints_xy[2] - face.keypoints_xy[:2].mean(axis=0)) @ right)
    if abs(ahead) < MIN_NOSE_AHEAD * face.size_px:
        return None
    return "right" if ahead > 0 else "left"
