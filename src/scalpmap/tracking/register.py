"""Register a follow-up photo to the baseline photo of the same view.

1. **Features.** SIFT features of the skin are matched and a similarity transform (shift,
   rotation, uniform scale) is fitted with RANSAC (:mod:`scalpmap.tracking.features`). Fewer
   than ``MIN_INLIERS`` agreeing features, a scale outside ``SCALE_RANGE`` or less than
   ``MIN_OVERLAP`` of the baseline's skin inside the follow-up's frame: not registered (another
   view, another person, or too blurred to match).
2. **Scale of the follow-up.** Given (``--mm-per-px``), else its own printed marker, else the
   baseline's scale divided by the registration's scale (``source="registration"``). It only
   sets the size of the impressions the follow-up's detector looks for: every distance this
   package reports is in baseline millimetres, measured in the baseline's pixels.
3. **Sharpness.** Fine detail (a band of 0.03-0.1 mm) against coarser detail (0.1-0.4 mm),
   around the matched features, on both photos. Below ``MIN_SHARPNESS`` of the baseline's,
   faint or small impressions could no longer be seen: not registered (too blurred).
4. **Constellation refinement.** The follow-up's impressions are detected and paired with the
   baseline's through the transform (within ``PAIR_TOLERANCE_MM``, then within three times the
   residual); the similarity is refitted on the pairs, three rounds. With at least
   ``HOMOGRAPHY_MIN_PAIRS`` pairs a homography is also fitted and kept when it lowers the
   residual by a quarter (a change of viewpoint on the curved scalp).
5. **Residual.** The RMS distance of the pairs, mapped back to the baseline, in mm. With fewer
   than ``MIN_PAIRS`` pairs (e.g. every impression of a total removal is gone) it is taken from
   the matched features. Above ``MAX_RESIDUAL_MM``: not registered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.detect import Impressions, detect_impressions
from scalpmap.imaging.matching import match_points
from scalpmap.imaging.validate import check_mm_per_px, check_rgb
from scalpmap.tracking.features import (
    MIN_INLIERS,
    FeatureFit,
    Matrix,
    apply_matrix,
    fit_similarity,
    match_features,
    matrix_scale,
    skin_mask,
    sticker_mask,
)
from scalpmap.tracking.sharpness import MIN_SHARPNESS, NOT_THE_SAME, detail_ratio, why_no_features

ScaleSource = Literal["given", "marker", "registration"]
SCALE_RANGE = (1 / 3, 3.0)
MIN_OVERLAP = 0.2
PAIR_TOLERANCE_MM = 0.15
MIN_PAIRS = 12
HOMOGRAPHY_MIN_PAIRS = 40
HOMOGRAPHY_GAIN = 0.75
MAX_RESIDUAL_MM = 0.15


@dataclass(frozen=True)
class Registration:
    """A follow-up photo registered to its baseline (see the module's docstring).

    Attributes
    ----------
    ok : bool
        Whether the follow-up was registered; nothing may be measured on it otherwise.
    reason : str
        What was found, or why it failed, in words.
    matrix : ndarray of float, shape (3, 3) or None
        Baseline pixels to follow-up pixels; None when no transform was found.
    model : {"similarity", "homography"}
        The kind of transform.
    feature_matches, feature_inliers : int
        Feature pairs that passed the ratio test, and those that agree with the transform.
    impression_pairs : int
        Baseline impressions paired with a follow-up impression in the refinement.
    residual_mm : float or None
        RMS distance of the pairs, in baseline mm.
    residual_source : {"impressions", "features"} or None
        What the residual was measured on.
    sharpness_ratio : float or None
        The follow-up's fine detail relative to the baseline's.
    followup_mm_per_px : float or None
        The follow-up's scale, and ``followup_scale_source`` where it came from.
    followup_scale_source : {"given", "marker", "registration"} or None
        Where the follow-up's scale came from.
    followup_impressions : Impressions
        Impressions detected on the follow-up (empty when not registered).
    followup_mask : ndarray of bool
        Where the follow-up can be judged: everywhere but on its printed sticker.
    """

    ok: bool
    reason: str
    matrix: Matrix | None
    model: Literal["similarity", "homography"] = "similarity"
    feature_matches: int = 0
    feature_inliers: int = 0
    impression_pairs: int = 0
    residual_mm: float | None = None
    residual_source: Literal["impressions", "features"] | None = None
    sharpness_ratio: float | None = None
    followup_mm_per_px: float | None = None
    followup_scale_source: ScaleSource | None = None
    followup_impressions: Impressions = field(default_factory=Impressions.empty)
    followup_mask: NDArray[np.bool_] = field(default_factory=lambda: np.zeros((0, 0), bool))

    @property
    def scale(self) -> float | None:
        """Follow-up pixels per baseline pixel, at the baseline's origin."""
        return None if self.matrix is None else matrix_scale(self.matrix)

    @property
    def rotation_deg(self) -> float | None:
        """Rotation from baseline to follow-up, degrees, counter-clockwise on screen."""
        if self.matrix is None:
            return None
        return float(np.degrees(np.arctan2(-self.matrix[1, 0], self.matrix[0, 0])))


def _overlap(matrix: Matrix, mask: NDArray[np.bool_], shape: tuple[int, int]) -> float:
    """Share of the baseline's skin (a grid sample) that lands inside the follow-up's frame."""
    step = max(1, round(max(mask.shape) / 200))
    rows, cols = np.nonzero(mask[::step, ::step])
    if len(rows) == 0:
        return 0.0
    mapped = apply_matrix(matrix, np.column_stack([cols * step, rows * step]).astype(np.float64))
    inside = (mapped[:, 0] >= 0) & (mapped[:, 0] <= shape[1] - 1)
    inside &= (mapped[:, 1] >= 0) & (mapped[:, 1] <= shape[0] - 1)
    return float(inside.mean())


def _failed(
    reason: str,
    fit: FeatureFit,
    followup_mask: NDArray[np.bool_],
    sharpness: float | None = None,
    followup_mm_per_px: float | None = None,
    source: ScaleSource | None = None,
) -> Registration:
    """Return a failed registration, with what was found before it failed."""
    return Registration(
        False,
        reason,
        fit.matrix,
        feature_matches=fit.matches,
        feature_inliers=fit.inliers,
        sharpness_ratio=sharpness,
        followup_mm_per_px=followup_mm_per_px,
        followup_scale_source=source,
        followup_mask=followup_mask,
    )


def _refine(
    matrix: Matrix, base_xy: NDArray[np.float64], follow_xy: NDArray[np.float64], tol_px: float
) -> tuple[Matrix, NDArray[np.intp], Literal["similarity", "homography"]]:
    """Refit the transform on paired impressions; return it, the pairs and the model."""
    pairs = np.zeros((0, 2), np.intp)
    tolerance = tol_px
    for _ in range(3):
        found = match_points(apply_matrix(matrix, base_xy), follow_xy, tolerance=tolerance)
        if len(found.pairs) < MIN_PAIRS:
            break
        pairs = found.pairs
        matrix = fit_similarity(base_xy[pairs[:, 0]], follow_xy[pairs[:, 1]])
        rms = float(np.sqrt(np.mean(found.distances**2)))
        tolerance = float(np.clip(3 * rms, 0.3 * tol_px, tol_px))
    if len(pairs) < HOMOGRAPHY_MIN_PAIRS:
        return matrix, pairs, "similarity"
    src, dst = base_xy[pairs[:, 0]], follow_xy[pairs[:, 1]]
    fitted: tuple[Any, Any] = cv2.findHomography(src, dst, 0)
    if fitted[0] is None:  # degenerate pairs
        return matrix, pairs, "similarity"
    h = np.asarray(fitted[0], dtype=np.float64)
    similar = np.linalg.norm(apply_matrix(matrix, src) - dst, axis=1)
    general = np.linalg.norm(apply_matrix(h, src) - dst, axis=1)
    if np.sqrt(np.mean(general**2)) < HOMOGRAPHY_GAIN * np.sqrt(np.mean(similar**2)):
        return h, pairs, "homography"
    return matrix, pairs, "similarity"


def _residual_mm(
    matrix: Matrix, src: NDArray[np.float64], dst: NDArray[np.float64], mm_per_px: float
) -> float:
    """RMS distance, in baseline mm, between baseline points and follow-up points mapped back."""
    back = apply_matrix(np.asarray(np.linalg.inv(matrix), dtype=np.float64), dst)
    return float(np.sqrt(np.mean(np.sum((back - src) ** 2, axis=1)))) * mm_per_px


def register_photos(
    baseline_rgb: NDArray[np.uint8],
    followup_rgb: NDArray[np.uint8],
    *,
    baseline_mm_per_px: float,
    baseline_xy: NDArray[np.float64],
    baseline_marker_xy: NDArray[np.float64] | None = None,
    followup_marker_xy: NDArray[np.float64] | None = None,
    followup_mm_per_px: float | None = None,
    followup_scale_source: Literal["given", "marker"] = "given",
) -> Registration:
    """Register a follow-up photo to its baseline (steps in the module's docstring).

    Parameters
    ----------
    baseline_rgb, followup_rgb : ndarray of uint8, shape (rows, cols, 3)
        The baseline photo (the plan's) and the follow-up of the same view.
    baseline_mm_per_px : float
        The baseline's scale.
    baseline_xy : ndarray of float, shape (N, 2)
        The baseline's impressions, pixels.
    baseline_marker_xy, followup_marker_xy : ndarray of float, shape (4, 2), optional
        The printed marker's corners on each photo: left out, since it moves between visits.
    followup_mm_per_px : float, optional
        The follow-up's scale when known (given, or from its marker); else derived.
    followup_scale_source : {"given", "marker"}, optional
        Where ``followup_mm_per_px`` came from.

    Returns
    -------
    Registration
        The registration; ``ok`` is False with the reason in words when it failed.

    Raises
    ------
    InputError
        When a photo is not an RGB array.
    """
    check_rgb(baseline_rgb)
    check_rgb(followup_rgb)
    check_mm_per_px(baseline_mm_per_px)
    base_xy = np.asarray(baseline_xy, dtype=np.float64).reshape(-1, 2)
    no_marker = np.zeros((0, 2))
    base_marker = no_marker if baseline_marker_xy is None else baseline_marker_xy
    follow_marker = no_marker if followup_marker_xy is None else followup_marker_xy
    base_mask = skin_mask(baseline_rgb, base_marker)
    follow_mask = sticker_mask(followup_rgb.shape[:2], follow_marker)
    fit: FeatureFit = match_features(
        baseline_rgb,
        followup_rgb,
        baseline_mask=base_mask,
        followup_mask=skin_mask(followup_rgb, follow_marker),
    )
    if fit.matrix is None or fit.inliers < MIN_INLIERS:
        reason = why_no_features(
            baseline_rgb, followup_rgb, baseline_mm_per_px, followup_mm_per_px, fit.inliers
        )
        return _failed(reason, fit, follow_mask)
    scale = matrix_scale(fit.matrix)
    if not SCALE_RANGE[0] <= scale <= SCALE_RANGE[1]:
        reason = f"not registered: the features suggest an implausible zoom of {scale:.2f}x"
        return _failed(f"{reason}; {NOT_THE_SAME}", fit, follow_mask)
    overlap = _overlap(fit.matrix, base_mask, followup_rgb.shape[:2])
    if overlap < MIN_OVERLAP:
        reason = (
            f"not registered: only {overlap:.0%} of the baseline's skin is in the follow-up "
            f"(at least {MIN_OVERLAP:.0%} needed); photograph the same view"
        )
        return _failed(reason, fit, follow_mask)
    source: ScaleSource = followup_scale_source
    if followup_mm_per_px is None:
        followup_mm_per_px, source = baseline_mm_per_px / scale, "registration"
    check_mm_per_px(followup_mm_per_px)
    sharpness = detail_ratio(followup_rgb, followup_mm_per_px, fit.dst_xy) / max(
        detail_ratio(baseline_rgb, baseline_mm_per_px, fit.src_xy), 1e-6
    )
    if sharpness < MIN_SHARPNESS:
        reason = (
            f"not registered: the follow-up is too blurred ({sharpness:.0%} of the baseline's "
            f"fine detail, at least {MIN_SHARPNESS:.0%} needed); retake it in focus"
        )
        return _failed(reason, fit, follow_mask, sharpness, followup_mm_per_px, source)
    found = detect_impressions(followup_rgb, mm_per_px=followup_mm_per_px, mask=follow_mask)
    matrix, pairs, model = _refine(
        fit.matrix, base_xy, found.xy, PAIR_TOLERANCE_MM / followup_mm_per_px
    )
    what: Literal["impressions", "features"] = "impressions"
    if len(pairs) >= MIN_PAIRS:
        src, dst = base_xy[pairs[:, 0]], found.xy[pairs[:, 1]]
    else:
        matrix, src, dst, what = fit.matrix, fit.src_xy, fit.dst_xy, "features"
    residual = _residual_mm(matrix, src, dst, baseline_mm_per_px)
    ok = residual <= MAX_RESIDUAL_MM
    reason = (
        f"registered on {fit.inliers} features and {len(pairs)} impressions ({model}); "
        f"residual {residual:.3f} mm"
        if ok
        else f"not registered: the photos do not line up (residual {residual:.2f} mm, at most "
        f"{MAX_RESIDUAL_MM} mm allowed); {NOT_THE_SAME}"
    )
    return Registration(
        ok,
        reason,
        matrix,
        model=model,
        feature_matches=fit.matches,
        feature_inliers=fit.inliers,
        impression_pairs=len(pairs),
        residual_mm=residual,
        residual_source=what,
        sharpness_ratio=sharpness,
        followup_mm_per_px=followup_mm_per_px,
        followup_scale_source=source,
        followup_impressions=found,
        followup_mask=follow_mask,
    )
