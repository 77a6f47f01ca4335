"""The speed benchmark's detector comparison: ``detect_impressions`` against ``blob_log``.

The peer is tuned against the photo's ground truth (its preprocessing, ``num_sigma`` and
threshold); both are timed (median of ``RUNS`` after a warm-up) and scored by F1.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from rich.console import Console
from skimage.feature import blob_log

from scalpmap.imaging.detect import detect_impressions
from scalpmap.imaging.matching import match_points
from scalpmap.imaging.scoring import MATCH_TOLERANCE_MM
from scalpmap.imaging.synth import SynthTruth

RUNS = 3
IMPRESSION_DIAMETER_MM = (0.10, 0.35)
BACKGROUND_SIGMA_MM = 1.0
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
