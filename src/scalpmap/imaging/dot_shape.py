"""What a candidate dot looks like around it: its curvature, rings of samples and its colour.

These measures let the detector tell a round impression from a hair (a ridge, or a dark mark
touching the candidate) and from melanin (brown rather than ink-coloured).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.neighbours import nearest_within
from scalpmap.imaging.skin import LocalSkin


def sample_at(
    image: NDArray[np.float32], rows: NDArray[np.intp], cols: NDArray[np.intp]
) -> NDArray[np.float64]:
    """Sample ``image`` at integer positions, clamped to the image.

    Parameters
    ----------
    image : ndarray of float32, shape (rows, cols)
        The image.
    rows, cols : ndarray of int
        Positions.

    Returns
    -------
    ndarray of float
        The values, shaped like ``rows``.
    """
    r = np.clip(rows, 0, image.shape[0] - 1)
    c = np.clip(cols, 0, image.shape[1] - 1)
    return image[r, c].astype(np.float64)


def blob_roundness(
    smooth: NDArray[np.float32], peaks_rc: NDArray[np.intp], step_px: NDArray[np.intp]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Measure how round each peak is: its weaker over its stronger curvature.

    The curvatures are the Hessian's, at the blob's own scale. A round dot curves down alike in
    every direction (ratio near 1); a hair is a ridge that stays dark along its length (ratio
    near 0).

    Parameters
    ----------
    smooth : ndarray of float32, shape (rows, cols)
        The smoothed contrast map.
    peaks_rc : ndarray of int, shape (N, 2)
        Row and column of each peak.
    step_px : ndarray of int, shape (N,)
        The finite-difference step of each peak (its radius).

    Returns
    -------
    ratio : ndarray of float, shape (N,)
        The ratio, -1..1.
    angle : ndarray of float, shape (N,)
        Direction of the weaker curvature (along a hair), radians from the x axis.
    """
    r, c, s = peaks_rc[:, 0], peaks_rc[:, 1], step_px
    centre = sample_at(smooth, r, c)
    dxx = sample_at(smooth, r, c + s) + sample_at(smooth, r, c - s) - 2 * centre
    dyy = sample_at(smooth, r + s, c) + sample_at(smooth, r - s, c) - 2 * centre
    dxy = (
        sample_at(smooth, r + s, c + s)
        + sample_at(smooth, r - s, c - s)
        - sample_at(smooth, r + s, c - s)
        - sample_at(smooth, r - s, c + s)
    ) / 4
    spread = np.sqrt((dxx - dyy) ** 2 / 4 + dxy**2)
    strong = -(dxx + dyy) / 2 + spread
    weak = -(dxx + dyy) / 2 - spread
    ratio = np.asarray(np.clip(weak / np.maximum(strong, 1e-6), -1, 1), dtype=np.float64)
    return ratio, np.asarray(0.5 * np.arctan2(2 * dxy, dxx - dyy), dtype=np.float64)


def axis_contrast(
    image: NDArray[np.float32],
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    angle: NDArray[np.float64],
    reach_px: NDArray[np.float64],
    dots: tuple[NDArray[np.float64], NDArray[np.bool_]] | None = None,
) -> NDArray[np.float64]:
    """Measure how much darker each candidate stays along its long axis than across it.

    The contrast is sampled ``reach_px`` from the centre both ways along ``angle`` and both
    ways across it. Along a piece of hair the contrast stays dark while across it falls to the
    skin; around a dot both fall alike, and only the noise tells them apart, which a faint
    dot's footprint (the pixels above half its noisy peak) does not.

    Parameters
    ----------
    image : ndarray of float32, shape (rows, cols)
        The contrast map.
    x, y : ndarray of float, shape (N,)
        Centres.
    angle : ndarray of float, shape (N,)
        Direction of each candidate's long axis, radians from the x axis.
    reach_px : ndarray of float, shape (N,)
        How far from the centre to sample.
    dots : tuple of (ndarray of float, shape (N,), ndarray of bool, shape (N,)), optional
        The candidates' radii and which of them are round dots: a sample on another round dot
        (within its radius and a pixel) is left out, and its opposite sample stands for it.

    Returns
    -------
    ndarray of float, shape (N,)
        The mean contrast of the samples along the axis minus that of those across it (0 where
        every sample along or across lies on other dots).

    Examples
    --------
    >>> image = np.zeros((20, 20), np.float32)
    >>> image[10, 4:17] = 0.5  # a line along x
    >>> axis_contrast(image, np.array([10.0]), np.array([10.0]), np.array([0.0]), np.array([3.0]))
    array([0.5])
    """
    along_x, along_y = np.cos(angle) * reach_px, np.sin(angle) * reach_px
    cols = np.round(np.column_stack([x + along_x, x - along_x, x - along_y, x + along_y]))
    rows = np.round(np.column_stack([y + along_y, y - along_y, y + along_x, y - along_x]))
    samples = sample_at(image, rows.astype(np.intp), cols.astype(np.intp))
    if dots is None:
        return np.asarray(samples[:, :2].mean(axis=1) - samples[:, 2:].mean(axis=1), np.float64)
    # A sample on a neighbouring round dot tells nothing of this mark's own shape: the
    # opposite sample stands for it (and when both lie on dots, the pair does not count).
    hidden = on_other_dots(cols.astype(np.float64), rows.astype(np.float64), x, y, *dots)
    along = _mean_shown(samples[:, :2], hidden[:, :2])
    across = _mean_shown(samples[:, 2:], hidden[:, 2:])
    excess = np.where(np.isfinite(along) & np.isfinite(across), along - across, 0.0)
    return np.asarray(excess, np.float64)


def _mean_shown(samples: NDArray[np.float64], hidden: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Mean of each row's samples that are not hidden; NaN where all are."""
    shown = ~hidden
    count = shown.sum(axis=1)
    total = np.where(shown, samples, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(count > 0, total / count, np.nan), np.float64)


def on_other_dots(
    sample_x: NDArray[np.float64],
    sample_y: NDArray[np.float64],
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    radius_px: NDArray[np.float64],
    round_dots: NDArray[np.bool_],
) -> NDArray[np.bool_]:
    """Which samples around each candidate fall on another candidate that is a round dot.

    A sample is on a dot within that dot's radius and a pixel; a candidate's own samples never
    fall on itself.

    Parameters
    ----------
    sample_x, sample_y : ndarray of float, shape (N, K)
        ``K`` sample positions around each of the ``N`` candidates.
    x, y : ndarray of float, shape (N,)
        Centres of the candidates.
    radius_px : ndarray of float, shape (N,)
        Their radii.
    round_dots : ndarray of bool, shape (N,)
        Which candidates are round dots.

    Returns
    -------
    ndarray of bool, shape (N, K)
        Whether each sample lies on another round dot.
    """
    hidden = np.zeros(sample_x.shape, dtype=bool)
    others = np.flatnonzero(round_dots)
    if len(others) == 0 or sample_x.size == 0:
        return hidden
    reach = float(radius_px[others].max()) + 1.0
    nearest, distance = nearest_within(
        np.column_stack([sample_x.ravel(), sample_y.ravel()]),
        np.column_stack([x[others], y[others]]),
        reach,
    )
    sample = np.flatnonzero(nearest >= 0)
    owner = others[nearest[sample]]
    on_dot = (distance[sample] <= radius_px[owner] + 1.0) & (owner != sample // sample_x.shape[1])
    hidden.ravel()[sample[on_dot]] = True
    return hidden


def ring_samples(
    image: NDArray[np.float32],
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    radius_px: NDArray[np.float64] | float,
) -> NDArray[np.float64]:
    """Sample the contrast at 16 points on a ring around each peak.

    Its median is high when the dark mark is wider than a dot (a mole); its maximum is high when
    something dark leaves the dot (a hair, an edge).

    Parameters
    ----------
    image : ndarray of float32, shape (rows, cols)
        The contrast map.
    x, y : ndarray of float, shape (N,)
        Centres.
    radius_px : ndarray of float, shape (N,), or float
        Radius of each ring.

    Returns
    -------
    ndarray of float, shape (N, 16)
        The samples.
    """
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    radius = np.broadcast_to(np.asarray(radius_px, dtype=np.float64), x.shape)[:, None]
    cols = np.round(x[:, None] + radius * np.cos(angles)[None, :]).astype(np.intp)
    rows = np.round(y[:, None] + radius * np.sin(angles)[None, :]).astype(np.intp)
    return sample_at(image, rows, cols)


def attached_darkness(
    fine: NDArray[np.float32],
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    radius_px: NDArray[np.float64],
    ring_px: NDArray[np.float64],
    round_dots: NDArray[np.bool_],
) -> NDArray[np.float64]:
    """Measure the darkest contrast on a ring just outside each candidate, round dots left out.

    Something dark touching a dot (a hair, an edge) shows on the ring; a neighbouring dot
    does too when dots are packed a few pixels apart, so ring samples that fall on another
    candidate that is itself round (within its radius and a pixel) do not count.

    Parameters
    ----------
    fine : ndarray of float32, shape (rows, cols)
        The lightly smoothed contrast map.
    x, y : ndarray of float, shape (N,)
        Centres of the candidates.
    radius_px : ndarray of float, shape (N,)
        Their radii.
    ring_px : ndarray of float, shape (N,)
        Radius of each one's ring.
    round_dots : ndarray of bool, shape (N,)
        Which candidates are round dots.

    Returns
    -------
    ndarray of float, shape (N,)
        The darkest contrast on each ring (``-inf`` where every sample is on a dot).
    """
    ring = ring_samples(fine, x, y, ring_px)
    others = np.flatnonzero(round_dots)
    if len(others) < 2:
        return np.asarray(ring.max(axis=1), dtype=np.float64)
    angles = np.linspace(0, 2 * np.pi, ring.shape[1], endpoint=False)
    ring_x = (x[:, None] + ring_px[:, None] * np.cos(angles)[None, :]).ravel()
    ring_y = (y[:, None] + ring_px[:, None] * np.sin(angles)[None, :]).ravel()
    # Only a dot within its radius and a pixel hides a sample: none reaches past the largest.
    reach = float(radius_px[others].max()) + 1.0
    nearest, distance = nearest_within(
        np.column_stack([ring_x, ring_y]), np.column_stack([x[others], y[others]]), reach
    )
    sample = np.flatnonzero(nearest >= 0)
    owner = others[nearest[sample]]
    on_dot = (distance[sample] <= radius_px[owner] + 1.0) & (owner != sample // ring.shape[1])
    hidden = np.zeros(ring.size, dtype=bool)
    hidden[sample[on_dot]] = True
    return np.asarray(np.where(hidden.reshape(ring.shape), -np.inf, ring).max(axis=1))


def colour_contrast(
    rgb: NDArray[np.uint8], skin: LocalSkin, peaks_rc: NDArray[np.intp]
) -> NDArray[np.float64]:
    """Measure the darkening of each colour channel at each peak against the local skin.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    skin : LocalSkin
        The local skin.
    peaks_rc : ndarray of int, shape (N, 2)
        Row and column of each peak.

    Returns
    -------
    ndarray of float, shape (N, 3)
        ``1 - photo / skin`` per channel (3 x 3 mean), -1..1.
    """
    total = np.zeros((len(peaks_rc), 3))
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            r = np.clip(peaks_rc[:, 0] + dr, 0, rgb.shape[0] - 1)
            c = np.clip(peaks_rc[:, 1] + dc, 0, rgb.shape[1] - 1)
            total += rgb[r, c]
    skin_rgb = skin.rgb_at(peaks_rc[:, 1].astype(np.float64), peaks_rc[:, 0].astype(np.float64))
    return np.asarray(np.clip(1.0 - total / 9.0 / np.maximum(skin_rgb, 1.0), -1, 1), np.float64)
