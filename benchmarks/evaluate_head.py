"""The head model on real photos: landmarks, invented faces, rotation, iris scale and speed.

Runs :func:`scalpmap.imaging.head.find_head` on every photo of the real-head collection (80 phone
photos of heads, CC BY 4.0; see its ATTRIBUTION.md), which lives outside the repository:
``$SCALPMAP_REAL_HEADS``, else ``../shared/real-heads`` beside the repository. Without it, the
script says so and stops (exit code 0). Written to the ``head-model`` section of
``docs/benchmarks.md``.

The truth is a by-eye annotation, ``benchmarks/data/real_heads_annotations.json``: for each photo,
how far it must be turned to stand the head upright, whether a face (an eye or the nose) and both
eyes show, and the view. It reports, against the issue's goals:

1. landmarks found on the upright photos where both eyes show (goal: at least 90%), and on all
   photos where both eyes show;
2. faces invented on photos without a face (goal: none);
3. the face's turn in the pixels, on the photos where a face was found;
4. the interpupillary distance measured with the iris scale (11.7 mm iris) on the front views
   where the iris was measured (goal: 54-74 mm on at least 95%);
5. the blur and darkness checks: their measure on the found faces and on the same photos blurred
   by a Gaussian of 4% of the face's width or darkened to 15% of their brightness;
6. the time of ``find_head`` per photo (640 x 640) and on two photos enlarged to 12 megapixels
   (4000 x 3000): a front view (found at once) and a back view (no face: every turn is tried).

Everything runs in one process on at most 2 cores.
"""

from __future__ import annotations

import os

os.environ["OMP_NUM_THREADS"] = "2"

import argparse
import datetime as dt
import json
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from rich.console import Console

from bench_common import (
    DEFAULT_REPORT,
    REPO_ROOT,
    fmt,
    machine_lines,
    markdown_table,
    pct,
    print_goals,
    replace_section,
)
from scalpmap.imaging.head import HeadModel, find_head
from scalpmap.imaging.head.quality import (
    MIN_FACE_LUMA,
    MIN_FACE_SHARPNESS,
    face_pixels,
    sharpness,
)
from scalpmap.imaging.head.runtime import MODEL_FILES, get_model
from scalpmap.imaging.scale import IRIS_DIAMETER_MM

CORES = 2
cv2.setNumThreads(CORES)
SECTION = "head-model"
ANNOTATIONS = REPO_ROOT / "benchmarks" / "data" / "real_heads_annotations.json"
IPD_RANGE_MM = (54.0, 74.0)
TIMING_RUNS = 5
BLUR_SHARE_OF_FACE = 0.04
DARK_FACTOR = 0.15
COMMAND = ".venv/bin/python benchmarks/evaluate_head.py"
FACE_12MP = "36-front.jpg"
NO_FACE_12MP = "13-back.jpg"


def photos_dir() -> Path | None:
    """Return the real-head collection's folder, or None when it is not on this machine."""
    candidates = (
        [Path(os.environ["SCALPMAP_REAL_HEADS"])] if "SCALPMAP_REAL_HEADS" in os.environ else []
    )
    candidates.append(REPO_ROOT.parent / "shared" / "real-heads")
    for folder in candidates:
        if folder.is_dir():
            return folder
    return None


def load_rgb(path: Path) -> NDArray[np.uint8]:
    """Read a photo as RGB."""
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise SystemExit(f"cannot read {path}")
    return np.ascontiguousarray(bgr[:, :, ::-1])


def ipd_mm(head: HeadModel) -> float | None:
    """Interpupillary distance in mm with the iris scale, or None without both irises."""
    left = head.landmarks.get("left_iris_center")
    right = head.landmarks.get("right_iris_center")
    if left is None or right is None or head.iris_diameter_px is None:
        return None
    distance_px = float(np.linalg.norm(left[0] - right[0]))
    return distance_px * IRIS_DIAMETER_MM / head.iris_diameter_px


def evaluate_photo(path: Path, truth: dict[str, Any]) -> dict[str, Any]:
    """Run the head model on one photo and on its blurred and darkened copies."""
    rgb = load_rgb(path)
    started, cpu_started = time.perf_counter(), time.process_time()
    head = find_head(rgb)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    row: dict[str, Any] = {
        "photo": path.name,
        "truth": truth,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "has_face": head.has_face,
        "rotation_deg": head.rotation_deg,
        "view": head.view,
        "yaw_deg": head.yaw_deg,
        "ipd_mm": ipd_mm(head),
        "notes": list(head.notes),
    }
    if head.has_face:
        eyes = head.landmarks["left_eye_outer_canthus"], head.landmarks["right_eye_outer_canthus"]
        oval = head.landmarks["face_oval"]
        face_width = float(np.ptp(oval[:, 0]))
        row["sharpness"] = sharpness(face_pixels(rgb, oval, eyes[1][0], eyes[0][0]))
        blurred = cv2.GaussianBlur(rgb, (0, 0), BLUR_SHARE_OF_FACE * face_width)
        blurred_head = find_head(blurred)
        row["blurred_skipped"] = (
            any("blurred" in note for note in blurred_head.notes) or not blurred_head.has_face
        )
        dark = np.clip(rgb.astype(np.float32) * DARK_FACTOR, 0, 255).astype(np.uint8)
        dark_head = find_head(dark)
        row["dark_skipped"] = (
            any("dark" in note for note in dark_head.notes) or not dark_head.has_face
        )
        row["eye_span_px"] = float(np.linalg.norm(eyes[0][0] - eyes[1][0]))
    return row


def time_12mp(folder: Path, name: str) -> tuple[list[float], list[float]]:
    """Time ``find_head`` on a photo enlarged to 4000 x 3000 (3000 x 3000 in the middle).

    Returns the wall-clock and the CPU seconds (all threads) of each run.
    """
    rgb = load_rgb(folder / name)
    square = cv2.resize(rgb, (3000, 3000), interpolation=cv2.INTER_CUBIC)
    big = cv2.copyMakeBorder(square, 0, 0, 500, 500, cv2.BORDER_REPLICATE)
    find_head(big)
    times, cpu_times = [], []
    for _ in range(TIMING_RUNS):
        started, cpu_started = time.perf_counter(), time.process_time()
        find_head(big)
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
    return times, cpu_times


def load_average() -> float:
    """Return the 1-minute load average, NaN where unknown."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def share(hits: int, total: int) -> float:
    """Return hits / total, NaN for none."""
    return hits / total if total else float("nan")


def summarise(
    rows: list[dict[str, Any]],
    times_12mp: tuple[list[float], list[float]],
    times_no_face: tuple[list[float], list[float]],
) -> dict[str, Any]:
    """Collect the figures."""
    both_eyes = [r for r in rows if r["truth"]["both_eyes_visible"]]
    upright_both = [r for r in both_eyes if r["truth"]["rotation"] == 0]
    no_face = [r for r in rows if not r["truth"]["face_visible"]]
    found = [r for r in rows if r["has_face"]]
    turned_truth = [r for r in rows if r["truth"]["face_visible"] and r["truth"]["rotation"]]
    ipds = [r["ipd_mm"] for r in found if r["view"] == "front" and r["ipd_mm"] is not None]
    within = [v for v in ipds if IPD_RANGE_MM[0] <= v <= IPD_RANGE_MM[1]]
    with_quality = [r for r in found if "sharpness" in r]
    return {
        "photos": len(rows),
        "upright_both": (sum(r["has_face"] for r in upright_both), len(upright_both)),
        "both_eyes": (sum(r["has_face"] for r in both_eyes), len(both_eyes)),
        "invented": (sum(r["has_face"] for r in no_face), len(no_face)),
        "invented_names": [r["photo"] for r in no_face if r["has_face"]],
        "missed_upright": [r["photo"] for r in upright_both if not r["has_face"]],
        "rotation_right": (
            sum(r["rotation_deg"] == r["truth"]["rotation"] for r in found),
            len(found),
        ),
        "turned_found": (
            sum(
                r["has_face"] and r["rotation_deg"] == r["truth"]["rotation"] for r in turned_truth
            ),
            len(turned_truth),
        ),
        "ipd": ipds,
        "ipd_within": (len(within), len(ipds)),
        "sharpness": [r["sharpness"] for r in with_quality],
        "blurred_skipped": (sum(r["blurred_skipped"] for r in with_quality), len(with_quality)),
        "dark_skipped": (sum(r["dark_skipped"] for r in with_quality), len(with_quality)),
        "seconds": [r["seconds"] for r in rows],
        "cpu_seconds": [r["cpu_seconds"] for r in rows],
        "seconds_12mp": times_12mp[0],
        "cpu_seconds_12mp": times_12mp[1],
        "seconds_12mp_no_face": times_no_face[0],
        "cpu_seconds_12mp_no_face": times_no_face[1],
    }


def render(facts: dict[str, Any]) -> str:
    """Return the report's markdown section."""

    def frac(pair: tuple[int, int]) -> str:
        return f"{pair[0]} / {pair[1]} ({pct(share(*pair), 0)})"

    ipd = facts["ipd"]
    table = markdown_table(
        ["Measure", "Result", "Goal"],
        [
            [
                "Landmarks found, upright photos with both eyes",
                frac(facts["upright_both"]),
                ">= 90 %",
            ],
            ["Landmarks found, all photos with both eyes", frac(facts["both_eyes"]), "-"],
            ["Faces invented on photos without a face", frac(facts["invented"]), "none"],
            [
                "Turn of the pixels right, where a face was found",
                frac(facts["rotation_right"]),
                "-",
            ],
            ["Turned faces found with their turn", frac(facts["turned_found"]), "-"],
            [
                "IPD with the iris scale within 54-74 mm, front views",
                frac(facts["ipd_within"]),
                ">= 95 %",
            ],
            [
                "IPD (mm): median, min, max",
                f"{fmt(statistics.median(ipd), 1)}, {fmt(min(ipd), 1)}, {fmt(max(ipd), 1)}"
                if ipd
                else "n/a",
                "-",
            ],
            [
                f"Found faces' sharpness: min (threshold {MIN_FACE_SHARPNESS})",
                fmt(min(facts["sharpness"]), 3) if facts["sharpness"] else "n/a",
                "-",
            ],
            [
                f"Same photos blurred by {BLUR_SHARE_OF_FACE:.0%} of the face's width: skipped",
                frac(facts["blurred_skipped"]),
                "all",
            ],
            [
                f"Same photos darkened to {DARK_FACTOR:.0%}: skipped "
                f"(median luma < {MIN_FACE_LUMA:g})",
                frac(facts["dark_skipped"]),
                "all",
            ],
            ["Loading the four models, once per process (s)", fmt(facts["load_seconds"], 3), "-"],
            [
                "find_head per 640 x 640 photo: wall mean, max; CPU mean (s)",
                f"{fmt(statistics.mean(facts['seconds']), 3)}, {fmt(max(facts['seconds']), 3)}; "
                f"{fmt(statistics.mean(facts['cpu_seconds']), 3)}",
                "-",
            ],
            [
                f"find_head on 12 MP (4000 x 3000, {FACE_12MP}), median of 5: wall; CPU (s)",
                f"{fmt(statistics.median(facts['seconds_12mp']), 3)}; "
                f"{fmt(statistics.median(facts['cpu_seconds_12mp']), 3)}",
                "< 0.15",
            ],
            [
                f"find_head on 12 MP without a face ({NO_FACE_12MP}: all four turns tried)",
                f"{fmt(statistics.median(facts['seconds_12mp_no_face']), 3)}; "
                f"{fmt(statistics.median(facts['cpu_seconds_12mp_no_face']), 3)}",
                "< 0.15",
            ],
        ],
    )
    missed = ", ".join(facts["missed_upright"]) or "none"
    invented = ", ".join(facts["invented_names"]) or "none"
    return "\n".join(
        [
            "## Head model on real photos",
            "",
            f"`{COMMAND}` runs the head model (MediaPipe 0.10.21's models on LiteRT, "
            f"docs/head-model.md) on the {facts['photos']} photos of the real-head collection "
            "(CC BY 4.0) and compares it with the by-eye annotation in "
            "`benchmarks/data/real_heads_annotations.json`.",
            "",
            table,
            "",
            f"Upright photos with both eyes where no face was found: {missed}.",
            f"Photos without a face where one was found: {invented}.",
            "",
            "Times are wall-clock and CPU time (all threads) in one process on 2 cores; wall-clock "
            "times above the CPU times mean that other processes shared the cores.",
            "",
            f"- Finished {facts['finished']}, after {facts['duration_s']:.0f} s. Load average "
            f"(1 min) {fmt(facts['load_before'], 2)} before, {fmt(facts['load_after'], 2)} after.",
            *machine_lines(),
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation and write the report section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT, help="report to update")
    parser.add_argument("--rows", type=Path, help="also write each photo's row as JSON here")
    args = parser.parse_args(argv)
    console = Console()
    if hasattr(os, "sched_setaffinity"):
        available = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, available[:CORES])
    folder = photos_dir()
    if folder is None:
        console.print(
            "real-head photos not found: set SCALPMAP_REAL_HEADS to the folder of the 80 photos "
            "(../shared/real-heads); skipped"
        )
        return 0
    annotations = json.loads(ANNOTATIONS.read_text(encoding="utf-8"))["photos"]
    run_started, load_before = time.perf_counter(), load_average()
    started = time.perf_counter()
    for name in MODEL_FILES:
        get_model(name)
    load_seconds = time.perf_counter() - started
    rows = []
    with console.status("head model on the real photos") as status:
        for index, (name, truth) in enumerate(annotations.items(), start=1):
            status.update(f"head model on the real photos: {index}/{len(annotations)} {name}")
            rows.append(evaluate_photo(folder / name, truth))
    times_12mp = time_12mp(folder, FACE_12MP)
    times_no_face = time_12mp(folder, NO_FACE_12MP)
    facts = summarise(rows, times_12mp, times_no_face)
    facts["load_seconds"] = load_seconds
    facts["load_before"], facts["load_after"] = load_before, load_average()
    facts["duration_s"] = time.perf_counter() - run_started
    facts["finished"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if args.rows:
        args.rows.write_text(json.dumps(rows, indent=1, default=float), encoding="utf-8")
    body = render(facts)
    replace_section(Path(args.out), SECTION, body)
    console.print(body)
    upright = facts["upright_both"]
    print_goals(
        console,
        [
            (
                "landmarks on upright both-eyes photos",
                ">= 90 %",
                pct(share(*upright), 0),
                share(*upright) >= 0.9,
            ),
            ("faces invented", "none", str(facts["invented"][0]), facts["invented"][0] == 0),
            (
                "IPD within 54-74 mm",
                ">= 95 %",
                pct(share(*facts["ipd_within"]), 0),
                share(*facts["ipd_within"]) >= 0.95,
            ),
            (
                "find_head at 12 MP",
                "< 0.15 s",
                f"{statistics.median(times_12mp[0]):.3f} s",
                statistics.median(times_12mp[0]) < 0.15,
            ),
        ],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
