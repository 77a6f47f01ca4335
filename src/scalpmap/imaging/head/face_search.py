"""Find the face in a photo taken from any side: detector views, then the mesh to confirm.

Clinic and patient photos of the scalp look down on the head, so the face sits low in the frame,
foreshortened (seen from above it looks squashed top to bottom) and often cut by the bottom edge;
and a photo may lie on its side in the pixels. MediaPipe's detector was trained on faces seen from
the front, so it is shown a few *views* of the photo:

- the photo stretched top-to-bottom by 1.5 and 2 (which undoes part of the foreshortening) as
  well as unstretched;
- with room added below the bottom edge, for a face that the edge cuts;
- turned by 90, 180 and 270 degrees, only when no face is found upright.

Each view's detections are confirmed by the face mesh: its face-presence score on the mesh's crop,
and its eye line, which must stand the way the view did (a "face" that the mesh lays on its side
in an upright view is an ear or a cheek seen from the side). When MediaPipe's crop of a detection
gives no face, the mesh is shown crops anchored on the detector's eyes that undo the
foreshortening of a face seen from above (:mod:`from_above`). A face found only in a turned view
must be confirmed more strongly (see :data:`TURNED_MIN_PRESENCE`), because the models see faces in
the sides of heads more easily than in a turned photo.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head.crop import ImagePyramid
from scalpmap.imaging.head.eye_crop import EyeCrop
from scalpmap.imaging.head.face_detection import LEFT_EYE, RIGHT_EYE, FaceDetection, detect_faces
from scalpmap.imaging.head.face_mesh import MIN_FACE_PRESENCE, FaceMesh, mesh_for
from scalpmap.imaging.head.from_above import mesh_from_eyes
from scalpmap.imaging.head.keypoints import agrees_with_detection
from scalpmap.imaging.head.pose import (
    THREE_QUARTER_MAX_YAW_DEG,
    eye_line_angle_deg,
    rotation_and_roll,
    yaw_from_mesh,
)

# (stretch, extend_below): the views tried for each turn, most productive first.
VIEWS: tuple[tuple[float, float], ...] = ((1.5, 0.0), (1.0, 0.0), (2.0, 0.0), (1.5, 0.6))
# Turned views: fewer, as the detector only needs to see which way is up.
TURNED_VIEWS: tuple[tuple[float, float], ...] = ((1.5, 0.0), (1.0, 0.0), (2.0, 0.0))
# The detector works on a halving of the photo at least this many pixels across (it sees 128).
DETECTOR_BASE_PX = 256
# How many places per turn the mesh checks (each in every view that saw a face there).
MESH_CHECKS_PER_TURN = 2
# The detector's score a face needs. MediaPipe's short-range graph keeps detections from 0.5;
# on photos of heads, those between 0.5 and 0.6 were mostly scalp or an ear that the mesh took for
# a face, so a face needs 0.6 (MediaPipe's full-range setting).
MIN_DETECTION_SCORE = 0.6
# A face seen only in a turned photo must convince both models (MediaPipe's crop of the detection).
TURNED_MIN_PRESENCE = 0.9
TURNED_MIN_SCORE = 0.7
# Eye-anchored crops (faces seen from above) are tried on this many of a place's views, best
# detector score first. A face found so only in a turned view needs this many of them to agree: on
# the real photos, with the upright face missed, every turned "face" that was not one was seen by
# one view alone, and every real one by two or more.
EYE_CROP_VIEWS = 3
TURNED_EYE_CROP_VIEWS = 2

CropKind = Literal["detection", "eyes"]


@dataclass(frozen=True)
class FoundFace:
    """A confirmed face: its mesh in the photo's pixels and how it was seen.

    Attributes
    ----------
    mesh : FaceMesh
        The mesh, mapped back to the photo's pixels (its depth stays in the view's units).
    view_mesh : FaceMesh
        The mesh as computed in the view (stretched), for the head's pose.
    detection : FaceDetection
        The detector's face, in the photo's pixels.
    turn_deg : int
        The turn of the view that found it (0, 90, 180 or 270, clockwise).
    stretch : float
        How much the view was stretched along the face's vertical axis.
    crop_kind : {"detection", "eyes"}
        The mesh's crop: MediaPipe's crop of the detection, or one anchored on the detector's eyes
        (:mod:`from_above`).
    """

    mesh: FaceMesh
    view_mesh: FaceMesh
    detection: FaceDetection
    turn_deg: int
    stretch: float
    crop_kind: CropKind = "detection"

    @property
    def size_px(self) -> float:
        """Return the mesh's larger extent in photo pixels."""
        span = self.mesh.points_xy.max(axis=0) - self.mesh.points_xy.min(axis=0)
        return float(span.max())


@dataclass(frozen=True)
class FaceSearch:
    """What the search found: the confirmed faces (largest first) and the turn that found them."""

    faces: tuple[FoundFace, ...]
    turn_deg: int


def _stretch_matrix(turn_deg: int, stretch: float) -> NDArray[np.float64]:
    """Per-axis scale (x, y) that stretches the photo along the turned view's vertical axis."""
    return np.array([1.0, stretch]) if turn_deg in (0, 180) else np.array([stretch, 1.0])


def _scaled_detection(face: FaceDetection, scale: NDArray[np.float64]) -> FaceDetection:
    return FaceDetection(face.box_xy * scale, face.keypoints_xy * scale, face.score)


def _clusters(candidates: list[tuple[FaceDetection, float, float]], limit: int) -> list[list[int]]:
    """Group the candidates by where their eyes are; the best-scoring groups first.

    Each group lists its candidates (one per view that saw the face there), best score first.
    """
    order = sorted(range(len(candidates)), key=lambda i: -candidates[i][0].score)
    groups: list[list[int]] = []
    for index in order:
        face = candidates[index][0]
        eyes = (face.keypoints_xy[RIGHT_EYE] + face.keypoints_xy[LEFT_EYE]) / 2.0
        for group in groups:
            leader = candidates[group[0]][0]
            leader_eyes = (leader.keypoints_xy[RIGHT_EYE] + leader.keypoints_xy[LEFT_EYE]) / 2.0
            if np.linalg.norm(eyes - leader_eyes) < 0.35 * max(face.size_px, leader.size_px):
                group.append(index)
                break
        else:
            groups.append([index])
    return groups[:limit]


class _Views:
    """The photo's small stretched copies for the detector, made on first use.

    They are :data:`DETECTOR_BASE_PX` across; the mesh samples its crops from the working
    pyramid, with the view's stretch in the crop (no stretched copy of the working image).
    """

    def __init__(self, rgb: NDArray[np.uint8], pyramid: ImagePyramid | None = None) -> None:
        self.rgb = rgb
        self.pyramid = pyramid if pyramid is not None else ImagePyramid(rgb)
        # The coarsest halving still at least DETECTOR_BASE_PX across.
        level = 0
        while max(self.pyramid.level(level + 1).shape[:2]) >= DETECTOR_BASE_PX and level < 8:
            if self.pyramid.level(level + 1) is self.pyramid.level(level):
                break
            level += 1
        self.base = self.pyramid.level(level)
        rows, cols = rgb.shape[:2]
        self.small_to_working = np.array([cols / self.base.shape[1], rows / self.base.shape[0]])
        self._small: dict[tuple[float, float], NDArray[np.uint8]] = {}
        # Per turn: the places where a face was detected (see _places).
        self.places: dict[int, list[list[tuple[FaceDetection, float]]]] = {}

    @staticmethod
    def _stretched(image: NDArray[np.uint8], scale: NDArray[np.float64]) -> NDArray[np.uint8]:
        if np.all(scale == 1.0):
            return image
        rows, cols = image.shape[:2]
        size = (round(cols * scale[0]), round(rows * scale[1]))
        return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_LINEAR), dtype=np.uint8)

    def small(self, turn_deg: int, stretch: float) -> NDArray[np.uint8]:
        scale = _stretch_matrix(turn_deg, stretch)
        key = (float(scale[0]), float(scale[1]))
        if key not in self._small:
            self._small[key] = self._stretched(self.base, scale)
        return self._small[key]


def _unstretch_mesh(mesh: FaceMesh, scale: NDArray[np.float64]) -> FaceMesh:
    return FaceMesh(mesh.points_xy / scale, mesh.depth_px, mesh.presence, mesh.roi, mesh.crop_uv)


def _model_view(mesh: FaceMesh) -> FaceMesh:
    """Return an eye-crop mesh as the model saw it (one scale across the crop), for the pose."""
    assert isinstance(mesh.roi, EyeCrop)
    points = mesh.roi.unfolded(mesh.crop_uv)
    return FaceMesh(points, mesh.depth_px, mesh.presence, mesh.roi, mesh.crop_uv)


def _places(views: _Views, turn_deg: int) -> list[list[tuple[FaceDetection, float]]]:
    """Return the places where the views of one turn saw a face, each as its views' detections.

    Detections are in working pixels with the stretch of their view, best score first; at most
    :data:`MESH_CHECKS_PER_TURN` places, the best-scoring first. Cached per turn.
    """
    if turn_deg not in views.places:
        candidates: list[tuple[FaceDetection, float, float]] = []
        for stretch, extend in VIEWS if turn_deg == 0 else TURNED_VIEWS:
            scale = _stretch_matrix(turn_deg, stretch)
            small = views.small(turn_deg, stretch)
            to_working = views.small_to_working * np.ones(2) / scale
            for face in detect_faces(small, turn_deg=turn_deg, extend_below=extend):
                if face.score >= MIN_DETECTION_SCORE:
                    candidates.append((_scaled_detection(face, to_working), stretch, extend))
        views.places[turn_deg] = [
            [(candidates[index][0], candidates[index][1]) for index in group]
            for group in _clusters(candidates, MESH_CHECKS_PER_TURN)
        ]
    return views.places[turn_deg]


def _search_turn(views: _Views, turn_deg: int, crop_kind: CropKind) -> list[FoundFace]:
    """Return the faces confirmed in one turn's views by one kind of mesh crop, largest first."""
    confirm = _in_detection_crops if crop_kind == "detection" else _in_eye_crops
    found = [
        face
        for face in (confirm(views, place, turn_deg) for place in _places(views, turn_deg))
        if face is not None
    ]
    found.sort(key=lambda item: -item.size_px)
    return _without_overlaps(found)


def _in_detection_crops(
    views: _Views, place: list[tuple[FaceDetection, float]], turn_deg: int
) -> FoundFace | None:
    """Confirm a place by the mesh on MediaPipe's crop; the first view it confirms wins."""
    for face, stretch in place:
        scale = _stretch_matrix(turn_deg, stretch)
        view_mesh = mesh_for(views.pyramid, _scaled_detection(face, scale), stretch=scale)
        if _confirmed(view_mesh, face, turn_deg, scale):
            return FoundFace(
                mesh=_unstretch_mesh(view_mesh, scale),
                view_mesh=view_mesh,
                detection=face,
                turn_deg=turn_deg,
                stretch=stretch,
            )
    return None


def _in_eye_crops(
    views: _Views, place: list[tuple[FaceDetection, float]], turn_deg: int
) -> FoundFace | None:
    """Confirm a place by the mesh on crops anchored on the detector's eyes (faces from above).

    Of the place's :data:`EYE_CROP_VIEWS` best views, upright the first the mesh confirms wins;
    turned, :data:`TURNED_EYE_CROP_VIEWS` must agree (the surest is kept).
    """
    needed = 1 if turn_deg == 0 else TURNED_EYE_CROP_VIEWS
    tried = place[:EYE_CROP_VIEWS]
    meshes: list[tuple[FaceMesh, FaceDetection, float]] = []
    for index, (face, stretch) in enumerate(tried):
        if len(meshes) + len(tried) - index < needed:
            return None
        mesh = mesh_from_eyes(views.pyramid, face, turn_deg=turn_deg)
        if mesh is not None:
            meshes.append((mesh, face, stretch))
            if len(meshes) >= needed:
                break
    if len(meshes) < needed:
        return None
    mesh, face, stretch = max(meshes, key=lambda item: item[0].presence)
    return FoundFace(
        mesh=mesh,
        view_mesh=_model_view(mesh),
        detection=face,
        turn_deg=turn_deg,
        stretch=stretch,
        crop_kind="eyes",
    )


def _confirmed(
    mesh: FaceMesh, face: FaceDetection, turn_deg: int, scale: NDArray[np.float64]
) -> bool:
    """Tell whether the mesh says "face", stands the way the view did and agrees with the detector.

    The agreement (:mod:`keypoints`) is asked of faces that show both eyes, the nose and the mouth
    (up to three-quarter views): in a side view the far eye is hidden and the two models place it
    differently.
    """
    points = mesh.points_xy / scale
    rotation_deg, _roll = rotation_and_roll(eye_line_angle_deg(points))
    if rotation_deg != turn_deg:
        return False
    if turn_deg == 0:
        sure = mesh.presence >= MIN_FACE_PRESENCE and face.score >= MIN_DETECTION_SCORE
    else:
        sure = mesh.presence >= TURNED_MIN_PRESENCE and face.score >= TURNED_MIN_SCORE
    if not sure:
        return False
    if abs(yaw_from_mesh(mesh.points_xy, mesh.depth_px)) > THREE_QUARTER_MAX_YAW_DEG:
        return True
    return agrees_with_detection(points, face)


def _without_overlaps(faces: list[FoundFace]) -> list[FoundFace]:
    """Drop a face whose mesh centre lies inside a larger face's mesh (the same face twice)."""
    kept: list[FoundFace] = []
    for face in faces:
        centre = face.mesh.points_xy.mean(axis=0)
        inside = False
        for bigger in kept:
            low = bigger.mesh.points_xy.min(axis=0)
            high = bigger.mesh.points_xy.max(axis=0)
            if np.all(centre >= low) and np.all(centre <= high):
                inside = True
                break
        if not inside:
            kept.append(face)
    return kept


def search_faces(
    rgb: NDArray[np.uint8],
    *,
    pyramid: ImagePyramid | None = None,
    plausible: Callable[[FoundFace], bool] | None = None,
) -> FaceSearch:
    """Find the faces in a photo: upright first; if none, the best of the three turned views.

    The mesh on MediaPipe's crop of a detection is the surer evidence, so all four turns are
    searched with it first; only then are faces seen from above looked for with crops anchored on
    the eyes (again upright first). Either model can take an upside-down face for an upright one
    (the eyes stay eyes), and the eye-anchored search, trying many crops, does so more readily.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo, at a working resolution (about 1000 pixels across is plenty).
    pyramid : ImagePyramid, optional
        The same image as a pyramid, when the caller has one to share.
    plausible : callable, optional
        Tells whether a confirmed face can be one (e.g. wide enough for the head); a turn whose
        faces all fail it counts as finding none, so the next turns are tried.

    Returns
    -------
    FaceSearch
        The confirmed faces, largest first (empty when none), and the turn that found them.
    """
    views = _Views(rgb, pyramid)
    for crop_kind in ("detection", "eyes"):
        found = _search_turns(views, crop_kind, plausible)
        if found.faces:
            return found
    return FaceSearch(faces=(), turn_deg=0)


def _search_turns(
    views: _Views, crop_kind: CropKind, plausible: Callable[[FoundFace], bool] | None
) -> FaceSearch:
    """Search upright, then, if nothing plausible is found, the best of the three turns."""

    def faces_at(turn_deg: int) -> list[FoundFace]:
        found = _search_turn(views, turn_deg, crop_kind)
        return [face for face in found if plausible is None or plausible(face)]

    upright = faces_at(0)
    if upright:
        return FaceSearch(faces=tuple(upright), turn_deg=0)
    best: FaceSearch = FaceSearch(faces=(), turn_deg=0)
    best_strength = -1.0
    for turn_deg in (90, 180, 270):
        faces = faces_at(turn_deg)
        if not faces:
            continue
        strength = max(face.mesh.presence + face.detection.score for face in faces)
        if strength > best_strength:
            best, best_strength = FaceSearch(faces=tuple(faces), turn_deg=turn_deg), strength
    return best
