"""Painting new impressions: slightly elliptic ink dots with a blurred edge, multiplied in.

A dot of radius ``r`` has the profile ``0.5 * erfc((d - r) / (sqrt(2) * sigma))`` of a disk
blurred by the camera, at the elliptic distance ``d`` from its centre. Each channel is multiplied
by ``1 - strength * profile``, the way ink absorbs a share of the light the skin reflects, so a
dot painted with a measured impression's per-channel darkening looks like it on any skin.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray
from scipy.special import erfc

from scalpmap.imaging.skin import luminance
from scalpmap.simulation._patches import (
    disk_patches,
    non_overlapping_batches,
    patch_distance,
    patch_index,
)

BLUR_PX = 0.8
MAX_ASPECT = 1.15
MAX_STRENGTH = 0.95
BLUR_RANGE_PX = (0.3, 2.5)
MIN_EDGE_RADIUS_PX = 2.5  # dots this large show the blur of their edge
MAX_BLUR_SAMPLES = 400


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
    work = np.asarray(
        cv2.copyMakeBorder(image[y0:y1, x0:x1], pad, pad, pad, pad, cv2.BORDER_REPLICATE),
        dtype=np.uint8,
    )
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
        with np.errstate(under="ignore"):  # far from the dot the profile is 0, as it should be
            profile = 0.5 * erfc((d - r) * scale).astype(np.float32)
        profile[profile < 1e-6] = 0.0  # no subnormal tails to underflow in the products below
        cols_b = np.round(x[batch]).astype(np.intp)
        rows_b = np.round(y[batch]).astype(np.intp)
        rr, cc = patch_index(cols_b, rows_b, half)
        factor = 1.0 - strength[batch][:, None, None, :] * profile[..., None]
        painted = work[rr, cc].astype(np.float32) * factor
        work[rr, cc] = np.clip(painted + 0.5, 0, 255).astype(np.uint8)
    image[y0:y1, x0:x1] = work[pad:-pad, pad:-pad]


def _edge_ratio(sigma: NDArray[np.float64]) -> NDArray[np.float64]:
    """Mean darkening 0.5..1.5 px outside a blurred disk's edge, over that at its centre."""
    offsets = np.linspace(0.5, 1.5, 11)
    return np.asarray(
        (0.5 * erfc(offsets[None, :] / (np.sqrt(2.0) * sigma[:, None]))).mean(axis=1), np.float64
    )


def estimate_blur_px(
    rgb: NDArray[np.uint8], xy: NDArray[np.float64], radius_px: NDArray[np.float64]
) -> float:
    """Estimate the camera's blur from how soft the edges of the larger impressions are.

    The darkening just outside a dot's edge (0.5 to 1.5 px beyond its radius), over the
    darkening at its centre, grows with the blur; it is inverted for a Gaussian blurred disk.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The picture.
    xy : ndarray of float, shape (N, 2)
        Impression centres.
    radius_px : ndarray of float, shape (N,)
        Their radii (half the diameter at half the peak).

    Returns
    -------
    float
        Gaussian sigma in pixels, within ``BLUR_RANGE_PX``; ``BLUR_PX`` without large dots.
    """
    rows, cols = rgb.shape[:2]
    margin = float(radius_px.max(initial=0.0)) + 8
    usable = (radius_px >= MIN_EDGE_RADIUS_PX) & (radius_px <= 4 * MIN_EDGE_RADIUS_PX)
    usable &= (xy[:, 0] > margin) & (xy[:, 0] < cols - 1 - margin)
    usable &= (xy[:, 1] > margin) & (xy[:, 1] < rows - 1 - margin)
    chosen = np.flatnonzero(usable)[:MAX_BLUR_SAMPLES]
    if len(chosen) == 0:
        return BLUR_PX
    x, y, r = xy[chosen, 0], xy[chosen, 1], radius_px[chosen, None].astype(np.float32)
    flat, dist, _ = disk_patches(x, y, int(np.ceil(margin)), cols)
    luma = np.take(luminance(rgb), flat)
    skin_ring = (dist >= r + 3) & (dist <= r + 5)
    skin = np.nanmedian(np.where(skin_ring, luma, np.nan), axis=1)[:, None]
    contrast = 1.0 - luma / np.maximum(skin, 1.0)
    centre = dist <= np.maximum(r - 1.5, 1.0)
    edge = (dist >= r + 0.5) & (dist < r + 1.5)
    inner = (contrast * centre).sum(axis=1) / np.maximum(centre.sum(axis=1), 1)
    outer = (contrast * edge).sum(axis=1) / np.maximum(edge.sum(axis=1), 1)
    ratio = float(np.median(outer / np.maximum(inner, 1e-3)))
    sigmas = np.linspace(*BLUR_RANGE_PX, 45)
    return float(np.interp(ratio, _edge_ratio(sigmas), sigmas))
