"""Impressions that a hair crosses: find the dot's bulge on the hair.

A hair lying over an impression makes the pair look elongated, and the shape test would reject
both. Along a hair alone, the dark band keeps the same width; where it crosses a dot, the band
bulges to the dot's diameter. Walking along the hair and measuring the band's width across it
finds that bulge, its centre and its size.

Hairs taper, end and cross each other, and each of those widens or narrows the band too, so a
bulge counts only where it is at the candidate itself, wider than the hair on either side of
it (measured where the hair is, not beyond its tip), darker than the hair, and on a scan that
a hair runs through for most of its length. Darker than the hair means ``MIN_DARKER`` times its
darkness, or, when the photo's faintest impression is known (``ink``), darker by as much as
that impression darkens what the hair lets through: a faded dot adds little to a dark hair, yet
is a clear step up from the hair on either side of it. Whether the hair goes on past the bulge
on both sides (``passes``) is reported too: a bulge where a hair ends may be the hair's own
thick end.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

SCAN_HALF_MM = 0.5
ACROSS_HALF_MM = 0.3
STEP_PX = 0.5
MIN_BULGE_RATIO = 1.6
MIN_BULGE_EXTRA_MM = 0.06
MAX_DOT_MM = 0.45
NEAR_MM = 0.12
MIN_HAIR_SHARE = 0.4
MIN_DARKER = 1.3
PASS_MM = 0.1
"""The hair passes the bulge when its band goes on for this long on both sides of it."""
CHUNK_ROWS = 16384  # OpenCV maps must stay below 32767 rows
CHUNK_SAMPLES = 1 << 21  # samples per batch of candidates: bounds the memory (~100 MB)


@dataclass(frozen=True)
class CrossedDots:
    """Impressions found under hairs.

    Attributes
    ----------
    index : ndarray of int, shape (K,)
        Which of the given candidates holds a dot.
    xy : ndarray of float, shape (K, 2)
        The dots' centres.
    diameter_mm : ndarray of float, shape (K,)
        The dots' diameters (the bulge's width).
    passes : ndarray of bool, shape (K,)
        Whether the hair goes on past the dot on both sides (``PASS_MM`` or more), rather than
        ending at it.
    """

    index: NDArray[np.intp]
    xy: NDArray[np.float64]
    diameter_mm: NDArray[np.float64]
    passes: NDArray[np.bool_]


def bilinear(
    image: NDArray[np.float32], x: NDArray[np.float64], y: NDArray[np.float64]
) -> NDArray[np.float32]:
    """Sample ``image`` bilinearly at (x, y), clamped at the border (OpenCV's remap, chunked).

    Parameters
    ----------
    image : ndarray of float32, shape (rows, cols)
        The image.
    x, y : ndarray of float, shape (M, K)
        Sample positions in pixels; ``K`` must stay under 32767 (OpenCV's limit).

    Returns
    -------
    ndarray of float32, shape (M, K)
        The samples.
    """
    out = np.empty(x.shape, dtype=np.float32)
    for start in range(0, x.shape[0], CHUNK_ROWS):
        stop = start + CHUNK_ROWS
        out[start:stop] = cv2.remap(
            image,
            x[start:stop].astype(np.float32),
            y[start:stop].astype(np.float32),
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
    return out


def find_dots_under_hairs(
    contrast: NDArray[np.float32],
    xy: NDArray[np.float64],
    angle: NDArray[np.float64],
    peak: NDArray[np.float64],
    *,
    mm_per_px: float,
    ink: float | None = None,
) -> CrossedDots:
    """Look for a dot's bulge along each elongated candidate.

    Parameters
    ----------
    contrast : ndarray of float32, shape (rows, cols)
        Relative contrast against the local skin (lightly smoothed).
    xy : ndarray of float, shape (N, 2)
        Centres of the elongated candidates.
    angle : ndarray of float, shape (N,)
        Direction of each candidate's long axis, radians from the x axis.
    peak : ndarray of float, shape (N,)
        Each candidate's peak contrast.
    mm_per_px : float
        Scale.
    ink : float, optional
        The darkness the photo's faintest impression adds to bare skin: a bulge also counts
        when its darkest point is darker than the hair by this much of what the hair lets
        through (``ink * (1 - hair)``). By default only ``MIN_DARKER`` times the hair does.

    Returns
    -------
    CrossedDots
        The candidates that hold a dot, with the dot's centre and size.
    """
    n = len(xy)
    if n == 0:
        return CrossedDots(np.zeros(0, np.intp), np.zeros((0, 2)), np.zeros(0), np.zeros(0, bool))
    along = np.arange(-SCAN_HALF_MM / mm_per_px, SCAN_HALF_MM / mm_per_px + 1e-9, STEP_PX)
    across = np.arange(-ACROSS_HALF_MM / mm_per_px, ACROSS_HALF_MM / mm_per_px + 1e-9, STEP_PX)
    near = max(1.5, NEAR_MM / mm_per_px)
    # A few candidates at a time, so that the samples' memory stays bounded.
    step = max(1, CHUNK_SAMPLES // (len(along) * len(across)))
    parts = [
        _scan(
            contrast,
            xy[i : i + step],
            angle[i : i + step],
            peak[i : i + step],
            along,
            across,
            near,
            ink,
        )
        for i in range(0, n, step)
    ]
    found = np.concatenate([p[0] for p in parts])
    bulge_mm = np.concatenate([p[2] for p in parts]) * mm_per_px
    side_mm = np.concatenate([p[3] for p in parts]) * mm_per_px
    past_mm = np.concatenate([p[4] for p in parts]) * mm_per_px
    found &= (bulge_mm >= side_mm + MIN_BULGE_EXTRA_MM) & (bulge_mm <= MAX_DOT_MM)
    index = np.flatnonzero(found)
    return CrossedDots(
        index=index.astype(np.intp),
        xy=np.concatenate([p[1] for p in parts])[index],
        diameter_mm=bulge_mm[index],
        passes=past_mm[index] >= PASS_MM,
    )


def _scan(
    contrast: NDArray[np.float32],
    xy: NDArray[np.float64],
    angle: NDArray[np.float64],
    peak: NDArray[np.float64],
    along: NDArray[np.float64],
    across: NDArray[np.float64],
    near_px: float,
    ink: float | None = None,
) -> tuple[
    NDArray[np.bool_],
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.float64],
]:
    """Scan along each candidate for a bulge of its dark band.

    Returns whether the band bulges, the bulge's centre, its width, the band's usual width and
    how far the band goes on past the bulge on its shorter side (lengths in pixels); the limits
    in millimetres are checked by the caller.
    """
    n = len(xy)
    ux, uy = np.cos(angle), np.sin(angle)
    # Sample points: candidate + s * u + t * v, with v perpendicular to u.
    sx = xy[:, 0, None, None] + along[None, :, None] * ux[:, None, None]
    sy = xy[:, 1, None, None] + along[None, :, None] * uy[:, None, None]
    px = sx - across[None, None, :] * uy[:, None, None]
    py = sy + across[None, None, :] * ux[:, None, None]
    # One row of the maps per step along (OpenCV's maps must stay under 32767 columns).
    values = bilinear(contrast, px.reshape(-1, len(across)), py.reshape(-1, len(across)))
    values = values.reshape(n, len(along), len(across))
    ridge = values.max(axis=2)  # the band's darkest point at each step along
    hair_level = np.median(ridge, axis=1)
    dark = values >= 0.5 * np.maximum(hair_level, 0.3 * peak)[:, None, None]
    width_px = dark.sum(axis=2) * STEP_PX
    touches = dark[:, :, 0] | dark[:, :, -1]  # something wide crosses: another hair, a mole
    width_px = np.where(touches, np.inf, width_px)
    # The bulge lies at the candidate (every maximum along a hair scans the same hair), and is
    # judged against the hair's own width on either side of it, where the band is there.
    near = np.abs(along) <= near_px
    best = np.argmax(np.where(np.isfinite(width_px) & near[None, :], width_px, -1.0), axis=1)
    rows = np.arange(n)
    bulge = width_px[rows, best]
    band = np.isfinite(width_px) & (width_px > 0)
    gap = np.abs(np.arange(len(along))[None, :] - best[:, None]) * STEP_PX > bulge[:, None] / 2 + 1
    before = band & gap & (np.arange(len(along))[None, :] < best[:, None])
    after = band & gap & (np.arange(len(along))[None, :] > best[:, None])
    side = np.fmax(_masked_median(width_px, before), _masked_median(width_px, after))
    past = np.minimum(before.sum(axis=1), after.sum(axis=1)) * STEP_PX
    found = np.isfinite(bulge) & np.isfinite(side) & (bulge >= MIN_BULGE_RATIO * side)
    found &= band.mean(axis=1) >= MIN_HAIR_SHARE  # a hair runs through the scan
    darker = ridge[rows, best] >= MIN_DARKER * hair_level  # ink on the hair darkens it
    if ink is not None:  # by as much as the faintest impression darkens what the hair lets through
        darker |= ridge[rows, best] - hair_level >= ink * (1 - hair_level)
    found &= darker
    # The dot's centre: at the bulge along the hair, at the middle of the dark run across it.
    run = dark[rows, best]
    offset = np.where(
        run.any(axis=1), (run * across[None, :]).sum(axis=1) / np.maximum(run.sum(axis=1), 1), 0.0
    )
    centre_x = sx[rows, best, 0] - offset * uy
    centre_y = sy[rows, best, 0] + offset * ux
    centre = np.column_stack([centre_x, centre_y])
    return found, centre, np.asarray(bulge, dtype=np.float64), side, past.astype(np.float64)


def _masked_median(values: NDArray[np.float64], where: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Median of each row's values where ``where`` holds; NaN for a row with none."""
    ordered = np.sort(np.where(where, values, np.inf), axis=1)
    count = where.sum(axis=1)
    rows = np.arange(len(values))
    low = ordered[rows, np.maximum((count - 1) // 2, 0)]
    high = ordered[rows, np.maximum(count // 2, 0)]
    return np.asarray(np.where(count > 0, (low + high) / 2, np.nan), dtype=np.float64)
