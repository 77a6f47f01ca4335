"""Check the simulated pictures by analysing them again, the way a follow-up photo would be.

Three measurements, each with its own pass mark:

- **Removal.** Of the impressions the analysis found inside the removal zone, the share still
  found on the after-laser picture (matched one to one within ``MATCH_DIAMETERS`` times the
  median diameter, and at least ``MIN_MATCH_PX``): below ``MAX_REMAINING_PERCENT``.
- **Nothing new.** Impressions found on the after-laser picture that match none of the original
  ones: at most ``MAX_NEW_SHARE`` of the original count (and at least ``MIN_NEW_ALLOWED``), since
  the detector itself flickers on borderline marks when the skin around them changes. The count
  outside the removal zone is reported as well.
- **Touch-up density.** Impressions found on the after-touch-up picture inside the touch-up zone
  (the part the analysis saw), per cm²: within ``MAX_DENSITY_ERROR_PERCENT`` of the desired
  density, or off by at most ``MIN_COUNT_SLACK`` impression (a zone of a few impressions cannot
  hit 10 % with whole counts).

In coverage mode single impressions cannot be counted and every field is None.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.analysis import Analysis, analyse_photo
from scalpmap.imaging.matching import match_points
from scalpmap.planning.zones import Zones
from scalpmap.simulation._patches import check_photo, inside
from scalpmap.simulation.after_touch_up import touch_up_area

MATCH_DIAMETERS = 0.5
MIN_MATCH_PX = 2.0
MAX_REMAINING_PERCENT = 2.0
MAX_NEW_SHARE = 0.005
MIN_NEW_ALLOWED = 2
MAX_DENSITY_ERROR_PERCENT = 10.0
MIN_COUNT_SLACK = 1.0


@dataclass(frozen=True)
class SimulationCheck:
    """The simulated pictures, analysed again.

    Attributes
    ----------
    passed : bool or None
        Every measured check passed; None when nothing could be checked (coverage mode).
    reason : str
        What was checked, or why a check was skipped.
    match_tolerance_px : float or None
        Largest distance of a matched pair of impressions.
    removal_impressions : int or None
        Impressions found inside the removal zone on the photo.
    removal_remaining : int or None
        How many of them are still found after the laser.
    removal_remaining_percent : float or None
        Their share, in percent.
    removal_passed : bool or None
        Below ``MAX_REMAINING_PERCENT``.
    new_impressions : int or None
        Impressions found after the laser that match none found on the photo.
    new_outside_removal : int or None
        Those of them outside the removal zone.
    new_allowed : int or None
        The most new impressions accepted.
    new_passed : bool or None
        ``new_impressions <= new_allowed``.
    desired_density_per_cm2 : float or None
        The density the touch-up should reach.
    touch_up_density_per_cm2 : float or None
        Impressions per cm² found inside the touch-up zone after the touch-up.
    touch_up_density_error_percent : float or None
        Its signed error against the desired density.
    touch_up_passed : bool or None
        Error within ``MAX_DENSITY_ERROR_PERCENT`` (or ``MIN_COUNT_SLACK`` impression); None
        without a touch-up to check.
    """

    passed: bool | None
    reason: str
    match_tolerance_px: float | None = None
    removal_impressions: int | None = None
    removal_remaining: int | None = None
    removal_remaining_percent: float | None = None
    removal_passed: bool | None = None
    new_impressions: int | None = None
    new_outside_removal: int | None = None
    new_allowed: int | None = None
    new_passed: bool | None = None
    desired_density_per_cm2: float | None = None
    touch_up_density_per_cm2: float | None = None
    touch_up_density_error_percent: float | None = None
    touch_up_passed: bool | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the check as a JSON-ready dict (floats rounded).

        Returns
        -------
        dict
            Every attribute by name.
        """
        return {
            key: round(value, 3) if isinstance(value, float) else value
            for key, value in asdict(self).items()
        }


def check_simulation(
    original_analysis: Analysis,
    zones: Zones,
    after_laser_rgb: NDArray[np.uint8],
    after_touch_up_rgb: NDArray[np.uint8],
) -> SimulationCheck:
    """Analyse the simulated pictures again and judge them (see the module's docstring).

    Parameters
    ----------
    original_analysis : Analysis
        The photo's analysis.
    zones : Zones
        The zones the pictures were simulated for.
    after_laser_rgb, after_touch_up_rgb : ndarray of uint8, shape (rows, cols, 3)
        The simulated pictures.

    Returns
    -------
    SimulationCheck
        The measurements and verdicts.

    Raises
    ------
    InputError
        When a picture is not a uint8 RGB array of the analysed photo's size.
    """
    after_laser = check_photo(after_laser_rgb, original_analysis, "after_laser_rgb")
    after_touch = check_photo(after_touch_up_rgb, original_analysis, "after_touch_up_rgb")
    if original_analysis.mode == "coverage":
        return SimulationCheck(
            passed=None,
            reason="coverage mode: single impressions are not resolved, so none are counted",
        )
    mm = original_analysis.scale.mm_per_px
    original = original_analysis.impressions
    median_px = float(np.median(original.diameter_mm)) / mm if original.count else 0.0
    tolerance = max(MIN_MATCH_PX, MATCH_DIAMETERS * median_px)
    laser = analyse_photo(after_laser, mm_per_px=mm, mode="impressions").impressions
    in_removal = inside(zones.removal.geometry, original.xy)
    match = match_points(original.xy, laser.xy, tolerance=tolerance)
    matched_original = np.zeros(original.count, dtype=bool)
    matched_original[match.pairs[:, 0]] = True
    remaining = int((matched_original & in_removal).sum())
    n_removal = int(in_removal.sum())
    remaining_percent = 100.0 * remaining / n_removal if n_removal else 0.0
    matched_found = np.zeros(laser.count, dtype=bool)
    matched_found[match.pairs[:, 1]] = True
    new = ~matched_found
    new_outside = int((new & ~inside(zones.removal.geometry, laser.xy)).sum())
    allowed = max(MIN_NEW_ALLOWED, math.floor(MAX_NEW_SHARE * original.count))
    touch = _touch_up_density(original_analysis, zones, after_touch, mm)
    removal_passed = remaining_percent < MAX_REMAINING_PERCENT
    new_passed = int(new.sum()) <= allowed
    verdicts = [removal_passed, new_passed] + ([touch[2]] if touch[2] is not None else [])
    reason = "removal, new impressions and touch-up density checked"
    if touch[2] is None:
        reason = "removal and new impressions checked; no touch-up to check"
    return SimulationCheck(
        passed=all(verdicts),
        reason=reason,
        match_tolerance_px=tolerance,
        removal_impressions=n_removal,
        removal_remaining=remaining,
        removal_remaining_percent=remaining_percent,
        removal_passed=removal_passed,
        new_impressions=int(new.sum()),
        new_outside_removal=new_outside,
        new_allowed=allowed,
        new_passed=new_passed,
        desired_density_per_cm2=zones.desired_density_per_cm2,
        touch_up_density_per_cm2=touch[0],
        touch_up_density_error_percent=touch[1],
        touch_up_passed=touch[2],
    )


def _touch_up_density(
    analysis: Analysis, zones: Zones, after_touch: NDArray[np.uint8], mm: float
) -> tuple[float | None, float | None, bool | None]:
    """Density found in the touch-up zone after the touch-up, its error and verdict."""
    desired = zones.desired_density_per_cm2
    area = touch_up_area(analysis, zones)
    area_cm2 = float(area.area) * mm**2 / 100.0
    if desired is None or area.is_empty or area_cm2 <= 0:
        return None, None, None
    found = analyse_photo(after_touch, mm_per_px=mm, mode="impressions").impressions
    count = int(inside(area, found.xy).sum())
    expected = desired * area_cm2
    error = 100.0 * (count - expected) / expected
    slack = max(MAX_DENSITY_ERROR_PERCENT / 100.0 * expected, MIN_COUNT_SLACK)
    return count / area_cm2, error, abs(count - expected) <= slack
