"""Estimate the Fitzpatrick skin type from a photo, through the individual typology angle (ITA°).

ITA° = arctan((L* − 50) / b*) × 180 / π, from the CIELAB colour of the skin between the
impressions. Skin colour categories by ITA° (Chardon, Cretois, Hourseau, Int J Cosmet Sci
1991;13:191–208; Del Bino & Bernerd, Br J Dermatol 2013;169 Suppl 3:33–40):

============  ============  ===========
ITA°          category      Fitzpatrick
============  ============  ===========
> 55          very light    I
41 to 55      light         II
28 to 41      intermediate  III
10 to 28      tan           IV
−30 to 10     brown         V
< −30         dark          VI
============  ============  ===========

This is an **estimate**: ITA° measures constitutive colour, Fitzpatrick type is the skin's
reaction to sun, and the two agree only roughly. White balance, exposure and lighting shift the
photo's colour. The clinician confirms the skin type; a given type always overrides the estimate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.errors import InputError
from scalpmap.imaging.validate import check_rgb

MAX_SIDE_PX = 512
"""The photo is downsampled to at most this many pixels on its longer side."""
SKIN_PERCENTILE = 40.0
"""Only pixels lighter (L*) than this percentile count as skin; darker ones are impressions,
hair, moles or shadow."""
MIN_SKIN_PIXELS = 50
ITA_CATEGORIES: tuple[tuple[float, int, str], ...] = (
    (55.0, 1, "very light"),
    (41.0, 2, "light"),
    (28.0, 3, "intermediate"),
    (10.0, 4, "tan"),
    (-30.0, 5, "brown"),
)
"""(lower bound in ITA° (exclusive), Fitzpatrick type, category); below the last: VI, dark."""
ROMAN = ("", "I", "II", "III", "IV", "V", "VI")


@dataclass(frozen=True)
class SkinEstimate:
    """A skin type estimated from the photo's colour.

    Attributes
    ----------
    fitzpatrick : int
        Estimated Fitzpatrick type, 1..6.
    ita_degrees : float
        Individual typology angle of the skin, in degrees.
    lab_median : tuple of float
        Median CIELAB ``(L*, a*, b*)`` of the skin pixels (D65).
    category : str
        The ITA° skin colour category, e.g. ``"intermediate"``.
    estimated : bool
        Always True: the type comes from the photo, not from the clinician.
    """

    fitzpatrick: int
    ita_degrees: float
    lab_median: tuple[float, float, float]
    category: str
    estimated: bool = True

    @property
    def label(self) -> str:
        """Words for a report, e.g. ``"III (estimated from the photo, ITA 40°)"``."""
        return (
            f"{ROMAN[self.fitzpatrick]} (estimated from the photo: {self.category} skin, "
            f"ITA {self.ita_degrees:.0f}°)"
        )

    def to_json(self) -> dict[str, Any]:
        """Return plain JSON values.

        Returns
        -------
        dict
            ``fitzpatrick``, ``ita_degrees``, ``lab_median``, ``category`` and ``estimated``.
        """
        return {
            "fitzpatrick": self.fitzpatrick,
            "ita_degrees": round(self.ita_degrees, 2),
            "lab_median": [round(v, 2) for v in self.lab_median],
            "category": self.category,
            "estimated": self.estimated,
        }


def ita_degrees(lightness: float, b_star: float) -> float:
    """Return the individual typology angle of a CIELAB colour.

    Parameters
    ----------
    lightness : float
        L*, 0..100.
    b_star : float
        b*, the yellow–blue axis. Skin has b* > 0; a value at or below zero is treated as a tiny
        positive one, so the angle tends to ±90°.

    Returns
    -------
    float
        ITA° = arctan((L* − 50) / b*) in degrees.

    Examples
    --------
    >>> round(ita_degrees(70.0, 20.0), 1)
    45.0
    >>> round(ita_degrees(40.0, 20.0), 1)
    -26.6
    """
    return math.degrees(math.atan2(lightness - 50.0, max(b_star, 1e-6)))


def ita_to_fitzpatrick(ita: float) -> tuple[int, str]:
    """Map an ITA° to the Fitzpatrick type of its skin colour category (Chardon / Del Bino).

    Parameters
    ----------
    ita : float
        Individual typology angle in degrees.

    Returns
    -------
    fitzpatrick : int
        1..6.
    category : str
        very light, light, intermediate, tan, brown or dark.

    Examples
    --------
    >>> ita_to_fitzpatrick(60.0), ita_to_fitzpatrick(30.0), ita_to_fitzpatrick(-45.0)
    ((1, 'very light'), (3, 'intermediate'), (6, 'dark'))
    """
    for lower, fitzpatrick, category in ITA_CATEGORIES:
        if ita > lower:
            return fitzpatrick, category
    return 6, "dark"


def _downsample(
    rgb: NDArray[np.uint8], mask: NDArray[np.bool_] | None
) -> tuple[NDArray[np.uint8], NDArray[np.bool_]]:
    """Shrink the photo (area average) and its mask (nearest) to at most MAX_SIDE_PX."""
    rows, cols = rgb.shape[:2]
    factor = MAX_SIDE_PX / max(rows, cols)
    full_mask = np.ones((rows, cols), bool) if mask is None else mask
    if factor >= 1.0:
        return rgb, full_mask
    size = (max(1, round(cols * factor)), max(1, round(rows * factor)))
    small = np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    small_mask = cv2.resize(full_mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST)
    return small, np.asarray(small_mask, dtype=np.uint8) > 0


def estimate_fitzpatrick(rgb: Any, *, mask: Any = None) -> SkinEstimate:
    """Estimate the Fitzpatrick skin type of the skin in a photo from its ITA°.

    The photo is downsampled, converted to CIELAB (sRGB, D65), and the median colour of the
    lighter skin pixels (above the 40th percentile of L* within the mask) gives the ITA°. Dropping
    the darker pixels keeps impressions, hair, moles and shadow out of the skin colour.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    mask : ndarray of bool, shape (rows, cols), optional
        Where the skin is (e.g. the scalp mask). Default: the whole photo.

    Returns
    -------
    SkinEstimate
        The estimated type, marked as an estimate.

    Raises
    ------
    InputError
        When the photo is not RGB uint8, the mask's shape differs, or it holds too little skin.

    Examples
    --------
    >>> import numpy as np
    >>> skin = np.full((64, 64, 3), (204, 161, 128), np.uint8)  # intermediate skin colour
    >>> estimate = estimate_fitzpatrick(skin)
    >>> estimate.fitzpatrick, estimate.category, estimate.estimated
    (3, 'intermediate', True)
    """
    check_rgb(rgb)
    if mask is not None:
        if not isinstance(mask, np.ndarray) or mask.shape != rgb.shape[:2]:
            got = mask.shape if isinstance(mask, np.ndarray) else type(mask).__name__
            raise InputError(
                f"skin mask must be a boolean array of shape {rgb.shape[:2]}, got {got}"
            )
        mask = mask.astype(bool)
    small, small_mask = _downsample(rgb, mask)
    if int(small_mask.sum()) < MIN_SKIN_PIXELS:
        raise InputError("too little skin in the mask to estimate the skin type; give --skin-type")
    from skimage.color import rgb2lab  # with scipy.linalg, 0.3-0.5 s to import

    lab = np.asarray(rgb2lab(small.astype(np.float32) / np.float32(255.0)), dtype=np.float64)
    pixels = lab[small_mask]
    threshold = float(np.percentile(pixels[:, 0], SKIN_PERCENTILE))
    skin = pixels[pixels[:, 0] > threshold]
    if len(skin) < MIN_SKIN_PIXELS:  # a flat colour: every pixel sits at the percentile
        skin = pixels[pixels[:, 0] >= threshold]
    lightness, a_star, b_star = (float(v) for v in np.median(skin, axis=0))
    ita = ita_degrees(lightness, b_star)
    fitzpatrick, category = ita_to_fitzpatrick(ita)
    return SkinEstimate(
        fitzpatrick=fitzpatrick,
        ita_degrees=ita,
        lab_median=(lightness, a_star, b_star),
        category=category,
    )
