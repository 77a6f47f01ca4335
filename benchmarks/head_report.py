"""The ``head-model`` section of docs/benchmarks.md: figures from ``evaluate_head.py``'s rows.

:func:`summarise` collects the figures from the rows of the real photos, their turned copies and
the portraits (``head_checks.py``); :func:`render` writes the markdown section.
"""

from __future__ import annotations

import statistics
from typing import Any

from bench_common import fmt, machine_lines, markdown_table, pct
from head_checks import PORTRAITS
from scalpmap.imaging.head.quality import (
    MIN_FACE_HIGHLIGHT_LUMA,
    MIN_FACE_LUMA,
    MIN_FACE_SHARPNESS,
)

COMMAND = ".venv/bin/python benchmarks/evaluate_head.py"
IPD_RANGE_MM = (54.0, 74.0)
BLUR_SHARE_OF_FACE = 0.04
DARK_FACTOR = 0.15
# A face counts as found with its landmarks only when both of its eyes lie within this many eye
# distances of the annotated eye centres: on the eye or its lid, at worst on the brow just above
# (a brow lies about a quarter of the eye distance above the eye), not on the forehead.
MAX_EYE_ERROR = 0.25
FACE_12MP = "36-front.jpg"
NO_FACE_12MP = "13-back.jpg"


def share(hits: int, total: int) -> float:
    """Return hits / total, NaN for none."""
    return hits / total if total else float("nan")


def within_ipd_range(values: list[float]) -> int:
    """Return how many distances lie in the adult range."""
    return sum(IPD_RANGE_MM[0] <= v <= IPD_RANGE_MM[1] for v in values)


def landmarks_right(row: dict[str, Any]) -> bool:
    """Tell whether a face was found with its eyes where the annotation has them.

    A photo whose eyes are not annotated counts when a face was found.
    """
    if not row["has_face"]:
        return False
    error = row.get("eye_error")
    return error is None or error <= MAX_EYE_ERROR


def summarise(
    rows: list[dict[str, Any]],
    times_12mp: tuple[list[float], list[float]],
    times_no_face: tuple[list[float], list[float]],
    copies: list[dict[str, Any]],
    portraits: list[dict[str, Any]],
) -> dict[str, Any]:
    """Collect the figures."""
    both_eyes = [r for r in rows if r["truth"]["both_eyes_visible"]]
    upright_both = [r for r in both_eyes if r["truth"]["rotation"] == 0]
    no_face = [r for r in rows if not r["truth"]["face_visible"]]
    found = [r for r in rows if r["has_face"]]
    turned_truth = [r for r in rows if r["truth"]["face_visible"] and r["truth"]["rotation"]]
    ipds = [r["ipd_mm"] for r in found if r["view"] == "front" and r["ipd_mm"] is not None]
    with_quality = [r for r in found if "sharpness" in r]
    portrait_ipds = [r["ipd_mm"] for r in portraits if r["ipd_mm"] is not None]
    missed = [r for r in upright_both if not r["has_face"]]
    misplaced = [r for r in both_eyes if r["has_face"] and not landmarks_right(r)]
    eye_errors = [r["eye_error"] for r in both_eyes if r.get("eye_error") is not None]
    return {
        "photos": len(rows),
        "upright_both": (sum(landmarks_right(r) for r in upright_both), len(upright_both)),
        "from_above": (
            sum(r["from_above"] and landmarks_right(r) for r in upright_both),
            len(upright_both),
        ),
        "misplaced_names": [(r["photo"], r["eye_error"]) for r in misplaced],
        "eye_errors": eye_errors,
        "copies_right": (
            sum(c["found"] and c["rotation_deg"] == c["expected"] for c in copies),
            len(copies),
        ),
        "copies_wrong": (
            sum(c["found"] and c["rotation_deg"] != c["expected"] for c in copies),
            len(copies),
        ),
        "copies_faces": len({c["photo"] for c in copies}),
        "portraits_right": (
            sum(r["found"] and r["turn_right"] for r in portraits),
            len(portraits),
        ),
        "portrait_ipd": portrait_ipds,
        "portrait_ipd_within": (within_ipd_range(portrait_ipds), len(portrait_ipds)),
        "portraits_with_iris": sorted({r["portrait"] for r in portraits if r["ipd_mm"]}),
        "detector_no_face": max(
            (r["best_detector_score"] for r in no_face if "best_detector_score" in r), default=0.0
        ),
        "detector_missed": [(r["photo"], r["best_detector_score"]) for r in missed],
        "both_eyes": (sum(landmarks_right(r) for r in both_eyes), len(both_eyes)),
        "invented": (sum(r["has_face"] for r in no_face), len(no_face)),
        "invented_names": [r["photo"] for r in no_face if r["has_face"]],
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
        "ipd_within": (within_ipd_range(ipds), len(ipds)),
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

    def spread(values: list[float]) -> str:
        if not values:
            return "n/a"
        return f"{fmt(statistics.median(values), 1)}, {fmt(min(values), 1)}, {fmt(max(values), 1)}"

    table = markdown_table(
        ["Measure", "Result", "Goal"],
        [
            [
                "Landmarks found (eyes within "
                f"{MAX_EYE_ERROR:g} eye distances of the annotated ones), upright photos with both "
                "eyes",
                frac(facts["upright_both"]),
                ">= 90 %",
            ],
            [
                "... of which in eye-anchored crops (faces seen from above)",
                frac(facts["from_above"]),
                "-",
            ],
            ["Landmarks found, all photos with both eyes", frac(facts["both_eyes"]), "-"],
            [
                "Found eyes' distance from the annotated centres (eye distances): median, max",
                f"{fmt(statistics.median(facts['eye_errors']), 2)}, "
                f"{fmt(max(facts['eye_errors']), 2)}"
                if facts["eye_errors"]
                else "n/a",
                "-",
            ],
            ["Faces invented on photos without a face", frac(facts["invented"]), "none"],
            [
                "Turn of the pixels right, where a face was found",
                frac(facts["rotation_right"]),
                "-",
            ],
            ["Turned faces found with their turn", frac(facts["turned_found"]), "-"],
            [
                f"Turned copies (90, 180, 270) of the {facts['copies_faces']} upright faces found: "
                "found with their turn",
                frac(facts["copies_right"]),
                "-",
            ],
            ["... found with a wrong turn", frac(facts["copies_wrong"]), "none"],
            [
                "IPD with the iris scale within 54-74 mm, front views",
                frac(facts["ipd_within"]),
                ">= 95 %",
            ],
            ["IPD (mm): median, min, max", spread(facts["ipd"]), "-"],
            [
                f"Portraits ({len(PORTRAITS)}, each at 3 sizes and 4 turns): found with their turn",
                frac(facts["portraits_right"]),
                "-",
            ],
            [
                "Portraits: IPD with the iris scale within 54-74 mm "
                f"({', '.join(facts['portraits_with_iris']) or 'no iris measured'})",
                frac(facts["portrait_ipd_within"]),
                ">= 95 %",
            ],
            ["Portraits: IPD (mm): median, min, max", spread(facts["portrait_ipd"]), "-"],
            [
                "Detector's best upright score: photos without a face; missed faces (max)",
                f"{fmt(facts['detector_no_face'], 2)}; "
                f"{fmt(max((v for _n, v in facts['detector_missed']), default=0.0), 2)}",
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
                f"(median luma < {MIN_FACE_LUMA:g}, 99th percentile < {MIN_FACE_HIGHLIGHT_LUMA:g})",
                frac(facts["dark_skipped"]),
                "all",
            ],
            ["Loading the four models, once per process (s)", fmt(facts["load_seconds"], 3), "-"],
            [
                "find_head per 640 x 640 photo: wall mean, max; CPU mean, max (s)",
                f"{fmt(statistics.mean(facts['seconds']), 3)}, {fmt(max(facts['seconds']), 3)}; "
                f"{fmt(statistics.mean(facts['cpu_seconds']), 3)}, "
                f"{fmt(max(facts['cpu_seconds']), 3)}",
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
    missed = (
        ", ".join(f"{name} (detector {score:.2f})" for name, score in facts["detector_missed"])
        or "none"
    )
    invented = ", ".join(facts["invented_names"]) or "none"
    misplaced = (
        ", ".join(f"{name} ({error:.2f})" for name, error in facts["misplaced_names"]) or "none"
    )
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
            f"Faces found with their eyes more than {MAX_EYE_ERROR:g} eye distances from the "
            f"annotated ones (not counted as found): {misplaced}.",
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
