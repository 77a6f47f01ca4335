"""Find the head in a photo: the face and its landmarks, the pose and view, and the person's mask.

The work happens on a copy reduced by a power of two to at most :data:`WORKING_MAX_PX` across
(the irises of small faces are measured on the full photo); everything is reported in the full
photo's pixels.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head.crop import ImagePyramid
from scalpmap.imaging.head.eyes import EyesResult, measure_eyes
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

WORKING_MAX_PX = 1024
# The two irises of a front view may differ by this share of their mean (measured: at most 0.1).
MAX_IRIS_DISAGREEMENT = 0.15
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
FROM_ABOVE_NOTE = (
    "the face was found in a crop anchored on the eyes and stretched below them, as for a face "
    "seen from above: the eyes and brows are the surest landmarks; the nose, mouth and jaw are "
    "estimates"
)
NO_FACE_NOTE = (
    "no face found: view unknown (a top, back or side view, or the face is out of the frame)"
)


def working_copy(rgb: NDArray[np.uint8]) -> tuple[NDArray[np.uint8], NDArray[np.float64]]:
    """Reduce the photo by a power of two until it is at most :data:`WORKING_MAX_PX` across.

    One bilinear resize: at a factor of 2 it averages each 2 x 2 block; at 4 or more it averages
    the middle 2 x 2 pixels of each block, which is fast and aliases little.

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
    factor = 1
    while max(rows, cols) / factor > WORKING_MAX_PX:
        factor *= 2
    if factor == 1:
        return rgb, np.ones(2)
    size = (max(1, cols // factor), max(1, rows // factor))
    working = np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_LINEAR), dtype=np.uint8)
    return working, np.array([cols / size[0], rows / size[1]])


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


def _iris_for_scale(eyes: EyesResult, yaw_deg: float) -> tuple[float | None, str | None]:
    """Return the iris diameter to scale the photo by, or None with the reason in words.

    Both eyes must show their iris, on a front view, and agree within :data:`MAX_IRIS_DISAGREEMENT`
    (one hidden iris means the eyes look down or the face is turned, and the other is then often
    a guess of the model too).
    """
    if abs(yaw_deg) > FRONT_MAX_YAW_DEG:
        return None, f"iris not measured: the face is turned ({yaw_deg:+.0f} degrees of yaw)"
    if len(eyes.irises) < 2:
        return None, "iris not measured: " + "; ".join(eyes.skipped)
    first, second = (iris.diameter_px for iris in eyes.irises)
    mean = (first + second) / 2.0
    if abs(first - second) / mean > MAX_IRIS_DISAGREEMENT:
        return None, (
            f"iris not measured: the two eyes disagree ({first:.1f} and {second:.1f} px across)"
        )
    return mean, None


def _quality_problem(
    pyramid: ImagePyramid, working_xy: NDArray[np.float64], to_photo: NDArray[np.float64]
) -> str | None:
    """Return why the face is too small, dark or blurred for landmarks, or None."""
    right_eye, left_eye = working_xy[RIGHT_EYE_OUTER], working_xy[LEFT_EYE_OUTER]
    small = too_small(right_eye * to_photo, left_eye * to_photo)
    if small:
        return small
    face = face_pixels(pyramid, working_xy[list(FACE_OVAL)], right_eye, left_eye)
    return too_dark(face) or too_blurred(face)


def find_head(rgb: NDArray[np.uint8]) -> HeadModel:
    """Find the face, its landmarks, the head's pose and view, and the person's mask.

    Runs MediaPipe 0.10.21's face detector, face mesh, iris and selfie segmentation models with
    LiteRT (see docs/head-model.md). A photo without a face is normal: the result then has
    ``view="unknown"``, no landmarks and a note saying why, and still carries the person's mask.

    Rules:

    - the face is looked for upright first, then in the photo turned by 90, 180 and 270 degrees;
      a face found turned gives ``rotation_deg`` and a note;
    - a face seen steeply from above, which the mesh misses in MediaPipe's crop, is looked for in
      crops anchored on the detector's eyes that stretch the face below them; a note says so;
    - with several faces, the largest is used and a note says so;
    - a face that is too small, too dark or too blurred keeps its box but gets no landmarks, with
      the reason in ``notes``;
    - a "face" much narrower than the person across its eye line (an ear, the side of a head) is
      not one, and the search goes on in the next turns;
    - the iris diameter (for the scale) is given only on a front view (``|yaw| <= 20`` degrees)
      when both irises show and agree within 15%.

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
    pyramid = ImagePyramid(working)
    masks: dict[int, NDArray[np.bool_]] = {}

    def mask_at(turn_deg: int) -> NDArray[np.bool_]:
        if turn_deg not in masks:
            masks[turn_deg] = person_mask(pyramid, shape=rgb.shape[:2], turn_deg=turn_deg)
        return masks[turn_deg]

    def plausible(face: FoundFace) -> bool:
        width = _face_to_head_width(face.mesh.points_xy * to_photo, mask_at(face.turn_deg))
        return width >= MIN_FACE_TO_HEAD_WIDTH

    search = search_faces(working, pyramid=pyramid, plausible=plausible)
    faces = list(search.faces)
    rotation_deg = search.turn_deg if faces else 0
    mask = mask_at(rotation_deg)
    if not faces:
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
    notes: list[str] = []
    face: FoundFace = faces[0]
    if len(faces) > 1:
        notes.append(f"{len(faces)} faces: used the largest")
    points_xy = face.mesh.points_xy * to_photo
    _rotation, roll_deg = rotation_and_roll(eye_line_angle_deg(points_xy))
    if rotation_deg in ROTATION_NOTES:
        notes.append(ROTATION_NOTES[rotation_deg])
    if face.crop_kind == "eyes":
        notes.append(FROM_ABOVE_NOTE)
    yaw_deg = yaw_from_mesh(face.view_mesh.points_xy, face.view_mesh.depth_px)
    box = _face_box(points_xy, rgb.shape)
    problem = _quality_problem(pyramid, face.mesh.points_xy, to_photo)
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
    eyes = measure_eyes(rgb, points_xy, working=pyramid, to_photo=to_photo)
    for iris in eyes.irises:
        landmarks[f"{iris.side}_iris_center"] = iris.center_xy.reshape(1, 2)
    iris_diameter_px, iris_note = _iris_for_scale(eyes, yaw_deg)
    if iris_note:
        notes.append(iris_note)
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
