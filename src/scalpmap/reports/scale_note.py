"""Say in plain words when a photo's scale is an estimate, and how good it is.

A scale from the printed marker or given by the user is a measurement and is not flagged. A scale
estimated from the visible iris (``scale.source == "iris"``, see docs/head-model.md) carries
``uncertainty_percent``, one standard uncertainty of the mm-per-pixel value: lengths are
uncertain by that much and areas by about twice as much (an area scales with the square of the
scale). The reports, the web pages and the command line use these sentences.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ScaleEstimate", "scale_estimate"]

IRIS_MM = 11.7  # the adult visible iris (Rüfer 2005; MediaPipe Iris), as the scale assumes


@dataclass(frozen=True)
class ScaleEstimate:
    """An estimated scale, told in words.

    Attributes
    ----------
    length_percent : float or None
        One standard uncertainty of lengths, in percent (None when unknown).
    area_percent : float or None
        The same for areas: twice the lengths'.
    patient : str
        For the patient's report.
    facility : str
        For professionals: the facility's report and referral, the web pages, the command line.
    advice : str
        What the clinic can do about it (web pages and command line).
    """

    length_percent: float | None
    area_percent: float | None
    patient: str
    facility: str
    advice: str = "Put the printed marker in the photo for a measured scale."


def _pct(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def scale_estimate(scale: Mapping[str, Any] | None) -> ScaleEstimate | None:
    """Return the words for an estimated scale, or None for a measured (marker or given) one.

    Parameters
    ----------
    scale : mapping or None
        ``scale`` of an analysis.json or plan.json: ``mm_per_px``, ``source`` and, for an
        estimate, ``uncertainty_percent``.

    Returns
    -------
    ScaleEstimate or None
        None unless ``source`` is ``iris``.

    Examples
    --------
    >>> scale_estimate({"mm_per_px": 0.1, "source": "marker"}) is None
    True
    >>> scale_estimate({"source": "iris", "uncertainty_percent": 5.04}).area_percent
    10.08
    """
    if not scale or scale.get("source") != "iris":
        return None
    value = scale.get("uncertainty_percent")
    length = None if value is None else float(value)
    area = None if length is None else round(2 * length, 2)
    if length is None or area is None:
        patient = (
            "Sizes in this plan are estimated from the size of your eye's iris, because the photo "
            "had no scale sticker; your clinic measures them in person."
        )
        facility = (
            f"Scale estimated from the iris (taken as {IRIS_MM} mm across), not measured; "
            "its uncertainty is unknown."
        )
    else:
        patient = (
            "Sizes in this plan are estimated from the size of your eye's iris, because the photo "
            f"had no scale sticker: lengths may be off by about {max(1, round(length))}\u00a0% "
            f"and areas by about {max(1, round(area))}\u00a0%. Your clinic measures them in "
            "person."
        )
        facility = (
            f"Scale estimated from the iris (taken as {IRIS_MM} mm across), not measured: "
            f"lengths ±\u00a0{_pct(length)}\u00a0%, areas ±\u00a0{_pct(area)}\u00a0% "
            "(one standard uncertainty)."
        )
    return ScaleEstimate(length, area, patient, facility)
