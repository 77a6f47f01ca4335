"""Healing single impressions away: copy a patch of nearby clean skin over each, colour-matched.

Like a retoucher's healing brush. For every impression to erase, the nearest square of skin
without any mark (found on an integral image of the dirty pixels) is copied over a disk around
the impression and blended in over a soft rim. The copy is scaled per channel by the ratio of two
planes fitted to the ring of skin around the impression and around the copied square, so that it
follows shading and freckle edges. The copy carries the skin's own texture and noise, so nothing
is smeared. Where no clean skin is near (dense work), a later pass copies from the impressions
healed by the first; the few left after that are filled with the local skin colour and noise.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.simulation._canvas import RIM_PX, RING_PX, Canvas, grow_to_marks
from scalpmap.simulation._hair import capture, crossed_by_marks, redraw_hairs
from scalpmap.simulation._patches import (
    IntArray,
    disk_offsets,
    disk_patches,
    non_overlapping_batches,
)

SEARCH_RINGS = 6
SEARCH_ANGLES = 12
PASSES = 3
MIN_RING_PIXELS = 6
MAX_GAIN = 1.4
PLANE_RIDGE = 2.0  # shrinkage of the colour planes' slopes, in squared pixels


def find_sources(
    canvas: Canvas,
    cols: IntArray,
    rows: IntArray,
    box_half: IntArray,
    rng: np.random.Generator,
) -> tuple[IntArray, IntArray, NDArray[np.bool_]]:
    """Offset of the nearest clean square of skin around each point, or none.

    Candidates lie on rings ``2, 3, ... 7`` box sides away, at angles starting at random, so the
    copied skin never overlaps the point's own square.

    Parameters
    ----------
    canvas : Canvas
        The canvas.
    cols, rows : ndarray of int, shape (N,)
        Points, in canvas pixels.
    box_half : ndarray of int, shape (N,)
        Half the side of the square that must be clean.
    rng : numpy.random.Generator
        Source of the random start angles.

    Returns
    -------
    dx, dy : ndarray of int, shape (N,)
        Offsets of the chosen squares.
    found : ndarray of bool, shape (N,)
        Whether a clean square was found.
    """
    n = len(cols)
    integral = cv2.integral(canvas.dirty, sdepth=cv2.CV_32S)
    ring = np.arange(SEARCH_RINGS, dtype=np.float64)
    angle = np.arange(SEARCH_ANGLES, dtype=np.float64) * (2 * np.pi / SEARCH_ANGLES)
    start = rng.uniform(0, 2 * np.pi, (n, 1, 1))
    distance = ((2 + ring)[None, :, None] * box_half[:, None, None] + 1).astype(np.float64)
    theta = start + angle[None, None, :] + ring[None, :, None] * (np.pi / SEARCH_ANGLES)
    dx = np.round(distance * np.cos(theta)).reshape(n, -1).astype(np.intp)
    dy = np.round(distance * np.sin(theta)).reshape(n, -1).astype(np.intp)
    b = box_half[:, None]
    height, width = canvas.dirty.shape
    c0 = np.clip(cols[:, None] + dx - b, 0, width)
    c1 = np.clip(cols[:, None] + dx + b + 1, 0, width)
    r0 = np.clip(rows[:, None] + dy - b, 0, height)
    r1 = np.clip(rows[:, None] + dy + b + 1, 0, height)
    count = integral[r1, c1] - integral[r0, c1] - integral[r1, c0] + integral[r0, c0]
    full = (c1 - c0 == 2 * b + 1) & (r1 - r0 == 2 * b + 1)
    clean = (count == 0) & full
    best = np.argmax(clean, axis=1)
    pick = np.arange(n)
    return dx[pick, best], dy[pick, best], clean[pick, best]


def _plane_coefficients(
    values: NDArray[np.float32],
    weight: NDArray[np.float32],
    ox: NDArray[np.float32],
    oy: NDArray[np.float32],
) -> NDArray[np.float32]:
    """Weighted least-squares plane through each patch's values, per channel.

    The slopes are shrunk a little (ridge) so that a ring seen on one side stays level.

    Parameters
    ----------
    values : ndarray of float32, shape (N, M, 3)
        Patches of ``M`` pixels.
    weight : ndarray of float32, shape (N, M)
        Their weights (the clean ring).
    ox, oy : ndarray of float32, shape (M,)
        Column and row offset of each pixel.

    Returns
    -------
    ndarray of float32, shape (N, 3, 3)
        Per patch, the constant, column slope and row slope (rows) of each channel (columns).
    """
    wx, wy = weight * ox, weight * oy
    s, sx, sy = weight.sum(1), wx.sum(1), wy.sum(1)
    sxx, sxy, syy = (wx * ox).sum(1), (wx * oy).sum(1), (wy * oy).sum(1)
    ridge = PLANE_RIDGE * np.maximum(s, 1.0)
    normal = np.stack(
        [
            np.stack([s + 1e-3 * ridge, sx, sy], -1),
            np.stack([sx, sxx + ridge, sxy], -1),
            np.stack([sy, sxy, syy + ridge], -1),
        ],
        axis=1,
    ).astype(np.float64)
    rhs = np.matmul(np.stack([weight, wx, wy], axis=1), values)  # (N, 3 terms, 3 channels)
    return np.linalg.solve(normal, rhs.astype(np.float64)).astype(np.float32)


def _offsets(
    half: int, fill_px: NDArray[np.float64]
) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.bool_], NDArray[np.bool_]]:
    """Offsets of a patch, and which may be healed (disk) and which may be in the ring."""
    oy, ox = disk_offsets(half)
    reach = np.hypot(ox, oy)
    low, high = float(fill_px.min()), float(fill_px.max())
    disk = reach <= high + RIM_PX + 0.75  # the points lie within half a pixel of the centre
    ring = (reach >= low + RIM_PX - 0.75) & (reach <= high + RIM_PX + RING_PX + 0.75)
    return ox.astype(np.float32), oy.astype(np.float32), disk, ring


def heal_batch(
    canvas: Canvas,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    fill_px: NDArray[np.float64],
    source: tuple[IntArray, IntArray, NDArray[np.bool_]],
    half: int,
    rng: np.random.Generator,
) -> None:
    """Heal non-overlapping patches in place by copying skin, and mark them clean.

    Parameters
    ----------
    canvas : Canvas
        The canvas, modified in place.
    x, y : ndarray of float, shape (N,)
        Impression centres in canvas pixels.
    fill_px : ndarray of float, shape (N,)
        Radius of the disk replaced in full; the rim adds ``RIM_PX``.
    source : tuple of ndarray
        Offsets ``dx, dy`` of the skin to copy, and whether there is one (else synthesised).
    half : int
        Half the patch side.
    rng : numpy.random.Generator
        Source of the synthesised noise.
    """
    dx, dy, found = source
    width = canvas.image.shape[1]
    pixels, dirty = canvas.image.reshape(-1, 3), canvas.dirty.reshape(-1)
    flat, dist, _ = disk_patches(x, y, half, width)
    ox, oy, disk, ring_zone = _offsets(half, fill_px)
    shift = (dy * width + dx)[:, None]
    r = fill_px.astype(np.float32)[:, None]
    # Fit the skin's level on the ring around the impression and around the source.
    flat_ring, dist_ring = flat[:, ring_zone], dist[:, ring_zone]
    ring = (dist_ring >= r + RIM_PX) & (dist_ring < r + RIM_PX + RING_PX)
    w_dst = (ring & (np.take(dirty, flat_ring) == 0)).astype(np.float32)
    w_src = (ring & (np.take(dirty, flat_ring + shift) == 0)).astype(np.float32)
    ring_x, ring_y = ox[ring_zone], oy[ring_zone]
    ring_dst = np.take(pixels, flat_ring, axis=0).astype(np.float32)
    ring_src = np.take(pixels, flat_ring + shift, axis=0).astype(np.float32)
    coef_dst = _plane_coefficients(ring_dst, w_dst, ring_x, ring_y)
    coef_src = _plane_coefficients(ring_src, w_src, ring_x, ring_y)
    # Copy the source over the disk, scaled by the ratio of the two levels.
    flat_disk, dist_disk = flat[:, disk], dist[:, disk]
    basis = np.stack([np.ones_like(ox[disk]), ox[disk], oy[disk]], axis=1)
    level_dst, level_src = np.matmul(basis[None], coef_dst), np.matmul(basis[None], coef_src)
    t = np.clip((r + np.float32(RIM_PX) - dist_disk) / np.float32(RIM_PX), 0.0, 1.0)
    alpha = t * t * (3 - 2 * t) * (np.take(canvas.free, flat_disk) * np.float32(1 / 255))
    dst = np.take(pixels, flat_disk, axis=0).astype(np.float32)
    src = np.take(pixels, flat_disk + shift, axis=0).astype(np.float32)
    gain = level_dst / np.maximum(level_src, 1.0)
    dst_ok = w_dst.sum(axis=1) >= MIN_RING_PIXELS
    level = ~(dst_ok & (w_src.sum(axis=1) >= MIN_RING_PIXELS))
    skin_dst = canvas.skin.rgb_at(x - canvas.pad, y - canvas.pad)[:, None, :]
    if level.any():  # too little skin around: the local skin's ratio, level
        skin_src = canvas.skin.rgb_at(x + dx - canvas.pad, y + dy - canvas.pad)[:, None, :]
        gain[level] = (skin_dst / np.maximum(skin_src, 1.0))[level]
    fill = src * np.clip(gain, 1 / MAX_GAIN, MAX_GAIN)
    if not found.all():  # no clean skin near: the local colour with the skin's noise
        lost = ~found
        colour = np.where(dst_ok[:, None, None], level_dst, skin_dst)[lost]
        noise = rng.standard_normal((int(lost.sum()), int(disk.sum()), 1)).astype(np.float32)
        fill[lost] = colour * (1 + np.float32(canvas.noise) * noise)
    blended = dst + alpha[..., None] * (fill - dst)
    pixels[flat_disk] = np.clip(blended + 0.5, 0, 255).astype(np.uint8)
    dirty[flat_disk] &= (alpha <= 0).astype(np.uint8)


def _heal_all(
    canvas: Canvas,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    fill_px: NDArray[np.float64],
    source: tuple[IntArray, IntArray, NDArray[np.bool_]],
    rng: np.random.Generator,
) -> None:
    """Heal points of any size: by size class (small patches for small dots), in batches."""
    halves = np.ceil(fill_px + RIM_PX + RING_PX + 0.75).astype(np.intp)  # + sub-pixel shift
    for half in np.unique(halves):
        group = np.flatnonzero(halves == half)
        for batch in non_overlapping_batches(np.column_stack([x[group], y[group]]), int(half)):
            chosen = group[batch]
            picked = (source[0][chosen], source[1][chosen], source[2][chosen])
            heal_batch(canvas, x[chosen], y[chosen], fill_px[chosen], picked, int(half), rng)


def heal_points(
    canvas: Canvas,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    fill_px: NDArray[np.float64],
    seed: int = 0,
) -> int:
    """Heal every point: copy skin in passes (later passes may copy skin healed by earlier ones).

    A hair running through an impression is drawn back across the healed disk, last
    (:mod:`scalpmap.simulation._hair`).

    Parameters
    ----------
    canvas : Canvas
        The canvas, modified in place.
    x, y : ndarray of float, shape (N,)
        Impression centres in canvas pixels.
    fill_px : ndarray of float, shape (N,)
        Radius of the fully replaced disk of each, before growing it over its mark.
    seed : int, optional
        Seed of the search angles and the synthesised noise.

    Returns
    -------
    int
        How many were filled with synthesised skin (no clean skin was found near them).
    """
    rng = np.random.default_rng(seed)
    fill_px = grow_to_marks(canvas, x, y, fill_px)
    hairy = np.flatnonzero(crossed_by_marks(canvas, x, y, fill_px))
    hairs = capture(canvas, x[hairy], y[hairy], fill_px[hairy])
    box_half = np.ceil(fill_px + RIM_PX).astype(np.intp)
    pending = np.arange(len(x))
    synthesised = 0
    for attempt in range(PASSES):
        if len(pending) == 0:
            break
        cols, rows = np.round(x[pending]).astype(np.intp), np.round(y[pending]).astype(np.intp)
        dx, dy, found = find_sources(canvas, cols, rows, box_half[pending], rng)
        now = pending if attempt == PASSES - 1 else pending[found]
        if attempt < PASSES - 1:
            dx, dy, found = dx[found], dy[found], found[found]
        synthesised += int((~found).sum())
        _heal_all(canvas, x[now], y[now], fill_px[now], (dx, dy, found), rng)
        pending = np.setdiff1d(pending, now)
    redraw_hairs(canvas, x[hairy], y[hairy], fill_px[hairy], hairs)
    return synthesised
