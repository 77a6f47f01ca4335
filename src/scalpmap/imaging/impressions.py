"""The detector's result, :class:`Impressions`, and the photo's typical impression.

One person's impressions are one ink: the photo's typical impression (the upper quartile of the
darkness of those found) is the yardstick against which marks far fainter than it are judged
pores, skin texture or pieces of hair (:func:`drop_relatively_faint`,
:mod:`scalpmap.imaging.hair_dots`); so are faint marks much broader than its median impression.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.weak_tone import like_faint_tone

RELATIVE_FAINT_SHARE = 0.2
"""A candidate darker than its skin by less than this share of the photo's typical impression
(the upper quartile of the darkness of those kept, ``RELATIVE_FAINT_QUANTILE``) is a pore or skin
texture: one person's impressions are one ink, and faded or small ones still keep well over a
fifth of the darkness of the others."""
RELATIVE_FAINT_QUANTILE = 0.75
RELATIVE_FAINT_MIN_COUNT = 10
"""Below this many impressions there is no typical one to compare with."""
MIN_CLEAR_FOR_WEAK = 20
"""Marks that barely stand out from the noise count only beside at least this many clear
impressions: as many as it takes to measure the photo's impressions
(:data:`scalpmap.imaging.dot_scale.MIN_MEASURED`), so that skin texture alone never makes a photo
of bare skin a close-up of impressions."""
BROAD_SHARE = 1.5
BROAD_FAINT_SHARE = 0.3
"""A candidate broader than ``BROAD_SHARE`` times the photo's median impression (footprints, the
blur included) and darker than its skin by less than ``BROAD_FAINT_SHARE`` of the typical
impression is skin texture (a pore, a soft shadow): an impression is faint because its ink
faded or because it is small, and then it is not broader than the others, only fainter."""


@dataclass(frozen=True)
class Impressions:
    """Detected impressions; row ``i`` of every array describes impression ``i``.

    Attributes
    ----------
    xy : ndarray of float, shape (N, 2)
        Sub-pixel centres ``(x, y)``, origin top-left.
    diameter_mm : ndarray of float, shape (N,)
        Diameter of the dark footprint (half of the peak contrast).
    darkness : ndarray of float, shape (N,)
        Peak darkening against the local skin, 0..1.
    contrast_rgb : ndarray of float, shape (N, 3)
        Darkening in each colour channel, for judging the ink's tone.
    rejected : dict of str to int
        How many candidates were rejected, by reason.
    """

    xy: NDArray[np.float64]
    diameter_mm: NDArray[np.float64]
    darkness: NDArray[np.float64]
    contrast_rgb: NDArray[np.float64]
    rejected: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """Number of impressions."""
        return int(self.xy.shape[0])

    def select(self, keep: NDArray[np.bool_]) -> Impressions:
        """Return the impressions where ``keep`` is true.

        Parameters
        ----------
        keep : ndarray of bool, shape (N,)
            Which to keep.

        Returns
        -------
        Impressions
            The subset, with the same rejection counts.
        """
        return Impressions(
            xy=self.xy[keep],
            diameter_mm=self.diameter_mm[keep],
            darkness=self.darkness[keep],
            contrast_rgb=self.contrast_rgb[keep],
            rejected=dict(self.rejected),
        )

    @classmethod
    def empty(cls) -> Impressions:
        """Return an empty result with the right shapes.

        Returns
        -------
        Impressions
            No impressions.
        """
        return cls(np.zeros((0, 2)), np.zeros(0), np.zeros(0), np.zeros((0, 3)), {})


def typical_darkness(darkness: NDArray[np.float64]) -> float | None:
    """Measure the photo's typical impression's darkness: the upper quartile of those found.

    Parameters
    ----------
    darkness : ndarray of float, shape (N,)
        Darkness of the impressions found so far.

    Returns
    -------
    float or None
        The ``RELATIVE_FAINT_QUANTILE`` quantile; None with fewer than
        ``RELATIVE_FAINT_MIN_COUNT`` impressions (no typical one to compare with).

    Examples
    --------
    >>> typical_darkness(np.linspace(0.1, 0.5, 21)), typical_darkness(np.ones(3))
    (0.4, None)
    """
    if len(darkness) < RELATIVE_FAINT_MIN_COUNT:
        return None
    return float(np.quantile(darkness, RELATIVE_FAINT_QUANTILE))


def drop_relatively_faint(found: Impressions) -> Impressions:
    """Drop the candidates far fainter than the photo's typical impression (pores, texture).

    Parameters
    ----------
    found : Impressions
        The impressions that passed every other test.

    Returns
    -------
    Impressions
        Those at least ``RELATIVE_FAINT_SHARE`` as dark as the upper quartile of all of them,
        and at least ``BROAD_FAINT_SHARE`` as dark when broader than ``BROAD_SHARE`` times their
        median footprint (all of them when there are fewer than ``RELATIVE_FAINT_MIN_COUNT``);
        the dropped ones are counted as faint.

    Examples
    --------
    >>> ink = np.r_[np.full(20, 0.5), 0.06]  # twenty impressions and a pore
    >>> found = Impressions(np.zeros((21, 2)), np.full(21, 0.2), ink, np.zeros((21, 3)))
    >>> drop_relatively_faint(found).count
    20
    >>> size = np.r_[np.full(20, 0.2), 0.35]  # the same pore, broader than the impressions
    >>> ink[20] = 0.12  # darker than a fifth, fainter than 0.3 of the typical impression
    >>> drop_relatively_faint(Impressions(np.zeros((21, 2)), size, ink, np.zeros((21, 3)))).count
    20
    """
    typical = typical_darkness(found.darkness)
    if typical is None:
        return found
    keep = found.darkness >= RELATIVE_FAINT_SHARE * typical
    broad = found.diameter_mm > BROAD_SHARE * float(np.median(found.diameter_mm))
    keep &= ~broad | (found.darkness >= BROAD_FAINT_SHARE * typical)
    return _drop_as_faint(found, keep)


def drop_weak_unlike_typical(found: Impressions, weak: NDArray[np.bool_]) -> Impressions:
    """Keep the marks that barely stand out from the noise only when they look like the ink.

    Near the noise the detector's tests cannot tell a faint impression from a pore or a fleck
    of skin texture by its shape; the photo's own impressions can. A weak mark (``weak``) counts
    when it is at least ``BROAD_FAINT_SHARE`` as dark as the photo's typical impression (the
    upper quartile of the others' darkness) and no broader than their median footprint:
    faint and broad is skin texture, and one person's faded ink keeps a good share of the
    darkness of the rest. A weak mark down to ``RELATIVE_FAINT_SHARE`` of the typical darkness
    counts too when, no broader, it has the tone of the photo's faint clear impressions (it
    darkens the colour channels in their proportions,
    :func:`scalpmap.imaging.weak_tone.like_faint_tone`): a faded impression is the ink, a pore
    or fleck as faint is the skin's own pigment.

    Parameters
    ----------
    found : Impressions
        The impressions found.
    weak : ndarray of bool, shape (N,)
        Which of them stood out from the noise only weakly.

    Returns
    -------
    Impressions
        The others, and the weak ones that look like them (none when the others are fewer
        than ``MIN_CLEAR_FOR_WEAK``: on bare skin, the few marks that stand out clearly
        are no ink to judge by, and counting its texture would make impressions of it); the
        dropped ones are counted as faint.

    Examples
    --------
    >>> ink = np.r_[np.full(20, 0.5), 0.2, 0.1]  # twenty impressions and two weak marks
    >>> found = Impressions(np.zeros((22, 2)), np.full(22, 0.2), ink, np.zeros((22, 3)))
    >>> drop_weak_unlike_typical(found, np.r_[np.zeros(20, bool), True, True]).count
    21
    >>> drop_weak_unlike_typical(found, np.r_[np.zeros(12, bool), np.ones(10, bool)]).count
    12
    """
    if not weak.any():
        return found
    typical = typical_beside_clear(found, weak)
    if typical is None:
        keep = ~weak  # no ink of this photo's own to judge them by: bare skin's texture
    else:
        small = found.diameter_mm <= float(np.median(found.diameter_mm[~weak]))
        toned = like_faint_tone(found.contrast_rgb, found.darkness, ~weak)
        keep = ~weak | (
            small
            & (
                (found.darkness >= BROAD_FAINT_SHARE * typical)
                | (toned & (found.darkness >= RELATIVE_FAINT_SHARE * typical))
            )
        )
    return _drop_as_faint(found, keep)


def typical_beside_clear(found: Impressions, weak: NDArray[np.bool_]) -> float | None:
    """Measure the clear impressions' typical darkness, when enough to judge weak marks by.

    Parameters
    ----------
    found : Impressions
        The impressions found.
    weak : ndarray of bool, shape (N,)
        Which of them stand out from the noise only weakly.

    Returns
    -------
    float or None
        :func:`typical_darkness` of the others; None when they are fewer than
        ``MIN_CLEAR_FOR_WEAK`` (on bare skin there is no ink to compare with).
    """
    if int((~weak).sum()) < MIN_CLEAR_FOR_WEAK:
        return None
    return typical_darkness(found.darkness[~weak])


def _drop_as_faint(found: Impressions, keep: NDArray[np.bool_]) -> Impressions:
    """Keep ``keep``; the others are counted as faint (a pore or the skin's texture)."""
    if keep.all():
        return found
    kept = found.select(keep)
    reason = "faint (pore or skin texture)"
    kept.rejected[reason] = kept.rejected.get(reason, 0) + int((~keep).sum())
    return kept
