"""The accuracy evaluation's synthetic photos: close-ups and whole heads, with their parameters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CLOSEUP_SEED_BASE = 11000


CLOSEUP_MM_PER_PX = (0.02, 0.08)


SCALE_BANDS = ((0.02, 0.04), (0.04, 0.06), (0.06, 0.08))


WHOLE_HEAD_SEED_BASE = 2000


INKS = ("bluish-black", "black", "faded-grey")


HAIRLINES = ("aggressive", "rounded")


VIEWS = ("front", "side", "top")


CLOSEUP_DENSITY = (15.0, 80.0)


WHOLE_HEAD_DENSITY = (40.0, 80.0)


@dataclass(frozen=True)
class Case:
    """One synthetic photo to generate and analyse.

    Attributes
    ----------
    kind : {"closeup", "whole-head"}
        Which group of the report the photo belongs to.
    seed : int
        Generator seed.
    view : {"closeup", "front", "side", "top"}
        Camera view.
    fitzpatrick : int
        Skin type 1..6.
    ink : str
        Ink of the impressions.
    density_per_cm2 : float
        Nominal impression density.
    hairline : str
        Hairline shape.
    width_px, height_px : int
        Photo size.
    mm_per_px : float or None
        Scale; drawn by the generator when None (whole heads).
    """

    kind: str
    seed: int
    view: str
    fitzpatrick: int
    ink: str
    density_per_cm2: float
    hairline: str
    width_px: int
    height_px: int
    mm_per_px: float | None = None


def closeup_cases(count: int, width_px: int, height_px: int) -> list[Case]:
    """Close-ups spanning every skin type x ink x a range of densities and scales.

    Photo ``i`` has skin type ``i % 6 + 1`` and ink ``INKS[(i // 6) % 3]``; densities rise
    evenly from 15 to 80 per cm² over the photos; the hairline shape switches every 18 photos,
    so that each skin type and ink pair is seen with both shapes. The scales are spread evenly
    over 0.02-0.08 mm/px and dealt to the photos in an order shuffled by the seed.

    Parameters
    ----------
    count : int
        Number of photos.
    width_px, height_px : int
        Photo size.

    Returns
    -------
    list of Case
        The photos.
    """
    densities = np.linspace(*CLOSEUP_DENSITY, count) if count > 1 else [CLOSEUP_DENSITY[0]]
    scales = np.linspace(*CLOSEUP_MM_PER_PX, count) if count > 1 else [CLOSEUP_MM_PER_PX[0]]
    order = np.random.default_rng(CLOSEUP_SEED_BASE).permutation(count)
    return [
        Case(
            kind="closeup",
            seed=CLOSEUP_SEED_BASE + i,
            view="closeup",
            fitzpatrick=i % 6 + 1,
            ink=INKS[(i // 6) % 3],
            density_per_cm2=round(float(densities[i]), 2),
            hairline=HAIRLINES[(i // 18) % 2],
            width_px=width_px,
            height_px=height_px,
            mm_per_px=round(float(scales[order[i]]), 4),
        )
        for i in range(count)
    ]


def whole_head_cases(count: int, width_px: int, height_px: int) -> list[Case]:
    """Whole-head photos cycling through the views, skin types and inks.

    Photo ``j`` has view ``VIEWS[j % 3]``, skin type ``(j // 3) % 6 + 1`` (so each view meets
    every skin type within 18 photos) and ink ``INKS[(j + j // 3) % 3]``; densities rise evenly
    from 40 to 80 per cm²; the hairline shape switches every 9 photos.

    Parameters
    ----------
    count : int
        Number of photos.
    width_px, height_px : int
        Photo size.

    Returns
    -------
    list of Case
        The photos.
    """
    densities = np.linspace(*WHOLE_HEAD_DENSITY, count) if count > 1 else [WHOLE_HEAD_DENSITY[0]]
    return [
        Case(
            kind="whole-head",
            seed=WHOLE_HEAD_SEED_BASE + j,
            view=VIEWS[j % 3],
            fitzpatrick=(j // 3) % 6 + 1,
            ink=INKS[(j + j // 3) % 3],
            density_per_cm2=round(float(densities[j]), 2),
            hairline=HAIRLINES[(j // 9) % 2],
            width_px=width_px,
            height_px=height_px,
        )
        for j in range(count)
    ]
