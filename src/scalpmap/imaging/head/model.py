"""The head model: what the photo shows of the head and face, as one frozen dataclass.

Coordinates are ``x, y`` in the photo's pixels, origin top-left. Left and right in landmark names
are the *patient's* own (anatomical): in a front view the patient's left eye is on the image's
right.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from scalpmap.errors import ScalpmapError

HeadView = Literal[
    "front",
    "left-three-quarter",
    "right-three-quarter",
    "left-side",
    "right-side",
    "top",
    "back",
    "unknown",
]

HEAD_VIEWS: tuple[HeadView, ...] = (
    "front",
    "left-three-quarter",
    "right-three-quarter",
    "left-side",
    "right-side",
    "top",
    "back",
    "unknown",
)

# The landmark names a found face carries (iris centres only when the iris model ran).
LANDMARK_NAMES: tuple[str, ...] = (
    "left_brow",
    "right_brow",
    "glabella",
    "left_eye_inner_canthus",
    "left_eye_outer_canthus",
    "right_eye_inner_canthus",
    "right_eye_outer_canthus",
    "left_iris_center",
    "right_iris_center",
    "left_eye",
    "right_eye",
    "nose_tip",
    "mouth",
    "face_oval",
    "jaw",
)

HEAD_MODEL_SOURCE = (
    "mediapipe 0.10.21 face detection + face mesh + iris + selfie segmentation (LiteRT)"
)


class HeadModelError(ScalpmapError):
    """A head model file is missing or broken in the install (one line naming what to reinstall)."""


@dataclass(frozen=True)
class HeadModel:
    """What the photo shows of the head: view, pose, face landmarks and the person's mask.

    Attributes
    ----------
    view : HeadView
        ``front``, ``left-three-quarter``, ``right-three-quarter``, ``left-side``, ``right-side``
        (named by the patient's own cheek that faces the camera), ``top``, ``back`` or
        ``unknown``.
    yaw_deg : float or None
        Head turn about the vertical axis: 0 faces the camera; positive when the patient turns
        towards their own left (their right cheek comes into view, the nose points to the image's
        right). None without a face.
    roll_deg : float or None
        In-plane tilt of the eye line in the upright photo, degrees, positive clockwise in the
        image (the patient's left eye lower than their right). None without a face.
    rotation_deg : int
        0, 90, 180 or 270: how far the photo's pixels must be turned clockwise to stand the face
        upright (0 when the face was found upright). Landmarks are in the photo's own pixels.
    face_box : tuple of float or None
        ``x, y, width, height`` of the face in the photo's pixels.
    landmarks : mapping of str to ndarray of float, shape (k, 2)
        Named points (``x, y`` in photo pixels); see :data:`LANDMARK_NAMES`. Empty without a face.
    iris_diameter_px : float or None
        Mean horizontal visible iris diameter over the open eyes, measured on front views only.
    iris_diameters_px : tuple of float
        Each open eye's iris diameter (one or two values; also on turned faces).
    person_mask : ndarray of bool, shape (rows, cols), or None
        True on the person (head and body) at the photo's full resolution.
    faces_found : int
        How many faces the detector found.
    source : str
        The models and runtime that made this.
    notes : tuple of str
        Warnings and reasons in words, e.g. ``"2 faces: used the largest"``.
    """

    view: HeadView
    yaw_deg: float | None
    roll_deg: float | None
    rotation_deg: int
    face_box: tuple[float, float, float, float] | None
    landmarks: Mapping[str, NDArray[np.float64]] = field(default_factory=dict)
    iris_diameter_px: float | None = None
    iris_diameters_px: tuple[float, ...] = ()
    person_mask: NDArray[np.bool_] | None = None
    faces_found: int = 0
    source: str = HEAD_MODEL_SOURCE
    notes: tuple[str, ...] = ()

    @property
    def has_face(self) -> bool:
        """True when face landmarks were found."""
        return bool(self.landmarks)

    def landmark_xy(self, name: str) -> tuple[float, float] | None:
        """Return the first point of a landmark as ``(x, y)``, or None when it is missing.

        Parameters
        ----------
        name : str
            A landmark name from :data:`LANDMARK_NAMES`.

        Returns
        -------
        tuple of float or None
            The point in photo pixels.
        """
        points = self.landmarks.get(name)
        if points is None or len(points) == 0:
            return None
        return float(points[0, 0]), float(points[0, 1])

    def to_json(self) -> dict[str, Any]:
        """Return the model as JSON-ready values (without the person mask: it is an image).

        Returns
        -------
        dict
            ``view``, ``yaw_deg``, ``roll_deg``, ``rotation_deg``, ``face_box``, ``faces_found``,
            ``iris_diameter_px``, ``iris_diameters_px``, ``landmarks`` (name -> list of
            ``[x, y]``), ``source``, ``notes``.
        """

        def rounded(value: float | None) -> float | None:
            return None if value is None else round(float(value), 2)

        return {
            "view": self.view,
            "yaw_deg": rounded(self.yaw_deg),
            "roll_deg": rounded(self.roll_deg),
            "rotation_deg": int(self.rotation_deg),
            "face_box": None
            if self.face_box is None
            else [round(float(v), 1) for v in self.face_box],
            "faces_found": int(self.faces_found),
            "iris_diameter_px": rounded(self.iris_diameter_px),
            "iris_diameters_px": [round(float(d), 2) for d in self.iris_diameters_px],
            "landmarks": {
                name: [[round(float(x), 1), round(float(y), 1)] for x, y in points]
                for name, points in self.landmarks.items()
            },
            "source": self.source,
            "notes": list(self.notes),
        }
