"""How a plan's figures are written: one format per kind of number, shared by every surface.

The assessment's sentences (:mod:`scalpmap.planning.assessment`) and the plan's stored figures
(:mod:`scalpmap.planning.plan_figures`) format their numbers here, so that "0.4%" of blown-out
impressions in a sentence is the same "0.4%" as in the facility's pigment table, the plan page
and the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "NOT_MEASURED",
    "area_text",
    "count_text",
    "density_text",
    "measure_value_text",
    "percent_text",
]

NOT_MEASURED = "not measured"


def area_text(cm2: float) -> str:
    """Write an area in cm², to 0.01 cm².

    Examples
    --------
    >>> area_text(14.4183)
    '14.42 cm²'
    """
    return f"{float(cm2):.2f} cm²"


def count_text(count: float) -> str:
    """Write a count of impressions.

    Examples
    --------
    >>> count_text(577)
    '577'
    """
    return str(int(count))


def density_text(per_cm2: float) -> str:
    """Write a density in impressions per cm², to 0.1.

    Examples
    --------
    >>> density_text(36.94)
    '36.9 per cm²'
    """
    return f"{float(per_cm2):.1f} per cm²"


def percent_text(value: float) -> str:
    """Write a percentage to 0.1 %.

    Examples
    --------
    >>> percent_text(0.434)
    '0.4%'
    """
    return f"{float(value):.1f}%"


def measure_value_text(name: str, value: float | None, details: Mapping[str, Any]) -> str:
    """Write an assessment measure's value as every surface shows it.

    Parameters
    ----------
    name : str
        The measure (``impression_size``, ``spacing``, ``patchiness``, ``colour_cast``,
        ``hairline_harshness``, ``symmetry``).
    value : float or None
        Its value; None when it was not measured.
    details : mapping
        Its details (``colour_cast`` names its ``cast``).

    Returns
    -------
    str
        E.g. ``0.4% blown out``, ``R 1.17``, ``blue cast, shift 0.17``, ``1.8 mm``; or
        :data:`NOT_MEASURED`.

    Examples
    --------
    >>> measure_value_text("impression_size", 0.434, {})
    '0.4% blown out'
    >>> measure_value_text("colour_cast", 0.1712, {"cast": "blue"})
    'blue cast, shift 0.17'
    >>> measure_value_text("spacing", None, {})
    'not measured'
    """
    if value is None:
        return NOT_MEASURED
    number = float(value)
    if name == "impression_size":
        return f"{percent_text(number)} blown out"
    if name == "spacing":
        return f"R {number:.2f}"
    if name == "patchiness":
        return f"CV {number:.2f}"
    if name == "colour_cast":
        cast = str(details.get("cast") or "")
        what = "neutral black" if cast in ("", "neutral") else f"{cast} cast"
        return f"{what}, shift {number:.2f}"
    if name in ("hairline_harshness", "symmetry"):
        return f"{number:.1f} mm"
    return f"{number:.2f}"
