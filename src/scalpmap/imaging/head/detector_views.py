"""The detector's views of a photo, and the places where they see a face.

Clinic and patient photos of the scalp look down on the head, so the face sits low in the frame,
foreshortened (seen from above it looks squashed top to bottom) and often cut by the bottom edge;
and a photo may lie on its side in the pixels. MediaPipe's detector was trained on faces seen from
the front, so for each quarter turn of the photo it is shown a few *views* (:data:`VIEWS`): the
photo stretched top-to-bottom by 1.5 and 2 (which undoes part of the foreshortening) as well as
unstretched, and with room added below the bottom edge, for a face that the edge cuts. A turned
photo is shown the same views as an upright one, so that turning a photo turns the answer.

The detections of all views of a turn are grouped by where their eyes are into *places*; the mesh
then confirms a place or not (:mod:`face_search`).
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head.crop import ImagePyramid
from scalpmap.imaging.head.face_detection import (
    LEFT_EYE,
    RIGHT_EYE,
    SHORT_RANGE,
    DetectorSpec,
    FaceDetection,
    detect_faces,
)
from scalpmap.imaging.head.runtime import LoadedModel

# (stretch, extend_below): the views tried for each turn, most productive first.
VIEWS: tuple[tuple[float, float], ...] = ((1.5, 0.0), (1.0, 0.0), (2.0, 0.0), (1.5, 0.6))
# The detector works on a halving of the photo at least this many pixels across (it sees 128).
DETECTOR_BASE_PX = 256
# How many places per turn the mesh checks (each in every view that saw a face there).
PLACES_PER_TURN = 2
# The detector's score a face needs. MediaPipe's short-range graph keeps detections from 0.5;
# on photos of heads, those between 0.5 and 0.6 were mostly scalp or an ear that the mesh took for
# a face, so a face needs 0.6 (MediaPipe's full-range setting).
MIN_DETECTION_SCORE = 0.6

# One place: the detections of the views that saw a face there (in working pixels, best score
# first), each with the stretch of its view.
Place = list[tuple[FaceDetection, float]]


def stretch_matrix(turn_deg: int, stretch: float) -> NDArray[np.float64]:
    """Return the per-axis scale (x, y) that stretches the photo along the turned view's vertical.

    Parameters
    ----------
    turn_deg : {0, 90, 180, 270}
        The view's turn.
    stretch : float
        The stretch along the face's vertical axis.

    Returns
    -------
    ndarray of float, shape (2,)
        Scale of ``x`` and ``y``.
    """
    return np.array([1.0, stretch]) if turn_deg in (0, 180) else np.array([stretch, 1.0])


def scaled_detection(face: FaceDetection, scale: NDArray[np.float64]) -> FaceDetection:
    """Return the detection with its box and keypoints scaled per axis.

    Parameters
    ----------
    face : FaceDetection
        A detection.
    scale : ndarray of float, shape (2,)
        Scale of ``x`` and ``y``.

    Returns
    -------
    FaceDetection
        The scaled detection (same score).
    """
    return FaceDetection(face.box_xy * scale, face.keypoints_xy * scale, face.score)


def _clusters(candidates: list[tuple[FaceDetection, float]], limit: int) -> list[list[int]]:
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


class DetectorViews:
    """A photo's views for the detector, and the places found in each turn (both made on demand).

    The views are small copies (:data:`DETECTOR_BASE_PX` across); the mesh samples its crops from
    the working pyramid, with a view's stretch in the crop.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo at its working resolution.
    pyramid : ImagePyramid, optional
        The same image as a pyramid, when the caller has one to share.
    spec : DetectorSpec
        The detector (MediaPipe's short-range one by default).
    model : LoadedModel, optional
        Its loaded model, when not the packaged file named by ``spec``.
    """

    def __init__(
        self,
        rgb: NDArray[np.uint8],
        pyramid: ImagePyramid | None = None,
        *,
        spec: DetectorSpec = SHORT_RANGE,
        model: LoadedModel | None = None,
    ) -> None:
        self.spec, self.model = spec, model
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
        self._places: dict[int, list[Place]] = {}

    def small(self, turn_deg: int, stretch: float) -> NDArray[np.uint8]:
        """Return the small copy stretched for a view of the given turn.

        Parameters
        ----------
        turn_deg : {0, 90, 180, 270}
            The view's turn.
        stretch : float
            Its stretch along the face's vertical axis.

        Returns
        -------
        ndarray of uint8
            The copy.
        """
        scale = stretch_matrix(turn_deg, stretch)
        key = (float(scale[0]), float(scale[1]))
        if key not in self._small:
            if np.all(scale == 1.0):
                self._small[key] = self.base
            else:
                rows, cols = self.base.shape[:2]
                size = (round(cols * scale[0]), round(rows * scale[1]))
                stretched = cv2.resize(self.base, size, interpolation=cv2.INTER_LINEAR)
                self._small[key] = np.asarray(stretched, dtype=np.uint8)
        return self._small[key]

    def places(self, turn_deg: int) -> list[Place]:
        """Return the places where the views of one turn saw a face.

        Parameters
        ----------
        turn_deg : {0, 90, 180, 270}
            The turn.

        Returns
        -------
        list of Place
            At most :data:`PLACES_PER_TURN`, the best-scoring first; each lists its views'
            detections (score at least :data:`MIN_DETECTION_SCORE`) in working pixels, best first.
        """
        if turn_deg not in self._places:
            candidates: list[tuple[FaceDetection, float]] = []
            for stretch, extend in VIEWS:
                scale = stretch_matrix(turn_deg, stretch)
                to_working = self.small_to_working / scale
                small = self.small(turn_deg, stretch)
                for face in detect_faces(
                    small, turn_deg=turn_deg, extend_below=extend, spec=self.spec, model=self.model
                ):
                    if face.score >= MIN_DETECTION_SCORE:
                        candidates.append((scaled_detection(face, to_working), stretch))
            self._places[turn_deg] = [
                [candidates[index] for index in group]
                for group in _clusters(candidates, PLACES_PER_TURN)
            ]
        return self._places[turn_deg]
