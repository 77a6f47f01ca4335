"""Whether a hair runs out of a dark candidate: rays that stay dark all along.

A local maximum of the contrast on a hair looks round at its own scale, especially where the
hair is one or two pixels wide: the hair's neighbouring maxima cut its footprint short. What
gives it away is that the dark does not end: along the hair, a ray from the candidate stays dark
for as far as one looks, while around a dot it falls to bare skin within the dot's radius. A
neighbouring dot darkens a ray only over its own width, with skin before it, so a ray counts as
dark only when its faintest samples are dark.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.hair_crossing import bilinear
from scalpmap.imaging.neighbours import pairs_within

N_RAYS = 16
RAY_GAP_MM = 0.04
RAY_LENGTH_MM = 0.3
RAY_STEP_PX = 0.5
DARK_SHARE = 0.7
MAX_RISE = 1.25
CHUNK_SAMPLES = 1 << 21  # samples per batch of candidates: bounds the memory


@dataclass(frozen=True)
class LineArms:
    """Which rays out of each candidate stay dark: the hairs leaving it.

    Attributes
    ----------
    dark : ndarray of bool, shape (N, N_RAYS)
        Whether ray ``k`` (at ``2 pi k / N_RAYS`` from the x axis) stays dark all along.
    """

    dark: NDArray[np.bool_]

    @property
    def any(self) -> NDArray[np.bool_]:
        """Whether any hair leaves the candidate."""
        return np.asarray(self.dark.any(axis=1), dtype=bool)

    @property
    def runs(self) -> NDArray[np.intp]:
        """Number of separate directions (runs of neighbouring dark rays) around the circle."""
        starts = (self.dark & ~np.roll(self.dark, 1, axis=1)).sum(axis=1)
        return np.asarray(np.where(self.dark.all(axis=1), 1, starts), dtype=np.intp)

    @property
    def through(self) -> NDArray[np.bool_]:
        """Whether two dark rays point in opposite directions (within one ray): a line passes."""
        half = N_RAYS // 2
        opposite = np.zeros(len(self.dark), dtype=bool)
        for turn in (half - 1, half, half + 1):
            opposite |= (self.dark & np.roll(self.dark, turn, axis=1)).any(axis=1)
        return opposite

    def angle(self, fallback: NDArray[np.float64]) -> NDArray[np.float64]:
        """Direction of a dark ray, radians from the x axis; ``fallback`` where there is none.

        Parameters
        ----------
        fallback : ndarray of float, shape (N,)
            Directions to use for candidates without a dark ray.

        Returns
        -------
        ndarray of float, shape (N,)
            The directions.
        """
        first = np.argmax(self.dark, axis=1)
        angles = first * (2 * np.pi / N_RAYS)
        return np.asarray(np.where(self.any, angles, fallback), dtype=np.float64)


def line_arms(
    contrast: NDArray[np.float32],
    xy: NDArray[np.float64],
    radius_px: NDArray[np.float64],
    level: NDArray[np.float64],
    *,
    mm_per_px: float,
) -> LineArms:
    """Find the rays out of each candidate along which the contrast stays at ``level`` or more.

    Each ray starts just outside the candidate (its radius and ``RAY_GAP_MM``) and runs
    ``RAY_LENGTH_MM`` further (at least 3 px); it is dark when its second-faintest sample
    reaches ``DARK_SHARE`` of ``level`` and none climbs past ``MAX_RISE`` times it (that is a
    darker neighbour's slope, not a hair). The work is proportional to the number of candidates.

    Parameters
    ----------
    contrast : ndarray of float32, shape (rows, cols)
        Relative contrast against the local skin (lightly smoothed).
    xy : ndarray of float, shape (N, 2)
        Candidate centres.
    radius_px : ndarray of float, shape (N,)
        Candidate radii.
    level : ndarray of float, shape (N,)
        Each candidate's contrast (its peak); a hair keeps about its darkness.
    mm_per_px : float
        Scale.

    Returns
    -------
    LineArms
        The dark rays of each candidate.

    Examples
    --------
    >>> import numpy as np
    >>> contrast = np.zeros((60, 60), np.float32)
    >>> contrast[29:32, :] = 0.5  # a hair across the image
    >>> contrast[40, 40] = 0.5  # a lone dark pixel
    >>> arms = line_arms(contrast, np.array([[30.0, 30.0], [40.0, 40.0]]), np.array([1.0, 1.0]),
    ...                  np.array([0.5, 0.5]), mm_per_px=0.05)
    >>> arms.through.tolist(), arms.runs.tolist()
    ([True, False], [2, 0])
    """
    n = len(xy)
    if n == 0:
        return LineArms(np.zeros((0, N_RAYS), dtype=bool))
    steps = np.arange(0.0, max(3.0, RAY_LENGTH_MM / mm_per_px) + 1e-9, RAY_STEP_PX)
    start = np.asarray(radius_px, dtype=np.float64) + max(1.0, RAY_GAP_MM / mm_per_px)
    angles = np.arange(N_RAYS) * (2 * np.pi / N_RAYS)
    cos, sin = np.cos(angles), np.sin(angles)
    batch = max(1, CHUNK_SAMPLES // (N_RAYS * len(steps)))
    dark = np.empty((n, N_RAYS), dtype=bool)
    for first in range(0, n, batch):
        part = slice(first, first + batch)
        reach = start[part, None] + steps[None, :]  # (m, steps)
        px = xy[part, 0, None, None] + cos[None, :, None] * reach[:, None, :]
        py = xy[part, 1, None, None] + sin[None, :, None] * reach[:, None, :]
        m = px.shape[0]
        values = bilinear(contrast, px.reshape(-1, len(steps)), py.reshape(-1, len(steps)))
        values = values.reshape(m, N_RAYS, len(steps))
        faint = np.partition(values, 1, axis=2)[:, :, 1]
        own = np.asarray(level, dtype=np.float64)[part, None]
        # A ray climbing well above the candidate runs into a darker neighbour, not along a
        # hair: the candidate is the darkest point of its own stretch of hair.
        dark[part] = (faint >= DARK_SHARE * own) & (values.max(axis=2) <= MAX_RISE * own)
    return LineArms(dark)


EXCESS_RAYS = 32
"""Directions of :func:`line_excess`: finer than ``N_RAYS``, so that a hair a pixel wide lies
along one of them."""


def line_excess(
    contrast: NDArray[np.float32],
    xy: NDArray[np.float64],
    radius_px: NDArray[np.float64],
    peak: NDArray[np.float64],
    *,
    mm_per_px: float,
    dots_xy: NDArray[np.float64],
    dots_radius_px: NDArray[np.float64],
) -> NDArray[np.float64]:
    """How much darker the darkest way out of each candidate is than its usual way out.

    Each of ``EXCESS_RAYS`` rays starts a pixel outside the candidate and runs ``RAY_LENGTH_MM``
    (at least 3 px); its level is the median contrast along it. A dot's rays all fall to the
    skin (or all to its halo); a hair leaving the candidate keeps one or two of them dark. The
    excess is the darkest ray's level above the median ray's, as a share of the candidate's
    peak. Samples on another dot (within its radius and a pixel) are left out, so that packed
    dots do not look like a line; a ray with fewer than half its samples left counts as skin.

    Parameters
    ----------
    contrast : ndarray of float32, shape (rows, cols)
        Relative contrast against the local skin (lightly smoothed).
    xy : ndarray of float, shape (N, 2)
        Candidate centres.
    radius_px : ndarray of float, shape (N,)
        Candidate radii.
    peak : ndarray of float, shape (N,)
        Each candidate's peak contrast.
    mm_per_px : float
        Scale.
    dots_xy : ndarray of float, shape (M, 2)
        Centres of the round dots nearby (the candidates themselves may be among them).
    dots_radius_px : ndarray of float, shape (M,)
        Their radii.

    Returns
    -------
    ndarray of float, shape (N,)
        The excess, 0 for a candidate with the same level every way.

    Examples
    --------
    >>> import numpy as np
    >>> contrast = np.zeros((60, 60), np.float32)
    >>> contrast[30, 30:] = 0.4  # a hair a pixel wide leaving (30, 30) to the right
    >>> contrast[28:33, 28:33] = 0.5
    >>> contrast[10:13, 10:13] = 0.5  # a dot on its own
    >>> excess = line_excess(contrast, np.array([[30.0, 30.0], [11.0, 11.0]]),
    ...     np.array([2.0, 1.0]), np.array([0.5, 0.5]), mm_per_px=0.05,
    ...     dots_xy=np.zeros((0, 2)), dots_radius_px=np.zeros(0))
    >>> [round(float(v), 1) for v in excess]
    [0.8, 0.0]
    """
    n = len(xy)
    if n == 0:
        return np.zeros(0)
    steps = np.arange(0.0, max(3.0, RAY_LENGTH_MM / mm_per_px) + 1e-9, RAY_STEP_PX)
    batch = max(1, CHUNK_SAMPLES // (EXCESS_RAYS * len(steps)))  # bounds the memory
    radii = np.asarray(radius_px, dtype=np.float64)
    peaks = np.asarray(peak, dtype=np.float64)
    return np.concatenate(
        [
            _excess_batch(
                contrast,
                xy[i : i + batch],
                radii[i : i + batch],
                peaks[i : i + batch],
                steps,
                dots_xy,
                dots_radius_px,
            )  # fmt: skip
            for i in range(0, n, batch)
        ]
    )


def _excess_batch(
    contrast: NDArray[np.float32],
    xy: NDArray[np.float64],
    radius_px: NDArray[np.float64],
    peak: NDArray[np.float64],
    steps: NDArray[np.float64],
    dots_xy: NDArray[np.float64],
    dots_radius_px: NDArray[np.float64],
) -> NDArray[np.float64]:
    """:func:`line_excess` for one batch of candidates."""
    n = len(xy)
    angles = np.arange(EXCESS_RAYS) * (2 * np.pi / EXCESS_RAYS)
    reach = np.asarray(radius_px, dtype=np.float64)[:, None] + 1.0 + steps[None, :]  # (n, steps)
    px = xy[:, 0, None, None] + np.cos(angles)[None, :, None] * reach[:, None, :]
    py = xy[:, 1, None, None] + np.sin(angles)[None, :, None] * reach[:, None, :]
    values = bilinear(contrast, px.reshape(-1, len(steps)), py.reshape(-1, len(steps)))
    values = values.reshape(n, EXCESS_RAYS, len(steps)).astype(np.float64)
    if len(dots_xy):
        owner = np.repeat(np.arange(n), EXCESS_RAYS * len(steps))
        samples = np.column_stack([px.ravel(), py.ravel()])
        limit = float(np.max(dots_radius_px)) + 1.0
        # Every dot within reach, not only the nearest: a sample next to the candidate's own
        # centre, or nearer a small dot's centre, may still lie inside a bigger dot.
        sample, dot, distance = pairs_within(samples, dots_xy, limit)
        other = np.hypot(*(dots_xy[dot] - xy[owner[sample]]).T) > 0.5  # not the candidate
        on_dot = np.zeros(len(samples), dtype=bool)
        on_dot[sample[other & (distance <= dots_radius_px[dot] + 1.0)]] = True
        values[on_dot.reshape(values.shape)] = np.nan
    values[np.isfinite(values).sum(axis=2) * 2 < len(steps)] = 0.0  # mostly on dots: skin
    level = np.nanmedian(values, axis=2)
    excess = level.max(axis=1) - np.median(level, axis=1)
    return np.asarray(excess / np.maximum(np.asarray(peak, dtype=np.float64), 1e-6))
