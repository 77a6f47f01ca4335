"""The whole-head analysis's working copy: the head's box of the photo, downscaled.

A 12 MP frame holds far more pixels than the pigment's texture needs: the whole-head analysis
(:mod:`scalpmap.imaging.whole_head`) runs on a copy of at most ``WORK_MAX_PIXELS`` pixels and no
finer than ``WORK_MM_PER_PX``, cropped to the head (skin colour on the person).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head import HeadModel
from scalpmap.imaging.person_frame import PERSON_MARGIN_MM, person_mask_at
from scalpmap.imaging.scalp import find_scalp

WORK_MM_PER_PX = 0.25
WORK_MAX_PIXELS = 2_000_000
CROP_MARGIN_MM = 10.0
RIM_MM = 1.5
MIN_PERSON_SHARE = 0.08


def working_factor(shape: tuple[int, int], mm_per_px: float) -> float:
    """How many photo pixels one working pixel spans (at least 1).

    Parameters
    ----------
    shape : tuple of int
        The ``(rows, cols)`` to analyse (the head's box).
    mm_per_px : float
        The photo's scale.

    Returns
    -------
    float
        The factor.

    Examples
    --------
    >>> working_factor((3000, 4000), 0.11) > 2.0
    True
    >>> working_factor((600, 800), 0.3)
    1.0
    """
    rows, cols = shape
    by_scale = WORK_MM_PER_PX / mm_per_px
    by_pixels = math.sqrt(rows * cols / WORK_MAX_PIXELS)
    return max(1.0, by_scale, by_pixels)


@dataclass(frozen=True)
class WorkingCrop:
    """The working copy: the head's box of the photo, downscaled.

    Attributes
    ----------
    rgb : ndarray of uint8
        The downscaled box.
    factor : float
        Photo pixels per working pixel.
    origin : tuple of int
        The box's top-left corner ``(x, y)`` in the photo.
    scalp : ndarray of bool
        The skin of the head, in working pixels.
    person : ndarray of bool or None
        The person's mask (widened by ``PERSON_MARGIN_MM``), when the head model gave one.
    silhouette : ndarray of bool
        The head's outline, a rim wider than the skin.
    """

    rgb: NDArray[np.uint8]
    factor: float
    origin: tuple[int, int]
    scalp: NDArray[np.bool_]
    person: NDArray[np.bool_] | None
    silhouette: NDArray[np.bool_]


def working_crop(rgb: NDArray[np.uint8], mm_per_px: float, head: HeadModel | None) -> WorkingCrop:
    """Crop the photo to the head (skin colour on the person) and downscale it.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    mm_per_px : float
        Its scale.
    head : HeadModel or None
        The head model; its person mask bounds the head when it covers enough of the photo.

    Returns
    -------
    WorkingCrop
        The working copy and its masks.
    """
    rows, cols = rgb.shape[:2]
    scalp = find_scalp(rgb)
    small = scalp.small
    person = person_mask_at(head, small.shape, mm_per_px * scalp.scale)
    notes_person = person
    if person is not None:
        # A person mask that covers a sliver of the photo failed (a drawing, a poor light): the
        # skin alone then bounds the head.
        if person.mean() >= MIN_PERSON_SHARE:
            small = small & person
        else:
            notes_person = None
    found_rows, found_cols = np.nonzero(small)
    if found_rows.size == 0 or small.all():
        x0, y0, x1, y1 = 0, 0, cols, rows
    else:
        margin = CROP_MARGIN_MM / mm_per_px
        x0 = max(0, int((found_cols.min()) * scalp.scale - margin))
        y0 = max(0, int((found_rows.min()) * scalp.scale - margin))
        x1 = min(cols, int(math.ceil((found_cols.max() + 1) * scalp.scale + margin)))
        y1 = min(rows, int(math.ceil((found_rows.max() + 1) * scalp.scale + margin)))
    crop = rgb[y0:y1, x0:x1]
    factor = working_factor(crop.shape[:2], mm_per_px)
    size = (max(1, round(crop.shape[1] / factor)), max(1, round(crop.shape[0] / factor)))
    work = reduce_area(crop, size)
    factor = crop.shape[1] / work.shape[1]
    mm_w = mm_per_px * factor
    # The skin mask of the whole photo (the head chosen there), cut to the box and resized.
    scale_y, scale_x = small.shape[0] / rows, small.shape[1] / cols
    r0, r1 = int(y0 * scale_y), max(int(math.ceil(y1 * scale_y)), int(y0 * scale_y) + 1)
    c0, c1 = int(x0 * scale_x), max(int(math.ceil(x1 * scale_x)), int(x0 * scale_x) + 1)
    skin = scalp.small[r0:r1, c0:c1].astype(np.uint8)
    # Cells of the coarse mask that straddle the box's edge are stretched by at most a cell.
    work_mask = cv2.resize(skin, size, interpolation=cv2.INTER_NEAREST).astype(bool)
    person_w = None
    rim = max(1, int(round(RIM_MM / mm_w)))
    silhouette = dilate(work_mask, rim)
    if notes_person is not None and head is not None and head.person_mask is not None:
        part = np.ascontiguousarray(head.person_mask[y0:y1, x0:x1]).astype(np.uint8)
        resized = cv2.resize(part, size, interpolation=cv2.INTER_AREA) > 0
        person_w = dilate(resized, max(1, int(round(PERSON_MARGIN_MM / mm_w))))
        silhouette &= resized
    return WorkingCrop(
        np.ascontiguousarray(work), factor, (x0, y0), work_mask, person_w, silhouette
    )


def dilate(mask: NDArray[np.bool_], radius: int) -> NDArray[np.bool_]:
    """Grow ``mask`` by a disc of ``radius`` pixels.

    Parameters
    ----------
    mask : ndarray of bool
        The mask.
    radius : int
        Radius in pixels.

    Returns
    -------
    ndarray of bool
        The grown mask.
    """
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return np.asarray(cv2.dilate(mask.astype(np.uint8), kernel) > 0, dtype=bool)


def reduce_area(image: NDArray[np.uint8], size: tuple[int, int]) -> NDArray[np.uint8]:
    """Area-average ``image`` down to ``size`` (width, height), the whole factor first (fast).

    Parameters
    ----------
    image : ndarray of uint8
        The image.
    size : tuple of int
        ``(width, height)`` wanted.

    Returns
    -------
    ndarray of uint8
        The reduced image.
    """
    width, height = size
    if (width, height) == (image.shape[1], image.shape[0]):
        return np.ascontiguousarray(image)
    whole = max(1, int(min(image.shape[1] / width, image.shape[0] / height)))
    if whole >= 2:
        rows, cols = image.shape[0] // whole * whole, image.shape[1] // whole * whole
        image = np.asarray(
            cv2.resize(
                image[:rows, :cols], (cols // whole, rows // whole), interpolation=cv2.INTER_AREA
            )
        )
    return np.asarray(cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA))
