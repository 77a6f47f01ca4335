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

import os

# Limit the thread pools to 2 cores before numpy and OpenCV start them (CORES below).
os.environ["OMP_NUM_THREADS"] = "2"
os.environ["OPENBLAS_NUM_THREADS"] = "2"
os.environ["MKL_NUM_THREADS"] = "2"

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from rich.console import Console
from rich.table import Table
from skimage.feature import blob_log

import speed_whole_process
from bench_common import (
    DEFAULT_REPORT,
    REPO_ROOT,
    fmt,
    machine_lines,
    markdown_table,
    print_goals,
    replace_section,
)
from scalpmap.errors import ScaleError
from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.analysis_json import analysis_to_json
from scalpmap.imaging.detect import detect_impressions
from scalpmap.imaging.matching import match_points
from scalpmap.imaging.photo_io import load_photo
from scalpmap.imaging.scale import resolve_scale
from scalpmap.imaging.scoring import MATCH_TOLERANCE_MM
from scalpmap.imaging.synth import SynthOptions, SynthTruth, write_synthetic_photo

CORES = int(os.environ["OMP_NUM_THREADS"])
cv2.setNumThreads(CORES)

SECTION = "speed"
SEED = 7
WIDTH_PX, HEIGHT_PX = 4000, 3000
RUNS = 3
IMPRESSION_DIAMETER_MM = (0.10, 0.35)
BACKGROUND_SIGMA_MM = 1.0
BLOB_LOG_LIMIT_S = 300.0
PROBE_FRACTION = 0.25
PEER_NUM_SIGMA = 6
PEER_NUM_SIGMA_TRIES = (5, 8)
THRESHOLDS = {
    "local contrast": (0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.50),
    "inverted grey": (0.02, 0.04, 0.06, 0.08, 0.10, 0.15, 0.20, 0.30),
}

Image = NDArray[np.float32]


def local_contrast(rgb: NDArray[np.uint8], mm_per_px: float) -> Image:
    """Darkening of each pixel relative to a blurred background, 0..1, with plain OpenCV.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    mm_per_px : float
        Scale; the background is a Gaussian blur of ``BACKGROUND_SIGMA_MM``.

    Returns
    -------
    ndarray of float32
        ``(background - grey) / background``, clipped to 0..1.
    """
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / np.float32(255.0)
    background = cv2.GaussianBlur(grey, (0, 0), BACKGROUND_SIGMA_MM / mm_per_px)
    contrast = (background - grey) / np.maximum(background, np.float32(1.0 / 255.0))
    return np.clip(contrast, 0.0, 1.0).astype(np.float32)


def inverted_grey(rgb: NDArray[np.uint8], mm_per_px: float) -> Image:
    """Invert the grayscale photo and stretch it to 0..1.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    mm_per_px : float
        Unused; for the same signature as :func:`local_contrast`.

    Returns
    -------
    ndarray of float32
        ``1 - grey``, stretched so its minimum is 0 and its maximum 1.
    """
    inverted = 1.0 - cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    low, high = float(inverted.min()), float(inverted.max())
    return ((inverted - low) / max(high - low, 1e-6)).astype(np.float32)


PREPROCESS: dict[str, Callable[[NDArray[np.uint8], float], Image]] = {
    "local contrast": local_contrast,
    "inverted grey": inverted_grey,
}


@dataclass(frozen=True)
class PeerSettings:
    """Settings of the ``blob_log`` peer.

    Attributes
    ----------
    preprocess : str
        Key of :data:`PREPROCESS`.
    threshold : float
        ``blob_log``'s absolute threshold.
    num_sigma : int
        Number of scales.
    min_sigma, max_sigma : float
        Scale range in pixels, ``radius / sqrt(2)`` over the impressions' size range.
    """

    preprocess: str
    threshold: float
    num_sigma: int
    min_sigma: float
    max_sigma: float

    def describe(self) -> str:
        """Describe the settings in one line.

        Returns
        -------
        str
            E.g. ``"local contrast, min_sigma 1.28, max_sigma 4.50, num_sigma 6, threshold 0.3"``.
        """
        return (
            f"input: {self.preprocess}; min_sigma {self.min_sigma:.2f} px, "
            f"max_sigma {self.max_sigma:.2f} px, num_sigma {self.num_sigma}, "
            f"threshold {self.threshold:g}, overlap 0.5 (default)"
        )


def run_peer(image: Image, settings: PeerSettings) -> NDArray[np.float64]:
    """Find blobs with ``skimage.feature.blob_log``.

    Parameters
    ----------
    image : ndarray of float32
        The preprocessed photo; bright blobs on a dark background.
    settings : PeerSettings
        The settings.

    Returns
    -------
    ndarray of float, shape (N, 2)
        Blob centres ``(x, y)``.
    """
    blobs = blob_log(
        image,
        min_sigma=settings.min_sigma,
        max_sigma=settings.max_sigma,
        num_sigma=settings.num_sigma,
        threshold=settings.threshold,
    )
    return np.asarray(blobs[:, [1, 0]], dtype=np.float64).reshape(-1, 2)


def score_points(
    truth_xy: NDArray[np.float64], found_xy: NDArray[np.float64], mm_per_px: float
) -> dict[str, float]:
    """Precision, recall and F1 of found points against the truth.

    Parameters
    ----------
    truth_xy, found_xy : ndarray of float, shape (N, 2)
        True and found centres.
    mm_per_px : float
        Scale; a match lies within ``MATCH_TOLERANCE_MM``.

    Returns
    -------
    dict
        ``found``, ``precision``, ``recall`` and ``f1``.
    """
    match = match_points(truth_xy, found_xy, tolerance=MATCH_TOLERANCE_MM / mm_per_px)
    return {
        "found": float(len(found_xy)),
        "precision": match.precision,
        "recall": match.recall,
        "f1": match.f1,
    }


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """Run a function once and time it.

    Parameters
    ----------
    function : callable
        What to run.

    Returns
    -------
    seconds : float
        Wall time.
    result : object
        What the function returned.
    """
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def centred_crop(
    shape: tuple[int, int], fraction: float
) -> tuple[slice, slice, NDArray[np.float64]]:
    """Find the centred crop holding ``fraction`` of the pixels (same aspect ratio).

    Parameters
    ----------
    shape : tuple of int
        ``(rows, cols)`` of the photo.
    fraction : float
        Share of the pixels to keep.

    Returns
    -------
    rows, cols : slice
        The crop.
    offset : ndarray of float, shape (2,)
        ``(x, y)`` of the crop's top-left corner.
    """
    side = float(np.sqrt(fraction))
    height, width = (max(1, round(n * side)) for n in shape)
    top, left = (shape[0] - height) // 2, (shape[1] - width) // 2
    rows, cols = slice(top, top + height), slice(left, left + width)
    return rows, cols, np.array([left, top], dtype=np.float64)


def inside_crop(xy: NDArray[np.float64], rows: slice, cols: slice) -> NDArray[np.bool_]:
    """Which points lie in a crop.

    Parameters
    ----------
    xy : ndarray of float, shape (N, 2)
        Points ``(x, y)``.
    rows, cols : slice
        The crop.

    Returns
    -------
    ndarray of bool
        True inside.
    """
    return (
        (xy[:, 0] >= cols.start)
        & (xy[:, 0] < cols.stop)
        & (xy[:, 1] >= rows.start)
        & (xy[:, 1] < rows.stop)
    )


def compare_detectors(
    rgb: NDArray[np.uint8], truth: SynthTruth, console: Console, limit_s: float
) -> dict[str, Any]:
    """Time and score ``detect_impressions`` and the tuned ``blob_log`` peer.

    Parameters
    ----------
    rgb : ndarray of uint8
        The decoded photo.
    truth : SynthTruth
        Its ground truth.
    console : Console
        For progress messages.
    limit_s : float
        When ``blob_log`` on the full photo would take longer than this, it runs on a centred
        crop holding ``PROBE_FRACTION`` of the pixels and its time is extrapolated linearly.

    Returns
    -------
    dict
        Times, scores, the peer's settings and every tuning trial.
    """
    mm = truth.mm_per_px
    truth_xy = truth.impressions[:, :2]

    def detect() -> Any:
        return detect_impressions(rgb, mm_per_px=mm)

    console.log("detect_impressions: warm-up")
    detect()
    detect_times = []
    for run in range(RUNS):
        seconds, impressions = timed(detect)
        detect_times.append(seconds)
        console.log(f"detect_impressions run {run + 1}/{RUNS}: {seconds:.2f} s")
    ours = score_points(truth_xy, impressions.xy, mm)

    radii = np.asarray(IMPRESSION_DIAMETER_MM) / 2 / mm
    min_sigma, max_sigma = (float(r / np.sqrt(2)) for r in radii)
    base = PeerSettings("local contrast", 0.2, PEER_NUM_SIGMA, min_sigma, max_sigma)
    rows, cols, offset = centred_crop(rgb.shape[:2], PROBE_FRACTION)
    probe_rgb = np.ascontiguousarray(rgb[rows, cols])
    probe_s, _ = timed(lambda: run_peer(local_contrast(probe_rgb, mm), base))
    estimate_s = probe_s / PROBE_FRACTION
    console.log(
        f"blob_log probe on {PROBE_FRACTION:.0%} of the pixels: {probe_s:.1f} s, "
        f"about {estimate_s:.0f} s on the full photo"
    )
    cropped = estimate_s > limit_s
    if cropped:
        peer_rgb, keep = probe_rgb, inside_crop(truth_xy, rows, cols)
        peer_truth, scale_up = truth_xy[keep] - offset, 1.0 / PROBE_FRACTION
        ours_crop = score_points(
            peer_truth, impressions.xy[inside_crop(impressions.xy, rows, cols)] - offset, mm
        )
    else:
        peer_rgb, peer_truth, scale_up, ours_crop = rgb, truth_xy, 1.0, None

    trials: list[dict[str, Any]] = []

    def trial(image: Image, settings: PeerSettings) -> dict[str, Any]:
        seconds, found = timed(lambda: run_peer(image, settings))
        row = {"settings": settings, "seconds": seconds, **score_points(peer_truth, found, mm)}
        trials.append(row)
        console.log(f"blob_log {settings.describe()}: F1 {row['f1']:.3f} ({seconds:.1f} s)")
        return row

    for name, grid in THRESHOLDS.items():
        image = PREPROCESS[name](peer_rgb, mm)
        coarse = [
            trial(image, PeerSettings(name, t, PEER_NUM_SIGMA, min_sigma, max_sigma)) for t in grid
        ]
        top = max(range(len(grid)), key=lambda i: coarse[i]["f1"])
        for neighbour in (top - 1, top + 1):  # refine halfway to the neighbouring thresholds
            if 0 <= neighbour < len(grid):
                t = round((grid[top] + grid[neighbour]) / 2, 4)
                trial(image, PeerSettings(name, t, PEER_NUM_SIGMA, min_sigma, max_sigma))
        leader = max((r for r in trials if r["settings"].preprocess == name), key=lambda r: r["f1"])
        for num_sigma in PEER_NUM_SIGMA_TRIES:
            s = leader["settings"]
            trial(image, PeerSettings(name, s.threshold, num_sigma, min_sigma, max_sigma))
        del image
    best = max(trials, key=lambda r: r["f1"])
    chosen: PeerSettings = best["settings"]

    preprocess_times, blob_times = [], []
    for run in range(RUNS):
        prep_s, image = timed(lambda: PREPROCESS[chosen.preprocess](peer_rgb, mm))
        blob_s, found = timed(lambda: run_peer(image, chosen))  # noqa: B023
        preprocess_times.append(prep_s * scale_up)
        blob_times.append(blob_s * scale_up)
        console.log(f"blob_log run {run + 1}/{RUNS}: {prep_s + blob_s:.1f} s (measured)")
    peer = score_points(peer_truth, found, mm)
    peer_times = [p + b for p, b in zip(preprocess_times, blob_times, strict=True)]
    return {
        "detect_times": detect_times,
        "ours": ours,
        "ours_crop": ours_crop,
        "peer_times": peer_times,
        "peer_preprocess_times": preprocess_times,
        "peer_blob_times": blob_times,
        "peer": peer,
        "peer_settings": chosen,
        "trials": trials,
        "probe_s": probe_s,
        "estimate_s": estimate_s,
        "cropped": cropped,
        "crop_shape": probe_rgb.shape[:2],
        "peer_truth_count": len(peer_truth),
    }


def time_pipeline(path: Path, mm_per_px: float | None, console: Console) -> dict[str, Any]:
    """Time load, analyse and JSON output; one warm-up, then ``RUNS`` timed runs.

    Parameters
    ----------
    path : Path
        The JPEG photo.
    mm_per_px : float or None
        Scale to give; None to measure it from the marker.
    console : Console
        For progress messages.

    Returns
    -------
    dict
        Per-step times of each timed run and the JSON's size.
    """
    steps: dict[str, list[float]] = {"load_photo": [], "analyse_photo": [], "JSON": []}
    size = 0
    for run in range(RUNS + 1):
        load_s, photo = timed(lambda: load_photo(path))
        analyse_s, analysis = timed(lambda: analyse_photo(photo.rgb, mm_per_px=mm_per_px))  # noqa: B023
        json_s, text = timed(lambda: json.dumps(analysis_to_json(analysis, source=str(path))))  # noqa: B023
        size = len(text)
        total = load_s + analyse_s + json_s
        if run == 0:
            console.log(f"analysis warm-up: {total:.2f} s")
            continue
        steps["load_photo"].append(load_s)
        steps["analyse_photo"].append(analyse_s)
        steps["JSON"].append(json_s)
        console.log(f"analysis run {run}/{RUNS}: {total:.2f} s")
    totals = [sum(values) for values in zip(*steps.values(), strict=True)]
    return {"steps": steps, "totals": totals, "json_chars": size}


CHILD = """
import json, os, sys
import cv2
cv2.setNumThreads(int(os.environ["OMP_NUM_THREADS"]))
from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.analysis_json import analysis_to_json
from scalpmap.imaging.photo_io import load_photo
mode, path, scale = sys.argv[1:4]
peak_traced = 0
if mode != "baseline":
    if mode == "tracemalloc":
        import tracemalloc
        tracemalloc.start()
    photo = load_photo(path)
    analysis = analyse_photo(photo.rgb, mm_per_px=None if scale == "marker" else float(scale))
    text = json.dumps(analysis_to_json(analysis, source=path))
    if mode == "tracemalloc":
        peak_traced = tracemalloc.get_traced_memory()[1]
with open("/proc/self/status") as status:
    hwm = [int(line.split()[1]) for line in status if line.startswith("VmHWM:")]
print(json.dumps({"vmhwm_kib": hwm[0] if hwm else 0, "traced_peak_bytes": peak_traced}))
"""

# ru_maxrss of a process started from a big one includes the big one's peak (Linux keeps the
# pre-exec peak), so the measured children are started from this small launcher.
LAUNCHER = """
import json, resource, subprocess, sys
child, path, scale = sys.argv[1:4]
out = {"before_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}
for mode in ("baseline", "analyse"):
    done = subprocess.run([sys.executable, "-c", child, mode, path, scale],
                          check=True, capture_output=True, text=True)
    out[mode] = json.loads(done.stdout.strip().splitlines()[-1])
    out[mode]["children_maxrss_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps(out))
"""


def _run_json(code: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        check=True,
        capture_output=True,
        text=True,
        env=dict(os.environ),
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure_memory(path: Path, mm_per_px: float | None) -> dict[str, Any]:
    """Measure the peak memory of one analysis in a fresh process, minus one that only imports.

    A small launcher process runs two children one after the other: one only imports the
    modules, the other also runs ``load_photo`` + ``analyse_photo`` + JSON. After each, the
    launcher reads ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``, the largest peak resident
    set size of its children so far; the difference is the analysis's own peak. Each child also
    reports its ``VmHWM`` from ``/proc/self/status`` as a cross-check. A third child runs the
    analysis under ``tracemalloc`` (numpy reports its allocations to it; memory that OpenCV and
    Pillow allocate in C++ is not seen), a lower bound.

    Parameters
    ----------
    path : Path
        The JPEG photo.
    mm_per_px : float or None
        Scale to give; None to measure it from the marker.

    Returns
    -------
    dict
        Baseline and analysis peaks in bytes, their ``VmHWM`` and the tracemalloc peak.
    """
    scale = "marker" if mm_per_px is None else repr(mm_per_px)
    launched = _run_json(LAUNCHER, CHILD, str(path), scale)
    traced = _run_json(CHILD, "tracemalloc", str(path), scale)
    return {
        "clean": launched["before_kib"] == 0,
        "baseline_bytes": launched["baseline"]["children_maxrss_kib"] * 1024,
        "analysis_bytes": launched["analyse"]["children_maxrss_kib"] * 1024,
        "baseline_hwm_bytes": launched["baseline"]["vmhwm_kib"] * 1024,
        "analysis_hwm_bytes": launched["analyse"]["vmhwm_kib"] * 1024,
        "traced_peak_bytes": traced["traced_peak_bytes"],
    }


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
