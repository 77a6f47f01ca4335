"""Compare a registered follow-up with its baseline, impression by impression.

Every baseline impression is mapped into the follow-up through the registration. It is **in
view** when it lands inside the follow-up's frame (``EDGE_MARGIN_MM`` from its edge) and not
on its printed sticker; impressions out of view are counted apart and never judged.

Its **darkness** is measured on both photos the same way: the relative contrast against the
local skin (:func:`scalpmap.imaging.skin.relative_contrast`, smoothed at the scale of the
smallest impression), averaged over the impression's disk (its baseline diameter, at least 1
px). On the follow-up the contrast is first warped into the baseline's pixels through the
registration, so both disks cover the same skin; averaging over the disk rather than taking its
peak lessens the weight of a hair that crosses it. The ratio after / before is divided by
the **lighting factor**: the median ratio of the impressions *outside* the removal zone, which
the laser did not touch, so that a change of light, exposure or focus between the visits cancels
out (1 when fewer than ``MIN_CONTROL`` such impressions are in view).

An impression is **cleared** when its corrected ratio is below ``FADED_BELOW``: it is *gone*
when no impression was detected on the follow-up within ``MATCH_TOLERANCE_MM`` of it, else
*faded*. A present impression that the detector missed (e.g. beside a hair) still counts as
present, because its darkness is measured where it should be.

- **Clearance** = cleared / in-view impressions of the removal zone, in percent.
- **Outside the removal zone** the same rule gives the *lost* impressions; more than
  ``OUTSIDE_FLAG_PERCENT`` (and at least ``OUTSIDE_FLAG_MIN``) is flagged as unintended loss.
- **Control.** When at least ``MIN_CONTROL`` impressions outside the zone are in view and more
  than ``MAX_CONTROL_LOSS_PERCENT`` of them are lost, the photos do not show the same
  impressions (another person or view, or too blurred): nothing is measured, since that much
  unintended loss cannot be told apart from a failed registration.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.ndimage import map_coordinates
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.imaging.matching import match_points
from scalpmap.imaging.skin import estimate_local_skin, luminance, relative_contrast
from scalpmap.tracking.features import apply_matrix
from scalpmap.tracking.register import Registration

FADED_BELOW = 0.5
MATCH_TOLERANCE_MM = 0.15
EDGE_MARGIN_MM = 0.3
CONTRAST_SMOOTH_MM = 0.035
MIN_CONTROL = 10
MAX_CONTROL_LOSS_PERCENT = 50.0
OUTSIDE_FLAG_PERCENT = 2.0
OUTSIDE_FLAG_MIN = 3


@dataclass(frozen=True)
class ImpressionChanges:
    """What happened to each baseline impression; row ``i`` describes impression ``i``.

    Attributes
    ----------
    xy : ndarray of float, shape (N, 2)
        Baseline pixels.
    followup_xy : ndarray of float, shape (N, 2)
        Where they land on the follow-up.
    in_removal, in_view : ndarray of bool, shape (N,)
        Inside the removal zone; judged (see the module's docstring).
    detected : ndarray of bool, shape (N,)
        A follow-up impression was detected within ``MATCH_TOLERANCE_MM``.
    ratio : ndarray of float, shape (N,)
        Follow-up darkness over baseline darkness, over the lighting factor (0 out of view).
    lighting_factor : float
        The median ratio outside the removal zone (1 when too few).
    """

    xy: NDArray[np.float64]
    followup_xy: NDArray[np.float64]
    in_removal: NDArray[np.bool_]
    in_view: NDArray[np.bool_]
    detected: NDArray[np.bool_]
    ratio: NDArray[np.float64]
    lighting_factor: float

    @property
    def cleared(self) -> NDArray[np.bool_]:
        """In view and darkness below ``FADED_BELOW`` of the baseline's."""
        return np.asarray(self.in_view & (self.ratio < FADED_BELOW), dtype=bool)


def in_view(
    followup_xy: NDArray[np.float64],
    shape: tuple[int, int],
    mask: NDArray[np.bool_] | None,
    mm_per_px: float,
) -> NDArray[np.bool_]:
    """Which mapped points can be judged on the follow-up.

    Parameters
    ----------
    followup_xy : ndarray of float, shape (N, 2)
        Points on the follow-up, pixels.
    shape : tuple of int
        The follow-up's ``(rows, cols)``.
    mask : ndarray of bool, optional
        Where the follow-up can be judged (not on its printed sticker).
    mm_per_px : float
        The follow-up's scale.

    Returns
    -------
    ndarray of bool, shape (N,)
        At least ``EDGE_MARGIN_MM`` inside the frame, and inside the mask.

    Examples
    --------
    >>> in_view(np.array([[5.0, 50], [50, 50]]), (100, 100), None, 0.03).tolist()
    [False, True]
    """
    xy = np.asarray(followup_xy, dtype=np.float64).reshape(-1, 2)
    margin = EDGE_MARGIN_MM / mm_per_px
    rows, cols = shape
    inside = (xy[:, 0] >= margin) & (xy[:, 0] <= cols - 1 - margin)
    inside &= (xy[:, 1] >= margin) & (xy[:, 1] <= rows - 1 - margin)
    if mask is not None and inside.any():
        col = np.clip(np.round(xy[inside, 0]).astype(int), 0, cols - 1)
        row = np.clip(np.round(xy[inside, 1]).astype(int), 0, rows - 1)
        inside[inside] = mask[row, col]
    return np.asarray(inside, dtype=bool)


def contrast_map(rgb: NDArray[np.uint8], *, mm_per_px: float) -> NDArray[np.float32]:
    """How much darker than the local skin each pixel is, smoothed at the impressions' scale.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    mm_per_px : float
        Scale.

    Returns
    -------
    ndarray of float32, shape (rows, cols)
        Relative contrast: about 0 on bare skin, up to 1 on black ink.
    """
    skin = estimate_local_skin(rgb, mm_per_px=mm_per_px)
    smooth = max(0.8, CONTRAST_SMOOTH_MM / mm_per_px)
    return relative_contrast(luminance(rgb), skin, smooth_px=smooth)


def disk_mean(
    values: NDArray[np.float32], xy: NDArray[np.float64], radius_px: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Mean of an image over disks (sampled on the centre and two rings of 8 points).

    Parameters
    ----------
    values : ndarray of float32, shape (rows, cols)
        The image.
    xy : ndarray of float, shape (N, 2)
        Disk centres, pixels.
    radius_px : ndarray of float, shape (N,)
        Disk radii.

    Returns
    -------
    ndarray of float, shape (N,)
        The means (bilinear samples; outside the image the nearest edge).

    Examples
    --------
    >>> image = np.zeros((20, 20), np.float32)
    >>> image[8:13, 8:13] = 1.0
    >>> disk_mean(image, np.array([[10.0, 10], [3, 3]]), np.array([2.0, 2.0])).tolist()
    [1.0, 0.0]
    """
    points = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    if len(points) == 0:
        return np.zeros(0)
    angles = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    unit = np.vstack([[0.0, 0.0], *(f * np.column_stack([np.cos(angles), np.sin(angles)])
                                     for f in (0.5, 1.0))])  # fmt: skip
    weights = np.r_[2.0, np.full(8, 1.0), np.full(8, 0.5)]  # about equal area per sample
    where = points[:, None, :] + unit[None] * np.asarray(radius_px, dtype=np.float64)[:, None, None]
    sampled = map_coordinates(
        values, [where[..., 1].ravel(), where[..., 0].ravel()], order=1, mode="nearest"
    ).reshape(len(points), len(unit))
    return np.asarray(sampled @ weights / weights.sum(), dtype=np.float64)


def inside_zone(zone: Polygon | MultiPolygon, xy: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Which points lie inside a zone (all False for an empty zone).

    Parameters
    ----------
    zone : Polygon or MultiPolygon
        The zone, pixels.
    xy : ndarray of float, shape (N, 2)
        Points.

    Returns
    -------
    ndarray of bool, shape (N,)
        Inside.
    """
    points = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    if zone.is_empty or len(points) == 0:
        return np.zeros(len(points), dtype=bool)
    return np.asarray(shapely.contains_xy(zone, points[:, 0], points[:, 1]), dtype=bool)


def compare_impressions(
    baseline_rgb: NDArray[np.uint8],
    followup_rgb: NDArray[np.uint8],
    baseline_xy: NDArray[np.float64],
    diameter_mm: NDArray[np.float64],
    *,
    baseline_mm_per_px: float,
    registration: Registration,
    removal: Polygon | MultiPolygon,
) -> ImpressionChanges:
    """Judge every baseline impression on a registered follow-up (rules in the module docstring).

    Parameters
    ----------
    baseline_rgb, followup_rgb : ndarray of uint8, shape (rows, cols, 3)
        The two photos.
    baseline_xy : ndarray of float, shape (N, 2)
        The baseline's impressions.
    diameter_mm : ndarray of float, shape (N,)
        Their diameters.
    baseline_mm_per_px : float
        The baseline's scale.
    registration : Registration
        A successful registration of the follow-up.
    removal : Polygon or MultiPolygon
        The plan's removal zone, baseline pixels.

    Returns
    -------
    ImpressionChanges
        Per impression.

    Raises
    ------
    ValueError
        When the registration failed.
    """
    if not registration.ok or registration.matrix is None:
        raise ValueError("compare_impressions needs a successful registration")
    assert registration.followup_mm_per_px is not None
    follow_mm = registration.followup_mm_per_px
    xy = np.asarray(baseline_xy, dtype=np.float64).reshape(-1, 2)
    mapped = apply_matrix(registration.matrix, xy)
    visible = in_view(mapped, followup_rgb.shape[:2], registration.followup_mask, follow_mm)
    tolerance = MATCH_TOLERANCE_MM / follow_mm
    pairs = match_points(mapped, registration.followup_impressions.xy, tolerance=tolerance).pairs
    detected = np.zeros(len(xy), dtype=bool)
    detected[pairs[:, 0]] = True
    radius = np.maximum(1.0, diameter_mm / 2 / baseline_mm_per_px)
    before = disk_mean(contrast_map(baseline_rgb, mm_per_px=baseline_mm_per_px), xy, radius)
    follow = contrast_map(followup_rgb, mm_per_px=follow_mm)
    rows, cols = baseline_rgb.shape[:2]
    back = cv2.warpPerspective(  # the follow-up's contrast in baseline pixels
        follow, registration.matrix, (cols, rows), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    )
    after = disk_mean(np.asarray(back, dtype=np.float32), xy, radius)
    raw = np.where(visible, after / np.maximum(before, 0.02), 0.0)
    in_removal = inside_zone(removal, xy)
    control = visible & ~in_removal
    factor = float(np.median(raw[control])) if control.sum() >= MIN_CONTROL else 1.0
    factor = float(np.clip(factor, 0.2, 5.0))
    return ImpressionChanges(xy, mapped, in_removal, visible, detected, raw / factor, factor)


def control_problem(changes: ImpressionChanges) -> str | None:
    """Say why the follow-up cannot be compared, from the impressions outside the removal zone.

    Parameters
    ----------
    changes : ImpressionChanges
        The comparison.

    Returns
    -------
    str or None
        The reason, or None when the control impressions were found again.
    """
    control = changes.in_view & ~changes.in_removal
    if control.sum() < MIN_CONTROL:
        return None
    lost = float(changes.cleared[control].mean() * 100)
    if lost <= MAX_CONTROL_LOSS_PERCENT:
        return None
    return (
        f"not registered: {lost:.0f}% of the {int(control.sum())} impressions outside the "
        "removal zone are not found again; the follow-up looks like another view or another "
        "person, or is too blurred"
    )
