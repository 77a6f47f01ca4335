"""Find the head in a photo: the face and its landmarks, the pose and view, and the person's mask.

The work happens on a reduced copy (at most :data:`WORKING_MAX_PX` across, made by exact halvings),
except the irises, which are measured on the full photo; everything is reported in the full
photo's pixels.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head.eyes import measure_eyes
from scalpmap.imaging.head.face_search import FoundFace, search_faces
from scalpmap.imaging.head.landmarks import (
    FACE_OVAL,
    LEFT_CHEEK_EDGE,
    LEFT_EYE_OUTER,
    RIGHT_CHEEK_EDGE,
    RIGHT_EYE_OUTER,
    named_landmarks,
)
from scalpmap.imaging.head.model import HeadModel
from scalpmap.imaging.head.pose import (
    FRONT_MAX_YAW_DEG,
    eye_line_angle_deg,
    rotation_and_roll,
    view_from_yaw,
    yaw_from_mesh,
)
from scalpmap.imaging.head.quality import face_pixels, too_blurred, too_dark, too_small
from scalpmap.imaging.head.segmentation import person_mask
from scalpmap.imaging.validate import check_rgb

WORKING_MAX_PX = 1280
# A "face" narrower than this share of the person across the eye line is not one: the models
# see faces in ears and in the sides of heads (real faces measured 0.31-0.99, profiles included).
MIN_FACE_TO_HEAD_WIDTH = 0.25

ROTATION_NOTES = {
    90: "the face is on its side in the pixels (its top points to the image's left): "
    "turn the photo 90 degrees clockwise",
    180: "the face is upside down in the pixels: turn the photo 180 degrees",
    270: "the face is on its side in the pixels (its top points to the image's right): "
    "turn the photo 90 degrees anticlockwise",
}
NO_FACE_NOTE = (
    "no face found: view unknown (a top, back or side view, or the face is out of the frame)"
)


def working_copy(rgb: NDArray[np.uint8]) -> tuple[NDArray[np.uint8], NDArray[np.float64]]:
    """Halve the photo until it is at most :data:`WORKING_MAX_PX` across.

    Each halving averages 2 x 2 pixels (bilinear at exactly half size), which is fast and does not
    alias.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.

    Returns
    -------
    working : ndarray of uint8
        The reduced copy (the photo itself when small enough).
    to_photo : ndarray of float, shape (2,)
        Multiply working ``x, y`` by this to get photo pixels.
    """
    rows, cols = rgb.shape[:2]
    working = rgb
    while max(working.shape[:2]) > WORKING_MAX_PX:
        size = (max(1, working.shape[1] // 2), max(1, working.shape[0] // 2))
        working = np.asarray(cv2.resize(working, size, interpolation=cv2.INTER_LINEAR), np.uint8)
    return working, np.array([cols / working.shape[1], rows / working.shape[0]])


def _face_box(
    points_xy: NDArray[np.float64], shape: tuple[int, ...]
) -> tuple[float, float, float, float]:
    """Return the face oval's box, clipped to the photo, as ``x, y, width, height``."""
    oval = points_xy[list(FACE_OVAL)]
    low = np.clip(oval.min(axis=0), 0.0, [shape[1], shape[0]])
    high = np.clip(oval.max(axis=0), 0.0, [shape[1], shape[0]])
    return float(low[0]), float(low[1]), float(high[0] - low[0]), float(high[1] - low[1])


def _face_to_head_width(points_xy: NDArray[np.float64], mask: NDArray[np.bool_]) -> float:
    """Return the face's width over the person's width along the eye line (through the eyes)."""
    right, left = points_xy[RIGHT_EYE_OUTER], points_xy[LEFT_EYE_OUTER]
    direction = (left - right) / max(float(np.linalg.norm(left - right)), 1e-9)
    face_width = abs(float((points_xy[LEFT_CHEEK_EDGE] - points_xy[RIGHT_CHEEK_EDGE]) @ direction))
    rows, cols = mask.shape
    middle = (left + right) / 2.0
    steps = np.arange(1, 2 * max(rows, cols))
    run = 0
    for sign in (1.0, -1.0):
        line = np.rint(middle + sign * steps[:, None] * direction).astype(int)
        inside = (line[:, 0] >= 0) & (line[:, 0] < cols) & (line[:, 1] >= 0) & (line[:, 1] < rows)
        line = line[: int(np.argmin(inside)) if not inside.all() else len(line)]
        on_person = mask[line[:, 1], line[:, 0]]
        run += int(np.argmin(on_person)) if not on_person.all() else len(on_person)
    return face_width / max(run, 1)


def _quality_problem(rgb: NDArray[np.uint8], points_xy: NDArray[np.float64]) -> str | None:
    right_eye, left_eye = points_xy[RIGHT_EYE_OUTER], points_xy[LEFT_EYE_OUTER]
    small = too_small(right_eye, left_eye)
    if small:
        return small
    face = face_pixels(rgb, points_xy[list(FACE_OVAL)], right_eye, left_eye)
    return too_dark(face) or too_blurred(face)


def find_head(rgb: NDArray[np.uint8]) -> HeadModel:
    """Find the face, its landmarks, the head's pose and view, and the person's mask.

    Runs MediaPipe 0.10.21's face detector, face mesh, iris and selfie segmentation models with
    LiteRT (see docs/head-model.md). A photo without a face is normal: the result then has
    ``view="unknown"``, no landmarks and a note saying why, and still carries the person's mask.

    Rules:

    - the face is looked for upright first, then in the photo turned by 90, 180 and 270 degrees;
      a face found turned gives ``rotation_deg`` and a note;
    - with several faces, the largest is used and a note says so;
    - a face that is too small, too dark or too blurred keeps its box but gets no landmarks, with
      the reason in ``notes``;
    - the iris diameter is measured only on a front view (``|yaw| <= 20`` degrees) and on open
      eyes.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo, with its EXIF orientation applied (``load_photo`` does it).

    Returns
    -------
    HeadModel
        Landmarks and coordinates in the photo's own pixels.

    Raises
    ------
    HeadModelError
        When a model file is missing or broken in the install (one line naming the fix).
    InputError
        When ``rgb`` is not an RGB photo array.
    """
    check_rgb(rgb)
    working, to_photo = working_copy(rgb)
    search = search_faces(working)
    notes: list[str] = []
    if not search.faces:
        mask = person_mask(working, shape=rgb.shape[:2])
        return HeadModel(
            view="unknown",
            yaw_deg=None,
            roll_deg=None,
            rotation_deg=0,
            face_box=None,
            person_mask=mask,
            faces_found=0,
            notes=(NO_FACE_NOTE,),
        )
    rotation_deg = search.turn_deg
    mask = person_mask(working, shape=rgb.shape[:2], turn_deg=rotation_deg)
    faces = [
        face
        for face in search.faces
        if _face_to_head_width(face.mesh.points_xy * to_photo, mask) >= MIN_FACE_TO_HEAD_WIDTH
    ]
    if not faces:
        return HeadModel(
            view="unknown",
            yaw_deg=None,
            roll_deg=None,
            rotation_deg=0,
            face_box=None,
            person_mask=person_mask(working, shape=rgb.shape[:2]) if rotation_deg else mask,
            faces_found=0,
            notes=(NO_FACE_NOTE,),
        )
    face: FoundFace = faces[0]
    if len(faces) > 1:
        notes.append(f"{len(faces)} faces: used the largest")
    points_xy = face.mesh.points_xy * to_photo
    _rotation, roll_deg = rotation_and_roll(eye_line_angle_deg(points_xy))
    if rotation_deg in ROTATION_NOTES:
        notes.append(ROTATION_NOTES[rotation_deg])
    yaw_deg = yaw_from_mesh(face.view_mesh.points_xy, face.view_mesh.depth_px)
    box = _face_box(points_xy, rgb.shape)
    problem = _quality_problem(rgb, points_xy)
    if problem:
        return HeadModel(
            view="unknown",
            yaw_deg=None,
            roll_deg=None,
            rotation_deg=rotation_deg,
            face_box=box,
            person_mask=mask,
            faces_found=len(faces),
            notes=(*notes, problem),
        )
    landmarks = named_landmarks(points_xy)
    eyes = measure_eyes(rgb, points_xy)
    for iris in eyes.irises:
        landmarks[f"{iris.side}_iris_center"] = iris.center_xy.reshape(1, 2)
    iris_diameter_px: float | None = None
    if abs(yaw_deg) > FRONT_MAX_YAW_DEG:
        notes.append(f"iris not measured: the face is turned ({yaw_deg:+.0f} degrees of yaw)")
    elif eyes.irises:
        iris_diameter_px = float(np.mean([iris.diameter_px for iris in eyes.irises]))
    notes.extend(eyes.skipped)
    return HeadModel(
        view=view_from_yaw(yaw_deg),
        yaw_deg=yaw_deg,
        roll_deg=roll_deg,
        rotation_deg=rotation_deg,
        face_box=box,
        landmarks=landmarks,
        iris_diameter_px=iris_diameter_px,
        iris_diameters_px=tuple(iris.diameter_px for iris in eyes.irises),
        person_mask=mask,
        faces_found=len(faces),
        notes=tuple(notes),
    )
