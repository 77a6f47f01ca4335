"""Accuracy of the photo analysis on synthetic photos with a known ground truth.

Close-ups span every skin type x ink x a range of densities, at scales spread over 0.02-0.08
mm/px (a phone 10-20 cm from the scalp); whole-head photos cycle through the front, side and top
views. Every photo is analysed as a user would (the scale measured from the printed marker, the
mode chosen from the photo), scored against its truth with
:func:`scalpmap.imaging.scoring.score_analysis`, and the results are printed and written to the
``accuracy`` section of ``docs/benchmarks.md`` next to the accuracy goals, with a pass/FAIL
verdict computed from the data. Close-ups drawn by an independent model
(:mod:`independent_check`) check that the analysis is not tuned to our own generator.

Seeds are fixed (close-ups ``11000 + i``, whole-head photos ``2000 + j``, independent close-ups
``12000 + k``), so results reproduce; the close-ups' and the independent ones' seeds are held
out: the detector was developed on other seeds.

Run ``.venv/bin/python benchmarks/evaluate_accuracy.py --help`` for the options.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from accuracy_cases import (
    Case,
    closeup_cases,
    whole_head_cases,
)
from accuracy_goals import (
    evaluate_goals,
)
from accuracy_report import print_tables, render_markdown
from bench_common import (
    DEFAULT_REPORT,
    REPO_ROOT,
    replace_section,
)
from independent_check import (
    IndependentCase,
    evaluate_independent,
    independent_cases,
)
from scalpmap.errors import ScaleError
from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.scoring import score_analysis
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo

SECTION = "accuracy"


def evaluate_case(case: Case) -> dict[str, Any]:
    """Generate one photo, analyse it with the marker, and score it against its truth.

    When the marker did not fit in the frame, the true scale is given instead (scale "n/a").
    When the marker is in the frame but is not found, that is recorded as a missed marker and
    the photo is analysed again with the true scale, so that its other measures still count.

    Parameters
    ----------
    case : Case
        The photo.

    Returns
    -------
    dict
        The case, the truth's scale and density, the score and timings; plain Python values.
    """
    started = time.perf_counter()
    options = SynthOptions(
        seed=case.seed,
        view=case.view,
        width_px=case.width_px,
        height_px=case.height_px,
        fitzpatrick=case.fitzpatrick,
        ink=case.ink,
        density_per_cm2=case.density_per_cm2,
        hairline=case.hairline,
        mm_per_px=case.mm_per_px,
        phone=True,
    )
    rgb, truth = generate_scalp_photo(options)
    generated = time.perf_counter()
    marker_in_frame = len(truth.marker_corners_xy) == 4
    if marker_in_frame:
        try:
            analysis = analyse_photo(rgb)
            marker = "found"
        except ScaleError:
            analysis = analyse_photo(rgb, mm_per_px=truth.mm_per_px)
            marker = "missed"
    else:
        analysis = analyse_photo(rgb, mm_per_px=truth.mm_per_px)
        marker = "n/a"
    analysed = time.perf_counter()
    score = score_analysis(analysis, truth)
    xy = truth.impressions[:, :2]
    true_in_region = int(shapely.contains_xy(truth.region, xy[:, 0], xy[:, 1]).sum())
    size = analysis.dot_scale
    return {
        **asdict(case),
        "mm_per_px": truth.mm_per_px,
        "count_error": abs(analysis.impressions_in_region - true_in_region) / max(true_in_region, 1)
        if analysis.mode == "impressions"
        else float("nan"),
        "true_diameter_px": float(np.median(truth.impressions[:, 2])) / truth.mm_per_px,
        "typical_diameter_px": float("nan")
        if size is None or size.typical_diameter_px is None
        else size.typical_diameter_px,
        "true_impressions": len(truth.impressions),
        "true_density_per_cm2": truth.density_per_cm2,
        "true_area_cm2": truth.region_area_cm2,
        "found_impressions": analysis.impressions.count,
        "mode": analysis.mode,
        "marker": marker,
        **{key: float(value) for key, value in asdict(score).items()},
        "generate_s": generated - started,
        "analyse_s": analysed - generated,
    }


def _init_worker(threads: int) -> None:
    """Limit OpenCV's threads in a worker so that the workers do not oversubscribe the CPUs."""
    import cv2

    cv2.setNumThreads(threads)


def _kind(case: Case | IndependentCase) -> str:
    return "independent" if isinstance(case, IndependentCase) else case.kind


def _evaluate_any(case: Case | IndependentCase) -> dict[str, Any]:
    if isinstance(case, IndependentCase):
        return {"kind": "independent", **evaluate_independent(case)}
    return evaluate_case(case)


def run_cases(
    cases: Sequence[Case | IndependentCase], workers: int, console: Console
) -> list[dict[str, Any]]:
    """Evaluate the cases in a process pool, with a progress bar.

    Parameters
    ----------
    cases : sequence of Case or IndependentCase
        Photos to evaluate.
    workers : int
        Worker processes.
    console : Console
        Where the progress bar is drawn.

    Returns
    -------
    list of dict
        One result per case, in the order of ``cases``.
    """
    results: dict[tuple[str, int], dict[str, Any]] = {}
    threads = max(1, len(os.sched_getaffinity(0)) // workers)
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with (
        Progress(*columns, console=console) as progress,
        ProcessPoolExecutor(
            max_workers=workers, initializer=_init_worker, initargs=(threads,)
        ) as pool,
    ):
        task = progress.add_task("analysing synthetic photos", total=len(cases))
        futures: dict[Future[dict[str, Any]], Case | IndependentCase] = {
            pool.submit(_evaluate_any, case): case for case in cases
        }
        for future in as_completed(futures):
            case = futures[future]
            results[(_kind(case), case.seed)] = future.result()
            progress.update(task, advance=1, description=f"{_kind(case)} seed {case.seed}")
    return [results[(_kind(case), case.seed)] for case in cases]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments; ``sys.argv`` when omitted.

    Returns
    -------
    argparse.Namespace
        The options.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=36, help="close-up photos (default 36)")
    parser.add_argument("--whole-head", type=int, default=18, help="whole-head photos (default 18)")
    parser.add_argument(
        "--width", type=int, default=2400, help="photo width in px; height is 3/4 (default 2400)"
    )
    parser.add_argument(
        "--independent",
        type=int,
        default=18,
        help="close-ups of the independent model (default 18)",
    )
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_REPORT,
        help="markdown report whose accuracy section is rewritten (default docs/benchmarks.md)",
    )
    args = parser.parse_args(argv)
    counts = (args.photos, args.whole_head, args.independent)
    if min(counts) < 0 or sum(counts) == 0:
        parser.error("--photos, --whole-head and --independent must be >= 0, and not all 0")
    if args.workers < 1:
        parser.error("--workers must be >= 1")
    return args


def reproduce_command(args: argparse.Namespace) -> str:
    """Build the command line that reproduces a run with these options.

    Parameters
    ----------
    args : argparse.Namespace
        The options.

    Returns
    -------
    str
        The command, run from the repository root.
    """
    command = ".venv/bin/python benchmarks/evaluate_accuracy.py"
    defaults = {"photos": 36, "whole_head": 18, "independent": 18, "width": 2400, "workers": 2}
    for key, default in defaults.items():
        if getattr(args, key) != default:
            command += f" --{key.replace('_', '-')} {getattr(args, key)}"
    if Path(args.out).resolve() != DEFAULT_REPORT:
        out = Path(args.out).resolve()
        command += f" --out {out.relative_to(REPO_ROOT) if out.is_relative_to(REPO_ROOT) else out}"
    return command


def main(argv: Sequence[str] | None = None) -> int:
    """Run the accuracy benchmark and write its report section.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments.

    Returns
    -------
    int
        Exit status: 0, also when goals fail (the report says so).
    """
    args = parse_args(argv)
    console = Console(width=None if sys.stdout.isatty() else 200)
    height = args.width * 3 // 4
    cases: list[Case | IndependentCase] = [
        *closeup_cases(args.photos, args.width, height),
        *whole_head_cases(args.whole_head, args.width, height),
        *independent_cases(args.independent),
    ]
    started = time.perf_counter()
    results = run_cases(cases, args.workers, console)
    elapsed = time.perf_counter() - started
    closeups = [r for r in results if r["kind"] == "closeup"]
    whole_head = [r for r in results if r["kind"] == "whole-head"]
    independent = [r for r in results if r["kind"] == "independent"]
    goals = evaluate_goals(closeups, whole_head, independent)
    print_tables(console, closeups, whole_head, goals)
    body = render_markdown(
        closeups, whole_head, goals, reproduce_command(args), args, elapsed, independent
    )
    replace_section(Path(args.out), SECTION, body)
    failed = sum(not g.passed for g in goals)
    console.print(
        f"{len(goals) - failed}/{len(goals)} goals met; report section '{SECTION}' "
        f"written to {args.out} in {elapsed / 60:.1f} min"
    )
    if any(math.isinf(r.get("hairline_error_mm", 0.0)) for r in results):
        console.print("[yellow]some photos had no hairline (infinite hairline error)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
