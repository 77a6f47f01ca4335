"""Pathological photos at 12 MP: time and memory of the whole ``scalpmap analyse`` process.

Written to the ``pathological`` section of ``docs/benchmarks.md`` with a pass/FAIL verdict per
goal of issue 14: every pathological photo analysed in under 5 s and under 10x the decoded
image's memory.

1. The photos of :mod:`scalpmap.imaging.pathological` (all black, all white, one skin colour,
   pure noise, a checkerboard, a 1 x 20000 strip, a 16-bit gradient, a photo of text, 0.5 %
   dots on a uniform field) are written as PNG files at 4000 x 3000 px (the strip 1 x 20000),
   and three ordinary photos as JPEG (quality 92) at 12 MP: the synthetic close-up
   ``SynthOptions(seed=7)``, a synthetic whole head seen from the front
   (``SynthOptions(seed=7, view="front")``) and the bundled sample photo upscaled to
   4000 x 3000 (cubic). A 64 x 64 photo measures the command's own start-up.
2. Each pathological photo is analysed at a close-up scale (``--mm-per-px 0.03``, impressions
   mode), at a whole-head scale (``--mm-per-px 0.15``, coverage mode) and without a scale (the
   marker search, then "no scale"); the ordinary photos with the scale from their printed
   marker. Each is the whole process ``python -m scalpmap analyse PHOTO ... --out DIR``
   (overlay.png included), started from a small launcher that reads the child's wall time,
   CPU time and peak resident set size (``resource.getrusage(RUSAGE_CHILDREN)``, so the
   peak is the child's alone); ``RUNS`` runs, the fastest wall time and the largest peak kept.
3. Memory is judged against the decoded image, ``rows * cols * 3`` bytes: as the whole
   process's peak, and as the peak above the start-up's (the interpreter and the libraries the
   command loads before it reads a photo).

Everything runs on at most 2 cores, as in ``bench_speed.py``. ``--src DIR`` measures another
checkout's ``src`` with the same photos, e.g. the code before a change:
``git archive COMMIT src | tar -x -C /tmp/before`` then ``--src /tmp/before/src``.

Run ``.venv/bin/python benchmarks/bench_pathological.py --help`` for the options.
"""

from __future__ import annotations

import os

# Limit the thread pools to 2 cores before numpy and OpenCV start them (CORES below).
os.environ["OMP_NUM_THREADS"] = "2"
os.environ["OPENBLAS_NUM_THREADS"] = "2"
os.environ["MKL_NUM_THREADS"] = "2"

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from rich.console import Console

from bench_common import (
    DEFAULT_REPORT,
    REPO_ROOT,
    machine_lines,
    markdown_table,
    print_goals,
    replace_section,
)
from scalpmap.imaging.pathological import PATHOLOGICAL, STRIP_LENGTH_PX, pathological_png
from scalpmap.imaging.photo_io import load_photo
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo

CORES = int(os.environ["OMP_NUM_THREADS"])
SECTION = "pathological"
WIDTH_PX, HEIGHT_PX = 4000, 3000
RUNS = 2
GOAL_S = 5.0
GOAL_TIMES_DECODED = 10.0
TIMEOUT_S = 600.0
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


def judge(
    cases: list[Case], rows: list[dict[str, Any]], startup: dict[str, Any]
) -> list[tuple[str, str, str, bool]]:
    """Judge the goals: every pathological run clean, under 5 s and under 10x the decoded image."""
    pairs = [(c, r) for c, r in zip(cases, rows, strict=True) if c.pathological]
    clean = [r for _c, r in pairs if r["exit"] in (0, 2) and "CRASHED" not in r["result"]]
    slowest_case, slowest = max(pairs, key=lambda pair: pair[1]["wall_s"])
    measured = [(c, r) for c, r in pairs if c.decoded_bytes >= 1_000_000]  # not the strip
    ratio = max(r["peak_bytes"] / c.decoded_bytes for c, r in measured)
    above = max((r["peak_bytes"] - startup["peak_bytes"]) / c.decoded_bytes for c, r in measured)
    over_time = sum(r["wall_s"] >= GOAL_S for _c, r in pairs)
    over_memory = sum(r["peak_bytes"] >= GOAL_TIMES_DECODED * c.decoded_bytes for c, r in measured)
    return [
        (
            "Every pathological run ends with a result or a one-line error (exit 0 or 2)",
            f"{len(pairs)} of {len(pairs)}",
            f"{len(clean)} of {len(pairs)}",
            len(clean) == len(pairs),
        ),
        (
            "Every pathological run under 5 s (whole process, wall)",
            "< 5 s",
            f"slowest {slowest['wall_s']:.2f} s ({slowest_case.name}, "
            f"{slowest_case.scale_label}); {over_time} of {len(pairs)} over",
            over_time == 0,
        ),
        (
            "Peak memory under 10x the decoded image (whole process)",
            "< 10x",
            f"largest {ratio:.1f}x; {over_memory} of {len(measured)} over",
            over_memory == 0,
        ),
        (
            "Peak memory above the start-up's under 10x the decoded image",
            "< 10x",
            f"largest {above:.1f}x",
            above < GOAL_TIMES_DECODED,
        ),
    ]


def _mib(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:.0f}"


def render_markdown(facts: dict[str, Any]) -> str:
    """Write the report section."""
    cases, rows, startup = facts["cases"], facts["rows"], facts["startup"]
    header = [
        "Photo",
        "Scale",
        "Outcome",
        "Wall s",
        "CPU s",
        "Decoded MiB",
        "Peak MiB",
        "Peak / decoded",
        "(Peak - start-up) / decoded",
    ]
    table = []
    for case, row in zip(cases, rows, strict=True):
        decoded = case.decoded_bytes
        ratio = row["peak_bytes"] / decoded
        above = (row["peak_bytes"] - startup["peak_bytes"]) / decoded
        table.append(
            [
                case.name if case.pathological else f"*{case.name}*",
                case.scale_label,
                row["result"],
                f"{row['wall_s']:.2f}",
                f"{row['cpu_s']:.2f}",
                f"{decoded / 2**20:.2f}",
                _mib(row["peak_bytes"]),
                f"{ratio:.1f}x" if decoded >= 1_000_000 else "n/a",
                f"{above:.1f}x" if decoded >= 1_000_000 else "n/a",
            ]
        )
    goals = markdown_table(
        ["Goal", "Target", "Measured", "Result"],
        [[g, t, m, "pass" if ok else "**FAIL**"] for g, t, m, ok in facts["goals"]],
        numeric=False,
    )
    title = "## Pathological photos: time and memory (issue 14)"
    lines = [
        f"{title}: {facts['label']}" if facts["label"] else title,
        "",
        "Reproduce with:",
        "",
        "```sh",
        facts["command"],
        "```",
        "",
        f"Each pathological photo of `scalpmap.imaging.pathological` at {facts['size'][1]} x "
        f"{facts['size'][0]} px (the strip 1 x {STRIP_LENGTH_PX}), written as PNG (the gradient as "
        "16-bit PNG), is analysed by the whole process `python -m scalpmap analyse PHOTO "
        "[--mm-per-px S] --out DIR` (with overlay.png) at a close-up scale (0.03 mm/px, "
        "impressions mode), a whole-head scale (0.15 mm/px, coverage mode) and with no scale "
        "(the marker search, then the one-line error). Three ordinary photos of the same size "
        "(JPEG quality 92, scale from their printed marker; in italics) show that normal photos "
        f"did not get slower. Best wall time of {facts['limits'].runs} run(s), largest peak "
        "resident set size (`getrusage(RUSAGE_CHILDREN)` of a small launcher); CPU s is user + "
        "system of the same run. *Decoded* is `rows * cols * 3` bytes. The start-up (the same "
        f"command on a 64 x 64 photo) took {startup['wall_s']:.2f} s and "
        f"{_mib(startup['peak_bytes'])} MiB: the interpreter and the libraries the command "
        "imports before it reads a photo.",
        "",
        f"- Finished {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average "
        f"(1 min) {facts['load_before']:.2f} before, {facts['load_after']:.2f} after; load from "
        f"other processes shares the {CORES} cores and slows the times.",
        *machine_lines(),
        f"- Limited to {CORES} cores: `OMP_NUM_THREADS={CORES}` (and the BLAS equivalents) in "
        "the analysing process's environment.",
        *(
            [f"- Code measured: `{facts['src']}` ({facts['label'] or 'another checkout'})."]
            if facts["src"]
            else []
        ),
        *(
            [
                f"- The analysing process was limited to {facts['limits'].cap_mb} MiB of data "
                "(`RLIMIT_DATA`); a run that needed more ends CRASHED with its `MemoryError`."
            ]
            if facts["limits"].cap_mb
            else []
        ),
        f"- A run still going after {facts['limits'].timeout_s:g} s is killed (`timeout`).",
        "",
        "### Goals",
        "",
        goals,
        "",
        "### Every run",
        "",
        markdown_table(header, table),
    ]
    return "\n".join(lines)


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
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_REPORT,
        help="markdown report whose section is rewritten (default docs/benchmarks.md)",
    )
    parser.add_argument(
        "--src",
        type=Path,
        default=None,
        help="measure the scalpmap package under this src folder instead of the installed one "
        "(e.g. unpacked by: git archive COMMIT src | tar -x -C /tmp/before)",
    )
    parser.add_argument(
        "--size",
        default=f"{WIDTH_PX}x{HEIGHT_PX}",
        help=f"WIDTHxHEIGHT of the photos (default {WIDTH_PX}x{HEIGHT_PX}; not the strip)",
    )
    parser.add_argument(
        "--cap-mb",
        type=int,
        default=0,
        help="limit the analysing process's data to this many MiB (default: no limit)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=TIMEOUT_S,
        help=f"kill a run after this many seconds (default {TIMEOUT_S:g})",
    )
    parser.add_argument(
        "--runs", type=int, default=RUNS, help=f"runs of each case (default {RUNS})"
    )
    parser.add_argument(
        "--section",
        default=SECTION,
        help=f"section of the report to rewrite (default {SECTION})",
    )
    parser.add_argument(
        "--label",
        default="",
        help="words added to the section's title, e.g. which code was measured",
    )
    parser.add_argument(
        "--only",
        nargs="*",
        default=None,
        help="measure only these photos (pathological names, or 'ordinary')",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and write its report section.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments.

    Returns
    -------
    int
        Exit status.
    """
    args = parse_args(argv)
    console = Console(width=None if sys.stdout.isatty() else 160)
    env = dict(os.environ)
    command = ".venv/bin/python benchmarks/bench_pathological.py"
    if args.src is not None:
        env["PYTHONPATH"] = str(args.src.resolve())
        command += f" --src {args.src}"
    width, height = (int(v) for v in args.size.lower().split("x"))
    if (width, height) != (WIDTH_PX, HEIGHT_PX):
        command += f" --size {width}x{height}"
    limits = Limits(cap_mb=args.cap_mb, timeout_s=args.timeout, runs=args.runs)
    command += f" --cap-mb {limits.cap_mb}" if limits.cap_mb else ""
    command += f" --timeout {limits.timeout_s:g}" if limits.timeout_s != TIMEOUT_S else ""
    command += f" --runs {limits.runs}" if limits.runs != RUNS else ""
    command += f" --only {' '.join(args.only)}" if args.only is not None else ""
    command += f" --section {args.section}" if args.section != SECTION else ""
    command += f" --label '{args.label}'" if args.label else ""
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="scalpmap-pathological-") as work:
        folder = Path(work)
        cases = write_photos(folder, (height, width), console)
        if args.only is not None:
            wanted = set(args.only)
            cases = [
                c
                for c in cases
                if c.name in wanted or (not c.pathological and "ordinary" in wanted)
            ]
        tiny = folder / "tiny.png"
        cv2.imwrite(str(tiny), np.full((64, 64, 3), (130, 160, 200), np.uint8))
        startup_case = Case("start-up", tiny, "0.03", "0.03 mm/px", (64, 64), False)
        startup = measure(startup_case, folder, env, limits, console)
        rows = [measure(case, folder, env, limits, console) for case in cases]
    facts = {
        "command": command,
        "src": str(args.src) if args.src is not None else "",
        "label": args.label,
        "size": (height, width),
        "limits": limits,
        "cases": cases,
        "rows": rows,
        "startup": startup,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }
    facts["goals"] = judge(cases, rows, startup) if any(c.pathological for c in cases) else []
    print_goals(console, facts["goals"])
    replace_section(Path(args.out), args.section, render_markdown(facts))
    console.log(f"report section '{args.section}' written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
