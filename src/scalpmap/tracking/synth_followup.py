"""Synthetic follow-up photos with a known clearance, for tests and the accuracy benchmark.

A follow-up is made from a baseline photo and its analysis, as if the laser had worked and the
patient had been photographed again:

1. **Laser.** A known share of the removal zone's baseline impressions is erased (healed away
   with :func:`scalpmap.simulation.simulate_after_laser`); another share is faded, i.e. blended
   back towards the healed skin so that its darkness keeps a known factor. Faded impressions
   keep either 0.10-0.35 of their darkness (they count as cleared, below
   :data:`~scalpmap.tracking.clearance.FADED_BELOW`) or 0.70-0.95 (they count as remaining):
   factors close to the threshold are left out, where measurement noise alone decides.
   Optionally a share of the impressions *outside* the removal zone is erased as well (an
   unintended loss).
2. **Camera.** A random similarity about the photo's centre (rotation up to ``max_rotation_deg``,
   scale within ``1 +- max_scale_change``, shift up to ``max_shift_share`` of the size), applied
   with :func:`cv2.warpAffine` (bilinear, border replicated).
3. **Light.** Exposure, gamma, colour temperature, a linear gradient across the frame and a
   smooth field, then blur, sensor noise and JPEG.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.imaging.analysis_result import Analysis
from scalpmap.imaging.synth_render import low_frequency_field
from scalpmap.planning.zones import Zone, Zones
from scalpmap.simulation import simulate_after_laser
from scalpmap.simulation.after_laser import fill_radius_px
from scalpmap.tracking.clearance import FADED_BELOW, in_view
from scalpmap.tracking.features import apply_matrix, sticker_mask

CLEARED_FADE = (0.10, 0.35)
KEPT_FADE = (0.70, 0.95)
KEPT, ERASED, FADED_CLEARED, FADED_KEPT = 0, 1, 2, 3


@dataclass(frozen=True)
class FollowupOptions:
    """How the follow-up differs from the baseline.

    Attributes
    ----------
    seed : int
        Seed of every random choice.
    erase_share, fade_share : float
        Shares of the removal zone's impressions erased, and faded.
    fade_cleared_share : float
        Share of the faded impressions faded below the threshold (cleared).
    outside_loss_share : float
        Share of the impressions outside the removal zone erased by mistake.
    max_rotation_deg, max_scale_change, max_shift_share : float
        Limits of the camera's change.
    lighting : bool
        Change the light.
    """

    seed: int = 0
    erase_share: float = 0.5
    fade_share: float = 0.2
    fade_cleared_share: float = 0.5
    outside_loss_share: float = 0.0
    max_rotation_deg: float = 15.0
    max_scale_change: float = 0.10
    max_shift_share: float = 0.05
    lighting: bool = True


@dataclass(frozen=True)
class FollowupTruth:
    """What was done to the baseline's impressions, and where they went.

    Attributes
    ----------
    matrix : ndarray of float, shape (3, 3)
        Baseline pixels to follow-up pixels.
    status : ndarray of int, shape (N,)
        Per baseline impression: ``KEPT``, ``ERASED``, ``FADED_CLEARED`` or ``FADED_KEPT``.
    fade : ndarray of float, shape (N,)
        Share of its darkness each impression keeps (0 erased, 1 untouched).
    in_removal, in_view : ndarray of bool, shape (N,)
        Inside the removal zone; inside the follow-up's frame.
    """

    matrix: NDArray[np.float64]
    status: NDArray[np.intp]
    fade: NDArray[np.float64]
    in_removal: NDArray[np.bool_]
    in_view: NDArray[np.bool_]

    @property
    def clearance_percent(self) -> float | None:
        """Cleared share of the removal zone's impressions in view (None when there are none)."""
        counted = self.in_removal & self.in_view
        if not counted.any():
            return None
        cleared = np.isin(self.status[counted], (ERASED, FADED_CLEARED))
        return float(cleared.mean() * 100)

    @property
    def outside_lost(self) -> int:
        """Erased impressions outside the removal zone, in view."""
        return int(((self.status == ERASED) & ~self.in_removal & self.in_view).sum())

    @property
    def outside_lost_percent(self) -> float | None:
        """Erased share of the impressions outside the removal zone in view."""
        counted = ~self.in_removal & self.in_view
        return float((self.status[counted] == ERASED).mean() * 100) if counted.any() else None


def _heal(
    rgb: NDArray[np.uint8], analysis: Analysis, chosen: NDArray[np.bool_]
) -> NDArray[np.uint8]:
    """Heal the chosen impressions away (a removal zone of small disks around them)."""
    if not chosen.any():
        return rgb.copy()
    disks = shapely.union_all(shapely.buffer(shapely.points(analysis.impressions.xy[chosen]), 1.0))
    geometry = disks if isinstance(disks, Polygon | MultiPolygon) else Polygon()
    empty = Zone("keep", Polygon(), 0.0, 0)
    zones = Zones(Zone("removal", geometry, 0.0, int(chosen.sum())), empty, empty, None)
    return simulate_after_laser(rgb, analysis, zones)


def _laser(
    rgb: NDArray[np.uint8], analysis: Analysis, status: NDArray[np.intp], fade: NDArray[np.float64]
) -> NDArray[np.uint8]:
    """Erase and fade impressions: faded ones are blended towards their healed skin."""
    erased = _heal(rgb, analysis, status == ERASED)
    faded = (status == FADED_CLEARED) | (status == FADED_KEPT)
    if not faded.any():
        return erased
    healed = _heal(rgb, analysis, status != KEPT).astype(np.float32)
    weight = np.zeros(rgb.shape[:2], np.float32)
    found = analysis.impressions
    radius = fill_radius_px(found.diameter_mm, analysis.scale.mm_per_px) + 1.0
    for i in np.flatnonzero(faded):
        x, y = found.xy[i]
        one = np.zeros_like(weight)
        cv2.circle(one, (round(x * 16), round(y * 16)), round(radius[i] * 16), 1.0, -1, 16, 4)
        np.maximum(weight, cv2.GaussianBlur(one, (0, 0), 0.7) * (1 - fade[i]), out=weight)
    base = erased.astype(np.float32)
    out = np.asarray(base + weight[..., None] * (healed - base), dtype=np.float32)
    return np.asarray(np.clip(out + 0.5, 0, 255), dtype=np.uint8)


def _relight(photo: NDArray[np.uint8], rng: np.random.Generator) -> NDArray[np.uint8]:
    """Another exposure, gamma, colour temperature, gradient and camera; then JPEG."""
    rows, cols = photo.shape[:2]
    image = photo.astype(np.float32) / 255.0
    image = image ** np.float32(rng.uniform(0.85, 1.2))
    warm = rng.uniform(-0.08, 0.08)
    image *= np.array([1 + warm, 1.0, 1 - warm], np.float32) * np.float32(rng.uniform(0.85, 1.12))
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[-1 : 1 : rows * 1j, -1 : 1 : cols * 1j].astype(np.float32)
    ramp = np.cos(angle) * xx + np.sin(angle) * yy
    light = 1 + rng.uniform(0.05, 0.2) * ramp + 0.04 * low_frequency_field((rows, cols), 300, rng)
    image *= light[..., None]
    image = np.asarray(cv2.GaussianBlur(image, (0, 0), float(rng.uniform(0.3, 0.9))), np.float32)
    image += rng.standard_normal(image.shape, dtype=np.float32) * np.float32(
        rng.uniform(0.003, 0.01)
    )
    out = np.clip(image * 255 + 0.5, 0, 255).astype(np.uint8)
    quality = int(rng.integers(85, 96))
    ok, encoded = cv2.imencode(".jpg", out[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    decoded = np.asarray(cv2.imdecode(encoded, cv2.IMREAD_COLOR), dtype=np.uint8)
    return np.ascontiguousarray(decoded[..., ::-1])


def make_followup(
    rgb: NDArray[np.uint8],
    analysis: Analysis,
    removal: Polygon | MultiPolygon,
    options: FollowupOptions,
) -> tuple[NDArray[np.uint8], FollowupTruth]:
    """Make a follow-up photo of the baseline with a known clearance (see the module docstring).

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The baseline photo.
    analysis : Analysis
        Its analysis; its impressions are the ones erased, faded or kept.
    removal : Polygon or MultiPolygon
        The removal zone, baseline pixels.
    options : FollowupOptions
        What to change.

    Returns
    -------
    photo : ndarray of uint8, shape (rows, cols, 3)
        The follow-up.
    truth : FollowupTruth
        What happened to each baseline impression.
    """
    rng = np.random.default_rng([options.seed, 51])
    xy = analysis.impressions.xy
    count = len(xy)
    in_removal = np.asarray(shapely.contains_xy(removal, xy[:, 0], xy[:, 1]), dtype=bool)
    status = np.full(count, KEPT, np.intp)
    fade = np.ones(count)
    order = rng.permutation(np.flatnonzero(in_removal))
    n_erase = round(options.erase_share * len(order))
    n_fade = round(options.fade_share * len(order))
    status[order[:n_erase]] = ERASED
    faded = order[n_erase : n_erase + n_fade]
    below = rng.uniform(size=len(faded)) < options.fade_cleared_share
    status[faded] = np.where(below, FADED_CLEARED, FADED_KEPT)
    fade[faded] = np.where(
        below, rng.uniform(*CLEARED_FADE, len(faded)), rng.uniform(*KEPT_FADE, len(faded))
    )
    outside = rng.permutation(np.flatnonzero(~in_removal))
    status[outside[: round(options.outside_loss_share * len(outside))]] = ERASED
    fade[status == ERASED] = 0.0
    assert CLEARED_FADE[1] < FADED_BELOW < KEPT_FADE[0]
    lasered = _laser(rgb, analysis, status, fade)
    rows, cols = rgb.shape[:2]
    angle = rng.uniform(-1, 1) * options.max_rotation_deg
    zoom = 1 + rng.uniform(-1, 1) * options.max_scale_change
    affine = cv2.getRotationMatrix2D(((cols - 1) / 2, (rows - 1) / 2), angle, zoom)
    affine[:, 2] += rng.uniform(-1, 1, 2) * options.max_shift_share * np.array([cols, rows])
    moved = np.asarray(
        cv2.warpAffine(
            lasered, affine, (cols, rows), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        ),
        dtype=np.uint8,
    )
    photo = _relight(moved, rng) if options.lighting else moved
    matrix = np.vstack([affine, [0.0, 0.0, 1.0]])
    sticker = apply_matrix(matrix, analysis.scale.marker_corners_xy)
    mask = sticker_mask((rows, cols), sticker)
    visible = in_view(apply_matrix(matrix, xy), (rows, cols), mask, analysis.scale.mm_per_px / zoom)
    truth = FollowupTruth(matrix, status, fade, in_removal, visible)
    return photo, truth
