"""Draw an analysis over its photo: density heatmap, impressions, region outline, hairline."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.analysis_result import Analysis
from scalpmap.imaging.overlay_head import area_mask, draw_excluded, draw_landmarks

REGION_BGR = (255, 200, 0)
HAIRLINE_BGR = (0, 0, 255)
IMPRESSION_BGR = (0, 255, 0)
MARKER_BGR = (255, 0, 255)
HEATMAP_ALPHA = 0.45
MAX_OVERLAY_SIDE = 4000
BLEND_ROWS = 256


def _polyline(points: NDArray[np.float64], scale: float) -> NDArray[np.int32]:
    """Photo pixels to OpenCV's fixed-point (4 fractional bits) drawing coordinates."""
    return np.round(points * scale * 16).astype(np.int32).reshape(-1, 1, 2)


def _shade(
    bgr: NDArray[np.uint8],
    grid: NDArray[np.float64],
    cell_px: float,
    interpolation: int,
    inside: NDArray[np.bool_] | None = None,
) -> None:
    """Blend a heatmap of ``grid`` (cells of ``cell_px`` overlay pixels) into ``bgr``, in place.

    Only within ``inside`` (a mask the size of ``bgr``) when it is given.
    """
    finite = np.isfinite(grid)
    if not finite.any():
        return
    top = max(float(np.nanpercentile(grid, 98)), 1e-9)
    # Only the window of cells with a value is drawn (a whole head fills a part of the photo).
    rows_with, cols_with = np.flatnonzero(finite.any(axis=1)), np.flatnonzero(finite.any(axis=0))
    i0, i1, j0, j1 = rows_with[0], rows_with[-1] + 1, cols_with[0], cols_with[-1] + 1
    y0, x0 = round(i0 * cell_px), round(j0 * cell_px)
    y1, x1 = min(round(i1 * cell_px), bgr.shape[0]), min(round(j1 * cell_px), bgr.shape[1])
    if y1 <= y0 or x1 <= x0:
        return
    sub, sub_finite = grid[i0:i1, j0:j1], finite[i0:i1, j0:j1]
    levels = np.clip(np.nan_to_num(sub, nan=0.0) / top * 255, 0, 255).astype(np.uint8)
    size = (round((j1 - j0) * cell_px), round((i1 - i0) * cell_px))
    heat = cv2.resize(
        cv2.applyColorMap(levels, cv2.COLORMAP_INFERNO), size, interpolation=interpolation
    )
    # Bare skin stays clear: the shading grows with the value.
    weight = sub_finite * np.sqrt(levels.astype(np.float32) / 255.0)
    alpha = cv2.resize(weight.astype(np.float32), size, interpolation=interpolation)
    h, w = min(size[1], y1 - y0), min(size[0], x1 - x0)
    if inside is not None:
        alpha[:h, :w] *= inside[y0 : y0 + h, x0 : x0 + w]
    # In bands of rows: the float copies of a whole 12 MP picture took 0.5 GB. OpenCV's
    # per-pixel blend is 3x quicker than numpy's float arithmetic (and rounds).
    for band in range(0, h, BLEND_ROWS):
        rows = slice(band, min(band + BLEND_ROWS, h))
        photo = bgr[y0 + rows.start : y0 + rows.stop, x0 : x0 + w]
        a = np.ascontiguousarray(alpha[rows, :w]) * np.float32(HEATMAP_ALPHA)
        photo[...] = cv2.blendLinear(photo, np.ascontiguousarray(heat[rows, :w]), 1 - a, a)


def render_overlay(
    rgb: NDArray[np.uint8], analysis: Analysis, *, max_side: int = MAX_OVERLAY_SIDE
) -> NDArray[np.uint8]:
    """Draw the analysis over the photo.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The analysed photo.
    analysis : Analysis
        Its analysis.
    max_side : int, optional
        Longest side of the picture, in pixels (the web app shows a smaller one).

    Returns
    -------
    ndarray of uint8, shape (r, c, 3)
        RGB picture, downscaled so that its long side is at most ``max_side``. The
        density heatmap (the pigment texture in coverage mode) is shaded over the analysed area
        (on a whole head, over the region only), each impression is circled in green, the region
        outlined in cyan and the hairline drawn in red. On a whole head the part left out below
        the brow line is dimmed and hatched, the brow line drawn in magenta and the face's
        landmarks dotted in yellow.
    """
    rows, cols = rgb.shape[:2]
    scale = min(1.0, max_side / max(rows, cols))
    size = (max(1, round(cols * scale)), max(1, round(rows * scale)))
    bgr = np.asarray(
        cv2.cvtColor(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2BGR),
        dtype=np.uint8,
    )
    if analysis.mode == "impressions":
        _shade(bgr, analysis.density.per_cm2, analysis.density.cell_px * scale, cv2.INTER_NEAREST)
    elif analysis.pigment_field is not None:
        field = analysis.pigment_field
        # Whole heads: the pigment's texture is shaded on the scalp's region only.
        inside = area_mask(analysis.region, size, scale) if analysis.head is not None else None
        _shade(bgr, field.values, field.cell_px * scale, cv2.INTER_LINEAR, inside)
    thickness = max(1, round(max(size) / 800))
    draw_excluded(bgr, analysis, scale)
    draw_landmarks(bgr, analysis, scale, thickness)
    radius_px = analysis.impressions.diameter_mm / 2 / analysis.scale.mm_per_px * scale
    # Dots a few pixels across (a phone's close-up) get a hairline ring, so that they still show.
    small = len(radius_px) > 0 and float(np.median(radius_px)) < 3 * thickness
    ring = 1 if small else thickness
    # OpenCV's fixed point (4 fractional bits), rounded once for all the circles.
    centres = np.round(analysis.impressions.xy * scale * 16).astype(np.int64).tolist()
    radii = np.round(np.maximum(radius_px + 1 + ring, 3) * 16).astype(np.int64).tolist()
    for (x, y), r in zip(centres, radii, strict=True):
        cv2.circle(bgr, (x, y), r, IMPRESSION_BGR, ring, cv2.LINE_AA, 4)
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
