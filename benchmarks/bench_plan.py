"""Speed of ``scalpmap plan`` on a 12-megapixel synthetic close-up, on 2 cores.

Two timings, as the CLI runs them, written to the ``plan-speed`` section of
``docs/benchmarks.md``; median of 3 runs after a warm-up:

a. ``plan`` without the PDFs: decoding the JPEG, the analysis, the plan (assessment, target,
   zones, skin type, sessions, timeline), the simulation, the pictures (PNG) and both HTML
   reports, and writing every file;
b. the two PDFs (patient and facility) from those HTML reports, with WeasyPrint.

Run ``.venv/bin/python benchmarks/bench_plan.py --help`` for the options.
"""

from __future__ import annotations

import os

os.environ["OMP_NUM_THREADS"] = "2"
os.environ["OPENBLAS_NUM_THREADS"] = "2"
os.environ["MKL_NUM_THREADS"] = "2"

import argparse
import ctypes.util
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import cv2
from rich.console import Console

from bench_common import DEFAULT_REPORT, machine_lines, markdown_table, replace_section
from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.photo_io import load_photo
from scalpmap.imaging.synth import SynthOptions, write_synthetic_photo
from scalpmap.plan_outputs import PlanOutputs, make_plan_outputs, write_plan_outputs
from scalpmap.planning.plan import PlanOptions, build_plan
from scalpmap.reports import html_to_pdf

SECTION = "plan-speed"
CORES = 2
RUNS = 3
WIDTH_PX, HEIGHT_PX = 4000, 3000
PLAN_GOAL_S = 3.0
PDF_GOAL_S = 2.0


def run_once(photo: Path, out: Path) -> tuple[dict[str, float], PlanOutputs]:
    """Plan the photo once as the CLI does, without PDFs, then render the PDFs.

    Parameters
    ----------
    photo : Path
        The JPEG.
    out : Path
        Output folder.

    Returns
    -------
    times : dict of str to float
        Seconds per step.
    outputs : PlanOutputs
        What was made.
    """
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    loaded = load_photo(photo)
    analysis = analyse_photo(loaded.rgb)
    t1 = time.perf_counter()
    plan = build_plan(loaded.rgb, analysis, PlanOptions(template="mature", age=35))
    t2 = time.perf_counter()
    outputs = make_plan_outputs(loaded.rgb, plan, source=photo.name, pdf=False)
    write_plan_outputs(out, outputs)
    t3 = time.perf_counter()
    for audience in ("patient", "facility"):
        (out / f"{audience}.pdf").write_bytes(
            html_to_pdf(outputs.reports[f"{audience}_html"].decode("utf-8"))
        )
    t4 = time.perf_counter()
    times["load + analyse"] = t1 - t0
    times["plan"] = t2 - t1
    times["simulation, pictures, HTML, write"] = t3 - t2
    times["plan without PDF"] = t3 - t0
    times["two PDFs"] = t4 - t3
    return times, outputs


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and write its report section.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments.

    Returns
    -------
    int
        0 (the report says whether the goals were met).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT, help="markdown report")
    args = parser.parse_args(argv)
    console = Console(width=None if sys.stdout.isatty() else 200)
    if hasattr(os, "sched_getaffinity") and len(os.sched_getaffinity(0)) > CORES:
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:CORES])
    cv2.setNumThreads(CORES)
    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        photo = Path(folder) / "photo12mp.jpg"
        write_synthetic_photo(
            photo, SynthOptions(seed=7, width_px=WIDTH_PX, height_px=HEIGHT_PX, fitzpatrick=3)
        )
        for run in range(RUNS + 1):
            times, outputs = run_once(photo, Path(folder) / "out")
            label = "warm-up" if run == 0 else f"run {run}/{RUNS}"
            console.log(
                f"{label}: plan {times['plan without PDF']:.2f} s, PDFs {times['two PDFs']:.2f} s"
            )
            if run:
                runs.append(times)
        impressions = outputs.document["analysis"]["count"]
    harfbuzz = "installed" if ctypes.util.find_library("harfbuzz-subset") else "not installed"
    median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    plan_ok = median["plan without PDF"] < PLAN_GOAL_S
    pdf_ok = median["two PDFs"] < PDF_GOAL_S
    body = "\n".join(
        [
            "## Revision plan: speed (issue 3)",
            "",
            "Reproduce: `.venv/bin/python benchmarks/bench_plan.py`. A synthetic close-up of "
            f"{WIDTH_PX} x {HEIGHT_PX} px (12 MP, {impressions} impressions found), template "
            f"mature; median of {RUNS} runs after a warm-up, on {CORES} cores.",
            "",
            *machine_lines(),
            f"- HarfBuzz-Subset (Debian libharfbuzz-subset0): {harfbuzz}; without it WeasyPrint "
            "subsets fonts with fontTools and the two PDFs take about 1.2-1.6 s (measured while "
            "writing `scalpmap.reports.pdf`)",
            "",
            markdown_table(
                ["step", "median s", "runs s"],
                [
                    [key, f"{median[key]:.2f}", ", ".join(f"{r[key]:.2f}" for r in runs)]
                    for key in median
                ],
            ),
            "",
            markdown_table(
                ["goal", "target", "measured", "verdict"],
                [
                    [
                        "plan without PDF",
                        f"< {PLAN_GOAL_S:g} s",
                        f"{median['plan without PDF']:.2f} s",
                        "pass" if plan_ok else "FAIL",
                    ],
                    [
                        "the two PDFs",
                        f"< {PDF_GOAL_S:g} s more",
                        f"{median['two PDFs']:.2f} s",
                        "pass" if pdf_ok else "FAIL",
                    ],
                ],
                numeric=False,
            ),
        ]
    )
    replace_section(args.out, SECTION, body)
    console.print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
