"""The pathological benchmark's goals and its markdown section."""

from __future__ import annotations

import time
from typing import Any

from bench_common import machine_lines, markdown_table
from bench_cores import CORES
from pathological_runs import Case
from scalpmap.imaging.pathological import STRIP_LENGTH_PX

GOAL_S = 5.0
GOAL_TIMES_DECODED = 10.0


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
