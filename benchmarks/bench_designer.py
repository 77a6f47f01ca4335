"""Speed of the web designer's update: zones recomputed as the hairline's points move.

The goal: :func:`scalpmap.services.plan_design.update_design` answers in under 300 ms on a
12-megapixel photo. Written to the ``designer-speed`` section of ``docs/benchmarks.md``:

1. The 12-megapixel synthetic close-up ``SynthOptions(seed=7, width_px=4000, height_px=3000)`` is
   analysed (scale from the printed marker) and serialised to analysis.json.
2. The designer's cache miss is timed: ``analysis_from_json`` + ``prepare_design``.
3. ``start_design(design, "mature", age=35)``, then, after one warm-up, ``UPDATES`` calls of
   ``update_design`` with every control point moved in a random direction by a random distance of
   up to ``MOVE_MM`` (from the template's points), each timed with the ``json.dumps`` of its
   answer, as the web route sends it.
4. The same on a stress copy of the analysis whose impressions are resampled to
   ``STRESS_IMPRESSIONS`` inside the pigmented region (the photo itself has about 1,800).

Everything runs on at most 2 cores, as in ``bench_speed.py``.
"""

from __future__ import annotations

import os

# Limit the thread pools to 2 cores before numpy and OpenCV start them (CORES below).
os.environ["OMP_NUM_THREADS"] = "2"
os.environ["OPENBLAS_NUM_THREADS"] = "2"
os.environ["MKL_NUM_THREADS"] = "2"

import argparse
import copy
import dataclasses
import datetime as dt
import json
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import shapely

from bench_common import DEFAULT_REPORT, machine_lines, markdown_table, replace_section
from scalpmap.errors import ScaleError
from scalpmap.imaging.analysis import Analysis, analyse_photo
from scalpmap.imaging.analysis_from_json import analysis_from_json
from scalpmap.imaging.analysis_json import analysis_to_json
from scalpmap.imaging.detect import Impressions
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.services.plan_design import prepare_design, start_design, update_design

CORES = int(os.environ["OMP_NUM_THREADS"])
cv2.setNumThreads(CORES)

SECTION = "designer-speed"
SEED, WIDTH_PX, HEIGHT_PX = 7, 4000, 3000
AGE = 35
UPDATES = 20
MOVE_MM = 2.0
STRESS_IMPRESSIONS = 30_000
GOAL_MS = 300.0


def limit_affinity() -> tuple[int, int]:
    """Restrict this process to ``CORES`` CPUs; return the CPUs usable before and after."""
    if not hasattr(os, "sched_getaffinity"):
        return 0, 0
    available = sorted(os.sched_getaffinity(0))
    if len(available) > CORES:
        os.sched_setaffinity(0, available[:CORES])
    return len(available), len(os.sched_getaffinity(0))


def stress_copy(analysis: Analysis, count: int, rng: np.random.Generator) -> Analysis:
    """Return the analysis with ``count`` impressions drawn uniformly inside its region."""
    x0, y0, x1, y1 = analysis.region.bounds
    found: list[np.ndarray] = []
    while sum(len(f) for f in found) < count:
        xy = np.column_stack([rng.uniform(x0, x1, count), rng.uniform(y0, y1, count)])
        found.append(xy[shapely.contains_xy(analysis.region, xy[:, 0], xy[:, 1])])
    xy = np.vstack(found)[:count]
    real = analysis.impressions
    pick = rng.integers(0, real.count, count)
    impressions = Impressions(xy, real.diameter_mm[pick], real.darkness[pick], np.zeros((count, 3)))
    return dataclasses.replace(analysis, impressions=impressions)


def moved(hairline: dict[str, Any], mm_per_px: float, rng: np.random.Generator) -> dict[str, Any]:
    """Move every control point by up to ``MOVE_MM`` in a random direction (a copy)."""
    edited = copy.deepcopy(hairline)
    for segment in edited["segments"].values():
        xy = np.asarray(segment["points_px"], dtype=np.float64).reshape(-1, 2)
        angle = rng.uniform(0.0, 2 * np.pi, len(xy))
        distance = rng.uniform(0.0, MOVE_MM, len(xy)) / mm_per_px
        xy += np.column_stack([np.cos(angle), np.sin(angle)]) * distance[:, None]
        segment["points_px"] = xy.tolist()
    return edited


def measure(analysis: Analysis, label: str, seed: int) -> dict[str, Any]:
    """Time the cache miss, the start and the updates of one design."""
    rng = np.random.default_rng(seed)
    document = json.loads(json.dumps(analysis_to_json(analysis)))
    started = time.perf_counter()
    design = prepare_design(analysis_from_json(document))
    miss_s = time.perf_counter() - started
    started = time.perf_counter()
    state = start_design(design, "mature", age=AGE)
    start_s = time.perf_counter() - started
    mm = analysis.scale.mm_per_px
    update_design(design, moved(state["hairline"], mm, rng))  # warm-up
    times, replies = [], []
    for _ in range(UPDATES):
        edited = moved(state["hairline"], mm, rng)
        started = time.perf_counter()
        reply = json.dumps(update_design(design, edited))
        times.append(time.perf_counter() - started)
        replies.append(len(reply))
    points = sum(len(s["points_px"]) for s in state["hairline"]["segments"].values())
    print(f"{label}: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f}")
    return {
        "label": label,
        "impressions": analysis.impressions.count,
        "points": points,
        "miss_s": miss_s,
        "start_s": start_s,
        "times": times,
        "reply_bytes": statistics.median(replies),
    }


def render(facts: dict[str, Any]) -> str:
    """Render the report section."""
    rows = []
    for run in facts["runs"]:
        ms = np.asarray(run["times"]) * 1000
        p95 = float(np.percentile(ms, 95))
        rows.append(
            [
                run["label"],
                f"{run['impressions']:,}",
                f"{run['miss_s'] * 1000:.0f} ms",
                f"{run['start_s'] * 1000:.0f} ms",
                f"{np.median(ms):.0f} ms",
                f"{p95:.0f} ms",
                f"{ms.max():.0f} ms",
                f"{run['reply_bytes'] / 1024:.0f} KiB",
                "pass" if p95 < GOAL_MS else "**FAIL**",
            ]
        )
    header = ["Analysis", "Impressions", "Cache miss", "Start", "Update median", "p95", "max"]
    header += ["Reply", f"p95 < {GOAL_MS:.0f} ms"]
    first = facts["runs"][0]
    return "\n".join(
        [
            "## Hairline designer: update speed",
            "",
            "Reproduce with:",
            "",
            "```sh",
            ".venv/bin/python benchmarks/bench_designer.py",
            "```",
            "",
            f"The synthetic close-up `SynthOptions(seed={SEED}, width_px={WIDTH_PX}, "
            f"height_px={HEIGHT_PX})` ({WIDTH_PX * HEIGHT_PX / 1e6:.1f} megapixels, "
            f"{facts['mm_per_px']:.4f} mm/px, scale from {facts['scale_source']}) is analysed "
            "and written to analysis.json. *Cache miss*: `analysis_from_json` + "
            "`prepare_design`, what the designer pays once per analysis. *Start*: "
            f"`start_design(design, 'mature', age={AGE})` ({first['points']} control points). "
            f"*Update*: `update_design` + `json.dumps` of its answer, {UPDATES} calls after one "
            "warm-up, every control point moved from the template's position in a random "
            f"direction by a random distance of up to {MOVE_MM:g} mm. The stress row is the same "
            f"analysis with its impressions resampled to {STRESS_IMPRESSIONS:,} uniformly inside "
            "the pigmented region (sizes and darkness drawn from the found ones).",
            "",
            f"- Finished {facts['finished']}; load average (1 min) {facts['load'][0]:.2f} before, "
            f"{facts['load'][1]:.2f} after.",
            *machine_lines(),
            f"- Limited to {CORES} cores: `OMP_NUM_THREADS={CORES}` (and the BLAS equivalents), "
            f"`cv2.setNumThreads({CORES})`; CPU affinity {facts['affinity'][0]} CPUs available, "
            f"{facts['affinity'][1]} used.",
            "",
            markdown_table(header, rows),
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT, help="report to update")
    args = parser.parse_args(argv)
    affinity = limit_affinity()
    load_before = os.getloadavg()[0]
    rgb, truth = generate_scalp_photo(
        SynthOptions(seed=SEED, width_px=WIDTH_PX, height_px=HEIGHT_PX)
    )
    try:
        analysis = analyse_photo(rgb)
    except ScaleError:
        analysis = analyse_photo(rgb, mm_per_px=truth.mm_per_px)
    rng = np.random.default_rng(SEED)
    runs = [
        measure(analysis, "photo as analysed", SEED),
        measure(stress_copy(analysis, STRESS_IMPRESSIONS, rng), "stress: 30k impressions", SEED),
    ]
    facts = {
        "runs": runs,
        "mm_per_px": analysis.scale.mm_per_px,
        "scale_source": "the printed marker" if analysis.scale.source == "marker" else "truth",
        "finished": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": (load_before, os.getloadavg()[0]),
        "affinity": affinity,
    }
    replace_section(Path(args.out), SECTION, render(facts))
    print(f"report section '{SECTION}' written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
