"""The head-alternatives benchmark's report: its markdown section from the measured facts."""

from __future__ import annotations

import itertools
import os

os.environ["OMP_NUM_THREADS"] = "2"

import datetime as dt
from typing import Any

from bench_common import fmt, machine_lines, markdown_table
from scalpmap.imaging.head.face_mesh import (
    MIN_FACE_PRESENCE,
)
from scalpmap.imaging.head.from_above import (
    PROBE_MIN_PRESENCE,
)
from scalpmap.imaging.head.keypoints import (
    MAX_UPWARD_SHIFT,
)

COMMAND = ".venv/bin/python benchmarks/head_alternatives.py"
# The crops anchored on the annotated eyes (measure 5): the anchor moved along and across the eye
# line (eye distances), the eye distance scaled, and the crop's shape.
ORACLE_SHIFTS = tuple(
    itertools.product((-0.1, 0.0, 0.1), (-0.2, -0.1, 0.0, 0.1), (0.85, 1.0, 1.15))
)
ORACLE_SHAPES = tuple(
    itertools.product(
        (3.0, 3.5, 4.0, 14.0 / 3.0, 5.5), (0.5, 0.7, 0.9, 1.1), (0.15, 0.2, 0.3, 0.4, 0.6, 0.8)
    )
)
ORACLE_TOLERANCES = (0.15, 0.25)


def render(facts: dict[str, Any], *, full_range_ran: bool) -> str:
    """Return the markdown section."""
    shifts = [value for _name, value in facts["shifts"]]
    kept = [value for value in shifts if value <= MAX_UPWARD_SHIFT]
    refused = [f"{name} {value:.2f}" for name, value in facts["shifts"] if value > MAX_UPWARD_SHIFT]
    grid = facts["grid"]
    finds = [row for row in grid if row["best"] >= MIN_FACE_PRESENCE]
    none = [row for row in grid if row["best"] < MIN_FACE_PRESENCE]
    lost = [row for row in finds if row["probes"] < PROBE_MIN_PRESENCE]
    stopped = [row for row in none if row["probes"] < PROBE_MIN_PRESENCE]
    surest_refused = max(grid, key=lambda row: row["refused"], default=None)
    if full_range_ran:
        by_kind = {"upright faces missed": 0, "photos without a face": 0, "wrong turn": 0}
        for row in facts["full_range"]:
            truth = row["truth"]
            if not truth["face_visible"]:
                by_kind["photos without a face"] += 1
            elif truth["rotation"] != row["turn"]:
                by_kind["wrong turn"] += 1
            elif truth["rotation"] == 0 and truth["both_eyes_visible"]:
                by_kind["upright faces missed"] += 1
        photos = ", ".join(sorted({row["photo"] for row in facts["full_range"]})) or "none"
        full_range = (
            f"missed upright faces found {by_kind['upright faces missed']}; faces on photos "
            f"without one {by_kind['photos without a face']}; faces at a wrong turn "
            f"{by_kind['wrong turn']} (photos: {photos})"
        )
    else:
        full_range = "not run (no mediapipe 0.10.21 wheel: pass --wheel)"
    tracking = "; ".join(
        f"{row['photo']} {row['presence']:.2f} -> {row['again']:.2f} (moved {row['moved']:.2f})"
        for row in facts["tracking"]
    )
    upside = ", ".join(f"{name} {score:.2f}" for name, score in facts["upside_down_scores"])
    annotated = "; ".join(
        f"{name} " + ", ".join(f"{best[tolerance]:.2f}" for tolerance in ORACLE_TOLERANCES)
        for name, best in facts["annotated_eyes"]
    )
    table = markdown_table(
        ["Measure", "Result"],
        [
            [
                "Detector score of the upright faces confirmed in MediaPipe's crop (each "
                "face's best view): min, max",
                f"{fmt(min(facts['scores'].values(), default=0.0), 2)}, "
                f"{fmt(max(facts['scores'].values(), default=0.0), 2)}",
            ],
            ["... of the upright 'faces' confirmed in the upside-down copies", upside or "none"],
            [
                "Upright meshes otherwise confirmed: eyes and nose above the detector's "
                "(eye distances): max kept (<= 0.2); refused",
                f"{fmt(max(kept, default=0.0), 2)}; {', '.join(refused) or 'none'}",
            ],
            [
                "Eye crops, detections tried: a face in the grid; no face",
                f"{len(finds)}; {len(none)}",
            ],
            [
                f"... given up at the probes (presence < {PROBE_MIN_PRESENCE}): faces lost; "
                "detections without a face",
                f"{len(lost)}; {len(stopped)} / {len(none)}",
            ],
            [
                "... faces found in eye crops: largest shift of their eyes, nose tip or mouth from "
                "the detector's keypoints (eye distances)",
                fmt(max((v for _n, v in facts["eye_crop_shifts"]), default=0.0), 2),
            ],
            [
                "... surest crop refused by the keypoint check (presence, photo)",
                f"{surest_refused['refused']:.2f}, {surest_refused['photo']}"
                if surest_refused
                else "n/a",
            ],
            [
                "Full-range detector, second pass on the photos without a face found (places "
                "confirmed in any turn)",
                full_range,
            ],
            [
                "Tracking step on the eye-crop faces: presence before -> after (landmarks moved, "
                "eye distances)",
                tracking or "none",
            ],
            [
                "Upright faces with both eyes that the head model misses: the mesh's best presence "
                "on crops anchored on the annotated eyes, where it puts both eyes within "
                + " and ".join(f"{tolerance:g}" for tolerance in ORACLE_TOLERANCES)
                + f" eye distances of them ({len(ORACLE_SHIFTS) * len(ORACLE_SHAPES)} crops each; "
                f"a face needs {MIN_FACE_PRESENCE})",
                annotated or "none",
            ],
        ],
        numeric=False,
    )
    finished = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            "## Head model: alternatives tried",
            "",
            f"`{COMMAND}` measures the evidence behind the head model's thresholds and the "
            "alternatives tried and not kept (docs/head-model.md), on the 80 real photos.",
            "",
            table,
            "",
            f"- Finished {finished}.",
            *machine_lines(),
        ]
    )
