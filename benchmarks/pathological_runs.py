"""The pathological benchmark's photos and runs: the cases, and the whole process timed."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
from rich.console import Console

from bench_common import REPO_ROOT
from scalpmap.imaging.pathological import PATHOLOGICAL, STRIP_LENGTH_PX, pathological_png
from scalpmap.imaging.photo_io import load_photo
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo

RUNS = 2
SCALES: tuple[tuple[str | None, str], ...] = (
    ("0.03", "0.03 mm/px"),
    ("0.15", "0.15 mm/px"),
    (None, "none"),
)
SAMPLE = REPO_ROOT / "src" / "scalpmap" / "data" / "sample_scalp.jpg"

# The launcher is small, so that the child's peak resident set size is its own: Linux keeps the
# pre-exec peak of a process forked from a big one.
LAUNCHER = """
import json, resource, subprocess, sys, time
cap_mb, timeout_s, command = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
def cap():
    resource.setrlimit(resource.RLIMIT_DATA, (cap_mb * 2**20, cap_mb * 2**20))
started = time.perf_counter()
try:
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s,
                          preexec_fn=cap if cap_mb else None)
    code, out, err = done.returncode, done.stdout, done.stderr
except subprocess.TimeoutExpired as expired:
    code, out, err = "timeout", "", f"killed after {timeout_s:g} s"
wall = time.perf_counter() - started
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"exit": code, "wall_s": wall, "cpu_s": used.ru_utime + used.ru_stime,
                  "maxrss_kib": used.ru_maxrss, "stderr": err[-2000:], "stdout": out[-2000:]}))
"""


@dataclass(frozen=True)
class Limits:
    """What the measured process may use (to measure code that has no bounds of its own).

    Attributes
    ----------
    cap_mb : int
        ``RLIMIT_DATA`` of the analysing process in MiB; 0 for none.
    timeout_s : float
        The process is killed after this long.
    runs : int
        Runs of each case.
    """

    cap_mb: int
    timeout_s: float
    runs: int = RUNS


@dataclass(frozen=True)
class Case:
    """One photo and one scale to analyse.

    Attributes
    ----------
    name : str
        The photo's name in the table.
    path : Path
        The photo file.
    scale : str or None
        ``--mm-per-px``; None for the marker (or no scale at all).
    scale_label : str
        The scale in the table.
    shape : tuple of int
        The decoded photo's ``(rows, cols)``.
    pathological : bool
        Whether the photo counts for the goals.
    """

    name: str
    path: Path
    scale: str | None
    scale_label: str
    shape: tuple[int, int]
    pathological: bool

    @property
    def decoded_bytes(self) -> int:
        """Bytes of the decoded 8-bit RGB image."""
        return self.shape[0] * self.shape[1] * 3


def write_photos(folder: Path, size: tuple[int, int], console: Console) -> list[Case]:
    """Write the pathological and the ordinary photos; return every case to measure.

    Parameters
    ----------
    folder : Path
        Where the photos go.
    size : tuple of int
        ``(rows, cols)`` of the photos (not the strip's).
    console : Console
        For progress messages.

    Returns
    -------
    list of Case
        The pathological photos at each scale, then the ordinary photos.
    """
    cases = []
    for name in PATHOLOGICAL:
        rows, cols = (STRIP_LENGTH_PX, 1) if name == "strip" else size
        path = folder / f"{name}.png"
        path.write_bytes(pathological_png(name, rows=rows, cols=cols))
        console.log(f"wrote {path.name} ({path.stat().st_size / 1e6:.2f} MB)")
        cases += [Case(name, path, scale, label, (rows, cols), True) for scale, label in SCALES]
    ordinary = {
        "close-up (synthetic, seed 7)": generate_scalp_photo(
            SynthOptions(seed=7, width_px=size[1], height_px=size[0])
        )[0],
        "whole head, front (synthetic, seed 7)": generate_scalp_photo(
            SynthOptions(seed=7, view="front", width_px=size[1], height_px=size[0])
        )[0],
        "bundled sample, upscaled": cv2.resize(
            load_photo(SAMPLE).rgb, (size[1], size[0]), interpolation=cv2.INTER_CUBIC
        ),
    }
    for index, (name, rgb) in enumerate(ordinary.items()):
        path = folder / f"ordinary{index}.jpg"
        bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        cv2.imwrite(str(path), bgr, [cv2.IMWRITE_JPEG_QUALITY, 92])
        console.log(f"wrote {name} ({path.stat().st_size / 1e6:.2f} MB)")
        cases.append(Case(name, path, None, "marker", rgb.shape[:2], False))
    return cases


def run_command(args: list[str], env: dict[str, str], limits: Limits) -> dict[str, Any]:
    """Run a command from the small launcher; return its exit code, times, peak and output."""
    done = subprocess.run(
        [sys.executable, "-c", LAUNCHER, str(limits.cap_mb), str(limits.timeout_s), *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(
    case: Case, folder: Path, env: dict[str, str], limits: Limits, console: Console
) -> dict[str, Any]:
    """Analyse one case ``RUNS`` times; keep the fastest wall time and the largest peak."""
    out = folder / f"out-{case.path.stem}-{case.scale}"
    args = [sys.executable, "-m", "scalpmap", "analyse", str(case.path), "--out", str(out)]
    if case.scale is not None:
        args += ["--mm-per-px", case.scale]
    runs = [run_command(args, env, limits) for _ in range(limits.runs)]
    best = min(runs, key=lambda run: run["wall_s"])
    row = {
        "exit": best["exit"],
        "wall_s": best["wall_s"],
        "cpu_s": best["cpu_s"],
        "peak_bytes": max(run["maxrss_kib"] for run in runs) * 1024,
        "result": describe(best, out / "analysis.json"),
    }
    console.log(
        f"{case.name} at {case.scale_label}: exit {row['exit']}, {row['wall_s']:.2f} s, "
        f"{row['peak_bytes'] / 2**20:.0f} MiB; {row['result']}"
    )
    return row


def describe(run: dict[str, Any], document: Path) -> str:
    """Put the outcome in a few words: the mode and region, or the error's line."""
    if run["exit"] == 0 and document.is_file():
        doc = json.loads(document.read_text())
        count = doc["summary"].get("count")
        found = f", {count} impressions" if doc["mode"] == "impressions" else ""
        return f"{doc['mode']}: region {doc['region']['area_cm2']:.1f} cm²{found}"
    lines = [line.strip() for line in run["stderr"].splitlines() if line.strip()]
    error = next((line for line in lines if line.startswith("error:")), None)
    if run["exit"] == 2 and error:
        return error.removeprefix("error:").strip()
    if run["exit"] == "timeout":
        return f"timeout: {run['stderr']}"
    tail = lines[-1] if lines else "no output"
    return f"CRASHED (exit {run['exit']}): {tail[:120]}"
