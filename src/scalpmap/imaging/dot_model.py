"""The impressions found so far, drawn back into a contrast map, so that they can be taken away.

A faint impression beside a darker one sits on its neighbour's shoulder: the contrast rises
towards the neighbour all across the faint dot, which then makes no local maximum of its own,
or whose ring and axis samples fall on the neighbour's slope and make it look attached to
something dark. With the found impressions taken away the faint one stands alone
(:mod:`scalpmap.imaging.dot_residual`).

Each impression is modelled by its own radial profile: at each distance from its centre, a low
quantile (``PROFILE_QUANTILE``) of the contrast on a ring at that distance. A round dot darkens
its ring alike all round; a neighbour, a hair or a faint dot beside it covers only a small arc
of the ring and does not raise the quantile. The profile never rises outwards (its running
minimum) and is never negative, so nothing is drawn beyond the dot's own slope.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.hair_crossing import bilinear

PROFILE_QUANTILE = 0.25
"""Quantile of a ring's samples that stands for the dot's profile at that distance: a
neighbouring dot or a hair covering less than a quarter of the ring does not raise it."""
N_ANGLES = 16
"""Samples on each ring."""
BATCH_PIXELS = 1 << 21
"""Ring samples per batch of dots measured: bounds the memory."""


def radial_profiles(
    contrast: NDArray[np.float32],
    xy: NDArray[np.float64],
    reach_px: int,
) -> NDArray[np.float64]:
    """Measure each dot's radial profile, a pixel apart out to ``reach_px``.

    Parameters
    ----------
    contrast : ndarray of float32, shape (rows, cols)
        The contrast map.
    xy : ndarray of float, shape (N, 2)
        Sub-pixel centres of the dots.
    reach_px : int
        How far out to measure.

    Returns
    -------
    ndarray of float, shape (N, reach_px + 1)
        The profile at distances 0, 1, ..., ``reach_px``: at the centre the contrast there,
        beyond it the ``PROFILE_QUANTILE`` of its ring, never rising outwards, never negative.

    Examples
    --------
    >>> yy, xx = np.mgrid[:21, :21]
    >>> image = np.exp(-((xx - 10.0) ** 2 + (yy - 10.0) ** 2) / 8).astype(np.float32)
    >>> image[10, 14:] = 1.0  # a hair leaving the dot
    >>> radial_profiles(image, np.array([[10.0, 10.0]]), 4).round(2).tolist()
    [[1.0, 0.85, 0.59, 0.33, 0.14]]
    """
    angles = np.linspace(0.0, 2 * np.pi, N_ANGLES, endpoint=False)
    radii = np.arange(reach_px + 1, dtype=np.float64)
    dx = radii[:, None] * np.cos(angles)[None, :]
    dy = radii[:, None] * np.sin(angles)[None, :]
    profiles = np.empty((len(xy), reach_px + 1))
    step = max(1, BATCH_PIXELS // dx.size)
    for start in range(0, len(xy), step):
        part = xy[start : start + step]
        px = (part[:, 0, None, None] + dx[None]).reshape(len(part), -1)
        py = (part[:, 1, None, None] + dy[None]).reshape(len(part), -1)
        ring = bilinear(contrast, px, py).reshape(len(part), reach_px + 1, N_ANGLES)
        profiles[start : start + step] = np.quantile(ring, PROFILE_QUANTILE, axis=2)
        profiles[start : start + step, 0] = ring[:, 0, 0]
    np.minimum.accumulate(profiles, axis=1, out=profiles)
    return np.asarray(np.maximum(profiles, 0.0), dtype=np.float64)


def draw_dots(
    shape: tuple[int, int],
    xy: NDArray[np.float64],
    profiles: NDArray[np.float64],
) -> NDArray[np.float32]:
    """Draw the dots' radial profiles into a map (where two overlap, the larger counts).

    Parameters
    ----------
    shape : tuple of int
        Rows and columns of the map.
    xy : ndarray of float, shape (N, 2)
        Sub-pixel centres of the dots.
    profiles : ndarray of float, shape (N, R + 1)
        Their profiles, a pixel apart (:func:`radial_profiles`); 0 beyond ``R``.

    Returns
    -------
    ndarray of float32, shape (rows, cols)
        The drawn dots.

    Examples
    --------
    >>> drawn = draw_dots((5, 5), np.array([[2.0, 2.0]]), np.array([[1.0, 0.5, 0.0]]))
    >>> drawn[2].tolist()
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    out = np.zeros(shape, dtype=np.float32)
    if len(xy) == 0:
        return out
    reach = profiles.shape[1] - 1
    offsets = np.arange(-reach - 1, reach + 2)
    base_r = np.round(xy[:, 1]).astype(np.intp)
    cols = np.round(xy[:, 0]).astype(np.intp)[:, None] + offsets[None, :]
    across = cols - xy[:, 0, None]
    in_photo = (cols >= 0) & (cols < shape[1])
    # One row of every dot's patch at a time, all the dots at once; where patches overlap the
    # larger value counts (np.maximum.at: every dot's pixel, however many fall on one).
    for d_row in offsets:
        rows = base_r + d_row
        dist = np.hypot(across, rows[:, None] - xy[:, 1, None])
        inside = (dist <= reach) & in_photo & ((rows >= 0) & (rows < shape[0]))[:, None]
        which, at = np.nonzero(inside)
        if len(which) == 0:
            continue
        dist = dist[which, at]
        lower = np.floor(dist).astype(np.intp)  # at most reach: inside the dots only
        frac = dist - lower
        upper = np.minimum(lower + 1, reach)
        value = (1 - frac) * profiles[which, lower] + frac * profiles[which, upper]
        where = rows[which] * shape[1] + cols[which, at]
        np.maximum.at(out.reshape(-1), where, value.astype(np.float32))
    return out
