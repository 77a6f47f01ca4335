"""Accuracy of clearance tracking on synthetic follow-up series with a known clearance.

Each series starts from a synthetic close-up (2400 x 1800 px, without the head's outline, whose
edge the healing simulation cannot rebuild, at a scale spread over 0.02-0.08 mm/px: a phone
10-20 cm from the scalp), analysed with the scale from its printed marker and the mode chosen
from the photo,
and a plan-like removal zone (the ``mature`` template at age 30..55, as ``scalpmap plan`` would
make it). A follow-up is made with :func:`scalpmap.tracking.synth_followup.make_followup`: a
known share of the removal zone's baseline impressions erased (10..95 %) and another faded
(10..30 %, half of them below the clearance threshold), in every third series 4 % of the
impressions outside the zone erased too (unintended loss); then the camera moves (rotation up
to 15 degrees, scale within +-10 %, shift up to 5 % of the frame) and the light changes
(exposure, gamma, colour temperature, a gradient), with blur, noise and JPEG.

The follow-up is tracked with :func:`scalpmap.tracking.track.track_followup`, its scale from
its own marker. *Registration error*: the RMS distance, in mm, between the baseline
impressions in view mapped by the true and by the estimated transform. *Clearance error*: the
measured minus the true clearance (the erased and below-threshold faded share of the removal
zone's baseline impressions in view), in percentage points. Every fourth series also tracks two
photos that cannot be registered, another person's photo and the follow-up blurred with a
Gaussian of sigma 8 px; both must be refused.

Results go to the ``clearance-accuracy`` section of ``docs/benchmarks.md``. Seeds are
``4000 + i``. Run ``.venv/bin/python benchmarks/evaluate_clearance.py --help`` for the options.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from rich.console import Console

from bench_common import (
    DEFAULT_REPORT,
    map_in_processes,
    print_goals,
    replace_section,
)
from clearance_report import (
    MM_PER_PX,
    SEED_BASE,
    goals,
    render,
)
from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.planning.templates import make_target
from scalpmap.planning.zones import compute_zones
from scalpmap.tracking.clearance import OUTSIDE_FLAG_MIN, OUTSIDE_FLAG_PERCENT
from scalpmap.tracking.features import apply_matrix, matrix_scale
from scalpmap.tracking.synth_followup import FollowupOptions, make_followup
from scalpmap.tracking.track import track_followup

SECTION = "clearance-accuracy"
FOLLOWUP_DATE = dt.date(2027, 4, 1)


@dataclass(frozen=True)
class Case:
    """One follow-up series."""

    seed: int
    fitzpatrick: int
    mm_per_px: float
    age: int
    erase_share: float
    fade_share: float
    outside_loss_share: float
    negatives: bool


def make_cases(count: int) -> list[Case]:
    """Cycle skin types, ages and the shares erased and faded.

    Parameters
    ----------
    count : int
        Number of series.

    Returns
    -------
    list of Case
        The cases.
    """
    erase = np.linspace(0.10, 0.95, 7)
    scales = np.linspace(*MM_PER_PX, count) if count > 1 else np.array([MM_PER_PX[0]])
    order = np.random.default_rng(SEED_BASE).permutation(count)
    return [
        Case(
            seed=SEED_BASE + i,
            fitzpatrick=1 + i % 6,
            mm_per_px=round(float(scales[order[i]]), 4),
            age=30 + 5 * (i % 6),
            erase_share=float(erase[i % len(erase)]),
            fade_share=float(0.10 + 0.05 * (i % 5)),
            outside_loss_share=0.04 if i % 3 == 2 else 0.0,
            negatives=i % 4 == 0,
        )
        for i in range(count)
    ]


def _track(baseline: Any, analysis: Any, followup: Any, removal: Any) -> Any:
    return track_followup(
        baseline, analysis, followup, removal, followup_date=FOLLOWUP_DATE, interval_weeks=3
    )


def evaluate_case(case: Case) -> dict[str, Any]:
    """Make one follow-up series and track it.

    Parameters
    ----------
    case : Case
        The case.

    Returns
    -------
    dict
        Truth, measurement, errors and timings; plain Python values.
    """
    options = SynthOptions(
        seed=case.seed,
        width_px=2400,
        height_px=1800,
        fitzpatrick=case.fitzpatrick,
        silhouette=False,
        mm_per_px=case.mm_per_px,
        phone=True,
    )
    rgb, _ = generate_scalp_photo(options)
    analysis = analyse_photo(rgb)
    removal = compute_zones(analysis, make_target(analysis, "mature", age=case.age)).removal
    follow_options = FollowupOptions(
        seed=case.seed,
        erase_share=case.erase_share,
        fade_share=case.fade_share,
        outside_loss_share=case.outside_loss_share,
    )
    followup, truth = make_followup(rgb, analysis, removal.geometry, follow_options)
    started = time.perf_counter()
    result = _track(rgb, analysis, followup, removal.geometry)
    seconds = time.perf_counter() - started
    reg, clearance = result.registration, result.clearance
    xy = analysis.impressions.xy[truth.in_view]
    error_mm = None
    if reg.matrix is not None and len(xy):
        moved = apply_matrix(reg.matrix, xy) - apply_matrix(truth.matrix, xy)
        error_mm = float(np.sqrt(np.mean(np.sum(moved**2, axis=1)))) * analysis.scale.mm_per_px
    refused = None
    if case.negatives:
        other = generate_scalp_photo(
            SynthOptions(
                seed=case.seed + 500,
                width_px=2400,
                height_px=1800,
                silhouette=False,
                mm_per_px=case.mm_per_px,
                phone=True,
            )
        )[0]
        blurred = np.asarray(cv2.GaussianBlur(followup, (0, 0), 8.0), dtype=np.uint8)
        refused = 0
        for photo in (other, blurred):
            attempt = _track(rgb, analysis, photo, removal.geometry)
            refused += int(not attempt.registration.ok and attempt.clearance.percent is None)
    true_percent = truth.clearance_percent
    measured = clearance.percent
    a = truth.matrix
    return {
        **asdict(case),
        "mm_per_px": analysis.scale.mm_per_px,
        "rotation_deg": float(np.degrees(np.arctan2(-a[1, 0], a[0, 0]))),
        "zoom": matrix_scale(a),
        "registered": reg.ok,
        "reason": reg.reason,
        "registration_error_mm": error_mm,
        "residual_mm": reg.residual_mm,
        "removal_impressions": clearance.removal_impressions,
        "true_percent": true_percent,
        "percent": measured,
        "clearance_error_pp": None
        if measured is None or true_percent is None
        else measured - true_percent,
        "true_outside_lost_percent": truth.outside_lost_percent,
        "true_outside_flagged": bool(
            (truth.outside_lost_percent or 0.0) > OUTSIDE_FLAG_PERCENT
            and truth.outside_lost >= OUTSIDE_FLAG_MIN
        ),
        "outside_lost_percent": clearance.outside_lost_percent,
        "outside_flagged": clearance.outside_flagged,
        "lighting_factor": clearance.lighting_factor,
        "refused": refused,
        "track_s": seconds,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation and write its report section.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments.

    Returns
    -------
    int
        0 (the report says which goals failed).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=24, help="series (default 24, at least 20)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT, help="markdown report")
    args = parser.parse_args(argv)
    if args.series < 1 or args.workers < 1:
        parser.error("--series and --workers must be >= 1")
    console = Console(width=None if sys.stdout.isatty() else 200)
    cases = make_cases(args.series)
    rows = map_in_processes(
        evaluate_case,
        cases,
        description="tracking synthetic follow-ups",
        workers=args.workers,
        console=console,
    )
    command = ".venv/bin/python benchmarks/evaluate_clearance.py"
    if args.series != 24:
        command += f" --series {args.series}"
    judged = goals(rows)
    replace_section(args.out, SECTION, render(rows, judged, command))
    print_goals(console, judged)
    for row in rows:
        if not row["registered"]:
            console.print(f"seed {row['seed']}: {row['reason']}")
    console.print(f"report section '{SECTION}' written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
