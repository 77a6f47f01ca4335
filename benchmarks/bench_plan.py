"""Speed of ``scalpmap plan`` on a 12-megapixel synthetic close-up, on 2 cores.

Written to the ``plan-speed`` section of ``docs/benchmarks.md``; median of 3 runs after a
warm-up, wall time and CPU time (user + system, all threads) side by side, since the 2 cores
may be shared:

a. in this process, step by step as the CLI runs them: ``plan`` without the PDFs (decoding the
   JPEG, the analysis, the plan: assessment, target, zones, skin type, sessions, timeline; the
   simulation, the pictures (PNG) and both HTML reports, and writing every file), then the two
   PDFs (patient and facility) from those HTML reports, with WeasyPrint;
b. the whole ``scalpmap plan PHOTO --out DIR --template mature --age 35`` process timed from
   outside (Python's start and every import included), with ``--no-pdf`` and with the PDFs.

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
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import cv2
from rich.console import Console

from bench_common import (
    DEFAULT_REPORT,
    machine_lines,
    markdown_table,
    replace_section,
    run_process,
    scalpmap_command,
)
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
PLAN_ARGS = ("--template", "mature", "--age", "35")


def run_once(photo: Path, out: Path) -> tuple[dict[str, float], dict[str, float], PlanOutputs]:
    """Plan the photo once as the CLI does, without PDFs, then render the PDFs.

    Parameters
    ----------
    photo : Path
        The JPEG.
    out : Path
        Output folder.

    Returns
    -------
    times, cpu : dict of str to float
        Wall and CPU seconds per step.
    outputs : PlanOutputs
        What was made.
    """
    marks = [(time.perf_counter(), time.process_time())]
    loaded = load_photo(photo)
    analysis = analyse_photo(loaded.rgb)
    marks.append((time.perf_counter(), time.process_time()))
    plan = build_plan(loaded.rgb, analysis, PlanOptions(template="mature", age=35))
    marks.append((time.perf_counter(), time.process_time()))
    outputs = make_plan_outputs(loaded.rgb, plan, source=photo.name, pdf=False)
    write_plan_outputs(out, outputs)
    marks.append((time.perf_counter(), time.process_time()))
    for audience in ("patient", "facility"):
        (out / f"{audience}.pdf").write_bytes(
            html_to_pdf(outputs.reports[f"{audience}_html"].decode("utf-8"))
        )
    marks.append((time.perf_counter(), time.process_time()))
    spans = {
        "load + analyse": (0, 1),
        "plan": (1, 2),
        "simulation, pictures, HTML, write": (2, 3),
        "plan without PDF": (0, 3),
        "two PDFs": (3, 4),
    }
    times = {name: marks[b][0] - marks[a][0] for name, (a, b) in spans.items()}
    cpu = {name: marks[b][1] - marks[a][1] for name, (a, b) in spans.items()}
    return times, cpu, outputs


def whole_process(photo: Path, out: Path, console: Console) -> dict[str, list[tuple[float, float]]]:
    """Time the whole ``scalpmap plan`` process from outside, without and with the PDFs.

    Parameters
    ----------
    photo : Path
        The JPEG.
    out : Path
        Output folder.
    console : Console
        For progress messages.

    Returns
    -------
    dict
        ``"--no-pdf"`` and ``"--pdf"``: ``(wall_s, cpu_s)`` of each timed run.
    """
    runs: dict[str, list[tuple[float, float]]] = {"--no-pdf": [], "--pdf": []}
    for run in range(RUNS + 1):
        for flag, timed in runs.items():
            command = [*scalpmap_command(), "plan", str(photo), "--out", str(out), *PLAN_ARGS]
            wall, cpu, code = run_process([*command, flag])
            if code != 0:
                raise subprocess.CalledProcessError(code, command)
            label = "warm-up" if run == 0 else f"run {run}/{RUNS}"
            console.log(f"scalpmap plan {flag} {label}: {wall:.2f} s (CPU {cpu:.2f} s)")
            if run:
                timed.append((wall, cpu))
    return runs


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
    cpus: list[dict[str, float]] = []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        photo = Path(folder) / "photo12mp.jpg"
        write_synthetic_photo(
            photo, SynthOptions(seed=7, width_px=WIDTH_PX, height_px=HEIGHT_PX, fitzpatrick=3)
        )
        for run in range(RUNS + 1):
            times, cpu, outputs = run_once(photo, Path(folder) / "out")
            label = "warm-up" if run == 0 else f"run {run}/{RUNS}"
            console.log(
                f"{label}: plan {times['plan without PDF']:.2f} s, PDFs {times['two PDFs']:.2f} s"
            )
            if run:
                runs.append(times)
                cpus.append(cpu)
        impressions = outputs.document["analysis"]["count"]
        process = whole_process(photo, Path(folder) / "cli", console)
    load_after = os.getloadavg()[0]
    harfbuzz = "installed" if ctypes.util.find_library("harfbuzz-subset") else "not installed"
    median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    median_cpu = {key: statistics.median(r[key] for r in cpus) for key in cpus[0]}
    whole = {
        flag: (statistics.median(w for w, _ in timed), statistics.median(c for _, c in timed))
        for flag, timed in process.items()
    }
    goals = [
        ("`scalpmap plan --no-pdf`, the whole process", PLAN_GOAL_S, whole["--no-pdf"]),
        ("plan without PDF, in process", PLAN_GOAL_S, (median["plan without PDF"], 0.0)),
        ("the two PDFs", PDF_GOAL_S, (median["two PDFs"], 0.0)),
    ]
    command = " ".join(["scalpmap", "plan", "PHOTO", "--out", "DIR", *PLAN_ARGS])
    body = "\n".join(
        [
            "## Revision plan: speed (issues 3 and 11)",
            "",
            "Reproduce: `.venv/bin/python benchmarks/bench_plan.py`. A synthetic close-up of "
            f"{WIDTH_PX} x {HEIGHT_PX} px (12 MP, {impressions} impressions found), template "
            f"mature; median of {RUNS} runs after a warm-up, on {CORES} cores. Load average "
            f"(1 min) {load_before:.2f} before and {load_after:.2f} after: the cores are shared, "
            "so the CPU time (user + system, all threads) is shown beside the wall time.",
            "",
            *machine_lines(),
            f"- HarfBuzz-Subset (Debian libharfbuzz-subset0): {harfbuzz}; without it WeasyPrint "
            "subsets fonts with fontTools and the two PDFs take about 1.2-1.6 s (measured while "
            "writing `scalpmap.reports.pdf`)",
            "",
            "In this process, step by step (imports done):",
            "",
            markdown_table(
                ["step", "median wall s", "median CPU s", "runs wall s"],
                [
                    [
                        key,
                        f"{median[key]:.2f}",
                        f"{median_cpu[key]:.2f}",
                        ", ".join(f"{r[key]:.2f}" for r in runs),
                    ]
                    for key in median
                ],
            ),
            "",
            f"The whole process, `{command}`, timed from outside:",
            "",
            markdown_table(
                ["options", "median wall s", "median CPU s", "runs wall s"],
                [
                    [
                        f"`{flag}`",
                        f"{whole[flag][0]:.2f}",
                        f"{whole[flag][1]:.2f}",
                        ", ".join(f"{w:.2f}" for w, _ in timed),
                    ]
                    for flag, timed in process.items()
                ],
            ),
            "",
            markdown_table(
                ["goal", "target", "measured", "verdict"],
                [
                    [
                        name,
                        f"< {goal:g} s" + (" more" if name == "the two PDFs" else ""),
                        f"{wall:.2f} s" + (f" (CPU {cpu:.2f} s)" if cpu else ""),
                        "pass" if wall < goal else "FAIL",
                    ]
                    for name, goal, (wall, cpu) in goals
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
