"""What a synthetic photo draws: :class:`SynthOptions`, and the seed's choices for the rest.

Options left as ``None`` are drawn from realistic ranges by :func:`resolve_options`, from the
seed alone, so the same seed always gives the same photo (:mod:`scalpmap.imaging.synth`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from scalpmap.errors import InputError
from scalpmap.imaging.synth_geometry import HairlineStyle, View

Ink = Literal["bluish-black", "black", "faded-grey"]
BeardStyle = Literal["none", "stubble", "full", "goatee"]

CLOSEUP_MM_PER_PX = (0.025, 0.038)
PHONE_MM_PER_PX = (0.02, 0.08)
"""Phone close-ups (``phone=True``): a phone 10-20 cm from the scalp."""
WHOLE_HEAD_MM_PER_PX = (0.10, 0.25)
VIEWS: tuple[View, ...] = (
    "closeup",
    "front",
    "three-quarter-left",
    "three-quarter-right",
    "side",
    "top",
)
BEARDS: tuple[BeardStyle, ...] = ("none", "stubble", "full", "goatee")


@dataclass(frozen=True)
class SynthOptions:
    """What to draw. ``None`` means: draw it at random from a realistic range.

    Attributes
    ----------
    seed : int
        Seed of every random choice.
    view : {"closeup", "front", "three-quarter-left", "three-quarter-right", "side", "top"}
        A close-up of the frontal hairline, or a whole-head view (``three-quarter-left`` shows
        the patient's left cheek).
    width_px, height_px : int
        Photo size.
    mm_per_px : float or None
        Scale; 0.025–0.038 for close-ups (0.02–0.08 with ``phone``) and 0.10–0.25 for
        whole-head views by default.
    fitzpatrick : int or None
        Skin type 1..6.
    ink : {"bluish-black", "black", "faded-grey"} or None
        Ink of the impressions.
    density_per_cm2 : float or None
        Nominal impression density, 15–80 per cm² (40–80 for whole-head views).
    hairline : {"aggressive", "rounded"} or None
        Hairline shape.
    marker : bool
        Place the printed calibration sticker.
    silhouette : bool or None
        Show the head's outline against a background (always in whole-head views).
    confounders : bool
        Add stubble, pores, freckles and moles.
    jpeg_quality : int or None
        JPEG quality used by :func:`write_synthetic_photo` and applied to the returned pixels.
    beard : {"none", "stubble", "full", "goatee"} or None
        Whole-head views: the beard.
    moustache : bool or None
        Whole-head views: a moustache over the upper lip.
    shine : float or None
        Whole-head views: strength of the skin's specular shine, 0 (matt) to 1.
    wrinkles : bool or None
        Whole-head views: horizontal wrinkles on the forehead.
    glasses : bool or None
        Whole-head views: spectacles.
    natural_hair : bool or None
        Whole-head views: shaved natural hair on the sides and back, inside the SMP region.
    phone : bool
        Close-ups as a phone 10-20 cm away takes them: 0.02-0.08 mm/px by default, impressions
        at least 2 px across, faded ink down to strength 0.35 (darkness 0.21), and a third of
        the impressions with ink spread into the skin (a soft edge). Off, the close-ups are
        drawn as before (the tests' and the demo's photos do not change).
    """

    seed: int = 0
    view: View = "closeup"
    width_px: int = 2400
    height_px: int = 1800
    mm_per_px: float | None = None
    fitzpatrick: int | None = None
    ink: Ink | None = None
    density_per_cm2: float | None = None
    hairline: HairlineStyle | None = None
    marker: bool = True
    silhouette: bool | None = None
    confounders: bool = True
    jpeg_quality: int | None = None
    beard: BeardStyle | None = None
    moustache: bool | None = None
    shine: float | None = None
    wrinkles: bool | None = None
    glasses: bool | None = None
    natural_hair: bool | None = None
    phone: bool = False


def resolve_options(options: SynthOptions) -> SynthOptions:
    """Fill every ``None`` option from the seed and check the given ones.

    Parameters
    ----------
    options : SynthOptions
        Options, some possibly ``None``.

    Returns
    -------
    SynthOptions
        Options with every value set.

    Raises
    ------
    InputError
        When a value is out of range.
    """
    if not (64 <= options.width_px <= 12000 and 64 <= options.height_px <= 12000):
        raise InputError("photo size must be 64..12000 px on each side; pass --width/--height")
    if options.fitzpatrick is not None and options.fitzpatrick not in range(1, 7):
        raise InputError(f"Fitzpatrick type must be 1..6, got {options.fitzpatrick}")
    if options.density_per_cm2 is not None and not 1 <= options.density_per_cm2 <= 200:
        raise InputError(f"density must be 1..200 per cm², got {options.density_per_cm2}")
    if options.mm_per_px is not None and not 0.005 <= options.mm_per_px <= 1.0:
        raise InputError(f"mm per px must be 0.005..1.0, got {options.mm_per_px}")
    if options.shine is not None and not 0.0 <= options.shine <= 1.0:
        raise InputError(f"shine must be 0..1, got {options.shine}")
    if options.view not in VIEWS:
        raise InputError(f"view must be one of {', '.join(VIEWS)}, got {options.view!r}")
    if options.beard is not None and options.beard not in BEARDS:
        raise InputError(f"beard must be one of {', '.join(BEARDS)}, got {options.beard!r}")
    rng = np.random.default_rng([options.seed, 7])
    whole_head = options.view != "closeup"
    scale_range = (
        WHOLE_HEAD_MM_PER_PX
        if whole_head
        else PHONE_MM_PER_PX
        if options.phone
        else CLOSEUP_MM_PER_PX
    )
    inks: tuple[Ink, ...] = ("bluish-black", "black", "faded-grey")
    styles: tuple[HairlineStyle, ...] = ("aggressive", "rounded")
    resolved = replace(
        options,
        mm_per_px=options.mm_per_px or float(rng.uniform(*scale_range)),
        fitzpatrick=options.fitzpatrick or int(rng.integers(1, 7)),
        ink=options.ink or inks[int(rng.integers(0, 3))],
        density_per_cm2=options.density_per_cm2
        or float(rng.uniform(40, 80) if whole_head else rng.uniform(15, 80)),
        hairline=options.hairline or styles[int(rng.integers(0, 2))],
        silhouette=whole_head
        or (options.silhouette if options.silhouette is not None else bool(rng.uniform() < 0.3)),
        jpeg_quality=options.jpeg_quality or int(rng.integers(80, 96)),
    )
    if not whole_head:
        return resolved
    face_rng = np.random.default_rng([options.seed, 8])  # the close-ups' draws stay as they were
    beard = options.beard or BEARDS[int(face_rng.choice(4, p=[0.4, 0.2, 0.25, 0.15]))]
    moustache = options.moustache
    if moustache is None:
        moustache = bool(face_rng.uniform() < (0.8 if beard == "full" else 0.3))
    shine = options.shine
    if shine is None:
        shine = float(face_rng.uniform(0.15, 0.5)) if face_rng.uniform() < 0.6 else 0.0
    wrinkles = options.wrinkles
    if wrinkles is None:
        wrinkles = bool(face_rng.uniform() < 0.4)
    glasses = options.glasses
    if glasses is None:
        glasses = bool(face_rng.uniform() < 0.2)
    natural_hair = options.natural_hair
    if natural_hair is None:
        natural_hair = bool(face_rng.uniform() < 0.35)
    return replace(
        resolved,
        beard=beard,
        moustache=moustache,
        shine=shine,
        wrinkles=wrinkles,
        glasses=glasses,
        natural_hair=natural_hair,
    )
