"""How large the impressions are on this photo, and whether they can be counted one by one.

The mode is chosen from the photo, not from a nominal size: the close-up detector runs, and the
impressions it finds measure their own typical diameter, the blur taken out
(:mod:`scalpmap.imaging.dot_profile`). Where the typical impression spans ``MIN_RESOLVED_PX``
or more, impressions are counted; below it, the pigment's coverage is measured instead. A photo
at ``WHOLE_HEAD_MM_PER_PX`` or coarser shows a whole head, whose analysis (face, brow line,
pigment texture) is the coverage mode's; impressions mode is refused there.

When too few impressions are found to measure (bare skin, or dots too small or faint to find),
the scale decides: a ``NOMINAL_IMPRESSION_MM`` impression must span ``MIN_RESOLVED_PX``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from scalpmap.errors import InputError
from scalpmap.imaging.detect import Impressions
from scalpmap.imaging.dot_profile import measure_dot_sizes
from scalpmap.imaging.skin import LocalSkin

Mode = Literal["impressions", "coverage"]

MIN_RESOLVED_PX = 2.0
WHOLE_HEAD_MM_PER_PX = 0.1
MIN_MEASURED = 20
NOMINAL_IMPRESSION_MM = 0.10
MIXED_SHARE = 0.25


class UnresolvedImpressionsError(InputError):
    """Impressions mode was asked for, but the photo's impressions are too small to count."""


@dataclass(frozen=True)
class DotScale:
    """The impressions' size as measured on the photo.

    Attributes
    ----------
    typical_diameter_px : float or None
        Median diameter of the impressions found, in pixels, without the blur; None when too few
        were found to measure (fewer than ``MIN_MEASURED``) or the photo was not searched.
    mm_per_px : float
        The photo's scale.
    measured : int
        How many impressions the measure rests on.
    resolved_percent : float or None
        Share of those impressions that span ``MIN_RESOLVED_PX`` or more.
    footprint_diameter_px : float or None
        Median footprint diameter as the photo shows it, blur included.
    blur_sigma_px : float or None
        The photo's blur measured on the impressions, as a Gaussian's sigma.
    """

    typical_diameter_px: float | None
    mm_per_px: float
    measured: int = 0
    resolved_percent: float | None = None
    footprint_diameter_px: float | None = None
    blur_sigma_px: float | None = None

    @property
    def typical_diameter_mm(self) -> float | None:
        """The typical diameter in millimetres."""
        if self.typical_diameter_px is None:
            return None
        return self.typical_diameter_px * self.mm_per_px

    @property
    def resolved(self) -> bool | None:
        """Whether the typical impression spans enough pixels to count; None when unmeasured."""
        if self.typical_diameter_px is None:
            return None
        return self.typical_diameter_px >= MIN_RESOLVED_PX

    @property
    def mixed(self) -> bool:
        """Whether the impressions resolve, but a good share of them (``MIXED_SHARE``) do not."""
        if not self.resolved or self.resolved_percent is None:
            return False
        return self.resolved_percent < 100 * (1 - MIXED_SHARE)

    def words(self) -> str:
        """Say the measure in words, e.g. ``"about 3.1 px (0.19 mm) across"``.

        Returns
        -------
        str
            The words; says when nothing was measured.
        """
        if self.typical_diameter_px is None or self.typical_diameter_mm is None:
            return f"too few impressions found to measure their size ({self.measured})"
        return f"about {self.typical_diameter_px:.1f} px ({self.typical_diameter_mm:.2f} mm) across"

    def to_json(self) -> dict[str, Any]:
        """Return the ``impression_size`` block of analysis.json.

        Returns
        -------
        dict
            Plain values.
        """
        mm = self.typical_diameter_mm
        return {
            "typical_diameter_px": None
            if self.typical_diameter_px is None
            else round(self.typical_diameter_px, 2),
            "typical_diameter_mm": None if mm is None else round(mm, 4),
            "measured": self.measured,
            "resolved_percent": None
            if self.resolved_percent is None
            else round(self.resolved_percent, 1),
            "footprint_diameter_px": None
            if self.footprint_diameter_px is None
            else round(self.footprint_diameter_px, 2),
            "blur_sigma_px": None if self.blur_sigma_px is None else round(self.blur_sigma_px, 2),
            "min_resolved_px": MIN_RESOLVED_PX,
        }


def measure_dot_scale(
    rgb: NDArray[np.uint8], impressions: Impressions, mm_per_px: float, skin: LocalSkin
) -> DotScale:
    """Measure the typical diameter of the impressions found, without the blur.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    impressions : Impressions
        What the close-up detector found.
    mm_per_px : float
        Scale.
    skin : LocalSkin
        The local skin the impressions were judged against.

    Returns
    -------
    DotScale
        The typical diameter, or None when fewer than ``MIN_MEASURED`` impressions could be
        measured.
    """
    footprint_px = impressions.diameter_mm / mm_per_px
    sizes = measure_dot_sizes(rgb, impressions.xy, footprint_px, skin)
    diameter_px = sizes.diameter_px[np.isfinite(sizes.diameter_px)]
    if len(diameter_px) < MIN_MEASURED:
        return DotScale(None, mm_per_px, len(diameter_px))
    return DotScale(
        float(np.median(diameter_px)),
        mm_per_px,
        len(diameter_px),
        float(np.mean(diameter_px >= MIN_RESOLVED_PX)) * 100,
        footprint_diameter_px=float(np.median(footprint_px)),
        blur_sigma_px=sizes.blur_sigma_px,
    )


def choose_mode(mm_per_px: float, dots: DotScale | None = None) -> tuple[Mode, str]:
    """Choose impressions or coverage from the impressions measured on the photo.

    Parameters
    ----------
    mm_per_px : float
        Scale.
    dots : DotScale, optional
        The impressions measured on the photo; without it (or without enough impressions to
        measure), a ``NOMINAL_IMPRESSION_MM`` impression must span ``MIN_RESOLVED_PX``.

    Returns
    -------
    mode : {"impressions", "coverage"}
        The mode.
    reason : str
        Why, in words.

    Examples
    --------
    >>> choose_mode(0.03)[0], choose_mode(0.15)[0]
    ('impressions', 'coverage')
    >>> choose_mode(0.06, DotScale(3.2, 0.06, 500, 97.0))[0]
    'impressions'
    >>> choose_mode(0.06, DotScale(1.5, 0.06, 500, 10.0))[0]
    'coverage'
    """
    at = f"at {mm_per_px:.3f} mm/px"
    if mm_per_px >= WHOLE_HEAD_MM_PER_PX:
        return "coverage", (
            f"{at} the photo shows the whole head, where single impressions are not counted: "
            "the pigment's coverage is measured instead"
        )
    if dots is None or dots.typical_diameter_px is None:
        span = NOMINAL_IMPRESSION_MM / mm_per_px
        found = "" if dots is None else f"{dots.words()}; "
        if span >= MIN_RESOLVED_PX:
            return "impressions", (
                f"{found}{at} a {NOMINAL_IMPRESSION_MM:.2f} mm impression spans {span:.1f} px, "
                "enough to resolve single impressions"
            )
        return "coverage", (
            f"{found}{at} a {NOMINAL_IMPRESSION_MM:.2f} mm impression spans only {span:.1f} px "
            f"(below {MIN_RESOLVED_PX:g} px), so pigment coverage is measured instead"
        )
    size = f"the impressions measure {dots.words()} {at}"
    if not dots.resolved:
        return "coverage", (
            f"{size}, below {MIN_RESOLVED_PX:g} px: too small to count one by one, so pigment "
            "coverage is measured instead"
        )
    if dots.mixed:
        return "impressions", (
            f"{size}, enough to count them, but {100 - (dots.resolved_percent or 0):.0f} % "
            f"measure under {MIN_RESOLVED_PX:g} px: mixed, so impressions are counted where they "
            "resolve and the pigment coverage of the region is reported as well"
        )
    return "impressions", f"{size}, enough to count each one"


def refuse_unresolved(dots: DotScale) -> None:
    """Refuse impressions mode on a photo whose impressions are too small to count.

    Parameters
    ----------
    dots : DotScale
        The impressions measured on the photo.

    Raises
    ------
    UnresolvedImpressionsError
        When the typical impression spans less than ``MIN_RESOLVED_PX``, or the photo is at
        whole-head scale (``WHOLE_HEAD_MM_PER_PX`` or coarser), where dots blur into each other.
    """
    if dots.mm_per_px >= WHOLE_HEAD_MM_PER_PX:
        raise UnresolvedImpressionsError(
            f"impressions mode is for close-ups finer than {WHOLE_HEAD_MM_PER_PX:g} mm/px; at "
            f"{dots.mm_per_px:.3f} mm/px the impressions measure {dots.words()}, too close to "
            "the blur to count one by one: use auto or coverage mode, or a close-up"
        )
    if dots.resolved is False:
        raise UnresolvedImpressionsError(
            f"impressions mode needs impressions at least {MIN_RESOLVED_PX:g} px across, but "
            f"they measure {dots.words()} here: use auto or coverage mode, or a closer photo"
        )
