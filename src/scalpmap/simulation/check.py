"""Check the simulated pictures by analysing them again, the way a follow-up photo would be.

Both pictures are analysed with the photo's scale, and their impressions are matched one to one
with the photo's (within ``MATCH_DIAMETERS`` times the median diameter, at least
``MIN_MATCH_PX``). Three checks, each with its own pass mark:

- **Removal.** ``removal_remaining_percent``: the share of the photo's impressions inside the
  removal zone still found after the laser. The check is stricter: it also counts the found
  impressions in the zone that match none of the photo's (``new_in_removal``: a mark the healing
  left, or ink the first analysis missed beside a hair), and their total share,
  ``removal_leftover_percent``, must stay below ``MAX_LEFTOVER_PERCENT``.
- **Nothing new elsewhere.** ``new_outside_removal``: impressions found after the laser outside
  the removal zone that match none of the photo's. Ideally 0 (nothing changes there); the
  detector may flicker on a borderline mark when the skin near it changes, so up to
  ``MAX_NEW_SHARE`` of the photo's count (at least ``MIN_NEW_ALLOWED``) pass.
- **Touch-up density.** Impressions found after the touch-up inside the touch-up zone (the part
  the simulation fills, :func:`~scalpmap.simulation.after_touch_up.touch_up_area`), per cm²,
  against the expected density: the desired one, or the density already there when it is
  higher (a touch-up only adds). Within ``MAX_DENSITY_ERROR_PERCENT``, or off by at most
  ``MIN_COUNT_SLACK`` impression: a zone of a few impressions cannot hit 10 % with whole counts.

In coverage mode single impressions cannot be counted: every measurement is None.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.analysis import Analysis, analyse_photo
from scalpmap.imaging.detect import Impressions
from scalpmap.imaging.matching import match_points
from scalpmap.planning.zones import Zones
from scalpmap.simulation._patches import check_photo, inside
from scalpmap.simulation.after_touch_up import touch_up_area

MATCH_DIAMETERS = 0.5
MIN_MATCH_PX = 2.0
MAX_LEFTOVER_PERCENT = 2.0
MAX_NEW_SHARE = 0.005
MIN_NEW_ALLOWED = 2
MAX_DENSITY_ERROR_PERCENT = 10.0
MIN_COUNT_SLACK = 1.0


@dataclass(frozen=True)
class SimulationCheck:
    """The simulated pictures, analysed again (see the module's docstring).

    Attributes
    ----------
    passed : bool or None
        Every check passed; None when nothing could be checked (coverage mode).
    reason : str
        What was checked, or why not.
    match_tolerance_px : float or None
        Largest distance of a matched pair of impressions.
    removal_impressions : int or None
        Impressions found inside the removal zone on the photo.
    removal_remaining : int or None
        How many of them are still found after the laser.
    removal_remaining_percent : float or None
        Their share, in percent.
    new_in_removal : int or None
        Impressions found inside the removal zone after the laser that match none of the photo's.
    removal_leftover_percent : float or None
        ``removal_remaining + new_in_removal`` as a share of ``removal_impressions``.
    removal_passed : bool or None
        ``removal_leftover_percent`` below ``MAX_LEFTOVER_PERCENT``.
    new_outside_removal : int or None
        Impressions found outside the removal zone after the laser that match none of the photo's.
    new_allowed : int or None
        The most of them accepted.
    new_passed : bool or None
        ``new_outside_removal <= new_allowed``.
    desired_density_per_cm2 : float or None
        The density the touch-up should reach.
    touch_up_expected_per_cm2 : float or None
        The density expected after the touch-up (the desired one, or the existing if higher).
    touch_up_density_per_cm2 : float or None
        Impressions per cm² found inside the touch-up zone after the touch-up.
    touch_up_density_error_percent : float or None
        Its signed error against the expected density.
    touch_up_passed : bool or None
        Within ``MAX_DENSITY_ERROR_PERCENT`` (or ``MIN_COUNT_SLACK`` impression); None without a
        touch-up to check.
    """

    passed: bool | None
    reason: str
    match_tolerance_px: float | None = None
    removal_impressions: int | None = None
    removal_remaining: int | None = None
    removal_remaining_percent: float | None = None
    new_in_removal: int | None = None
    removal_leftover_percent: float | None = None
    removal_passed: bool | None = None
    new_outside_removal: int | None = None
    new_allowed: int | None = None
    new_passed: bool | None = None
    desired_density_per_cm2: float | None = None
    touch_up_expected_per_cm2: float | None = None
    touch_up_density_per_cm2: float | None = None
    touch_up_density_error_percent: float | None = None
    touch_up_passed: bool | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the check as a JSON-ready dict (floats rounded to 3 decimals).

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
    after_touch_up_rgb: NDArray[np.uint8] | None,
) -> SimulationCheck:
    """Analyse the simulated pictures again and judge them (see the module's docstring).

    Parameters
    ----------
    original_analysis : Analysis
        The photo's analysis.
    zones : Zones
        The zones the pictures were simulated for.
    after_laser_rgb : ndarray of uint8, shape (rows, cols, 3)
        The picture after the laser.
    after_touch_up_rgb : ndarray of uint8, shape (rows, cols, 3), or None
        The picture after the touch-up; None when there is none (the touch-up is not checked).

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
    after_touch = (
        None
        if after_touch_up_rgb is None
        else check_photo(after_touch_up_rgb, original_analysis, "after_touch_up_rgb")
    )
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
    removal = zones.removal.geometry
    in_removal = inside(removal, original.xy)
    matched_original, matched_found = _matched(original, laser, tolerance)
    n_removal = int(in_removal.sum())
    remaining = int((matched_original & in_removal).sum())
    new_here = ~matched_found & inside(removal, laser.xy)
    new_in_removal = int(new_here.sum())
    new_outside = int((~matched_found).sum()) - new_in_removal
    leftover = 100.0 * (remaining + new_in_removal) / n_removal if n_removal else 0.0
    allowed = max(MIN_NEW_ALLOWED, math.floor(MAX_NEW_SHARE * original.count))
    touch = _touch_up_density(original_analysis, zones, after_touch, mm)
    removal_passed = leftover < MAX_LEFTOVER_PERCENT
    new_passed = new_outside <= allowed
    verdicts = [removal_passed, new_passed] + ([touch[3]] if touch[3] is not None else [])
    reason = "removal, new impressions and touch-up density checked"
    if touch[3] is None:
        reason = "removal and new impressions checked; no touch-up to check"
    return SimulationCheck(
        passed=all(verdicts),
        reason=reason,
        match_tolerance_px=tolerance,
        removal_impressions=n_removal,
        removal_remaining=remaining,
        removal_remaining_percent=100.0 * remaining / n_removal if n_removal else 0.0,
        new_in_removal=new_in_removal,
        removal_leftover_percent=leftover,
        removal_passed=removal_passed,
        new_outside_removal=new_outside,
        new_allowed=allowed,
        new_passed=new_passed,
        desired_density_per_cm2=zones.desired_density_per_cm2,
        touch_up_expected_per_cm2=touch[0],
        touch_up_density_per_cm2=touch[1],
        touch_up_density_error_percent=touch[2],
        touch_up_passed=touch[3],
    )


def _matched(
    original: Impressions, found: Impressions, tolerance: float
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Which original and which found impressions are in a matched pair."""
    match = match_points(original.xy, found.xy, tolerance=tolerance)
    matched_original = np.zeros(original.count, dtype=bool)
    matched_original[match.pairs[:, 0]] = True
    matched_found = np.zeros(found.count, dtype=bool)
    matched_found[match.pairs[:, 1]] = True
    return matched_original, matched_found


def _touch_up_density(
    analysis: Analysis, zones: Zones, after_touch: NDArray[np.uint8] | None, mm: float
) -> tuple[float | None, float | None, float | None, bool | None]:
    """Return the expected and found density in the touch-up zone, the error and the verdict."""
    desired = zones.desired_density_per_cm2
    area = touch_up_area(analysis, zones)
    area_cm2 = float(area.area) * mm**2 / 100.0
    if after_touch is None or desired is None or area.is_empty or area_cm2 <= 0:
        return None, None, None, None
    kept = analysis.impressions.xy[~inside(zones.removal.geometry, analysis.impressions.xy)]
    expected = max(desired * area_cm2, float(inside(area, kept).sum()))
    found = analyse_photo(after_touch, mm_per_px=mm, mode="impressions").impressions
    count = int(inside(area, found.xy).sum())
    error = 100.0 * (count - expected) / expected
    slack = max(MAX_DENSITY_ERROR_PERCENT / 100.0 * expected, MIN_COUNT_SLACK)
    return expected / area_cm2, count / area_cm2, error, abs(count - expected) <= slack
