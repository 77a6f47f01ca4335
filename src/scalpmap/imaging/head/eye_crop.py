"""A face crop anchored on the eyes that can stretch the face below them more than above.

Photos of scalps look down on the head. Seen from above, the forehead faces the camera while the
face below the eyes (nose, mouth, chin) is foreshortened, and the face mesh, trained on faces seen
from the front, then finds no face in MediaPipe's square crop. An :class:`EyeCrop` places the eyes
where the mesh expects them and samples the image with one vertical scale above the eye line and
another below it: a face seen from above is shown to the mesh as if seen more from the front.
Landmarks come back to the photo through the same two scales (:meth:`EyeCrop.to_image`).

The crop's unit square has ``u`` along the eye line (0 on the patient's right, the image's left
in an upright face) and ``v`` across it (0 at the top); the eyes' midpoint sits at
``u = 0.5, v = EYES_V``. A point at ``(u, v)`` lies in the photo at
``eyes + (u - 0.5) * width * along + (v - EYES_V) * scale * across``, where ``scale`` is
:attr:`EyeCrop.above_px` above the eye line and :attr:`EyeCrop.below_px` below it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head.crop import ImagePyramid, cos_sin

# Where the mesh expects the eyes' midpoint across its crop: the faces of the real photos that the
# mesh found in MediaPipe's own crop had it at 0.36-0.50 of the crop's height (0.45 for the faces
# seen from above).
EYES_V = 0.45
# Sample from a pyramid level where the crop shrinks the image by at most this much.
_MAX_BILINEAR_SHRINK = 2.0


@dataclass(frozen=True)
class EyeCrop:
    """A crop around the eyes, with its own vertical scale above and below the eye line.

    Attributes
    ----------
    eyes_xy : ndarray of float, shape (2,)
        The eyes' midpoint in photo pixels.
    rotation : float
        The eye line's direction (from the patient's right eye to their left), radians,
        clockwise in the image.
    width_px : float
        The crop's width along the eye line, in photo pixels.
    above_px, below_px : float
        Photo pixels across the eye line per unit of ``v``, above and below the eye line.
    """

    eyes_xy: NDArray[np.float64]
    rotation: float
    width_px: float
    above_px: float
    below_px: float

    @property
    def axes(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Return the unit vectors along the eye line and across it (towards the chin)."""
        cos_r, sin_r = cos_sin(self.rotation)
        return np.array([cos_r, sin_r]), np.array([-sin_r, cos_r])

    @property
    def width(self) -> float:
        """Return the crop's width in photo pixels (the depth unit of the mesh run on it)."""
        return self.width_px

    def to_image(self, uv: NDArray[np.float64]) -> NDArray[np.float64]:
        """Map points from the crop's unit square to photo pixels.

        Parameters
        ----------
        uv : ndarray of float, shape (k, 2)
            ``u, v`` in 0..1 (points outside the square map on the same way).

        Returns
        -------
        ndarray of float, shape (k, 2)
            ``x, y`` in photo pixels.
        """
        along, across = self.axes
        v = uv[:, 1] - EYES_V
        offset = np.where(v < 0.0, v * self.above_px, v * self.below_px)
        return (
            self.eyes_xy[None, :]
            + ((uv[:, 0] - 0.5) * self.width_px)[:, None] * along[None, :]
            + offset[:, None] * across[None, :]
        )

    def unfolded(self, uv: NDArray[np.float64]) -> NDArray[np.float64]:
        """Return the crop's points in pixels as the mesh saw them: one scale, the crop's width.

        This is the face as the model saw it (its foreshortening undone), for the head's pose.

        Parameters
        ----------
        uv : ndarray of float, shape (k, 2)
            ``u, v`` in the crop's unit square.

        Returns
        -------
        ndarray of float, shape (k, 2)
            ``u * width_px, v * width_px``.
        """
        return np.asarray(uv * self.width_px, dtype=np.float64)

    def sample(self, image: ImagePyramid, size: int) -> NDArray[np.uint8]:
        """Cut the crop out of the image into a ``size x size`` picture.

        Outside the photo, pixels repeat the nearest edge (as MediaPipe's face mesh crop does).

        Parameters
        ----------
        image : ImagePyramid
            The photo; a large crop is sampled from a reduced level so that it does not alias.
        size : int
            The output's side in pixels.

        Returns
        -------
        ndarray of uint8, shape (size, size, channels)
            The crop; rows above :data:`EYES_V` use :attr:`above_px`, the rest :attr:`below_px`.
        """
        along, across = self.axes
        shrink = min(self.width_px, self.above_px, self.below_px) / size
        level = int(math.floor(math.log2(shrink))) if shrink > _MAX_BILINEAR_SHRINK else 0
        source = image.level(level)
        base = image.base
        level_scale = np.array(
            [source.shape[1] / base.shape[1], source.shape[0] / base.shape[0]], dtype=np.float64
        )
        split = int(math.ceil(EYES_V * size - 0.5))  # rows whose centre lies above EYES_V
        blocks = []
        halves = ((0, split, self.above_px), (split, size - split, self.below_px))
        for first_row, rows, scale in halves:
            if rows <= 0:
                continue
            # Output pixel (j, i) of this block -> photo point (pixel edges at integers).
            step_u = along * self.width_px / size
            step_v = across * scale / size
            origin = (
                self.eyes_xy
                + (0.5 / size - 0.5) * self.width_px * along
                + ((first_row + 0.5) / size - EYES_V) * scale * across
            )
            linear = np.column_stack([step_u, step_v]) * level_scale[:, None]
            matrix = np.hstack([linear, (origin * level_scale - 0.5)[:, None]])
            block = cv2.warpAffine(
                source,
                matrix,
                (size, rows),
                flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                borderMode=cv2.BORDER_REPLICATE,
            )
            blocks.append(np.asarray(block, dtype=np.uint8).reshape(rows, size, -1))
        return np.ascontiguousarray(np.concatenate(blocks, axis=0))


def eye_crop_from_eyes(
    right_eye_xy: NDArray[np.float64],
    left_eye_xy: NDArray[np.float64],
    *,
    width_eyes: float,
    above: float,
    below: float,
) -> EyeCrop:
    """Return the crop for two eye centres, with its size in eye distances.

    Parameters
    ----------
    right_eye_xy, left_eye_xy : ndarray of float, shape (2,)
        The centres of the patient's right and left eyes in photo pixels.
    width_eyes : float
        The crop's width in eye distances (centre to centre).
    above, below : float
        The vertical scale above and below the eye line, as a share of the crop's width
        (1 keeps the face's proportions; less than 1 stretches that part of the face).

    Returns
    -------
    EyeCrop
        The crop.
    """
    span = left_eye_xy - right_eye_xy
    distance = float(np.linalg.norm(span))
    width_px = width_eyes * distance
    return EyeCrop(
        eyes_xy=np.asarray((right_eye_xy + left_eye_xy) / 2.0, dtype=np.float64),
        rotation=math.atan2(float(span[1]), float(span[0])),
        width_px=width_px,
        above_px=above * width_px,
        below_px=below * width_px,
    )
