"""Checks shared by the public imaging functions: validate at the door, say how to fix it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from scalpmap.errors import InputError, ScaleError

MIN_MM_PER_PX = 0.001
MAX_MM_PER_PX = 2.0


def check_rgb(image: Any) -> None:
    """Check that ``image`` is an RGB photo array.

    Parameters
    ----------
    image : ndarray
        The candidate photo.

    Raises
    ------
    InputError
        When it is not a (rows, cols, 3) uint8 array.
    """
    if not isinstance(image, np.ndarray):
        raise InputError(
            f"expected a numpy RGB array, got {type(image).__name__}; use load_photo()"
        )
    if image.ndim != 3 or image.shape[2] != 3:
        raise InputError(
            f"expected an RGB image of shape (rows, cols, 3), got shape {image.shape}; "
            "pass rgb or use load_photo()"
        )
    if image.dtype != np.uint8:
        raise InputError(f"expected uint8 pixels, got {image.dtype}; use load_photo()")
    if min(image.shape[:2]) < 16:
        raise InputError(f"photo is too small ({image.shape[1]}x{image.shape[0]} px) to analyse")


def check_mm_per_px(mm_per_px: float) -> None:
    """Check that a scale is a plausible positive number of mm per pixel.

    Parameters
    ----------
    mm_per_px : float
        The scale.

    Raises
    ------
    ScaleError
        When it is not finite or outside 0.001..2 mm per pixel.
    """
    if not isinstance(mm_per_px, int | float) or not math.isfinite(mm_per_px):
        raise ScaleError(f"mm per px must be a number, got {mm_per_px!r}")
    if not MIN_MM_PER_PX <= mm_per_px <= MAX_MM_PER_PX:
        raise ScaleError(
            f"mm per px {mm_per_px:g} is outside {MIN_MM_PER_PX:g}..{MAX_MM_PER_PX:g}; "
            "check --mm-per-px (a close-up is about 0.02-0.05, a whole head 0.1-0.25)"
        )
