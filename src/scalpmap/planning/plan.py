"""The revision plan: assessment, target, zones, sessions and timeline for one analysed photo.

:func:`build_plan` runs the planning steps in order, each in its own module:

1. :func:`~scalpmap.planning.assessment.assess_smp` judges the existing SMP;
2. a template (:func:`~scalpmap.planning.templates.make_target`) or a TARGET.json file
   (:func:`~scalpmap.planning.target_file.load_target_file`) gives the target;
3. :func:`~scalpmap.planning.zones.compute_zones` splits the pigment into removal, keep and
   touch-up;
4. the skin type is the one given, or estimated from the photo
   (:func:`~scalpmap.planning.skin_tone.estimate_fitzpatrick`), and marked as such;
5. :func:`~scalpmap.planning.sessions.kirby_desai` and
   :func:`~scalpmap.planning.sessions.estimate_laser_sessions` estimate the laser sessions;
6. :func:`~scalpmap.planning.timeline.build_timeline` dates them from the start date.

The simulation and the reports build on the :class:`Plan`; they live in
:mod:`scalpmap.simulation` and :mod:`scalpmap.reports`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import shapely
from numpy.typing import NDArray

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import Analysis
from scalpmap.imaging.impression_stats import impression_stats
from scalpmap.imaging.roi import roi_mask
from scalpmap.planning.assessment import Assessment, assess_smp
from scalpmap.planning.face_landmarks import landmark_words
from scalpmap.planning.sessions import (
    KirbyDesai,
    LaserEstimate,
    Layering,
    Scarring,
    TouchUpPlan,
    estimate_laser_sessions,
    kirby_desai,
    touch_up_sessions,
)
from scalpmap.planning.skin_tone import SkinEstimate, estimate_fitzpatrick
from scalpmap.planning.target_file import load_target_file
from scalpmap.planning.templates import MAX_AGE, MIN_AGE, TEMPLATES, Landmarks, make_target
from scalpmap.planning.timeline import Timeline, build_timeline, check_start_date
from scalpmap.planning.zones import Target, Zones, compute_zones

PLAN_TEMPLATES = (*TEMPLATES, "custom")
# Without a start date, the plan starts this many days from today (marked as provisional).
DEFAULT_LEAD_DAYS = 14


@dataclass(frozen=True)
class PlanOptions:
    """The practitioner's choices for a plan.

    Attributes
    ----------
    template : {"keep", "soften", "mature", "remove-all", "custom"}
        The target's template; ``custom`` needs ``target_path``.
    target_path : Path or None
        A TARGET.json file (``custom`` only).
    age : int or None
        The patient's age, 14..100 (``mature`` needs it unless landmarks are given).
    skin_type : int or None
        Fitzpatrick type 1..6 as given by the clinician; estimated from the photo when None.
    start_date : datetime.date or None
        The first laser session; two weeks from today (provisional) when None.
    landmarks : Landmarks or None
        The glabella and lateral canthi, in pixels, each detected or given (see
        :func:`~scalpmap.planning.face_landmarks.combine_landmarks`).
    picosecond : bool
        Whether the facility has a picosecond laser.
    scarring : {"none", "minimal", "moderate", "significant"} or None
        Scarring, as given.
    layering : bool or {"none", "cover-up"} or None
        Whether the SMP was laid over older work.
    desired_density_per_cm2 : float or None
        The density the touch-up should reach; the kept region's median when None.
    second_touch_up : bool
        Offer an optional second touch-up.
    feather_mm : float
        Width of the new hairline's transition band.
    corner_radius_mm : float
        Corner radius of ``soften``.
    """

    template: str = "mature"
    target_path: Path | None = None
    age: int | None = None
    skin_type: int | None = None
    start_date: dt.date | None = None
    landmarks: Landmarks | None = None
    picosecond: bool = True
    scarring: Scarring | None = None
    layering: Layering | None = None
    desired_density_per_cm2: float | None = None
    second_touch_up: bool = True
    feather_mm: float = 1.5
    corner_radius_mm: float = 10.0

    def __post_init__(self) -> None:
        if self.template not in PLAN_TEMPLATES:
            raise InputError(f"unknown template {self.template!r}; use {', '.join(PLAN_TEMPLATES)}")
        if self.template == "custom" and self.target_path is None:
            raise InputError("template custom needs --target TARGET.json")
        if self.target_path is not None and self.template != "custom":
            raise InputError(
                f"--target is for the custom template; drop it or use --template custom "
                f"(got --template {self.template})"
            )
        age = self.age
        if age is not None and (
            isinstance(age, bool) or not isinstance(age, int) or not MIN_AGE <= age <= MAX_AGE
        ):
            raise InputError(f"age must be {MIN_AGE}..{MAX_AGE} years, got {age!r}")
        skin = self.skin_type
        if skin is not None and (isinstance(skin, bool) or not isinstance(skin, int)):
            raise InputError(f"skin type must be a whole number 1..6, got {skin!r}")
        if skin is not None and not 1 <= skin <= 6:
            raise InputError(f"skin type must be 1..6 (Fitzpatrick I-VI), got {skin}")
        desired = self.desired_density_per_cm2
        if desired is not None and not (math.isfinite(desired) and 0 < desired <= 1000):
            raise InputError(
                f"desired density must be above 0 and at most 1000 per cm², got {desired}"
            )


@dataclass(frozen=True, eq=False)
class Plan:
    """A revision plan for one analysed photo.

    Attributes
    ----------
    analysis : Analysis
        The photo's analysis.
    options : PlanOptions
        The choices it was made with.
    assessment : Assessment
        The existing SMP's quality.
    target : Target
        What should stay pigmented.
    zones : Zones
        Removal, keep and touch-up.
    skin : SkinEstimate or None
        The skin type estimated from the photo (None when it was given, or the estimate failed).
    fitzpatrick : int
        The skin type used, 1..6.
    fitzpatrick_source : {"given", "estimated"}
        Where it came from.
    kirby_desai : KirbyDesai
        The Kirby-Desai score.
    laser : LaserEstimate
        The SMP-calibrated laser estimate.
    touch_up : TouchUpPlan
        The SMP touch-up.
    timeline : Timeline
        The dated sessions.
    start_date_given : bool
        False when the start date is the provisional default.
    notes : list of str
        How the plan was made.
    """

    analysis: Analysis
    options: PlanOptions
    assessment: Assessment
    target: Target
    zones: Zones
    skin: SkinEstimate | None
    fitzpatrick: int
    fitzpatrick_source: Literal["given", "estimated"]
    kirby_desai: KirbyDesai
    laser: LaserEstimate
    touch_up: TouchUpPlan
    timeline: Timeline
    start_date_given: bool
    notes: list[str] = field(default_factory=list)

    @property
    def total_removal(self) -> bool:
        """Whether the plan removes everything (no touch-up)."""
        return self.target.template == "remove-all" or self.touch_up.sessions == 0


def design_target(analysis: Analysis, options: PlanOptions) -> Target:
    """Make the plan's target from its template or TARGET.json.

    Parameters
    ----------
    analysis : Analysis
        The photo's analysis.
    options : PlanOptions
        The choices.

    Returns
    -------
    Target
        The target.

    Raises
    ------
    InputError
        When the template cannot be applied (see :func:`make_target` and
        :func:`load_target_file`).
    """
    if options.template == "custom":
        assert options.target_path is not None  # checked by PlanOptions
        return load_target_file(options.target_path, analysis)
    template: Any = options.template
    return make_target(
        analysis,
        template,
        age=options.age,
        landmarks=options.landmarks,
        corner_radius_mm=options.corner_radius_mm,
        feather_mm=options.feather_mm,
    )


def _skin_mask(analysis: Analysis) -> NDArray[np.bool_] | None:
    """Return the analysed scalp as a pixel mask, or None when there is none."""
    area = analysis.analysed_area
    if area.is_empty:
        return None
    parts = [p for p in shapely.get_parts(area) if not p.is_empty]
    mask = np.zeros(analysis.shape, dtype=bool)
    for part in parts:
        mask |= roi_mask(part, analysis.shape)
    return mask


def estimate_skin(rgb: NDArray[np.uint8], analysis: Analysis) -> SkinEstimate | None:
    """Estimate the skin type from the scalp's skin; None when there is too little skin.

    Parameters
    ----------
    rgb : ndarray of uint8
        The photo.
    analysis : Analysis
        Its analysis (the analysed scalp area is used as the skin mask).

    Returns
    -------
    SkinEstimate or None
        The estimate.
    """
    try:
        return estimate_fitzpatrick(rgb, mask=_skin_mask(analysis))
    except InputError:
        return None


def build_plan(
    rgb: NDArray[np.uint8],
    analysis: Analysis,
    options: PlanOptions,
    *,
    target: Target | None = None,
    today: dt.date | None = None,
) -> Plan:
    """Build the revision plan.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo (for the skin type estimate).
    analysis : Analysis
        Its analysis.
    options : PlanOptions
        The practitioner's choices.
    target : Target, optional
        A target already designed (e.g. edited in the web designer); from the options otherwise.
    today : datetime.date, optional
        Today's date (for validating and defaulting the start date).

    Returns
    -------
    Plan
        The plan.

    Raises
    ------
    InputError
        When a choice is invalid, the skin type is neither given nor measurable, or the target
        cannot be applied.
    """
    today = today or dt.date.today()
    if options.start_date is not None:
        start = check_start_date(options.start_date, today=today)
    else:
        start = today + dt.timedelta(days=DEFAULT_LEAD_DAYS)
    assessment = assess_smp(analysis)
    if target is None:
        target = design_target(analysis, options)
    zones = compute_zones(analysis, target, desired_density_per_cm2=options.desired_density_per_cm2)
    skin = None
    source: Literal["given", "estimated"] = "given"
    if options.skin_type is not None:
        fitzpatrick = options.skin_type
    else:
        skin = estimate_skin(rgb, analysis)
        if skin is None:
            raise InputError(
                "too little skin in the photo to estimate the skin type; give --skin-type"
            )
        fitzpatrick, source = skin.fitzpatrick, "estimated"
    summary = _impression_summary(analysis)
    score = kirby_desai(
        fitzpatrick=fitzpatrick,
        fitzpatrick_source=source,
        density_per_cm2=summary["density"],
        median_darkness=summary["darkness"],
        scarring=options.scarring,
        layering=options.layering,
    )
    laser = estimate_laser_sessions(
        fitzpatrick=fitzpatrick,
        median_darkness=summary["darkness"],
        ink_tone=analysis.ink_tone,
        density_per_cm2=summary["density"],
        kirby_desai=score,
        picosecond=options.picosecond,
    )
    total_removal = target.template == "remove-all" or zones.touch_up.geometry.is_empty
    touch_up = touch_up_sessions(needed=not total_removal, second_touch_up=options.second_touch_up)
    timeline = build_timeline(
        start,
        laser,
        touch_up=touch_up.sessions > 0,
        second_touch_up=touch_up.optional_second,
        today=today,
    )
    notes = list(target.notes) + list(zones.notes)
    if options.landmarks is not None:
        notes.append(landmark_words(options.landmarks))
    if options.start_date is None:
        notes.append(
            f"no start date given: the timeline starts {DEFAULT_LEAD_DAYS} days from today "
            "(provisional)"
        )
    return Plan(
        analysis=analysis,
        options=options,
        assessment=assessment,
        target=target,
        zones=zones,
        skin=skin,
        fitzpatrick=fitzpatrick,
        fitzpatrick_source=source,
        kirby_desai=score,
        laser=laser,
        touch_up=touch_up,
        timeline=timeline,
        start_date_given=options.start_date is not None,
        notes=notes,
    )


def _impression_summary(analysis: Analysis) -> dict[str, float | None]:
    """Return the region's density per cm² and its impressions' median darkness (or None)."""
    stats = impression_stats(analysis)
    return {"density": stats.mean_density_per_cm2, "darkness": stats.median_darkness}
