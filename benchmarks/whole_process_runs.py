"""The measurements of ``speed_whole_process``: the CLI's start and the whole analyse process.

The whole ``scalpmap analyse`` process against ``blob_log`` alone on the same photo, and where
the whole process's time goes (:func:`measure_breakdown`).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from skimage.color import rgb2gray
from skimage.feature import blob_log

from bench_common import run_process, scalpmap_command
from scalpmap.imaging.photo_io import load_photo
from scalpmap.imaging.synth import SynthOptions, SynthTruth, write_synthetic_photo

WIDTH_PX, HEIGHT_PX = 4000, 3000
IMPRESSION_DIAMETER_MM = (0.10, 0.36)
PROCESS_RUNS = 5
PEER_RUNS = 3
START_RUNS = 20
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
from scalpmap.imaging import analysis_closeup, analysis_mode, frame_edge
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
for module in (analysis_mode, analysis_closeup, frame_edge):
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
