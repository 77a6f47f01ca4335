"""Named landmarks from the 468-point face mesh.

The indices are MediaPipe's (``mediapipe/python/solutions/face_mesh_connections.py``). Left and
right are the patient's own: the mesh's point 33 is the outer corner of the patient's right eye,
on the image's left in a front view.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

# Brows: upper edge from the outer end to the inner end, then the lower edge back outwards.
RIGHT_BROW = (70, 63, 105, 66, 107, 55, 65, 52, 53, 46)
LEFT_BROW = (300, 293, 334, 296, 336, 285, 295, 282, 283, 276)
# Inner ends of the brows' upper edges; the glabella lies midway between them.
RIGHT_BROW_INNER, LEFT_BROW_INNER = 107, 336
# Eye outlines, starting at the outer corner and going along the lower lid.
RIGHT_EYE = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
LEFT_EYE = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
RIGHT_EYE_OUTER, RIGHT_EYE_INNER = 33, 133
LEFT_EYE_OUTER, LEFT_EYE_INNER = 263, 362
# Upper and lower lid midpoints, for how open an eye is.
RIGHT_EYE_UPPER, RIGHT_EYE_LOWER = 159, 145
LEFT_EYE_UPPER, LEFT_EYE_LOWER = 386, 374
NOSE_TIP = 1
# Outer lip outline, from the right mouth corner along the lower lip and back along the upper.
MOUTH = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185)
# The face's silhouette, a closed loop from the top of the forehead (10) over the patient's left
# temple, down to the chin (152) and up the right side.
FACE_OVAL = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)  # fmt: skip
# The jaw: from the patient's right ear (234) through the chin (152) to the left ear (454).
JAW = tuple(reversed(FACE_OVAL[FACE_OVAL.index(454) : FACE_OVAL.index(234) + 1]))
# Cheek edges at the ears, for the face's width.
RIGHT_CHEEK_EDGE, LEFT_CHEEK_EDGE = 234, 454


def named_landmarks(points_xy: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
    """Name the mesh's points (iris centres are added by the iris model, not here).

    Parameters
    ----------
    points_xy : ndarray of float, shape (468, 2)
        The mesh in photo pixels.

    Returns
    -------
    dict of str to ndarray of float, shape (k, 2)
        ``left_brow``, ``right_brow``, ``glabella``, the four canthi, ``left_eye``,
        ``right_eye``, ``nose_tip``, ``mouth``, ``face_oval`` and ``jaw``.
    """

    def take(indices: tuple[int, ...] | int) -> NDArray[np.float64]:
        rows = (indices,) if isinstance(indices, int) else indices
        return np.array(points_xy[list(rows)], dtype=np.float64).reshape(-1, 2)

    glabella = (points_xy[RIGHT_BROW_INNER] + points_xy[LEFT_BROW_INNER]) / 2.0
    return {
        "right_brow": take(RIGHT_BROW),
        "left_brow": take(LEFT_BROW),
        "glabella": np.asarray(glabella, dtype=np.float64).reshape(1, 2),
        "right_eye_inner_canthus": take(RIGHT_EYE_INNER),
        "right_eye_outer_canthus": take(RIGHT_EYE_OUTER),
        "left_eye_inner_canthus": take(LEFT_EYE_INNER),
        "left_eye_outer_canthus": take(LEFT_EYE_OUTER),
        "right_eye": take(RIGHT_EYE),
        "left_eye": take(LEFT_EYE),
        "nose_tip": take(NOSE_TIP),
        "mouth": take(MOUTH),
        "face_oval": take(FACE_OVAL),
        "jaw": take(JAW),
    }
