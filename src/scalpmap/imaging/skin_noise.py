"""The local noise of a contrast map: the skin's texture and the camera's noise, without the dots.

Dark marks only push the contrast (:func:`scalpmap.imaging.skin.relative_contrast`) up, so the
spread of its values below zero is the noise alone, however many dots there are.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray


def local_noise_grid(
    contrast: NDArray[np.float32],
    *,
    cell_px: int,
    mask: NDArray[np.bool_] | None = None,
    stride: int = 2,
) -> NDArray[np.float32]:
    """Local noise of a contrast map on a grid of ``cell_px`` cells, from its bright side only.

    Dark marks only push contrast up, so the spread of the values below zero is the noise and skin
    texture alone, undisturbed by how many dots there are.

    Parameters
    ----------
    contrast : ndarray of float32, shape (rows, cols)
        Relative contrast map.
    cell_px : int
        Size of the cells over which the noise is pooled.
    mask : ndarray of bool, shape (rows, cols), optional
        Pool only these pixels (the skin), so that a wall behind the head adds no noise.
    stride : int, optional
        Pool every ``stride``-th pixel in each direction (faster, same statistics).

    Returns
    -------
    ndarray of float32, shape (rows // cell_px, cols // cell_px)
        Standard deviation of the noise in each cell (at least 0.001).
    """
    rows, cols = contrast.shape
    sample = contrast[::stride, ::stride]
    negative = np.minimum(sample[::2, ::2], 0.0)
    below = negative[negative < 0]
    global_sigma = 1.4826 * float(np.median(np.abs(below))) if below.size else 1e-3
    # Bright halos beside moles and JPEG ringing beside hairs are not noise: clip them.
    clipped = np.maximum(np.minimum(sample, 0.0), np.float32(-4.0 * global_sigma))
    with np.errstate(under="ignore"):  # squares of near-zero contrast may underflow: harmless
        squared = np.square(clipped)
    small_size = (max(1, cols // cell_px), max(1, rows // cell_px))
    if mask is not None:
        inside = mask[::stride, ::stride]
        weight = cv2.resize(inside.astype(np.float32), small_size, interpolation=cv2.INTER_AREA)
        pooled = cv2.resize(squared * inside, small_size, interpolation=cv2.INTER_AREA)
        known = weight > 0.05
        pooled = np.where(known, pooled / np.maximum(weight, 1e-6), 0.0).astype(np.float32)
        if known.any() and not known.all():
            pooled[~known] = float(np.median(pooled[known]))
        variance = pooled * 2.0
    else:
        variance = cv2.resize(squared, small_size, interpolation=cv2.INTER_AREA) * 2.0
    variance = np.asarray(cv2.GaussianBlur(variance, (0, 0), 1.0), dtype=variance.dtype)
    return np.asarray(np.maximum(np.sqrt(variance), 1e-3), dtype=np.float32)


def local_noise(
    contrast: NDArray[np.float32], *, cell_px: int, mask: NDArray[np.bool_] | None = None
) -> NDArray[np.float32]:
    """Local noise of a contrast map around each pixel (see :func:`local_noise_grid`).

    Parameters
    ----------
    contrast : ndarray of float32, shape (rows, cols)
        Relative contrast map.
    cell_px : int
        Size of the cells over which the noise is pooled.
    mask : ndarray of bool, shape (rows, cols), optional
        Pool only these pixels.

    Returns
    -------
    ndarray of float32, shape (rows, cols)
        Standard deviation of the noise around each pixel.
    """
    rows, cols = contrast.shape
    grid = local_noise_grid(contrast, cell_px=cell_px, mask=mask)
    return cv2.resize(grid, (cols, rows), interpolation=cv2.INTER_LINEAR).astype(np.float32)
