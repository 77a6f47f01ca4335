"""The whole ``scalpmap analyse`` process against ``blob_log`` alone, and the CLI's start.

Part of ``bench_speed.py`` (issue 11, "the whole process is fast"):

a. **CLI start**: ``scalpmap --help``, ``scalpmap analyse --help``, ``scalpmap plan --help``,
   ``scalpmap users --help`` and a typo (``scalpmap plna``), each run ``START_RUNS`` times as a
   fresh process; wall time from outside and CPU time (user + system) from
   ``resource.getrusage(RUSAGE_CHILDREN)``; the interpreter alone and ``import typer`` are timed
   the same way as floors. Its own report section, ``cli-start`` (:func:`render_start`), which
   ``bench_speed.py --cli-start-only`` rewrites alone.
b. **Whole process against the peer**, in one run, interleaved so both see the same load: the
   whole process ``scalpmap analyse PHOTO --out DIR`` (decoding, the marker's scale, the scalp
   area, the skin, the impressions, the region, the hairline, the density, ``analysis.json`` and
   ``overlay.png``), timed from outside, against ``skimage.feature.blob_log`` alone on the same
   photo already decoded (grey from ``skimage.color.rgb2gray``, inverted so that the dark
   impressions are bright blobs), with ``min_sigma`` and ``max_sigma`` the radii of 0.10 and
   0.36 mm impressions at the photo's scale divided by sqrt(2), and its defaults otherwise
   (``num_sigma=10``, ``threshold=0.2``, ``overlap=0.5``).
c. **Where the whole process's time goes**: a child process runs the CLI's steps one by one
   with their wall and CPU times; the analysis's own steps are timed by wrapping the functions
   that ``scalpmap.imaging.analysis_mode`` and ``scalpmap.imaging.analysis_closeup`` (the
   scale and the close-up's impressions mode, under ``scalpmap.imaging.analysis``) call.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from skimage.color import rgb2gray
from skimage.feature import blob_log

from bench_common import markdown_table, run_process, scalpmap_command
from scalpmap.imaging.photo_io import load_photo
from scalpmap.imaging.synth import SynthOptions, SynthTruth, write_synthetic_photo

WIDTH_PX, HEIGHT_PX = 4000, 3000
IMPRESSION_DIAMETER_MM = (0.10, 0.36)
PROCESS_RUNS = 5
PEER_RUNS = 3
START_RUNS = 20
RATIO_GOAL = 5.0
START_GOAL_S = 0.3
START_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("--help",),
    ("analyse", "--help"),
    ("plan", "--help"),
    ("users", "--help"),
    ("plna",),
)
START_FLOORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("python -c pass", ("-c", "pass")),
    ("python -c 'import typer'", ("-c", "import typer")),
)
START_SECTION = "cli-start"


@dataclass(frozen=True)
class Case:
    """One photo of the comparison: a label and the generator's options."""

    label: str
    options: SynthOptions


CASES = (
    Case("the generator's own scale", SynthOptions(seed=7, width_px=WIDTH_PX, height_px=HEIGHT_PX)),
    Case(
        "a phone at 15-20 cm",
        SynthOptions(seed=7, width_px=WIDTH_PX, height_px=HEIGHT_PX, mm_per_px=0.055),
    ),
    Case(
        "the coarsest close-up",
        SynthOptions(seed=7, width_px=WIDTH_PX, height_px=HEIGHT_PX, mm_per_px=0.08),
    ),
)


def measure_start(console: Console) -> list[dict[str, Any]]:
    """Time the CLI's start: help, a sub-command's help and a typo, as fresh processes.

    The interpreter alone and ``import typer`` are timed the same way, as floors.

    Parameters
    ----------
    console : Console
        For progress messages.

    Returns
    -------
    list of dict
        Per command: ``command``, ``walls``, ``cpus``, ``code`` and ``floor`` (True for the
        floors, which have no goal).
    """
    base = scalpmap_command()
    runs = [(" ".join(["scalpmap", *args]), [*base, *args], False) for args in START_COMMANDS]
    runs += [(label, [sys.executable, *args], True) for label, args in START_FLOORS]
    rows = []
    for command, args, floor in runs:
        run_process(args)  # warm the file cache
        walls, cpus, code = [], [], 0
        for _ in range(START_RUNS):
            wall, cpu, code = run_process(args)
            walls.append(wall)
            cpus.append(cpu)
        console.log(f"{command}: median {statistics.median(walls):.3f} s (exit {code})")
        rows.append(
            {"command": command, "walls": walls, "cpus": cpus, "code": code, "floor": floor}
        )
    return rows


def peer_sigmas(mm_per_px: float) -> tuple[float, float]:
    """``blob_log``'s sigma range for 0.10-0.36 mm impressions at a scale.

    Parameters
    ----------
    mm_per_px : float
        The photo's scale.

    Returns
    -------
    tuple of float
        ``(min_sigma, max_sigma)`` in pixels: radius / sqrt(2).
    """
    low, high = (d / 2 / mm_per_px / np.sqrt(2) for d in IMPRESSION_DIAMETER_MM)
    return float(low), float(high)


def run_peer(inverted_grey: np.ndarray, mm_per_px: float) -> tuple[float, float, int]:
    """Run ``blob_log`` alone on a decoded, inverted grey photo.

    Parameters
    ----------
    inverted_grey : ndarray of float
        ``1 - rgb2gray(rgb)``.
    mm_per_px : float
        The photo's scale, for the sigma range.

    Returns
    -------
    wall_s, cpu_s : float
        Its wall and CPU time (this process's, all threads).
    blobs : int
        How many blobs it found.
    """
    low, high = peer_sigmas(mm_per_px)
    started, cpu_started = time.perf_counter(), time.process_time()
    blobs = blob_log(inverted_grey, min_sigma=low, max_sigma=high)
    return time.perf_counter() - started, time.process_time() - cpu_started, len(blobs)


BREAKDOWN_CHILD = r"""
import json, sys, time
clock = [time.perf_counter(), time.process_time()]
steps = {}
def lap(name):
    now = [time.perf_counter(), time.process_time()]
    wall, cpu = steps.get(name, (0.0, 0.0))
    steps[name] = (wall + now[0] - clock[0], cpu + now[1] - clock[1])
    clock[:] = now
import scalpmap.cli.main
import scalpmap.cli.analyse_cmd
lap("CLI start (typer, the analyse command's module)")
from scalpmap.imaging import analysis as analysis_module
from scalpmap.imaging import analysis_closeup, analysis_mode
from scalpmap.imaging import region
from scalpmap.imaging.analysis_json import analysis_to_json
from scalpmap.imaging.overlay_file import write_overlay_png
from scalpmap.imaging.photo_io import load_photo
lap("imports (numpy, OpenCV, Pillow, shapely, the analysis)")
WRAPPED = {
    "resolve_scale": "scale: marker search",
    "measure_dot_scale": "mode: the impressions' size measured",
    "_analysed_mask": "scalp area",
    "estimate_local_skin": "skin estimate",
    "detect_impressions": "detection",
    "field_cells": "region",
    "impression_field": "region",
    "field_to_region_safe": "region",
    "density_grid": "density",
}
def wrap(function, name):
    def timed(*args, **kwargs):
        lap("analysis: other steps")
        try:
            return function(*args, **kwargs)
        finally:
            lap("analysis: " + name)
    return timed
for module in (analysis_mode, analysis_closeup):
    for attribute, name in WRAPPED.items():
        if hasattr(module, attribute):
            setattr(module, attribute, wrap(getattr(module, attribute), name))
for attribute in ("reach_edges", "trace_hairline"):
    if hasattr(region, attribute):
        setattr(region, attribute, wrap(getattr(region, attribute), "hairline"))
path, out = sys.argv[1:3]
photo = load_photo(path)
lap("decode (EXIF, Pillow)")
result = analysis_module.analyse_photo(photo.rgb)
lap("analysis: other steps")
text = json.dumps(analysis_to_json(result, source=path), indent=1)
with open(out + "/analysis.json", "w") as handle:
    handle.write(text)
lap("analysis.json")
write_overlay_png(out + "/overlay.png", photo.rgb, result)
lap("overlay.png (draw and encode)")
print(json.dumps({"steps": steps, "mode": result.mode, "impressions": result.impressions.count}))
"""


def measure_breakdown(photo: Path, runs: int) -> dict[str, Any]:
    """Time the CLI's steps in child processes; the median of each step over ``runs``.

    Parameters
    ----------
    photo : Path
        The photo.
    runs : int
        How many child processes.

    Returns
    -------
    dict
        ``steps``: name to ``(wall_s, cpu_s)`` medians, in order; ``mode``; ``impressions``.
    """
    collected: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="scalpmap-steps-") as out:
        for _ in range(runs):
            done = subprocess.run(
                [sys.executable, "-c", BREAKDOWN_CHILD, str(photo), out],
                check=True,
                capture_output=True,
                text=True,
            )
            collected.append(json.loads(done.stdout.strip().splitlines()[-1]))
    names = list(collected[0]["steps"])
    steps = {
        name: (
            statistics.median(c["steps"].get(name, (0.0, 0.0))[0] for c in collected),
            statistics.median(c["steps"].get(name, (0.0, 0.0))[1] for c in collected),
        )
        for name in names
    }
    return {
        "steps": steps,
        "mode": collected[0]["mode"],
        "impressions": collected[0]["impressions"],
    }


def compare_case(case: Case, folder: Path, console: Console) -> dict[str, Any]:
    """Write one photo, then time the whole process and ``blob_log`` alone, interleaved.

    Parameters
    ----------
    case : Case
        The photo to draw.
    folder : Path
        Where to write it and the analyses.
    console : Console
        For progress messages.

    Returns
    -------
    dict
        The truth, the runs of both, the blob count and the step breakdown.
    """
    photo = folder / f"{case.options.seed}-{case.options.mm_per_px or 'own'}.jpg"
    truth: SynthTruth = write_synthetic_photo(photo, case.options)
    rgb = load_photo(photo).rgb
    inverted = 1.0 - rgb2gray(rgb)
    command = [*scalpmap_command(), "analyse", str(photo), "--out", str(folder / "out")]
    console.log(f"{case.label}: {truth.mm_per_px:.4f} mm/px; warm-up")
    wall, _, code = run_process(command)
    if code != 0:
        raise RuntimeError(f"scalpmap analyse failed on {photo} (exit {code})")
    process: list[tuple[float, float]] = []
    peer: list[tuple[float, float]] = []
    blobs = 0
    for run in range(max(PROCESS_RUNS, PEER_RUNS)):
        if run < PROCESS_RUNS:
            wall, cpu, code = run_process(command)
            process.append((wall, cpu))
            console.log(f"  scalpmap analyse run {run + 1}: {wall:.2f} s (CPU {cpu:.2f} s)")
        if run < PEER_RUNS:
            peer_wall, peer_cpu, blobs = run_peer(inverted, truth.mm_per_px)
            peer.append((peer_wall, peer_cpu))
            console.log(f"  blob_log run {run + 1}: {peer_wall:.2f} s (CPU {peer_cpu:.2f} s)")
    breakdown = measure_breakdown(photo, 3)
    written = json.loads((folder / "out" / "analysis.json").read_text())
    return {
        "label": case.label,
        "given_mm_per_px": case.options.mm_per_px,
        "truth": truth,
        "process": process,
        "peer": peer,
        "blobs": blobs,
        "breakdown": breakdown,
        "found": written["summary"]["count"],
        "mode": written["mode"],
        "overlay_bytes": (folder / "out" / "overlay.png").stat().st_size,
        "load": os.getloadavg()[0],
    }


def measure(console: Console) -> dict[str, Any]:
    """Run the CLI-start and whole-process measurements.

    Parameters
    ----------
    console : Console
        For progress messages.

    Returns
    -------
    dict
        ``start`` rows, ``cases`` and the load before and after.
    """
    load_before = os.getloadavg()[0]
    start = measure_start(console)
    with tempfile.TemporaryDirectory(prefix="scalpmap-whole-") as folder:
        cases = [compare_case(case, Path(folder), console) for case in CASES]
    return {
        "start": start,
        "cases": cases,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }


def _median(pairs: Sequence[tuple[float, float]], index: int) -> float:
    return float(statistics.median(pair[index] for pair in pairs))


def verdicts(facts: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """Judge the measurements against issue 11's goals.

    Parameters
    ----------
    facts : dict
        From :func:`measure`.

    Returns
    -------
    list of tuple
        ``(goal, target, measured, passed)``: the CLI start's, then the whole process's.
    """
    return start_verdicts(facts["start"]) + process_verdicts(facts)


def start_verdicts(rows: Sequence[dict[str, Any]]) -> list[tuple[str, str, str, bool]]:
    """Judge the CLI's start against issue 11's goal (the floors have none).

    Parameters
    ----------
    rows : sequence of dict
        From :func:`measure_start`.

    Returns
    -------
    list of tuple
        ``(goal, target, measured, passed)``.
    """
    judged = []
    for row in rows:
        if row.get("floor"):
            continue
        median = float(statistics.median(row["walls"]))
        cpu = float(statistics.median(row["cpus"]))
        judged.append(
            (
                f"`{row['command']}`",
                f"< {START_GOAL_S} s",
                f"{median:.3f} s (CPU {cpu:.3f} s)",
                median < START_GOAL_S,
            )
        )
    return judged


def process_verdicts(facts: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """Judge the whole ``scalpmap analyse`` process against issue 11's goal.

    Parameters
    ----------
    facts : dict
        From :func:`measure`.

    Returns
    -------
    list of tuple
        ``(goal, target, measured, passed)``.
    """
    judged = []
    for case in facts["cases"]:
        ours, peer = _median(case["process"], 0), _median(case["peer"], 0)
        ratio = peer / ours
        judged.append(
            (
                f"12 MP `scalpmap analyse` vs `blob_log` alone, {case['label']} "
                f"({case['truth'].mm_per_px:.3f} mm/px)",
                f">= {RATIO_GOAL:g}x faster",
                f"{ratio:.1f}x ({ours:.2f} s against {peer:.2f} s)",
                ratio >= RATIO_GOAL,
            )
        )
    return judged


def render(facts: dict[str, Any], command: str) -> str:
    """Render the measurements as markdown, for the ``speed`` section.

    Parameters
    ----------
    facts : dict
        From :func:`measure`.
    command : str
        The command that reproduces them.

    Returns
    -------
    str
        Markdown.
    """
    lines = [
        "### Whole `scalpmap analyse` process against `blob_log` alone (issue 11)",
        "",
        f"Reproduce with `{command}`. Load average (1 min) {facts['load_before']:.2f} before "
        f"and {facts['load_after']:.2f} after these measurements: the 2 cores are shared, so "
        "the CPU times (user + system, all threads) are shown beside the wall times. The "
        "command line's start has its own section, below.",
        "",
        "| Goal | Target | Measured | Verdict |",
        "| :-- | :-- | :-- | :-- |",
    ]
    for goal, target, measured, passed in process_verdicts(facts):
        lines.append(f"| {goal} | {target} | {measured} | {'pass' if passed else '**FAIL**'} |")
    lines += ["", "#### The whole process and the peer, on the same 12 MP photos", ""]
    rows = []
    for case in facts["cases"]:
        truth: SynthTruth = case["truth"]
        low, high = peer_sigmas(truth.mm_per_px)
        ours_wall, ours_cpu = _median(case["process"], 0), _median(case["process"], 1)
        peer_wall, peer_cpu = _median(case["peer"], 0), _median(case["peer"], 1)
        given = case["given_mm_per_px"]
        scale = "" if given is None else f", mm_per_px={given:g}"
        rows.append(
            [
                f"{case['label']}: `SynthOptions(seed={truth.options.seed}, width_px={WIDTH_PX}, "
                f"height_px={HEIGHT_PX}{scale})`, {truth.mm_per_px:.4f} mm/px, "
                f"{len(truth.impressions)} impressions",
                f"{ours_wall:.2f} s (CPU {ours_cpu:.2f} s); runs "
                + ", ".join(f"{w:.2f}" for w, _ in case["process"])
                + f"; {case['mode']} mode, "
                + ("no impressions counted" if case["found"] is None else f"{case['found']} found")
                + "; overlay.png "
                f"{case['overlay_bytes'] / 1e6:.1f} MB",
                f"{peer_wall:.2f} s (CPU {peer_cpu:.2f} s); runs "
                + ", ".join(f"{w:.2f}" for w, _ in case["peer"])
                + f"; sigma {low:.2f}-{high:.2f} px, {case['blobs']} blobs",
                f"**{peer_wall / ours_wall:.1f}x** (CPU {peer_cpu / ours_cpu:.1f}x)",
            ]
        )
    lines.append(
        markdown_table(
            [
                "Photo",
                f"`scalpmap analyse`, median of {PROCESS_RUNS}",
                f"`blob_log` alone, median of {PEER_RUNS}",
                "Ratio",
            ],
            rows,
            numeric=False,
        )
    )
    lines += [
        "",
        "The whole process is timed from outside after one warm-up run (the file cache); "
        "`blob_log` runs in the benchmark's process on the decoded photo, so its time includes "
        "neither Python's start nor decoding. The runs alternate, one of each in turn.",
        "",
        "#### Where the whole process's time goes",
        "",
        "Median of 3 child processes running the command's steps one by one (in-process "
        "clocks; the interpreter's own start, about 0.02-0.05 s, is not in the table).",
        "",
    ]
    for case in facts["cases"]:
        breakdown = case["breakdown"]
        steps = breakdown["steps"]
        total_wall = sum(wall for wall, _ in steps.values())
        total_cpu = sum(cpu for _, cpu in steps.values())
        table_rows = [
            [name, f"{wall:.3f}", f"{cpu:.3f}", f"{wall / total_wall:.0%}"]
            for name, (wall, cpu) in steps.items()
        ]
        table_rows.append(["**total**", f"**{total_wall:.3f}**", f"**{total_cpu:.3f}**", "100%"])
        lines += [
            f"{case['label']} ({case['truth'].mm_per_px:.4f} mm/px, {breakdown['mode']} mode, "
            f"{breakdown['impressions']} impressions):",
            "",
            markdown_table(["Step", "Wall (s)", "CPU (s)", "Share of wall"], table_rows),
            "",
        ]
    return "\n".join(lines) + "\n"


def render_start(
    rows: Sequence[dict[str, Any]], command: str, load_before: float, load_after: float
) -> str:
    """Render the CLI start's measurements as markdown, for the ``cli-start`` section.

    Parameters
    ----------
    rows : sequence of dict
        From :func:`measure_start`.
    command : str
        The command that reproduces them.
    load_before, load_after : float
        Load average (1 min) before and after the measurements.

    Returns
    -------
    str
        Markdown.
    """
    finished = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        "## Command line start (issue 11)",
        "",
        f"Reproduce with `{command}` (a whole `bench_speed.py` run measures it too). "
        f"Finished {finished}; load average (1 min) {load_before:.2f} before and "
        f"{load_after:.2f} after: the 2 cores are shared, so the CPU times are shown beside "
        "the wall times.",
        "",
        "| Goal | Target | Measured | Verdict |",
        "| :-- | :-- | :-- | :-- |",
    ]
    for goal, target, measured, passed in start_verdicts(rows):
        lines.append(f"| {goal} | {target} | {measured} | {'pass' if passed else '**FAIL**'} |")
    lines += [
        "",
        f"Each command run {START_RUNS} times as a fresh process after one warm-up; wall time "
        "from outside, CPU time of the child; the interpreter alone and `import typer` are "
        "timed the same way, as floors. `scalpmap --help` lists the commands from "
        "`scalpmap.cli.command_table` without importing their modules: a command's module is "
        "imported, and its parameters built, only when it runs or its own help is asked for "
        "(`scalpmap.cli.lazy_group`), and rich only when something is printed "
        "(`scalpmap.cli.console`). No command module imports numpy, OpenCV, SQLAlchemy, the "
        "web app, the PDF or chart libraries at its top: each sub-command imports them inside "
        "its function (checked by `tests/cli/test_cli_startup.py` and "
        "`tests/cli/test_lazy_group.py`).",
        "",
    ]
    table_rows = [
        [
            f"`{row['command']}`" + (" (floor)" if row.get("floor") else ""),
            f"{statistics.median(row['walls']):.3f}",
            f"{min(row['walls']):.3f}",
            f"{statistics.median(row['cpus']):.3f}",
            str(row["code"]),
        ]
        for row in rows
    ]
    lines.append(
        markdown_table(
            ["Command", "Median wall (s)", "Fastest wall (s)", "Median CPU (s)", "Exit code"],
            table_rows,
        )
    )
    return "\n".join(lines) + "\n"
