"""The speed benchmark's analysis as the CLI runs it: its time, and its peak memory in a child."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.analysis_json import analysis_to_json
from scalpmap.imaging.photo_io import load_photo
from speed_detectors import RUNS, timed


def time_pipeline(path: Path, mm_per_px: float | None, console: Console) -> dict[str, Any]:
    """Time load, analyse and JSON output; one warm-up, then ``RUNS`` timed runs.

    Parameters
    ----------
    path : Path
        The JPEG photo.
    mm_per_px : float or None
        Scale to give; None to measure it from the marker.
    console : Console
        For progress messages.

    Returns
    -------
    dict
        Per-step times of each timed run and the JSON's size.
    """
    steps: dict[str, list[float]] = {"load_photo": [], "analyse_photo": [], "JSON": []}
    size = 0
    for run in range(RUNS + 1):
        load_s, photo = timed(lambda: load_photo(path))
        analyse_s, analysis = timed(lambda: analyse_photo(photo.rgb, mm_per_px=mm_per_px))  # noqa: B023
        json_s, text = timed(lambda: json.dumps(analysis_to_json(analysis, source=str(path))))  # noqa: B023
        size = len(text)
        total = load_s + analyse_s + json_s
        if run == 0:
            console.log(f"analysis warm-up: {total:.2f} s")
            continue
        steps["load_photo"].append(load_s)
        steps["analyse_photo"].append(analyse_s)
        steps["JSON"].append(json_s)
        console.log(f"analysis run {run}/{RUNS}: {total:.2f} s")
    totals = [sum(values) for values in zip(*steps.values(), strict=True)]
    return {"steps": steps, "totals": totals, "json_chars": size}


CHILD = """
import json, os, sys
import cv2
cv2.setNumThreads(int(os.environ["OMP_NUM_THREADS"]))
from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.analysis_json import analysis_to_json
from scalpmap.imaging.photo_io import load_photo
mode, path, scale = sys.argv[1:4]
peak_traced = 0
if mode != "baseline":
    if mode == "tracemalloc":
        import tracemalloc
        tracemalloc.start()
    photo = load_photo(path)
    analysis = analyse_photo(photo.rgb, mm_per_px=None if scale == "marker" else float(scale))
    text = json.dumps(analysis_to_json(analysis, source=path))
    if mode == "tracemalloc":
        peak_traced = tracemalloc.get_traced_memory()[1]
with open("/proc/self/status") as status:
    hwm = [int(line.split()[1]) for line in status if line.startswith("VmHWM:")]
print(json.dumps({"vmhwm_kib": hwm[0] if hwm else 0, "traced_peak_bytes": peak_traced}))
"""

# ru_maxrss of a process started from a big one includes the big one's peak (Linux keeps the
# pre-exec peak), so the measured children are started from this small launcher.
LAUNCHER = """
import json, resource, subprocess, sys
child, path, scale = sys.argv[1:4]
out = {"before_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}
for mode in ("baseline", "analyse"):
    done = subprocess.run([sys.executable, "-c", child, mode, path, scale],
                          check=True, capture_output=True, text=True)
    out[mode] = json.loads(done.stdout.strip().splitlines()[-1])
    out[mode]["children_maxrss_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps(out))
"""


def _run_json(code: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        check=True,
        capture_output=True,
        text=True,
        env=dict(os.environ),
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure_memory(path: Path, mm_per_px: float | None) -> dict[str, Any]:
    """Measure the peak memory of one analysis in a fresh process, minus one that only imports.

    A small launcher process runs two children one after the other: one only imports the
    modules, the other also runs ``load_photo`` + ``analyse_photo`` + JSON. After each, the
    launcher reads ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``, the largest peak resident
    set size of its children so far; the difference is the analysis's own peak. Each child also
    reports its ``VmHWM`` from ``/proc/self/status`` as a cross-check. A third child runs the
    analysis under ``tracemalloc`` (numpy reports its allocations to it; memory that OpenCV and
    Pillow allocate in C++ is not seen), a lower bound.

    Parameters
    ----------
    path : Path
        The JPEG photo.
    mm_per_px : float or None
        Scale to give; None to measure it from the marker.

    Returns
    -------
    dict
        Baseline and analysis peaks in bytes, their ``VmHWM`` and the tracemalloc peak.
    """
    scale = "marker" if mm_per_px is None else repr(mm_per_px)
    launched = _run_json(LAUNCHER, CHILD, str(path), scale)
    traced = _run_json(CHILD, "tracemalloc", str(path), scale)
    return {
        "clean": launched["before_kib"] == 0,
        "baseline_bytes": launched["baseline"]["children_maxrss_kib"] * 1024,
        "analysis_bytes": launched["analyse"]["children_maxrss_kib"] * 1024,
        "baseline_hwm_bytes": launched["baseline"]["vmhwm_kib"] * 1024,
        "analysis_hwm_bytes": launched["analyse"]["vmhwm_kib"] * 1024,
        "traced_peak_bytes": traced["traced_peak_bytes"],
    }
