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
   that ``scalpmap.imaging.analysis_mode``, ``scalpmap.imaging.analysis_closeup`` and
   ``scalpmap.imaging.frame_edge`` (the scale and the close-up's impressions mode, under
   ``scalpmap.imaging.analysis``) call.

The measurements are in :mod:`whole_process_runs` (``measure`` and ``measure_start`` are
imported here for ``bench_speed.py``); this module judges them and renders the sections.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from typing import Any

from bench_common import markdown_table
from scalpmap.imaging.synth import SynthTruth
from whole_process_runs import HEIGHT_PX, PEER_RUNS, PROCESS_RUNS, START_RUNS, WIDTH_PX, peer_sigmas
from whole_process_runs import measure as measure
from whole_process_runs import measure_start as measure_start

RATIO_GOAL = 5.0
START_GOAL_S = 0.3
START_SECTION = "cli-start"


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
