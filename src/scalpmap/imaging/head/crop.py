"""Rotated rectangles in a photo and the model inputs cropped from them (MediaPipe's ROI maths).

A :class:`RotatedRect` is MediaPipe's ``NormalizedRect`` in pixels: a centre, a width and a height
along its own axes, and a rotation in radians, clockwise in the image (y points down). The rect's
``u`` axis (0 at its left edge, 1 at its right) points along ``(cos r, sin r)`` in the image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

# A crop shrinks more than this much at once from an area-averaged copy, not by bilinear sampling
# alone, so that fine texture does not alias.
_MAX_BILINEAR_SHRINK = 2.0
# Sines and cosines smaller than this are taken as zero (a subnormal one underflows in products).
_TINY = 1e-12


def cos_sin(angle: float) -> tuple[float, float]:
    """Return the cosine and sine of an angle, with values below 1e-12 in size set to zero.

    Parameters
    ----------
    angle : float
        Radians.

    Returns
    -------
    tuple of float
        ``cos(angle), sin(angle)``.
    """
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    return (0.0 if abs(cos_a) < _TINY else cos_a), (0.0 if abs(sin_a) < _TINY else sin_a)


@dataclass(frozen=True)
class RotatedRect:
    """A rectangle in photo pixels, rotated about its centre.

    Attributes
    ----------
    x_center, y_center : float
        Its centre, ``x, y`` in pixels.
    width, height : float
        Its sides along its own axes, in pixels.
    rotation : float
        Radians, clockwise in the image.
    """

    x_center: float
    y_center: float
    width: float
    height: float
    rotation: float = 0.0

    def to_image(self, uv: NDArray[np.float64]) -> NDArray[np.float64]:
        """Map points from the rect's unit square to photo pixels.

        Parameters
        ----------
        uv : ndarray of float, shape (k, 2)
            ``u, v`` in 0..1 across the rect's width and height.

        Returns
        -------
        ndarray of float, shape (k, 2)
            ``x, y`` in photo pixels.
        """
        cos_r, sin_r = cos_sin(self.rotation)
        along = (uv[:, 0] - 0.5) * self.width
        across = (uv[:, 1] - 0.5) * self.height
        x = self.x_center + cos_r * along - sin_r * across
        y = self.y_center + sin_r * along + cos_r * across
        return np.stack([x, y], axis=1)

    def scaled(self, factor: float, *, square_long: bool = True) -> RotatedRect:
        """Return the rect grown about its centre (MediaPipe's ``RectTransformationCalculator``).

        Parameters
        ----------
        factor : float
            Scale of both sides.
        square_long : bool
            Make it square on its longer side first (after scaling), as MediaPipe does.

        Returns
        -------
        RotatedRect
            The new rect.
        """
        width, height = self.width * factor, self.height * factor
        if square_long:
            width = height = max(width, height)
        return RotatedRect(self.x_center, self.y_center, width, height, self.rotation)


def rotation_from(start_xy: NDArray[np.float64], end_xy: NDArray[np.float64]) -> float:
    """Return the rotation that makes the vector ``start -> end`` point along the rect's ``u`` axis.

    Parameters
    ----------
    start_xy, end_xy : ndarray of float, shape (2,)
        Two points in pixels (MediaPipe uses the two eyes).

    Returns
    -------
    float
        Radians in (-pi, pi], clockwise in the image.
    """
    return math.atan2(float(end_xy[1] - start_xy[1]), float(end_xy[0] - start_xy[0]))


def rect_around(points_xy: NDArray[np.float64], rotation: float) -> RotatedRect:
    """Return the axis-aligned box of ``points_xy`` as a rect with a given rotation.

    This is MediaPipe's ``DetectionsToRectsCalculator`` on a detection made from landmarks:
    the box is axis-aligned in the image, and the rotation is only attached to it.

    Parameters
    ----------
    points_xy : ndarray of float, shape (k, 2)
        The points.
    rotation : float
        Radians, clockwise.

    Returns
    -------
    RotatedRect
        Centre of the box, its width and height, and the rotation.
    """
    low = points_xy.min(axis=0)
    high = points_xy.max(axis=0)
    centre = (low + high) / 2.0
    size = high - low
    return RotatedRect(float(centre[0]), float(centre[1]), float(size[0]), float(size[1]), rotation)


class ImagePyramid:
    """An image and its halvings (each a 2 x 2 average), made on first use.

    Crops of large rects are then sampled from the level where the rect is 1-2 times the output's
    size, which is fast and does not alias.

    Parameters
    ----------
    image : ndarray of uint8, shape (rows, cols, channels)
        Level 0.
    """

    def __init__(self, image: NDArray[np.uint8]) -> None:
        self.levels: list[NDArray[np.uint8]] = [image]

    @property
    def base(self) -> NDArray[np.uint8]:
        """Return level 0, the full image."""
        return self.levels[0]

    def level(self, index: int) -> NDArray[np.uint8]:
        """Return level ``index`` (0 is the image; each next one half as large).

        Parameters
        ----------
        index : int
            The level; stops halving at 8 pixels.

        Returns
        -------
        ndarray of uint8
            The level's image.
        """
        while len(self.levels) <= index and min(self.levels[-1].shape[:2]) >= 16:
            last = self.levels[-1]
            size = (last.shape[1] // 2, last.shape[0] // 2)
            half = cv2.resize(last, size, interpolation=cv2.INTER_LINEAR)
            self.levels.append(np.asarray(half, dtype=np.uint8).reshape(size[1], size[0], -1))
        return self.levels[min(index, len(self.levels) - 1)]


def crop(
    image: NDArray[np.uint8] | ImagePyramid,
    rect: RotatedRect,
    out_width: int,
    out_height: int,
    *,
    replicate_border: bool,
    stretch: NDArray[np.float64] | None = None,
) -> NDArray[np.uint8]:
    """Sample the rect from the image into an ``out_height x out_width`` picture.

    The rect's corners land on the output's corners (MediaPipe's ``ImageToTensorCalculator``).
    Outside the photo, pixels repeat the nearest edge (``replicate_border``) or are black.

    Parameters
    ----------
    image : ndarray of uint8, shape (rows, cols, channels), or ImagePyramid
        The photo. From a pyramid, a large rect is sampled from a reduced level; from a plain
        array, the rect's box is area-averaged first.
    rect : RotatedRect
        What to cut out.
    out_width, out_height : int
        The output size in pixels.
    replicate_border : bool
        Edge pixels repeat outside the photo (True) or are zero (False).
    stretch : ndarray of float, shape (2,), optional
        The rect lives in the image stretched by these factors along ``x`` and ``y``: the crop
        is the same as from a stretched copy, without making one.

    Returns
    -------
    ndarray of uint8, shape (out_height, out_width, channels)
        The crop.
    """
    # Output pixel centre (j + 0.5, i + 0.5) -> continuous photo point (pixel edges at integers).
    cos_r, sin_r = cos_sin(rect.rotation)
    step_u = rect.width / out_width
    step_v = rect.height / out_height
    linear = np.array([[cos_r * step_u, -sin_r * step_v], [sin_r * step_u, cos_r * step_v]])
    origin = rect.to_image(np.array([[0.0, 0.0]]))[0] + linear @ np.array([0.5, 0.5])
    if stretch is not None:
        linear = linear / stretch[:, None]
        origin = origin / stretch
    # The shortest step, in image pixels, between neighbouring output pixels.
    shrink = float(min(np.linalg.norm(linear[:, 0]), np.linalg.norm(linear[:, 1])))
    if isinstance(image, ImagePyramid):
        index = int(math.floor(math.log2(shrink))) if shrink > _MAX_BILINEAR_SHRINK else 0
        source = image.level(index)
        base = image.base
        level_scale = np.array(
            [source.shape[1] / base.shape[1], source.shape[0] / base.shape[0]], dtype=np.float64
        )
        linear = linear * level_scale[:, None]
        origin = origin * level_scale
    elif shrink > _MAX_BILINEAR_SHRINK:
        source = image
        # Area-average the rect's bounding box first, to about 1.5 output pixels per rect pixel.
        corners = rect.to_image(np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]))
        if stretch is not None:
            corners = corners / stretch
        rows, cols = image.shape[:2]
        x0 = int(max(0, math.floor(corners[:, 0].min())))
        y0 = int(max(0, math.floor(corners[:, 1].min())))
        x1 = int(min(cols, math.ceil(corners[:, 0].max())))
        y1 = int(min(rows, math.ceil(corners[:, 1].max())))
        if x1 - x0 >= 2 and y1 - y0 >= 2:
            factor = shrink / 1.5
            size = (max(1, round((x1 - x0) / factor)), max(1, round((y1 - y0) / factor)))
            source = np.asarray(
                cv2.resize(image[y0:y1, x0:x1], size, interpolation=cv2.INTER_AREA), np.uint8
            )
            scale = np.array([size[0] / (x1 - x0), size[1] / (y1 - y0)])
            linear = linear * scale[:, None]
            origin = (origin - np.array([x0, y0])) * scale
    else:
        source = image
    matrix = np.hstack([linear, (origin - 0.5)[:, None]])
    border = cv2.BORDER_REPLICATE if replicate_border else cv2.BORDER_CONSTANT
    out = cv2.warpAffine(
        source,
        matrix,
        (out_width, out_height),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=border,
        borderValue=0,
    )
    return np.asarray(out, dtype=np.uint8).reshape(out_height, out_width, -1)
