"""Find the face in a photo taken from any side: the mesh confirms what the detector's views saw.

The detector's views of each quarter turn of the photo give *places* where a face may be
(:mod:`detector_views`). The face mesh confirms a place in one of two ways:

- on MediaPipe's crop of a detection (:mod:`face_mesh`): its face-presence score, its eye line
  standing the way the view did (a "face" that the mesh lays on its side in an upright view is an
  ear or a cheek seen from the side), and, for faces up to three-quarter views, its eyes and nose
  not well above the detector's (:mod:`keypoints`: the mesh readily sees a face in a forehead);
- on crops anchored on the detector's eyes that undo the foreshortening of a face seen steeply
  from above (:mod:`from_above`), when MediaPipe's crop gives no face.

Which turn the face stands in is decided as follows (:func:`search_faces`). Most photos are
upright, so an upright face confirmed in MediaPipe's crop with a sure detection is taken at once.
Otherwise every turn is searched both ways and the strongest face (mesh presence plus detector
score) wins. Both models can take an upside-down face for an upright one (the eyes stay eyes),
so a face found only in a turned view must be confirmed more strongly: in MediaPipe's crop by a
surer mesh and detector (:data:`TURNED_MIN_PRESENCE`, :data:`TURNED_MIN_SCORE`), in the eye crops
by two views of the place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head.crop import ImagePyramid
from scalpmap.imaging.head.detector_views import (
    MIN_DETECTION_SCORE,
    DetectorViews,
    Place,
    scaled_detection,
    stretch_matrix,
)
from scalpmap.imaging.head.eye_crop import EyeCrop
from scalpmap.imaging.head.face_detection import FaceDetection
from scalpmap.imaging.head.face_mesh import MIN_FACE_PRESENCE, FaceMesh, mesh_for
from scalpmap.imaging.head.from_above import mesh_from_eyes
from scalpmap.imaging.head.keypoints import lies_above_detection
from scalpmap.imaging.head.pose import (
    THREE_QUARTER_MAX_YAW_DEG,
    eye_line_angle_deg,
    rotation_and_roll,
    yaw_from_mesh,
)

# A face seen only in a turned photo must convince both models (MediaPipe's crop of the detection).
TURNED_MIN_PRESENCE = 0.9
TURNED_MIN_SCORE = 0.7
# An upright face confirmed in MediaPipe's crop with a detector score of at least this is taken
# without looking at the other turns. The upright "faces" that the models saw in upside-down copies
# of the real photos scored 0.61-0.66; the real upright faces 0.73-0.92 in their best view
# (benchmarks/head_alternatives.py).
SURE_UPRIGHT_SCORE = 0.7
# Eye-anchored crops (faces seen from above) are tried on this many of a place's views, best
# detector score first. A face found so only in a turned view needs this many of them to agree: on
# the real photos, every turned "face" that was not one and was stronger than nothing else was
# seen by one view alone, and every real one by two or more.
EYE_CROP_VIEWS = 3
TURNED_EYE_CROP_VIEWS = 2
# ... and only on the best-scoring place of a turn (the second is mostly an ear or the scalp: on
# the real photos and their turned copies, every face the eye crops found was in the first).
EYE_CROP_PLACES = 1

CropKind = Literal["detection", "eyes"]


@dataclass(frozen=True)
class FoundFace:
    """A confirmed face: its mesh in the photo's pixels and how it was seen.

    Attributes
    ----------
    mesh : FaceMesh
        The mesh, mapped back to the photo's pixels (its depth stays in the view's units).
    view_mesh : FaceMesh
        The mesh as the model saw it (in the stretched view, or across the eye crop), for the
        head's pose.
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

    @property
    def strength(self) -> float:
        """Return the mesh's presence plus the detector's score (0..2), to compare turns."""
        return self.mesh.presence + self.detection.score


@dataclass(frozen=True)
class FaceSearch:
    """What the search found: the confirmed faces (largest first) and the turn that found them."""

    faces: tuple[FoundFace, ...]
    turn_deg: int


def _unstretch_mesh(mesh: FaceMesh, scale: NDArray[np.float64]) -> FaceMesh:
    return FaceMesh(mesh.points_xy / scale, mesh.depth_px, mesh.presence, mesh.roi, mesh.crop_uv)


def _model_view(mesh: FaceMesh) -> FaceMesh:
    """Return an eye-crop mesh as the model saw it (one scale across the crop), for the pose."""
    assert isinstance(mesh.roi, EyeCrop)
    points = mesh.roi.unfolded(mesh.crop_uv)
    return FaceMesh(points, mesh.depth_px, mesh.presence, mesh.roi, mesh.crop_uv)


def _in_detection_crops(views: DetectorViews, place: Place, turn_deg: int) -> FoundFace | None:
    """Confirm a place by the mesh on MediaPipe's crop; the first view it confirms wins."""
    for face, stretch in place:
        scale = stretch_matrix(turn_deg, stretch)
        view_mesh = mesh_for(views.pyramid, scaled_detection(face, scale), stretch=scale)
        if _confirmed(view_mesh, face, turn_deg, scale):
            return FoundFace(
                mesh=_unstretch_mesh(view_mesh, scale),
                view_mesh=view_mesh,
                detection=face,
                turn_deg=turn_deg,
                stretch=stretch,
            )
    return None


def _in_eye_crops(views: DetectorViews, place: Place, turn_deg: int) -> FoundFace | None:
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
    """Tell whether the mesh says "face", stands the way the view did and is not in a forehead.

    A mesh well above the detector's eyes and nose (:mod:`keypoints`) is refused in faces that
    show both eyes and the nose (up to three-quarter views): in a side view the far eye is hidden
    and the two models place it differently.
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
    return not lies_above_detection(points, face)


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


def confirm_place(
    views: DetectorViews, place: Place, turn_deg: int, crop_kind: CropKind
) -> FoundFace | None:
    """Confirm one place with the mesh on one kind of crop (the rules in the module's text).

    Parameters
    ----------
    views : DetectorViews
        The photo's views (the mesh samples their working pyramid).
    place : Place
        The views' detections of the place, best score first.
    turn_deg : {0, 90, 180, 270}
        The turn of the views that saw it.
    crop_kind : {"detection", "eyes"}
        MediaPipe's crop of a detection, or the eye-anchored crops.

    Returns
    -------
    FoundFace or None
        The face, when confirmed.
    """
    confirm = _in_detection_crops if crop_kind == "detection" else _in_eye_crops
    return confirm(views, place, turn_deg)


def _faces_in_turn(
    views: DetectorViews,
    turn_deg: int,
    crop_kind: CropKind,
    plausible: Callable[[FoundFace], bool] | None,
) -> list[FoundFace]:
    """Return the plausible faces one kind of mesh crop confirms in one turn, largest first."""
    places = views.places(turn_deg)
    if crop_kind == "eyes":
        places = places[:EYE_CROP_PLACES]
    found = [
        face
        for face in (confirm_place(views, place, turn_deg, crop_kind) for place in places)
        if face is not None and (plausible is None or plausible(face))
    ]
    found.sort(key=lambda item: -item.size_px)
    return _without_overlaps(found)


def search_faces(
    rgb: NDArray[np.uint8],
    *,
    pyramid: ImagePyramid | None = None,
    plausible: Callable[[FoundFace], bool] | None = None,
) -> FaceSearch:
    """Find the faces in a photo and the quarter turn that stands them upright.

    An upright face confirmed in MediaPipe's crop with a detector score of at least
    :data:`SURE_UPRIGHT_SCORE` is taken at once. Otherwise all four turns are searched, with
    MediaPipe's crop and then, in turns where it confirmed nothing, with the eye-anchored crops;
    the turn of the strongest face wins (upright on a tie).

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo, at a working resolution (about 1000 pixels across is plenty).
    pyramid : ImagePyramid, optional
        The same image as a pyramid, when the caller has one to share.
    plausible : callable, optional
        Tells whether a confirmed face can be one (e.g. wide enough for the head); faces that
        fail it count as not found.

    Returns
    -------
    FaceSearch
        The confirmed faces, largest first (empty when none), and the turn that found them.
    """
    views = DetectorViews(rgb, pyramid)
    upright = _faces_in_turn(views, 0, "detection", plausible)
    if any(face.detection.score >= SURE_UPRIGHT_SCORE for face in upright):
        return FaceSearch(faces=tuple(upright), turn_deg=0)
    options: list[tuple[int, list[FoundFace]]] = [(0, upright)] if upright else []
    for turn_deg in (90, 180, 270):
        turned = _faces_in_turn(views, turn_deg, "detection", plausible)
        if turned:
            options.append((turn_deg, turned))
    confirmed_turns = {turn_deg for turn_deg, _faces in options}
    for turn_deg in (0, 90, 180, 270):
        if turn_deg not in confirmed_turns:
            from_above = _faces_in_turn(views, turn_deg, "eyes", plausible)
            if from_above:
                options.append((turn_deg, from_above))
    if not options:
        return FaceSearch(faces=(), turn_deg=0)
    turn_deg, faces = max(
        options, key=lambda option: (max(face.strength for face in option[1]), option[0] == 0)
    )
    return FaceSearch(faces=tuple(faces), turn_deg=turn_deg)
