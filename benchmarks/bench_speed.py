"""Speed and memory of the photo analysis on a 12-megapixel synthetic close-up.

Four measurements, written to the ``speed`` section of ``docs/benchmarks.md``:

a. ``detect_impressions`` against the peer ``skimage.feature.blob_log``, tuned against the
   photo's ground truth: median time of 3 runs after a warm-up, and F1 against the truth.
b. The whole analysis without the overlay, as the CLI runs it: ``load_photo`` (decoding the
   JPEG), ``analyse_photo``, ``analysis_to_json`` and ``json.dumps``; median of 3 runs.
c. The peak memory of one such analysis, against the decoded image's size ``H * W * 3``.
d. Issue 11: the whole ``scalpmap analyse`` process (with ``overlay.png``) against
   ``blob_log`` alone on the same decoded photo, in one run, and the CLI's start
   (:mod:`speed_whole_process`). The CLI's start has its own section, ``cli-start``;
   ``--cli-start-only`` measures and rewrites just that section.

Everything runs on at most 2 cores: ``OMP_NUM_THREADS`` (and the BLAS equivalents) are set
before numpy and OpenCV load, ``cv2.setNumThreads(2)`` is called, and the process's CPU
affinity is cut to 2 CPUs when it has more.

Run ``.venv/bin/python benchmarks/bench_speed.py --help`` for the options.
"""

from __future__ import annotations

# Limit the thread pools to 2 cores before numpy and OpenCV start them (bench_cores).
from bench_cores import CORES

# isort: split

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import cv2
from rich.console import Console

import speed_whole_process
from bench_common import (
    DEFAULT_REPORT,
    REPO_ROOT,
    print_goals,
    replace_section,
    use_bytecode_caches,
)
from scalpmap.errors import ScaleError
from scalpmap.imaging.photo_io import load_photo
from scalpmap.imaging.scale import resolve_scale
from scalpmap.imaging.synth import SynthOptions, write_synthetic_photo
from speed_detectors import compare_detectors
from speed_pipeline import measure_memory, time_pipeline
from speed_report import print_summary, render_markdown

cv2.setNumThreads(CORES)

SECTION = "speed"
SEED = 7
WIDTH_PX, HEIGHT_PX = 4000, 3000
BLOB_LOG_LIMIT_S = 300.0


def limit_affinity() -> tuple[int, int]:
    """Restrict this process to ``CORES`` CPUs when it may use more.

    Returns
    -------
    before, after : int
        CPUs usable before and after.
    """
    if not hasattr(os, "sched_getaffinity"):
        return 0, 0
    available = sorted(os.sched_getaffinity(0))
    if len(available) > CORES:
        os.sched_setaffinity(0, available[:CORES])
    return len(available), len(os.sched_getaffinity(0))


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
        "--blob-log-limit",
        type=float,
        default=BLOB_LOG_LIMIT_S,
        help="seconds blob_log may take on the full photo before it runs on a crop (default 300)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_REPORT,
        help="markdown report whose speed section is rewritten (default docs/benchmarks.md)",
    )
    parser.add_argument(
        "--cli-start-only",
        action="store_true",
        help="only time the command line's start and rewrite its section (cli-start)",
    )
    return parser.parse_args(argv)


def run_cli_start_only(out: Path, console: Console) -> int:
    """Time the command line's start alone and rewrite its report section.

    Parameters
    ----------
    out : Path
        The markdown report.
    console : Console
        For progress messages and the verdicts.

    Returns
    -------
    int
        Exit status.
    """
    command = ".venv/bin/python benchmarks/bench_speed.py --cli-start-only"
    resolved = out.resolve()
    if resolved != DEFAULT_REPORT:
        shown = resolved.relative_to(REPO_ROOT) if resolved.is_relative_to(REPO_ROOT) else resolved
        command += f" --out {shown}"
    load_before = os.getloadavg()[0]
    rows = speed_whole_process.measure_start(console)
    body = speed_whole_process.render_start(rows, command, load_before, os.getloadavg()[0])
    replace_section(out, speed_whole_process.START_SECTION, body)
    print_goals(console, speed_whole_process.start_verdicts(rows))
    console.log(f"report section '{speed_whole_process.START_SECTION}' written to {out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the speed benchmark and write its report section.

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
    if use_bytecode_caches():
        console.log("PYTHONDONTWRITEBYTECODE was set: unset for the timed processes")
    affinity_before, affinity_after = limit_affinity()
    if args.cli_start_only:
        return run_cli_start_only(Path(args.out), console)
    load_before = os.getloadavg()[0]
    command = ".venv/bin/python benchmarks/bench_speed.py"
    if args.blob_log_limit != BLOB_LOG_LIMIT_S:
        command += f" --blob-log-limit {args.blob_log_limit:g}"
    if Path(args.out).resolve() != DEFAULT_REPORT:
        out = Path(args.out).resolve()
        command += f" --out {out.relative_to(REPO_ROOT) if out.is_relative_to(REPO_ROOT) else out}"
    with tempfile.TemporaryDirectory(prefix="scalpmap-bench-") as folder:
        path = Path(folder) / f"closeup-seed{SEED}.jpg"
        console.log(f"writing the {WIDTH_PX} x {HEIGHT_PX} synthetic close-up to {path}")
        truth = write_synthetic_photo(
            path, SynthOptions(seed=SEED, width_px=WIDTH_PX, height_px=HEIGHT_PX)
        )
        rgb = load_photo(path).rgb
        try:
            resolve_scale(rgb)
            marker_found, mm_per_px = True, None
        except ScaleError:
            marker_found, mm_per_px = False, truth.mm_per_px
            console.log("[yellow]the marker was not found; the analysis is given the true scale")
        console.log("measuring peak memory in child processes")
        memory = measure_memory(path, mm_per_px)
        compare = compare_detectors(rgb, truth, console, args.blob_log_limit)
        pipeline = time_pipeline(path, mm_per_px, console)
        whole = speed_whole_process.measure(console)
        facts = {
            "command": command,
            "truth": truth,
            "shape": rgb.shape[:2],
            "jpeg_bytes": path.stat().st_size,
            "marker_found": marker_found,
            "memory": memory,
            "compare": compare,
            "pipeline": pipeline,
            "whole": whole,
            "limit_s": args.blob_log_limit,
            "affinity_before": affinity_before,
            "affinity_after": affinity_after,
            "load_before": load_before,
            "load_after": os.getloadavg()[0],
        }
    print_summary(console, facts)
    replace_section(Path(args.out), SECTION, render_markdown(facts))
    start_body = speed_whole_process.render_start(
        whole["start"], command, whole["load_before"], whole["load_after"]
    )
    replace_section(Path(args.out), speed_whole_process.START_SECTION, start_body)
    console.log(f"report sections '{SECTION}' and 'cli-start' written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
