"""The face mesh on a face seen from above: eye-anchored crops that undo the foreshortening.

When the mesh finds no face in MediaPipe's crop of a detection (see :mod:`face_mesh`), the face is
often seen steeply from above: the eyes look down near the bottom edge and the face below them is
squashed. The detector's eye keypoints are still usually right, so the mesh is shown
:class:`~scalpmap.imaging.head.eye_crop.EyeCrop` crops anchored on them, on a small grid of
shapes: the crop's width in eye distances, and the vertical scale above and below the eye line
(the face below the eyes stretched up to 2.5 times more than above).

A shape is kept only when the mesh says "face" (presence at least MediaPipe's 0.5) *and* puts its
eyes, nose tip and mouth where the detector saw them (:mod:`keypoints`) *and* lays the eye line
the way the view stands: a mesh that moves the face elsewhere (it readily sees a face in a
forehead) is not one. Three shapes spread over the grid are tried first (:data:`PROBES`), and a
detection none of them finds promising is given up; then a coarse pass (:data:`FIRST_SHAPES`),
and from its best shape to the neighbours while the presence rises.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np

from scalpmap.imaging.head.crop import ImagePyramid
from scalpmap.imaging.head.eye_crop import eye_crop_from_eyes
from scalpmap.imaging.head.face_detection import LEFT_EYE, RIGHT_EYE, FaceDetection
from scalpmap.imaging.head.face_mesh import MIN_FACE_PRESENCE, FaceMesh, run_mesh
from scalpmap.imaging.head.keypoints import agrees_with_detection
from scalpmap.imaging.head.pose import eye_line_angle_deg, rotation_and_roll

# The grid of crop shapes. Width in eye distances (centre to centre): in MediaPipe's own crop of
# a front view the eyes' centres are about 0.3 of the crop apart (3.3 eye distances across).
WIDTHS_EYES = (10.0 / 3.0, 4.0, 14.0 / 3.0)
# Vertical scale above the eye line, as a share of the crop's width.
ABOVE = (0.7, 0.9, 1.1)
# ... and below it: smaller values stretch the foreshortened lower face more.
BELOW = (0.3, 0.4, 0.5, 0.6, 0.8)
# Three probes spread over the grid (grid indices: each width, the middle scale above, a stronger
# stretch below for a narrower crop). A detection none of them gives a presence of at least
# PROBE_MIN_PRESENCE is given up: on the real photos, nearly all the detections where no crop of
# the grid found a face stopped there, and no face was lost (benchmarks/head_alternatives.py).
PROBES: tuple[tuple[int, int, int], ...] = ((0, 1, 1), (1, 1, 3), (2, 1, 4))
PROBE_MIN_PRESENCE = 0.05
# The coarse pass: every width, the middle scale above, three scales below.
FIRST_SHAPES: tuple[tuple[int, int, int], ...] = tuple(
    (width, 1, below) for width in range(len(WIDTHS_EYES)) for below in (1, 3, 4)
)
Shape = tuple[int, int, int]


def _neighbours(shape: Shape) -> Iterator[Shape]:
    sizes = (len(WIDTHS_EYES), len(ABOVE), len(BELOW))
    for axis, step in itertools.product(range(3), (-1, 1)):
        moved = list(shape)
        moved[axis] += step
        if 0 <= moved[axis] < sizes[axis]:
            yield moved[0], moved[1], moved[2]


def mesh_from_eyes(image: ImagePyramid, face: FaceDetection, *, turn_deg: int) -> FaceMesh | None:
    """Find the face mesh on a detected face seen from above, or None.

    Parameters
    ----------
    image : ImagePyramid
        The photo (unstretched).
    face : FaceDetection
        The detection, in the photo's pixels; its eye keypoints anchor the crops.
    turn_deg : {0, 90, 180, 270}
        How far the view that found the face was turned: the mesh's eye line must stand so.

    Returns
    -------
    FaceMesh or None
        A mesh that says "face" (presence at least 0.5) and agrees with the detector, in photo
        pixels: the surest of the coarse pass, else the first reached climbing from it.
    """
    right, left = face.keypoints_xy[RIGHT_EYE], face.keypoints_xy[LEFT_EYE]
    if float(np.linalg.norm(left - right)) < 1.0:
        return None
    tried: dict[Shape, tuple[float, FaceMesh]] = {}

    def score(shape: Shape) -> float:
        if shape not in tried:
            width, above, below = shape
            crop = eye_crop_from_eyes(
                right, left, width_eyes=WIDTHS_EYES[width], above=ABOVE[above], below=BELOW[below]
            )
            mesh = run_mesh(image, crop)
            agreed = _agrees(mesh, face, turn_deg)
            tried[shape] = (mesh.presence if agreed else 0.0, mesh)
        return tried[shape][0]

    if max(score(shape) for shape in PROBES) < PROBE_MIN_PRESENCE:
        return None
    best = max(FIRST_SHAPES, key=score)
    while score(best) < MIN_FACE_PRESENCE:
        step = max(_neighbours(best), key=score)
        if score(step) <= score(best):
            break
        best = step
    if score(best) < MIN_FACE_PRESENCE:
        return None
    return tried[best][1]


def _agrees(mesh: FaceMesh, face: FaceDetection, turn_deg: int) -> bool:
    rotation_deg, _roll = rotation_and_roll(eye_line_angle_deg(mesh.points_xy))
    return rotation_deg == turn_deg and agrees_with_detection(mesh.points_xy, face)
