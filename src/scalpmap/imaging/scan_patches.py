"""Stacks of patches sampled along candidates: sampling, blurring, medians and blob shape.

A scan along a hair candidate samples the contrast on a grid aligned with the hair (``along``
its direction, ``across`` it), one patch per candidate; these helpers work on the whole stack at
once (:mod:`scalpmap.imaging.hair_side`).
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.hair_crossing import bilinear


def blob_elongation(
    filtered: NDArray[np.float64],
    at_s: NDArray[np.intp],
    at_t: NDArray[np.intp],
    top: NDArray[np.float64],
    reach: int,
) -> NDArray[np.float64]:
    """Ratio of the axes of each blob: the map above half of ``top`` within ``reach`` of it.

    The moments are weighted by the map, as a footprint's are
    (:func:`scalpmap.imaging.dot_peaks.footprints`).

    Parameters
    ----------
    filtered : ndarray of float, shape (n, rows, cols)
        The patches.
    at_s, at_t : ndarray of int, shape (n,)
        Each blob's peak: its row and column in its patch.
    top : ndarray of float, shape (n,)
        Each blob's peak value.
    reach : int
        Radius, in samples, of the disc the blob is measured in.

    Returns
    -------
    ndarray of float, shape (n,)
        Major over minor axis (1 for a round blob).
    """
    n, rows, cols = filtered.shape
    offsets = np.arange(-reach, reach + 1)
    d_s, d_t = np.meshgrid(offsets, offsets, indexing="ij")
    disc = (d_s**2 + d_t**2 <= reach**2).ravel()
    d_s, d_t = d_s.ravel()[disc], d_t.ravel()[disc]
    ss, tt = at_s[:, None] + d_s[None, :], at_t[:, None] + d_t[None, :]
    inside = (ss >= 0) & (ss < rows) & (tt >= 0) & (tt < cols)
    values = filtered[np.arange(n)[:, None], np.clip(ss, 0, rows - 1), np.clip(tt, 0, cols - 1)]
    weight = np.where(inside & (values >= 0.5 * top[:, None]) & (values > 0), values, 0.0)
    total = np.maximum(weight.sum(axis=1), 1e-12)
    mean_s = (weight * d_s).sum(axis=1) / total
    mean_t = (weight * d_t).sum(axis=1) / total
    es, et = d_s[None, :] - mean_s[:, None], d_t[None, :] - mean_t[:, None]
    css = (weight * es * es).sum(axis=1) / total
    ctt = (weight * et * et).sum(axis=1) / total
    cst = (weight * es * et).sum(axis=1) / total
    spread = np.sqrt((css - ctt) ** 2 / 4 + cst**2)
    major = (css + ctt) / 2 + spread
    minor = np.maximum((css + ctt) / 2 - spread, 1.0 / 12.0)
    return np.asarray(np.sqrt(major / minor), dtype=np.float64)


def median_where(values: NDArray[np.float64], where: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Median over axis 1 of ``values`` where ``where`` holds; 0 where it holds nowhere.

    Parameters
    ----------
    values : ndarray of float, shape (n, m, k)
        The samples.
    where : ndarray of bool, shape (n, m)
        Which rows of each patch count.

    Returns
    -------
    ndarray of float, shape (n, k)
        The medians.
    """
    ordered = np.sort(np.where(where[:, :, None], values, np.inf), axis=1)
    count = where.sum(axis=1)
    rows = np.arange(len(values))
    low = ordered[rows, np.maximum((count - 1) // 2, 0)]
    high = ordered[rows, np.maximum(count // 2, 0)]
    return np.asarray(np.where(count[:, None] > 0, (low + high) / 2, 0.0), dtype=np.float64)


def blur_patches(patches: NDArray[np.float64], sigma: float) -> NDArray[np.float64]:
    """Blur each patch of a stack with a Gaussian of ``sigma`` samples, the edges repeated.

    Parameters
    ----------
    patches : ndarray of float, shape (n, rows, cols)
        The stack.
    sigma : float
        The Gaussian's sigma, in samples.

    Returns
    -------
    ndarray of float, shape (n, rows, cols)
        The blurred stack.
    """
    n, rows, cols = patches.shape
    kernel = cv2.getGaussianKernel(2 * int(np.ceil(4 * sigma)) + 1, sigma, cv2.CV_64F).ravel()
    # Along the columns, every row of every patch at once; then along the rows, transposed.
    across = cv2.sepFilter2D(
        np.ascontiguousarray(patches.reshape(n * rows, cols)), cv2.CV_64F, kernel,
        np.ones(1), borderType=cv2.BORDER_REPLICATE,
    )  # fmt: skip
    turned = np.ascontiguousarray(across.reshape(n, rows, cols).transpose(0, 2, 1))
    along = cv2.sepFilter2D(
        turned.reshape(n * cols, rows), cv2.CV_64F, kernel, np.ones(1),
        borderType=cv2.BORDER_REPLICATE,
    )  # fmt: skip
    return np.asarray(along.reshape(n, cols, rows).transpose(0, 2, 1), dtype=np.float64)


def sample_along(
    contrast: NDArray[np.float32],
    xy: NDArray[np.float64],
    angle: NDArray[np.float64],
    shift: NDArray[np.float64],
    along: NDArray[np.float64],
    across: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Sample the contrast on a grid along ``angle`` through each point moved ``shift`` across.

    Parameters
    ----------
    contrast : ndarray of float32, shape (rows, cols)
        The image sampled (bilinear).
    xy : ndarray of float, shape (n, 2)
        The points.
    angle : ndarray of float, shape (n,)
        Each grid's direction, radians from the x axis.
    shift : ndarray of float, shape (n,)
        How far each grid's centre is moved across that direction, in pixels.
    along, across : ndarray of float
        The grid's offsets along and across, in pixels.

    Returns
    -------
    ndarray of float, shape (n, len(along), len(across))
        The patches.
    """
    ux, uy = np.cos(angle), np.sin(angle)
    ox, oy = xy[:, 0] - shift * uy, xy[:, 1] + shift * ux
    sx = ox[:, None, None] + along[None, :, None] * ux[:, None, None]
    sy = oy[:, None, None] + along[None, :, None] * uy[:, None, None]
    px = sx - across[None, None, :] * uy[:, None, None]
    py = sy + across[None, None, :] * ux[:, None, None]
    values = bilinear(contrast, px.reshape(-1, len(across)), py.reshape(-1, len(across)))
    return values.reshape(len(xy), len(along), len(across)).astype(np.float64)
