"""The sharpness check of registration: fine detail of the follow-up against the baseline's.

Blur removes the fine detail of a photo first. The measure is the 99th percentile of a fine band
(Gaussians of 0.03 and 0.1 mm apart) over that of a coarser band (0.1 and 0.4 mm), so a change
of exposure or contrast cancels out; the percentile, not the mean, follows the impressions,
pores and hairs and not the sensor noise. Registration compares it around the matched features,
which both photos show; below ``MIN_SHARPNESS`` of the baseline's, faint or small impressions
could no longer be seen and the follow-up is refused as too blurred. A Gaussian blur of about
2.5 px at 0.03 mm per pixel already leaves less than that.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.tracking.features import MIN_INLIERS

MIN_SHARPNESS = 0.6
SHARPNESS_BANDS_MM = (0.03, 0.1, 0.4)
NOT_THE_SAME = "the follow-up looks like another view or another person"
WIDE_BLUR_SIGMA_PX = 4.0
"""A wide blur is computed at a size where its sigma is about this many pixels."""


def detail_ratio(
    rgb: NDArray[np.uint8], mm_per_px: float, xy: NDArray[np.float64] | None = None
) -> float:
    """Fine detail against coarser detail: the sharpness measure.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    mm_per_px : float
        Scale.
    xy : ndarray of float, shape (N, 2), optional
        Where to look: disks of 0.5 mm around these points; the whole photo by default.

    Returns
    -------
    float
        The 99th percentile of the 0.03-0.1 mm band over that of the 0.1-0.4 mm band.
    """
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    fine_mm, mid_mm, coarse_mm = SHARPNESS_BANDS_MM
    blurred = [cv2.GaussianBlur(grey, (0, 0), max(0.5, s / mm_per_px)) for s in (fine_mm, mid_mm)]
    blurred.append(_wide_blur(grey, coarse_mm / mm_per_px))
    inside = np.ones(grey.shape, dtype=bool)
    if xy is not None:
        where = np.zeros(grey.shape, np.uint8)
        radius = max(2, round(0.5 / mm_per_px))
        for x, y in np.round(xy).astype(int):
            cv2.circle(where, (int(x), int(y)), radius, 1, -1)
        inside = where > 0
    if not inside.any():
        return 0.0
    fine = float(np.percentile(np.abs(blurred[0] - blurred[1])[inside], 99))
    coarse = float(np.percentile(np.abs(blurred[1] - blurred[2])[inside], 99))
    return fine / max(coarse, 1e-6)


def _wide_blur(grey: NDArray[np.float32], sigma_px: float) -> NDArray[np.float32]:
    """Gaussian blur with a wide sigma, computed at a reduced size when that loses nothing.

    A blur of ``sigma_px`` keeps no detail finer than about a sigma, so it is computed on the
    photo shrunk by ``sigma_px / 4`` (area averaging) and enlarged back: the same picture to a
    fraction of a grey level, at a fraction of the cost of a kernel 6 sigmas wide.
    """
    factor = int(sigma_px // WIDE_BLUR_SIGMA_PX)
    if factor < 2:
        return np.asarray(cv2.GaussianBlur(grey, (0, 0), max(0.5, sigma_px)), dtype=np.float32)
    rows, cols = grey.shape
    small = cv2.resize(
        grey, (max(1, cols // factor), max(1, rows // factor)), interpolation=cv2.INTER_AREA
    )
    # area averaging over ``factor`` pixels already blurs by about factor / sqrt(12)
    sigma_small = float(np.sqrt(max(sigma_px**2 - factor**2 / 12, 0.25))) / factor
    wide = cv2.GaussianBlur(small, (0, 0), sigma_small)
    return np.asarray(cv2.resize(wide, (cols, rows), interpolation=cv2.INTER_LINEAR), np.float32)


def why_no_features(
    baseline_rgb: NDArray[np.uint8],
    followup_rgb: NDArray[np.uint8],
    mm_per_px: float,
    followup_mm_per_px: float | None,
    inliers: int,
) -> str:
    """Say why too few features matched: a blurred follow-up, or another view or person.

    Parameters
    ----------
    baseline_rgb, followup_rgb : ndarray of uint8, shape (rows, cols, 3)
        The two photos.
    mm_per_px : float
        The baseline's scale.
    followup_mm_per_px : float or None
        The follow-up's, when known (else the baseline's: the same framing).
    inliers : int
        The features that agreed.

    Returns
    -------
    str
        The reason, starting with ``not registered:``.
    """
    follow_mm = followup_mm_per_px or mm_per_px  # the same framing, when unknown
    sharpness = detail_ratio(followup_rgb, follow_mm) / max(
        detail_ratio(baseline_rgb, mm_per_px), 1e-6
    )
    found = f"too few skin features match the baseline ({inliers}, at least {MIN_INLIERS} needed)"
    if sharpness < MIN_SHARPNESS:
        return (
            f"not registered: {found}; the follow-up is too blurred ({sharpness:.0%} of the "
            "baseline's fine detail); retake it in focus"
        )
    return f"not registered: {found}; {NOT_THE_SAME}"
