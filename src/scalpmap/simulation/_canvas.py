"""The working canvas of the healing: a padded crop of the photo, and maps of what is on it.

- ``dark``: pixels darker than the local skin by more than the noise allows (any mark).
- ``dirty``: ``dark`` grown by ``DIRTY_GROW_PX``, the padding and what lies outside the analysed
  area; skin is only ever copied from pixels that are not dirty.
- ``known``: the disks of all impressions (grown by ``KNOWN_GROW_PX``): dark pixels outside them
  are other marks (hair, moles).
- ``free``: 255 where healing may change pixels, falling to 0 on the impressions that are kept;
  0 where the healing may not paint (the background beyond the head, the sticker).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.skin import LocalSkin, estimate_local_skin, luminance
from scalpmap.simulation._patches import (
    disk_patches,
    non_overlapping_batches,
    patch_distance,
    patch_index,
)

RIM_PX = 1.5  # soft blending rim outside the filled disk
RING_PX = 2.5  # the ring beyond the rim whose colour the copy is matched to
PROTECT_PX = 1.5  # a kept impression's radius plus this is never changed
KNOWN_GROW_PX = PROTECT_PX + 1.0
DIRTY_MIN_DARKNESS = 0.05  # a pixel darker than its skin by this much is a mark, not skin
DIRTY_SIGMAS = 4.0  # ... or by this many standard deviations of the skin's noise
DIRTY_GROW_PX = 2
SKIN_WINDOW_MM = 1.0  # the skin's reference follows freckles and shading closely
SKIN_CELL_MM = 0.2
MAX_GROW_PX = 3.0
GROW_MARGIN_PX = 1.0


@dataclass
class Canvas:
    """A padded working copy of a crop of the photo, with maps of its marks.

    Attributes
    ----------
    image : ndarray of uint8, shape (rows, cols, 3)
        The crop, padded by ``pad`` on every side (the padding is never copied from).
    dark, dirty, known, free : ndarray of uint8, shape (rows, cols)
        The maps of the module's docstring.
    skin : LocalSkin
        The crop's local skin (unpadded coordinates).
    noise : float
        Relative per-pixel noise of the skin's luminance.
    threshold : float
        Darkening against the skin above which a pixel is a mark.
    pad : int
        The padding.
    """

    image: NDArray[np.uint8]
    dark: NDArray[np.uint8]
    dirty: NDArray[np.uint8]
    known: NDArray[np.uint8]
    free: NDArray[np.uint8]
    skin: LocalSkin
    noise: float
    threshold: float
    pad: int


def make_canvas(
    crop: NDArray[np.uint8],
    mm_per_px: float,
    usable: NDArray[np.bool_] | None,
    pad: int,
    marks: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]],
    *,
    paint: NDArray[np.bool_] | None = None,
) -> Canvas:
    """Pad a crop and map its marks.

    Parameters
    ----------
    crop : ndarray of uint8, shape (rows, cols, 3)
        The crop.
    mm_per_px : float
        Scale.
    usable : ndarray of bool, shape (rows, cols), optional
        Where skin may be copied from (the analysed area); everywhere when omitted.
    pad : int
        Padding on every side.
    marks : tuple of ndarray
        The impressions on the crop: centres in canvas (padded) pixels ``(N, 2)``, radii in
        pixels ``(N,)``, and whether each must be protected ``(N,)`` (kept, and near one that
        is healed).
    paint : ndarray of bool, shape (rows, cols), optional
        Where healing may paint (the skin: not the background beyond the head, nor the
        sticker); everywhere when omitted.

    Returns
    -------
    Canvas
        The working canvas.
    """
    skin = estimate_local_skin(
        crop, mm_per_px=mm_per_px, window_mm=SKIN_WINDOW_MM, cell_mm=SKIN_CELL_MM
    )
    skin_luma = skin.luma
    luma = luminance(crop)
    blurred = cv2.GaussianBlur(luma, (0, 0), 1.0)
    sample_skin = skin_luma[::4, ::4]
    noise_px = _robust_sigma(1.0 - luma[::4, ::4] / sample_skin)
    smooth_noise = _robust_sigma(1.0 - blurred[::4, ::4] / sample_skin)
    threshold = max(DIRTY_MIN_DARKNESS, DIRTY_SIGMAS * smooth_noise)
    dark = (blurred < skin_luma * np.float32(1.0 - threshold)).astype(np.uint8)
    size = 2 * DIRTY_GROW_PX + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    dirty = np.asarray(cv2.dilate(dark, kernel), dtype=np.uint8)
    if usable is not None:
        dirty |= (~usable).astype(np.uint8)
    padded = _pad(crop, pad, cv2.BORDER_REPLICATE)
    xy, radius, protect = marks
    shape = padded.shape[:2]
    free = _stamp_free(shape, xy[protect], radius[protect] + PROTECT_PX)
    if paint is not None:
        free[pad : pad + crop.shape[0], pad : pad + crop.shape[1]][~paint] = 0
    return Canvas(
        image=padded,
        dark=_pad(dark, pad, cv2.BORDER_CONSTANT, 0),
        dirty=_pad(dirty, pad, cv2.BORDER_CONSTANT, 1),
        known=_stamp_known(shape, xy, radius + KNOWN_GROW_PX),
        free=free,
        skin=skin,
        noise=noise_px,
        threshold=threshold,
        pad=pad,
    )


def _pad(image: NDArray[np.uint8], pad: int, border: int, value: int = 0) -> NDArray[np.uint8]:
    """Pad an image by ``pad`` pixels on every side (OpenCV: much faster than ``np.pad``)."""
    padded = cv2.copyMakeBorder(image, pad, pad, pad, pad, border, value=value)
    return np.asarray(padded, dtype=np.uint8)


def _robust_sigma(contrast: NDArray[np.float32]) -> float:
    """Noise of a contrast map from its bright side (dark marks only push contrast up)."""
    below = contrast[contrast < 0]
    return 1.4826 * float(np.median(-below)) if below.size else 0.01


def _stamps(
    shape: tuple[int, int], xy: NDArray[np.float64], radius: NDArray[np.float64]
) -> tuple[NDArray[np.float32], NDArray[np.intp], NDArray[np.intp], NDArray[np.bool_], int]:
    """Distance beyond each disk's edge on its patch, the patch indices and which are inside."""
    half = int(np.ceil(float(radius.max()))) + 2
    x, y = xy[:, 0], xy[:, 1]
    _, _, dist = patch_distance(x, y, half)
    rr, cc = patch_index(np.round(x).astype(np.intp), np.round(y).astype(np.intp), half)
    valid = (rr >= 0) & (rr < shape[0]) & (cc >= 0) & (cc < shape[1])
    gap = dist - radius.astype(np.float32)[:, None, None]
    return gap, rr, cc, valid, half


def _stamp_known(
    shape: tuple[int, int], xy: NDArray[np.float64], radius: NDArray[np.float64]
) -> NDArray[np.uint8]:
    """1 inside any of the disks (drawn with sub-pixel centres, 4 fractional bits)."""
    known = np.zeros(shape, dtype=np.uint8)
    centres = np.round(xy * 16).astype(np.int64)
    radii = np.round(radius * 16).astype(np.int64)
    for (cx, cy), r in zip(centres.tolist(), radii.tolist(), strict=True):
        cv2.circle(known, (cx, cy), r, 1, -1, cv2.LINE_8, 4)
    return known


def _stamp_free(
    shape: tuple[int, int], xy: NDArray[np.float64], radius: NDArray[np.float64]
) -> NDArray[np.uint8]:
    """255 away from the disks, 0 inside them, with a one-pixel ramp at their edges."""
    free = np.full(shape, 255, dtype=np.uint8)
    if len(xy) == 0:
        return free
    gap, rr, cc, valid, half = _stamps(shape, xy, radius)
    level = np.round(np.clip(gap, 0.0, 1.0) * 255).astype(np.uint8)
    for batch in non_overlapping_batches(xy, half):
        ok = valid[batch]
        r, c = rr[batch][ok], cc[batch][ok]
        free[r, c] = np.minimum(free[r, c], level[batch][ok])
    return free


def grow_to_marks(
    canvas: Canvas,
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    fill_px: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Grow each disk, by ``MAX_GROW_PX`` at most, until it covers the dark mark it sits on.

    The measured diameter of an impression under a hair or beside another can fall short of the
    ink. Going out from the centre, the mark ends at the first one-pixel ring that is mostly
    skin (a hair crossing covers less than half of a ring).

    Parameters
    ----------
    canvas : Canvas
        The canvas.
    x, y : ndarray of float, shape (N,)
        Impression centres in canvas pixels.
    fill_px : ndarray of float, shape (N,)
        Radius of each disk.

    Returns
    -------
    ndarray of float, shape (N,)
        The grown radii, at least the mark's radius plus ``GROW_MARGIN_PX``.
    """
    if len(x) == 0:
        return fill_px
    width = canvas.dark.shape[1]
    dark_flat = canvas.dark.reshape(-1)
    inner = (fill_px - GROW_MARGIN_PX).astype(np.float32)[:, None]  # most marks end before
    flat, dist, _ = disk_patches(x, y, int(np.ceil(float(fill_px.max()))) + 1, width)
    ring = (dist >= inner - 1.0) & (dist < inner)
    dark_share = (ring & (np.take(dark_flat, flat) > 0)).sum(axis=1) / np.maximum(ring.sum(1), 1)
    grow = np.flatnonzero(dark_share >= 0.5)
    if len(grow) == 0:
        return fill_px
    x, y, fill_px, grown = x[grow], y[grow], fill_px[grow], fill_px.copy()
    half = int(np.ceil(float(fill_px.max()) + MAX_GROW_PX)) + 1
    flat, dist, _ = disk_patches(x, y, half, width)
    n_rings = half + 1
    ring_index = np.minimum(dist, n_rings - 1).astype(np.intp)
    index = (np.arange(len(x))[:, None] * n_rings + ring_index).ravel()
    weights = np.take(dark_flat, flat).ravel()
    dark = np.bincount(index, weights=weights, minlength=len(x) * n_rings)
    total = np.bincount(index, minlength=len(x) * n_rings)
    share = (dark / np.maximum(total, 1)).reshape(len(x), n_rings)
    skin = share < 0.5
    extent = np.where(skin.any(axis=1), skin.argmax(axis=1), n_rings).astype(np.float64)
    wider = np.maximum(fill_px, extent + GROW_MARGIN_PX)
    grown[grow] = np.minimum(wider, fill_px + MAX_GROW_PX)
    return np.asarray(grown, dtype=np.float64)
