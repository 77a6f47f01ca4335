"""The first step of registration: local image features matched between two photos.

SIFT keypoints (scale and rotation invariant, their descriptors normalised against contrast) are
found on both photos, shrunk so that the long side is at most ``FEATURE_SIDE_PX`` and equalised
with CLAHE so that a change of lighting changes little. Only the skin counts: the background
and the printed sticker (placed anew on every visit) are masked out. Descriptors are paired
with Lowe's ratio test and a similarity transform (shift, rotation, uniform scale) is fitted
with RANSAC. The transform helpers work on 3 x 3 matrices that map baseline pixels ``(x, y)``
to follow-up pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.marker import QUIET_ZONE_MODULES
from scalpmap.imaging.scalp import find_scalp

FEATURE_SIDE_PX = 1600
MAX_FEATURES = 4000
RATIO_TEST = 0.8
RANSAC_THRESHOLD_PX = 3.0  # at the feature resolution
MIN_INLIERS = 20

Matrix = NDArray[np.float64]


@dataclass(frozen=True)
class FeatureFit:
    """A similarity transform fitted to matched features.

    Attributes
    ----------
    matrix : ndarray of float, shape (3, 3) or None
        Baseline pixels to follow-up pixels; None when no transform could be fitted.
    matches : int
        Descriptor pairs that passed the ratio test.
    inliers : int
        Distinct feature positions that agree with the transform.
    src_xy, dst_xy : ndarray of float, shape (K, 2)
        The agreeing pairs, in baseline and follow-up pixels.
    """

    matrix: Matrix | None
    matches: int
    inliers: int
    src_xy: NDArray[np.float64]
    dst_xy: NDArray[np.float64]


def sticker_mask(
    shape: tuple[int, int], marker_corners_xy: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """Everything but the printed sticker (the marker, its quiet zone and half a module more).

    Parameters
    ----------
    shape : tuple of int
        The photo's ``(rows, cols)``.
    marker_corners_xy : ndarray of float, shape (4, 2) or (0, 2)
        The marker's corners, when one was found.

    Returns
    -------
    ndarray of bool, shape (rows, cols)
        False on the sticker.

    Examples
    --------
    >>> corners = np.array([[40.0, 40], [60, 40], [60, 60], [40, 60]])
    >>> mask = sticker_mask((100, 100), corners)
    >>> bool(mask[50, 50]), bool(mask[5, 5])
    (False, True)
    """
    mask = np.ones(shape, dtype=bool)
    corners = np.asarray(marker_corners_xy, dtype=np.float64).reshape(-1, 2)
    if len(corners) == 4:
        grow = 1 + 2 * (QUIET_ZONE_MODULES + 0.5) / 6  # as the analysis leaves it out
        centre = corners.mean(axis=0)
        sticker = np.round(centre + (corners - centre) * grow).astype(np.int32)
        cut = np.zeros(shape, np.uint8)
        cv2.fillPoly(cut, [sticker], 1)
        mask &= cut == 0
    return mask


def skin_mask(rgb: NDArray[np.uint8], marker_corners_xy: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Where features may be matched: the head (no background), without the sticker.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    marker_corners_xy : ndarray of float, shape (4, 2) or (0, 2)
        The marker's corners, when one was found.

    Returns
    -------
    ndarray of bool, shape (rows, cols)
        True on usable pixels.
    """
    return find_scalp(rgb).full() & sticker_mask(rgb.shape[:2], marker_corners_xy)


def apply_matrix(matrix: Matrix, xy: NDArray[np.float64]) -> NDArray[np.float64]:
    """Map points through a 3 x 3 transform (similarity or homography).

    Parameters
    ----------
    matrix : ndarray of float, shape (3, 3)
        The transform.
    xy : ndarray of float, shape (N, 2)
        Points ``(x, y)``.

    Returns
    -------
    ndarray of float, shape (N, 2)
        The mapped points.

    Examples
    --------
    >>> m = np.array([[0.0, -2, 10], [2, 0, 0], [0, 0, 1]])
    >>> apply_matrix(m, np.array([[1.0, 0.0]])).tolist()
    [[10.0, 2.0]]
    """
    points = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    mapped = points @ matrix[:2, :2].T + matrix[:2, 2]
    w = points @ matrix[2, :2] + matrix[2, 2]
    return np.asarray(mapped / w[:, None], dtype=np.float64)


def fit_similarity(src_xy: NDArray[np.float64], dst_xy: NDArray[np.float64]) -> Matrix:
    """Least-squares similarity (rotation, uniform scale, shift) mapping ``src`` onto ``dst``.

    Parameters
    ----------
    src_xy, dst_xy : ndarray of float, shape (N, 2)
        Paired points, N >= 2.

    Returns
    -------
    ndarray of float, shape (3, 3)
        The transform.

    Examples
    --------
    >>> src = np.array([[0.0, 0], [1, 0], [0, 1]])
    >>> fit_similarity(src, src * 2 + 5).round(6).tolist()
    [[2.0, -0.0, 5.0], [0.0, 2.0, 5.0], [0.0, 0.0, 1.0]]
    """
    src = np.asarray(src_xy, dtype=np.float64)
    dst = np.asarray(dst_xy, dtype=np.float64)
    s = src[:, 0] + 1j * src[:, 1]
    d = dst[:, 0] + 1j * dst[:, 1]
    s0, d0 = s - s.mean(), d - d.mean()
    a = complex(np.sum(np.conj(s0) * d0) / max(float(np.sum(np.abs(s0) ** 2)), 1e-12))
    b = complex(d.mean() - a * s.mean())
    return np.array([[a.real, -a.imag, b.real], [a.imag, a.real, b.imag], [0.0, 0.0, 1.0]])


def matrix_scale(matrix: Matrix, at_xy: NDArray[np.float64] | None = None) -> float:
    """Follow-up pixels per baseline pixel (the square root of the Jacobian's determinant).

    Parameters
    ----------
    matrix : ndarray of float, shape (3, 3)
        The transform.
    at_xy : ndarray of float, shape (2,), optional
        Where to evaluate it (for a homography); the origin by default.

    Returns
    -------
    float
        The local scale.
    """
    x, y = (0.0, 0.0) if at_xy is None else (float(at_xy[0]), float(at_xy[1]))
    step = 1.0
    a, b, c = apply_matrix(matrix, np.array([[x, y], [x + step, y], [x, y + step]]))
    jacobian = np.column_stack([b - a, c - a]) / step
    return float(np.sqrt(abs(np.linalg.det(jacobian))))


def _features(
    rgb: NDArray[np.uint8], mask: NDArray[np.bool_] | None, detector: cv2.SIFT
) -> tuple[NDArray[np.float64], NDArray[np.float32] | None]:
    """SIFT keypoints (photo pixels) and descriptors on the shrunk, equalised photo."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    factor = min(1.0, FEATURE_SIDE_PX / max(grey.shape))
    size = (max(1, round(grey.shape[1] * factor)), max(1, round(grey.shape[0] * factor)))
    small = cv2.resize(grey, size, interpolation=cv2.INTER_AREA) if factor < 1 else grey
    small = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(small)
    small_mask = None
    if mask is not None:
        small_mask = cv2.resize(mask.astype(np.uint8) * 255, size, interpolation=cv2.INTER_NEAREST)
    keypoints, found = detector.detectAndCompute(small, small_mask)
    descriptors: Any = found  # None when there is no keypoint
    xy = np.array([k.pt for k in keypoints], dtype=np.float64).reshape(-1, 2)
    # keypoint (x, y) of the shrunk photo's pixel centres back to photo pixels
    xy = np.asarray((xy + 0.5) / factor - 0.5, dtype=np.float64)
    return xy, None if descriptors is None else np.asarray(descriptors, dtype=np.float32)


def match_features(
    baseline_rgb: NDArray[np.uint8],
    followup_rgb: NDArray[np.uint8],
    *,
    baseline_mask: NDArray[np.bool_] | None = None,
    followup_mask: NDArray[np.bool_] | None = None,
) -> FeatureFit:
    """Match SIFT features and fit a similarity transform with RANSAC.

    Parameters
    ----------
    baseline_rgb, followup_rgb : ndarray of uint8, shape (rows, cols, 3)
        The two photos.
    baseline_mask, followup_mask : ndarray of bool, optional
        Where to look (see :func:`skin_mask`); everywhere when omitted.

    Returns
    -------
    FeatureFit
        The transform, or ``matrix=None`` when fewer than 3 pairs pass the ratio test or RANSAC
        finds no consensus.
    """
    detector = cv2.SIFT.create(nfeatures=MAX_FEATURES)
    src_all, src_desc = _features(baseline_rgb, baseline_mask, detector)
    dst_all, dst_desc = _features(followup_rgb, followup_mask, detector)
    empty = np.zeros((0, 2))
    if src_desc is None or dst_desc is None or len(src_all) < 2 or len(dst_all) < 2:
        return FeatureFit(None, 0, 0, empty, empty)
    pairs = cv2.BFMatcher(cv2.NORM_L2).knnMatch(src_desc, dst_desc, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO_TEST * p[1].distance]
    if len(good) < 3:
        return FeatureFit(None, len(good), 0, empty, empty)
    src = src_all[[m.queryIdx for m in good]]
    dst = dst_all[[m.trainIdx for m in good]]
    factor = min(1.0, FEATURE_SIDE_PX / max(baseline_rgb.shape[:2]))
    fitted: tuple[Any, Any] = cv2.estimateAffinePartial2D(
        src,
        dst,
        method=cv2.RANSAC,
        ransacReprojThreshold=RANSAC_THRESHOLD_PX / factor,
        maxIters=5000,
        confidence=0.999,
        refineIters=10,
    )
    affine, inlier_flags = fitted  # (None, None) when RANSAC finds no consensus
    if affine is None or inlier_flags is None:
        return FeatureFit(None, len(good), 0, empty, empty)
    keep = inlier_flags.ravel() > 0
    src_in, dst_in = src[keep], dst[keep]
    distinct = min(
        len(np.unique(np.round(src_in), axis=0)), len(np.unique(np.round(dst_in), axis=0))
    )
    matrix = np.vstack([np.asarray(affine, dtype=np.float64), [0.0, 0.0, 1.0]])
    return FeatureFit(matrix, len(good), distinct, src_in, dst_in)
