"""Painting new impressions: slightly elliptic ink dots with a blurred edge, multiplied in.

A dot of radius ``r`` has the profile ``0.5 * erfc((d - r) / (sqrt(2) * sigma))`` of a disk
blurred by the camera, at the elliptic distance ``d`` from its centre. Each channel is multiplied
by ``1 - strength * profile``, the way ink absorbs a share of the light the skin reflects, so a
dot painted with a measured impression's per-channel darkening looks like it on any skin.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy.special import erfc

from scalpmap.simulation._patches import non_overlapping_batches, patch_distance, patch_index

BLUR_PX = 0.8
MAX_ASPECT = 1.15
MAX_STRENGTH = 0.95


def paint_dots(
    image: NDArray[np.uint8],
    xy: NDArray[np.float64],
    radius_px: NDArray[np.float64],
    strength_rgb: NDArray[np.float64],
    rng: np.random.Generator,
    *,
    blur_px: float = BLUR_PX,
) -> None:
    """Paint dots in place.

    Parameters
    ----------
    image : ndarray of uint8, shape (rows, cols, 3)
        The picture, modified in place.
    xy : ndarray of float, shape (N, 2)
        Dot centres.
    radius_px : ndarray of float, shape (N,)
        Radii (half the diameter at half the peak darkening).
    strength_rgb : ndarray of float, shape (N, 3)
        Share of the light each channel loses at the dot's centre, 0..1.
    rng : numpy.random.Generator
        Source of the dots' slight irregularity.
    blur_px : float, optional
        Softness of the edge (the camera's blur), Gaussian sigma in pixels.
    """
    if len(xy) == 0:
        return
    rows, cols = image.shape[:2]
    half = math.ceil(float(radius_px.max()) * MAX_ASPECT + 3 * blur_px) + 1
    x0 = max(0, math.floor(float(xy[:, 0].min())) - half)
    y0 = max(0, math.floor(float(xy[:, 1].min())) - half)
    x1 = min(cols, math.ceil(float(xy[:, 0].max())) + half + 1)
    y1 = min(rows, math.ceil(float(xy[:, 1].max())) + half + 1)
    pad = half + 1
    work = np.pad(image[y0:y1, x0:x1], ((pad, pad), (pad, pad), (0, 0)), mode="edge")
    x = xy[:, 0] - x0 + pad
    y = xy[:, 1] - y0 + pad
    aspect = np.sqrt(rng.uniform(1.0, MAX_ASPECT, len(xy))).astype(np.float32)
    angle = rng.uniform(0.0, np.pi, len(xy))
    cos, sin = np.cos(angle).astype(np.float32), np.sin(angle).astype(np.float32)
    strength = np.clip(strength_rgb, 0.0, MAX_STRENGTH).astype(np.float32)
    scale = np.float32(1.0 / (np.sqrt(2.0) * max(blur_px, 0.3)))
    for batch in non_overlapping_batches(np.column_stack([x, y]), half):
        dx, dy, _ = patch_distance(x[batch], y[batch], half)
        c, s, a = (v[batch][:, None, None] for v in (cos, sin, aspect))
        u = (dx * c + dy * s) / a
        v = (dy * c - dx * s) * a
        d = np.sqrt(u * u + v * v)
        r = radius_px[batch].astype(np.float32)[:, None, None]
        profile = 0.5 * erfc((d - r) * scale).astype(np.float32)
        cols_b = np.round(x[batch]).astype(np.intp)
        rows_b = np.round(y[batch]).astype(np.intp)
        rr, cc = patch_index(cols_b, rows_b, half)
        factor = 1.0 - strength[batch][:, None, None, :] * profile[..., None]
        painted = work[rr, cc].astype(np.float32) * factor
        work[rr, cc] = np.clip(painted + 0.5, 0, 255).astype(np.uint8)
    image[y0:y1, x0:x1] = work[pad:-pad, pad:-pad]
