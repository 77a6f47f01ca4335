"""The speed benchmark's ``speed`` section in markdown and its console summary."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Sequence
from typing import Any

import cv2
from rich.console import Console
from rich.table import Table

import speed_whole_process
from bench_common import fmt, machine_lines, markdown_table, print_goals
from bench_cores import CORES
from scalpmap.imaging.scoring import MATCH_TOLERANCE_MM
from scalpmap.imaging.synth import SynthTruth
from speed_detectors import (
    BACKGROUND_SIGMA_MM,
    IMPRESSION_DIAMETER_MM,
    PEER_NUM_SIGMA,
    PEER_NUM_SIGMA_TRIES,
    PROBE_FRACTION,
    RUNS,
    PeerSettings,
)


def _median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def _runs(values: Sequence[float], digits: int = 2) -> str:
    return ", ".join(f"{v:.{digits}f}" for v in values)


def _mib(n_bytes: float) -> str:
    return f"{n_bytes / 2**20:.0f} MiB"


def render_markdown(facts: dict[str, Any]) -> str:
    """Render the speed section of the report.

    Parameters
    ----------
    facts : dict
        Everything measured by :func:`main`.

    Returns
    -------
    str
        Markdown.
    """
    truth: SynthTruth = facts["truth"]
    o = truth.options
    cmp_ = facts["compare"]
    pipe = facts["pipeline"]
    mem = facts["memory"]
    rows, cols = facts["shape"]
    decoded = rows * cols * 3
    settings: PeerSettings = cmp_["peer_settings"]
    ours_s, peer_s = _median(cmp_["detect_times"]), _median(cmp_["peer_times"])
    ratio = peer_s / ours_s
    if cmp_["cropped"]:
        crop_rows, crop_cols = cmp_["crop_shape"]
        crop_note = (
            f"**`blob_log` was too slow for the full photo** (a probe on a centred crop of "
            f"{PROBE_FRACTION:.0%} of the pixels took {cmp_['probe_s']:.1f} s, about "
            f"{cmp_['estimate_s']:.0f} s extrapolated, over the {facts['limit_s']:.0f} s limit). "
            f"So its tuning, timing and F1 are on that centred {crop_cols} x {crop_rows} crop "
            f"({cmp_['peer_truth_count']} true impressions), and its **times are extrapolated** "
            f"linearly by pixel count (x {1 / PROBE_FRACTION:g}) to the full photo. On the same "
            f"crop `detect_impressions` scores F1 {fmt(cmp_['ours_crop']['f1'])}."
        )
    else:
        crop_note = (
            f"`blob_log` ran on the full photo (a probe on a centred crop of "
            f"{PROBE_FRACTION:.0%} of the pixels took {cmp_['probe_s']:.1f} s, about "
            f"{cmp_['estimate_s']:.0f} s extrapolated, under the {facts['limit_s']:.0f} s limit); "
            "no time is extrapolated."
        )
    detector_rows = [
        [
            "`scalpmap.imaging.detect.detect_impressions`",
            f"`mm_per_px={truth.mm_per_px:.5f}`, no mask",
            f"{ours_s:.2f} s",
            _runs(cmp_["detect_times"]),
            f"{cmp_['ours']['found']:.0f}",
            fmt(cmp_["ours"]["precision"]),
            fmt(cmp_["ours"]["recall"]),
            fmt(cmp_["ours"]["f1"]),
        ],
        [
            "`skimage.feature.blob_log`"
            + (" (crop, time extrapolated)" if cmp_["cropped"] else ""),
            settings.describe(),
            f"{peer_s:.2f} s",
            _runs(cmp_["peer_times"]),
            f"{cmp_['peer']['found']:.0f}",
            fmt(cmp_["peer"]["precision"]),
            fmt(cmp_["peer"]["recall"]),
            fmt(cmp_["peer"]["f1"]),
        ],
    ]
    trial_rows = [
        [
            t["settings"].preprocess,
            f"{t['settings'].threshold:g}",
            str(t["settings"].num_sigma),
            f"{t['found']:.0f}",
            fmt(t["precision"]),
            fmt(t["recall"]),
            fmt(t["f1"]),
            f"{t['seconds']:.1f}",
        ]
        for t in cmp_["trials"]
    ]
    steps = pipe["steps"]
    pipeline_rows = [
        [
            f"`{name}`" if name != "JSON" else "`analysis_to_json` + `json.dumps`",
            f"{_median(values):.2f} s",
            _runs(values),
        ]
        for name, values in steps.items()
    ] + [["**total**", f"**{_median(pipe['totals']):.2f} s**", _runs(pipe["totals"])]]
    delta = mem["analysis_bytes"] - mem["baseline_bytes"]
    hwm_delta = mem["analysis_hwm_bytes"] - mem["baseline_hwm_bytes"]
    if facts["marker_found"]:
        scale_note = "The scale is measured from the printed marker (`mm_per_px=None`)."
    else:
        scale_note = (
            "**The marker was not found on this photo** (`ScaleError`), so the analysis is "
            f"given the true scale (`mm_per_px={truth.mm_per_px:.5f}`); `analyse_photo` still "
            "searches the photo for a marker in that case, so the time includes the search."
        )
    out = [
        "## Speed and memory",
        "",
        "Reproduce with:",
        "",
        "```sh",
        facts["command"],
        "```",
        "",
        f"One synthetic close-up, `SynthOptions(seed={o.seed}, width_px={o.width_px}, "
        f"height_px={o.height_px})`: {cols} x {rows} px ({rows * cols / 1e6:.1f} megapixels), "
        f"{truth.mm_per_px:.4f} mm/px, skin type {o.fitzpatrick}, {o.ink} ink, "
        f"{len(truth.impressions)} true impressions; written as a "
        f"{facts['jpeg_bytes'] / 1e6:.1f} MB JPEG (quality {o.jpeg_quality}) to a temporary "
        "file and read back with `load_photo`.",
        "",
        f"- Finished {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Load average "
        f"(1 min) {facts['load_before']:.2f} just before the benchmark started, "
        f"{facts['load_after']:.2f} at its end; load from other processes shares the {CORES} "
        "cores and slows the times.",
        *machine_lines(),
        f"- Limited to {CORES} cores: `OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}` (and "
        f"`OPENBLAS_NUM_THREADS`, `MKL_NUM_THREADS`) set before numpy and OpenCV are imported, "
        f"`cv2.setNumThreads({CORES})` (OpenCV reports {cv2.getNumThreads()}); CPU affinity "
        f"{facts['affinity_before']} CPUs available, {facts['affinity_after']} used.",
        "- The timed `scalpmap` processes run with the package's bytecode compiled, as an install "
        "has it (`bench_common.use_bytecode_caches`: `PYTHONDONTWRITEBYTECODE` unset).",
        "",
        "### Impression detection against `skimage.feature.blob_log`",
        "",
        f"Median of {RUNS} runs after one warm-up, on the decoded photo (decoding not included). "
        f"F1 against the truth with `scalpmap.imaging.matching.match_points`, a match within "
        f"{MATCH_TOLERANCE_MM} mm ({MATCH_TOLERANCE_MM / truth.mm_per_px:.1f} px). The peer's "
        "time includes its preprocessing (median "
        f"{_median(cmp_['peer_preprocess_times']):.2f} s of it; `blob_log` alone "
        f"{_median(cmp_['peer_blob_times']):.2f} s).",
        "",
        markdown_table(
            ["Method", "Settings", "Median time", "Runs (s)", "Found", "Precision", "Recall", "F1"],
            detector_rows,
        ),
        "",
        f"**Speed ratio: `detect_impressions` is {ratio:.1f}x "
        f"{'faster' if ratio >= 1 else 'slower'} than the tuned `blob_log`** "
        f"({ours_s:.2f} s against {peer_s:.2f} s); F1 {fmt(cmp_['ours']['f1'])} against "
        f"{fmt(cmp_['peer']['f1'])}.",
        "",
        crop_note,
        "",
        "How the peer was tuned: `min_sigma` and `max_sigma` are the radii of the impressions' "
        f"size range {IMPRESSION_DIAMETER_MM[0]}–{IMPRESSION_DIAMETER_MM[1]} mm at this photo's "
        "scale divided by √2; two inputs were tried, the inverted grayscale stretched to 0..1 "
        "and a local-contrast image (`(background - grey) / background` with a "
        f"{BACKGROUND_SIGMA_MM:g} mm Gaussian background, clipped to 0..1); for each, a grid of "
        f"thresholds at `num_sigma={PEER_NUM_SIGMA}`, then the thresholds halfway to the best "
        f"one's neighbours, then `num_sigma` {' and '.join(map(str, PEER_NUM_SIGMA_TRIES))} at "
        "the best threshold. The setting with the best F1 **against this photo's own truth** was "
        "kept, which favours the peer: `detect_impressions` ran with its defaults.",
        "",
        "<details><summary>Every blob_log setting tried</summary>",
        "",
        markdown_table(
            ["Input", "Threshold", "num_sigma", "Found", "Precision", "Recall", "F1", "Time (s)"],
            trial_rows,
        ),
        "",
        "</details>",
        "",
        "### Whole analysis, no overlay",
        "",
        f"`load_photo` + `analyse_photo` + `analysis_to_json` + `json.dumps` (a "
        f"{pipe['json_chars'] / 1e6:.1f} MB document), median of {RUNS} runs after one warm-up. "
        + scale_note,
        "",
        markdown_table(["Step", "Median", "Runs (s)"], pipeline_rows),
        "",
        "### Peak memory of one analysis",
        "",
        "Measured in fresh processes with `resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` "
        "(peak resident set size): a small launcher process runs one child that only imports "
        "OpenCV and scalpmap's analysis modules (with numpy), then a second that also runs "
        "`load_photo` + `analyse_photo` + JSON, reading its children's peak after each; the "
        "difference is the analysis's own peak. (The launcher is needed because on Linux a "
        "process's `ru_maxrss` includes the peak of the process it was started from, here the "
        "benchmark with the photo in memory.) Each child's `VmHWM` from `/proc/self/status` is "
        "shown as a cross-check. A third child runs the analysis under `tracemalloc`, which "
        "sees numpy's allocations but not memory that OpenCV or Pillow allocate in C++, so it "
        "is a lower bound."
        + ("" if mem["clean"] else " (Warning: a child process had run before the baseline.)"),
        "",
        markdown_table(
            ["Measure", "Bytes", "x decoded image"],
            [
                ["Decoded image, H x W x 3", _mib(decoded), "1.0"],
                [
                    "Peak RSS, import-only child",
                    _mib(mem["baseline_bytes"]),
                    f"{mem['baseline_bytes'] / decoded:.1f}",
                ],
                [
                    "Peak RSS, analysing child",
                    _mib(mem["analysis_bytes"]),
                    f"{mem['analysis_bytes'] / decoded:.1f}",
                ],
                [
                    "**Analysis peak (difference)**",
                    f"**{_mib(delta)}**",
                    f"**{delta / decoded:.1f}**",
                ],
                [
                    "VmHWM, import-only / analysing child",
                    f"{_mib(mem['baseline_hwm_bytes'])} / {_mib(mem['analysis_hwm_bytes'])}",
                    f"{mem['baseline_hwm_bytes'] / decoded:.1f} / "
                    f"{mem['analysis_hwm_bytes'] / decoded:.1f}",
                ],
                ["VmHWM difference (cross-check)", _mib(hwm_delta), f"{hwm_delta / decoded:.1f}"],
                [
                    "tracemalloc peak (lower bound)",
                    _mib(mem["traced_peak_bytes"]),
                    f"{mem['traced_peak_bytes'] / decoded:.1f}",
                ],
            ],
        ),
    ]
    out += ["", speed_whole_process.render(facts["whole"], facts["command"])]
    return "\n".join(out) + "\n"


def print_summary(console: Console, facts: dict[str, Any]) -> None:
    """Print the headline figures as a rich table.

    Parameters
    ----------
    console : Console
        Where to print.
    facts : dict
        Everything measured by :func:`main`.
    """
    cmp_, pipe, mem = facts["compare"], facts["pipeline"], facts["memory"]
    rows, cols = facts["shape"]
    decoded = rows * cols * 3
    delta = mem["analysis_bytes"] - mem["baseline_bytes"]
    ours_s, peer_s = _median(cmp_["detect_times"]), _median(cmp_["peer_times"])
    table = Table(title=f"Speed and memory, {cols} x {rows} close-up")
    table.add_column("Measure")
    table.add_column("Value", justify="right")
    table.add_row("detect_impressions, median", f"{ours_s:.2f} s, F1 {fmt(cmp_['ours']['f1'])}")
    table.add_row(
        "blob_log (tuned), median" + (" [extrapolated]" if cmp_["cropped"] else ""),
        f"{peer_s:.2f} s, F1 {fmt(cmp_['peer']['f1'])}",
    )
    table.add_row("speed ratio", f"{peer_s / ours_s:.1f}x")
    table.add_row("blob_log settings", cmp_["peer_settings"].describe())
    table.add_row("whole analysis, median", f"{_median(pipe['totals']):.2f} s")
    table.add_row("marker found", str(facts["marker_found"]))
    table.add_row("analysis peak memory", f"{_mib(delta)} = {delta / decoded:.1f}x decoded")
    table.add_row(
        "tracemalloc peak",
        f"{_mib(mem['traced_peak_bytes'])} = {mem['traced_peak_bytes'] / decoded:.1f}x decoded",
    )
    console.print(table)
    print_goals(console, speed_whole_process.verdicts(facts["whole"]))
