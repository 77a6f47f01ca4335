"""Draw an analysis over its photo: density heatmap, impressions, region outline, hairline."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.analysis import Analysis

REGION_BGR = (255, 200, 0)
HAIRLINE_BGR = (0, 0, 255)
IMPRESSION_BGR = (0, 255, 0)
MARKER_BGR = (255, 0, 255)
HEATMAP_ALPHA = 0.35
MAX_OVERLAY_SIDE = 4000


def _polyline(points: NDArray[np.float64], scale: float) -> NDArray[np.int32]:
    """Photo pixels to OpenCV's fixed-point (4 fractional bits) drawing coordinates."""
    return np.round(points * scale * 16).astype(np.int32).reshape(-1, 1, 2)


def render_overlay(rgb: NDArray[np.uint8], analysis: Analysis) -> NDArray[np.uint8]:
    """Draw the analysis over the photo.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The analysed photo.
    analysis : Analysis
        Its analysis.

    Returns
    -------
    ndarray of uint8, shape (r, c, 3)
        RGB picture, downscaled so that its long side is at most ``MAX_OVERLAY_SIDE``. The density
        (or coverage) heatmap is shaded over the analysed area, each impression is circled in
        green, the region outlined in cyan and the hairline drawn in red.
    """
    rows, cols = rgb.shape[:2]
    scale = min(1.0, MAX_OVERLAY_SIDE / max(rows, cols))
    size = (max(1, round(cols * scale)), max(1, round(rows * scale)))
    bgr = cv2.cvtColor(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2BGR)
    density = analysis.density.per_cm2
    finite = np.isfinite(density)
    if finite.any() and analysis.mode == "impressions":
        top = max(float(np.nanpercentile(density, 98)), 1e-9)
        levels = np.clip(np.nan_to_num(density) / top * 255, 0, 255).astype(np.uint8)
        cells = int(round(analysis.density.cell_px * scale))
        heat = cv2.applyColorMap(levels, cv2.COLORMAP_INFERNO)
        heat = cv2.resize(
            heat,
            (levels.shape[1] * cells, levels.shape[0] * cells),
            interpolation=cv2.INTER_NEAREST,
        )
        alpha = (
            cv2.resize(
                finite.astype(np.float32), heat.shape[1::-1], interpolation=cv2.INTER_NEAREST
            )
            * HEATMAP_ALPHA
        )
        h, w = min(heat.shape[0], bgr.shape[0]), min(heat.shape[1], bgr.shape[1])
        blend = bgr[:h, :w].astype(np.float32) * (1 - alpha[:h, :w, None])
        blend += heat[:h, :w].astype(np.float32) * alpha[:h, :w, None]
        bgr[:h, :w] = blend.astype(np.uint8)
    thickness = max(1, round(max(size) / 800))
    radius_px = analysis.impressions.diameter_mm / 2 / analysis.scale.mm_per_px * scale
    for (x, y), r in zip(analysis.impressions.xy * scale * 16, radius_px, strict=True):
        cv2.circle(
            bgr,
            (round(x), round(y)),
            round(max(r + 2, 3) * 16),
            IMPRESSION_BGR,
            thickness,
            cv2.LINE_AA,
            4,
        )
    for part in getattr(analysis.region, "geoms", [analysis.region]):
        if part.is_empty:
            continue
        rings = [part.exterior, *part.interiors]
        for ring in rings:
            cv2.polylines(
                bgr,
                [_polyline(np.asarray(ring.coords), scale)],
                True,
                REGION_BGR,
                thickness + 1,
                cv2.LINE_AA,
                4,
            )
    if len(analysis.hairline_xy) >= 2:
        cv2.polylines(
            bgr,
            [_polyline(analysis.hairline_xy, scale)],
            False,
            HAIRLINE_BGR,
            2 * thickness + 1,
            cv2.LINE_AA,
            4,
        )
    if len(analysis.scale.marker_corners_xy) == 4:
        cv2.polylines(
            bgr,
            [_polyline(analysis.scale.marker_corners_xy, scale)],
            True,
            MARKER_BGR,
            thickness + 1,
            cv2.LINE_AA,
            4,
        )
    return np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
