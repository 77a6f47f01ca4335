"""The scales a person may give, in mm per pixel: one range for the command line and the web app.

A phone 10-20 cm from the scalp gives 0.02-0.08 mm/px and a whole head 0.1-0.25; anything
outside 0.005-1.0 is a typo (a scale in cm or µm, a missing zero), and is refused before any
work starts. This module imports nothing heavy, so that the command line checks it at once.
"""

from __future__ import annotations

import math

from scalpmap.errors import InputError

__all__ = ["GIVEN_MAX_MM_PER_PX", "GIVEN_MIN_MM_PER_PX", "check_given_scale"]

GIVEN_MIN_MM_PER_PX = 0.005
GIVEN_MAX_MM_PER_PX = 1.0


def check_given_scale(value: float | None, *, name: str = "--mm-per-px") -> float | None:
    """Check a scale typed by a person.

    Parameters
    ----------
    value : float or None
        Millimetres per pixel, or None when none was given.
    name : str, optional
        How the user typed it, for the message.

    Returns
    -------
    float or None
        The scale, unchanged.

    Raises
    ------
    InputError
        When it is not a number within ``GIVEN_MIN_MM_PER_PX``..``GIVEN_MAX_MM_PER_PX``.

    Examples
    --------
    >>> check_given_scale(0.035), check_given_scale(None)
    (0.035, None)
    >>> try:
    ...     check_given_scale(0)
    ... except InputError as error:
    ...     print(str(error)[:41])
    --mm-per-px must be 0.005..1 mm per px (a
    """
    if value is None:
        return None
    if not math.isfinite(value) or not GIVEN_MIN_MM_PER_PX <= value <= GIVEN_MAX_MM_PER_PX:
        raise InputError(
            f"{name} must be {GIVEN_MIN_MM_PER_PX:g}..{GIVEN_MAX_MM_PER_PX:g} mm per px "
            f"(a close-up is about 0.02-0.08, a whole head 0.1-0.25), got {value:g}"
        )
    return value
