"""Impressions a hair runs through: the laser removes the ink, the hair stays.

Healing copies bare skin over the impression and so cuts the hair. For impressions whose ring
is crossed by dark marks that are no known impression (``HAIR_PIXELS``), the hair is measured on
the photo just outside the healed disk, before healing: its axis (the principal axis of the dark
pixels that reach the disk), its cross-section (the mean darkening of each colour channel by
distance from the axis) and which side(s) of the impression it leaves from. After healing it is
drawn back across the disk with that cross-section: through the disk when it leaves on both
sides (or runs on into another dark mark), else up to the impression's centre.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.skin import LUMA_WEIGHTS
from scalpmap.simulation._canvas import RIM_PX, RING_PX, Canvas
from scalpmap.simulation._patches import disk_patches, patch_distance, patch_index

HAIR_PIXELS = 6  # a hair crossing the ring covers at least this many of its pixels
HAIR_REACH_PX = 7  # how far beyond the healed disk the hair is measured
PROFILE_HALF_PX = 5.0
PROFILE_BIN_PX = 0.5
MIN_HAIR_PIXELS = 5
MIN_ELONGATION = 2.0
SIDE_PIXELS = 3
AXIS_HALF_PX = 1.5
MAX_HAIR_DARKENING = 0.95
HAIR_HALF = 0.5  # hair pixels: darker than half the darkest around the impression
TOUCH_PX = 1.5  # a hair this close to the healed disk runs under it
CLOSE_PX = 0.5  # ... and one dark on the disk's rim ends under it


@dataclass(frozen=True)
class HairPatches:
    """The photo around impressions a hair crosses, before healing.

    Attributes
    ----------
    half : int
        Half the patch side.
    original : ndarray of float32, shape (N, P, P, 3)
        The pixels.
    exclude : ndarray of bool, shape (N, P, P)
        Pixels of impressions (not hair).
    """

    half: int
    original: NDArray[np.float32]
    exclude: NDArray[np.bool_]


def _half(fill_px: NDArray[np.float64], reach: float) -> int:
    return int(np.ceil(float(fill_px.max(initial=0.0)) + RIM_PX + reach)) + 1


def crossed_by_marks(
    canvas: Canvas,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    fill_px: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Which impressions have a ring crossed by dark marks that are no known impression.

    Parameters
    ----------
    canvas : Canvas
        The canvas.
    x, y : ndarray of float, shape (N,)
        Impression centres in canvas pixels.
    fill_px : ndarray of float, shape (N,)
        Radius of the fully replaced disk of each.

    Returns
    -------
    ndarray of bool, shape (N,)
        True where a hair (or a mole) runs through the impression.
    """
    if len(x) == 0:
        return np.zeros(0, dtype=bool)
    half = _half(fill_px, RING_PX)
    flat, dist, _ = disk_patches(x, y, half, canvas.dark.shape[1])
    r = fill_px.astype(np.float32)[:, None]
    ring = (dist >= r + RIM_PX) & (dist < r + RIM_PX + RING_PX)
    unknown = ring & (np.take(canvas.dark, flat) > 0) & (np.take(canvas.known, flat) == 0)
    return np.asarray(unknown.sum(axis=1) >= HAIR_PIXELS, dtype=bool)


def capture(
    canvas: Canvas,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    fill_px: NDArray[np.float64],
) -> HairPatches:
    """Keep the photo around the impressions a hair crosses, for :func:`redraw_hairs`.

    Parameters
    ----------
    canvas : Canvas
        The canvas, before healing.
    x, y : ndarray of float, shape (N,)
        Impression centres in canvas pixels.
    fill_px : ndarray of float, shape (N,)
        Radius of the fully replaced disk of each.

    Returns
    -------
    HairPatches
        The patches.
    """
    half = _half(fill_px, HAIR_REACH_PX)
    rr, cc = patch_index(np.round(x).astype(np.intp), np.round(y).astype(np.intp), half)
    exclude = canvas.known[rr, cc] > 0
    return HairPatches(half, canvas.image[rr, cc].astype(np.float32), exclude)


def redraw_hairs(
    canvas: Canvas,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    fill_px: NDArray[np.float64],
    hairs: HairPatches,
) -> None:
    """Draw the hairs back across the healed disks, in place.

    Parameters
    ----------
    canvas : Canvas
        The canvas, after healing.
    x, y : ndarray of float, shape (N,)
        Impression centres in canvas pixels.
    fill_px : ndarray of float, shape (N,)
        Radius of the fully replaced disk of each.
    hairs : HairPatches
        The same patches before healing.
    """
    if len(x) == 0:
        return
    half = hairs.half
    dx, dy, dist = patch_distance(x, y, half)
    skin = np.maximum(canvas.skin.rgb_at(x - canvas.pad, y - canvas.pad), 1.0)
    weights = LUMA_WEIGHTS / LUMA_WEIGHTS.sum()
    for i in range(len(x)):  # few: only the impressions a hair crosses
        contrast_rgb = 1.0 - hairs.original[i] / skin[i]
        edge = float(fill_px[i]) + RIM_PX
        outside = (dist[i] > edge) & ~hairs.exclude[i]
        contrast = contrast_rgb @ weights
        if not outside.any():
            continue
        values = contrast[outside]
        k = int(0.98 * (values.size - 1))
        top = float(np.partition(values, k)[k])  # the hair's core; half as dark is still hair
        level = max(canvas.threshold, HAIR_HALF * top)
        dark = _touching(outside & (contrast > level), dist[i] <= edge + TOUCH_PX)
        marks = (dist[i] > edge) & (contrast > level)  # the hair, or an impression it runs into
        rim = (dist[i] > edge - RIM_PX) & (dist[i] <= edge + CLOSE_PX) & ~hairs.exclude[i]
        close = rim & (contrast > level)  # the hair (if any) at the healed disk's edge
        darken = _hair_darkening(dx[i], dy[i], contrast_rgb, (outside, dark, marks, close), edge)
        if darken is None:
            continue
        t = np.clip((edge - dist[i]) / RIM_PX, 0.0, 1.0)
        col, row = int(round(x[i])), int(round(y[i]))
        window = (slice(row - half, row + half + 1), slice(col - half, col + half + 1))
        healed = canvas.image[window].astype(np.float32)
        redrawn = healed * (1.0 - (t * t * (3 - 2 * t))[..., None] * darken)
        canvas.image[window] = np.clip(redrawn + 0.5, 0, 255).astype(np.uint8)


def _touching(dark: NDArray[np.bool_], near: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Keep the connected dark marks that reach the ``near`` pixels (the healed disk's edge)."""
    if not (dark & near).any():
        return np.zeros_like(dark)
    count, labels = cv2.connectedComponents(dark.astype(np.uint8), connectivity=8)
    keep = np.zeros(count, dtype=bool)
    keep[labels[dark & near]] = True
    keep[0] = False
    return np.asarray(keep[labels], dtype=bool)


def _hair_darkening(
    dx: NDArray[np.float32],
    dy: NDArray[np.float32],
    contrast_rgb: NDArray[np.float32],
    masks: tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]],
    edge: float,
) -> NDArray[np.float32] | None:
    """Return the hair's darkening of each pixel of the patch, or None when no hair is seen.

    ``masks``: the pixels outside the disk and no impression, the hair's, any dark mark's, and
    the dark ones on the disk's rim.
    """
    outside, dark, marks, close = masks
    if int(dark.sum()) < MIN_HAIR_PIXELS:
        return None
    w = np.asarray(contrast_rgb[dark].mean(axis=1), dtype=np.float64)
    w /= max(float(w.sum()), 1e-9)
    px, py = dx[dark].astype(np.float64), dy[dark].astype(np.float64)
    cx, cy = float(w @ px), float(w @ py)
    ex, ey = px - cx, py - cy
    cxx, cyy, cxy = float(w @ (ex * ex)), float(w @ (ey * ey)), float(w @ (ex * ey))
    angle = 0.5 * np.arctan2(2 * cxy, cxx - cyy)  # the principal axis of the dark pixels
    ux, uy = float(np.cos(angle)), float(np.sin(angle))
    spread = float(np.hypot((cxx - cyy) / 2, cxy))
    major, minor = (cxx + cyy) / 2 + spread, (cxx + cyy) / 2 - spread
    if major < MIN_ELONGATION**2 * max(minor, 1e-6):  # too short to show its axis:
        norm = float(np.hypot(cx, cy))  # take it to point at the impression
        if norm < edge:
            return None  # a blob on the impression, not a hair
        ux, uy = cx / norm, cy / norm
    along = (dx - cx) * ux + (dy - cy) * uy
    across = np.abs((dy - cy) * ux - (dx - cx) * uy)
    s_dark = along[dark]
    centre = -cx * ux - cy * uy  # the impression's centre, along the axis
    before, after = bool((s_dark < centre).any()), bool((s_dark > centre).any())
    reach = np.ones_like(along)
    if before != after:
        beyond = (along > centre) if before else (along < centre)
        if int((marks & (across <= AXIS_HALF_PX) & beyond).sum()) < SIDE_PIXELS:
            # It ends under the impression: draw it up to the impression's centre, when it
            # truly reaches the disk (a hair ending just short of it is left as it is).
            if not (close & (across <= AXIS_HALF_PX)).any():
                return None
            sign = -1.0 if before else 1.0
            reach = np.clip(sign * (along - centre) + 1.0, 0.0, 1.0)
    band = outside & (across <= PROFILE_HALF_PX) & (along >= s_dark.min()) & (along <= s_dark.max())
    n_bins = int(PROFILE_HALF_PX / PROFILE_BIN_PX) + 1
    bins = (across[band] / PROFILE_BIN_PX).astype(np.intp)
    counts = np.bincount(bins, minlength=n_bins)
    sums = np.stack(
        [np.bincount(bins, weights=contrast_rgb[band][:, k], minlength=n_bins) for k in range(3)],
        axis=1,
    )
    profile = sums / np.maximum(counts, 1)[:, None]
    outer = counts[-3:] > 0
    base = profile[-3:][outer].mean(axis=0) if outer.any() else np.zeros(3)
    profile = np.where(counts[:, None] > 0, np.clip(profile - base, 0, MAX_HAIR_DARKENING), 0.0)
    centres = (np.arange(n_bins) + 0.5) * PROFILE_BIN_PX
    darken = np.stack([np.interp(across, centres, profile[:, k], right=0.0) for k in range(3)], -1)
    return np.asarray(darken * reach[..., None], dtype=np.float32)
