"""Whether a weak mark darkens the colour channels as the photo's own faint impressions do.

One person's impressions are one ink, and the ink darkens the red, green and blue channels in
its own proportions: the *tone* of a mark is the direction of its darkening per channel
(:func:`scalpmap.imaging.dot_shape.colour_contrast`), whatever its strength. Pores, flecks and
the skin's own texture darken the skin by its pigment (melanin, blood, shadow), in other
proportions. A faint impression's tone is noisier than a dark one's and, seen through the skin,
drifts from it, so a weak mark is compared with the photo's faint clear impressions (the clear
ones no darker than their median): it has their tone when it lies no farther from their median
direction than ``TONE_QUANTILE`` of them do.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

TONE_QUANTILE = 0.75
"""A weak mark's tone must lie within the angle that holds this share of the faint clear
impressions' tones around their median direction."""


def like_faint_tone(
    contrast_rgb: NDArray[np.float64],
    darkness: NDArray[np.float64],
    clear: NDArray[np.bool_],
) -> NDArray[np.bool_]:
    """Find the marks whose tone is that of the photo's faint clear impressions.

    Parameters
    ----------
    contrast_rgb : ndarray of float, shape (N, 3)
        Each mark's darkening per colour channel.
    darkness : ndarray of float, shape (N,)
        Each mark's darkness.
    clear : ndarray of bool, shape (N,)
        The clear impressions (at least one): the faint half of them is the reference.

    Returns
    -------
    ndarray of bool, shape (N,)
        Which marks darken the channels in the proportions of the faint clear impressions
        (within the angle holding ``TONE_QUANTILE`` of theirs); a mark that darkens no channel
        has no tone and never does.

    Examples
    --------
    >>> wobble = np.outer((-1.0) ** np.arange(20), [0.003, -0.003, 0.0])  # the noise
    >>> ink = np.outer(np.linspace(0.6, 1.4, 20), [0.10, 0.12, 0.14]) + wobble
    >>> marks = np.array([[0.05, 0.06, 0.07], [0.07, 0.05, 0.03], [0.0, 0.0, 0.0]])
    >>> rgb = np.vstack([ink, marks])
    >>> clear = np.r_[np.ones(20, bool), np.zeros(3, bool)]
    >>> like_faint_tone(rgb, rgb.mean(axis=1), clear)[20:].tolist()
    [True, False, False]
    """
    length = np.linalg.norm(contrast_rgb, axis=1)
    toned = (length > 0) & (contrast_rgb.sum(axis=1) > 0)
    direction = contrast_rgb / np.maximum(length, 1e-12)[:, None]
    reference = clear & toned & (darkness <= np.median(darkness[clear]))
    if not reference.any():
        return np.zeros(len(darkness), dtype=bool)
    centre = np.median(direction[reference], axis=0)
    centre /= max(float(np.linalg.norm(centre)), 1e-12)
    angle = np.arccos(np.clip(direction @ centre, -1.0, 1.0))
    spread = float(np.quantile(angle[reference], TONE_QUANTILE))
    return np.asarray(toned & (angle <= spread), dtype=bool)
