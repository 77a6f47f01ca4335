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

# Limit the thread pools to 2 cores before numpy and OpenCV start them (bench_cores.CORES).
import bench_cores  # noqa: F401

# isort: split

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from rich.console import Console

from bench_common import DEFAULT_REPORT, print_goals, replace_section
from pathological_report import judge, render_markdown
from pathological_runs import RUNS, Case, Limits, measure, write_photos

SECTION = "pathological"
WIDTH_PX, HEIGHT_PX = 4000, 3000
TIMEOUT_S = 600.0


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
