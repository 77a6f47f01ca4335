"""The tracking overlay: what became of each baseline impression, drawn on the follow-up.

The follow-up is cropped to the removal zone (mapped through the registration) and the lost
impressions outside it, with a margin, and shrunk to at most ``MAX_WIDTH_PX`` wide. A band on
top states the clearance and the legend. The removal zone is outlined; each of its impressions
is ringed green when gone, teal when faded below the threshold and red when it remains; an
impression lost outside the zone is crossed in magenta. A follow-up that was not measured gets
the baseline and the follow-up side by side under the reason, in red.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.reports.drawing import draw_texts, font, text_width
from scalpmap.tracking.features import apply_matrix
from scalpmap.tracking.track import Tracking

MAX_WIDTH_PX = 1800
MARGIN_MM = 2.0
MIN_CROP_PX = 500
ZONE_RGB = (255, 190, 0)
ZONE_TEXT_RGB = (200, 130, 0)
GONE_RGB = (40, 200, 90)
FADED_RGB = (0, 190, 210)
REMAINING_RGB = (235, 40, 40)
LOST_RGB = (255, 0, 255)
BAND_RGB = (250, 250, 248)
INK_RGB = (43, 47, 51)
ALERT_RGB = (190, 20, 20)


def _fit(rgb: NDArray[np.uint8], width: int) -> tuple[NDArray[np.uint8], float]:
    """Shrink a picture to at most ``width`` pixels wide; return it and the factor."""
    factor = min(1.0, width / rgb.shape[1])
    if factor >= 1.0:
        return rgb.copy(), 1.0
    size = (round(rgb.shape[1] * factor), round(rgb.shape[0] * factor))
    return np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), np.uint8), factor


Line = list[tuple[str, tuple[int, int, int]]]


def _band(picture: NDArray[np.uint8], lines: list[Line]) -> NDArray[np.uint8]:
    """Put a text band on top of a picture: one entry per line, each a list of (text, colour)."""
    size = max(14, picture.shape[1] // 60)
    height = round(size * (1.5 * len(lines) + 0.8))
    band = np.full((height, picture.shape[1], 3), BAND_RGB, np.uint8)
    items = []
    for i, parts in enumerate(lines):
        face = font(size, bold=i == 0)
        x = size * 0.6
        for text, colour in parts:
            items.append(((x, size * (0.5 + 1.5 * i)), text, face, colour))
            x += text_width(text + "   ", face)
    return np.vstack([draw_texts(band, items), picture])


def _not_measured(
    baseline_rgb: NDArray[np.uint8], followup_rgb: NDArray[np.uint8], reason: str
) -> NDArray[np.uint8]:
    """Baseline and follow-up side by side under the reason."""
    half = MAX_WIDTH_PX // 2
    left, _ = _fit(baseline_rgb, half)
    right, _ = _fit(followup_rgb, half)
    rows = max(left.shape[0], right.shape[0])
    canvas = np.full((rows, left.shape[1] + right.shape[1] + 8, 3), BAND_RGB, np.uint8)
    canvas[: left.shape[0], : left.shape[1]] = left
    canvas[: right.shape[0], left.shape[1] + 8 :] = right
    words, lines, line = reason.split(), [], ""
    for word in words:  # wrap the reason at about 110 characters
        if len(line) + len(word) > 110:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()
    lines.append(line)
    title = [("Not measured: baseline (left) and follow-up (right)", ALERT_RGB)]
    return _band(canvas, [title, *([(part, INK_RGB)] for part in lines)])


def render_tracking_overlay(
    baseline_rgb: NDArray[np.uint8],
    followup_rgb: NDArray[np.uint8],
    tracking: Tracking,
    removal: Polygon | MultiPolygon,
) -> NDArray[np.uint8]:
    """Draw what became of each baseline impression on the follow-up (see the module docstring).

    Parameters
    ----------
    baseline_rgb, followup_rgb : ndarray of uint8, shape (rows, cols, 3)
        The two photos.
    tracking : Tracking
        The result of :func:`~scalpmap.tracking.track.track_followup`.
    removal : Polygon or MultiPolygon
        The removal zone, baseline pixels.

    Returns
    -------
    ndarray of uint8, shape (r, c, 3)
        The RGB picture.
    """
    changes, reg = tracking.changes, tracking.registration
    if changes is None or reg.matrix is None or not tracking.clearance.measured:
        return _not_measured(baseline_rgb, followup_rgb, tracking.clearance.reason)
    assert reg.followup_mm_per_px is not None
    mm = reg.followup_mm_per_px
    rings = [
        apply_matrix(reg.matrix, np.asarray(ring.coords))
        for part in getattr(removal, "geoms", [removal])
        for ring in (part.exterior, *part.interiors)
    ]
    lost = changes.cleared & ~changes.in_removal
    shown = changes.in_view & (changes.in_removal | lost)
    corners = np.vstack([*rings, changes.followup_xy[shown]])
    rows, cols = followup_rgb.shape[:2]
    margin = MARGIN_MM / mm
    (x0, y0), (x1, y1) = corners.min(axis=0) - margin, corners.max(axis=0) + margin
    grow = max(0.0, (MIN_CROP_PX - (x1 - x0)) / 2), max(0.0, (MIN_CROP_PX - (y1 - y0)) / 2)
    x0, x1 = int(max(0, x0 - grow[0])), int(min(cols, x1 + grow[0]))
    y0, y1 = int(max(0, y0 - grow[1])), int(min(rows, y1 + grow[1]))
    picture, factor = _fit(np.ascontiguousarray(followup_rgb[y0:y1, x0:x1]), MAX_WIDTH_PX)
    scale, shift = factor * 16, np.array([x0, y0], dtype=np.float64)
    thick = max(2, round(picture.shape[1] / 700))
    for ring in rings:
        points = np.round((ring - shift) * scale).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(picture, [points], True, ZONE_RGB, thick, cv2.LINE_AA, 4)
    radius = max(6.0, 0.3 / mm * factor)
    cleared = changes.cleared
    kinds = (
        (changes.in_removal & cleared & ~changes.detected, GONE_RGB),
        (changes.in_removal & cleared & changes.detected, FADED_RGB),
        (changes.in_removal & ~cleared, REMAINING_RGB),
    )
    for chosen, colour in kinds:
        for x, y in (changes.followup_xy[chosen & changes.in_view] - shift) * scale:
            cv2.circle(
                picture, (round(x), round(y)), round(radius * 16), colour, thick, cv2.LINE_AA, 4
            )
    arm = radius * 0.8 * 16
    for x, y in (changes.followup_xy[lost & changes.in_view] - shift) * scale:
        for dx, dy in ((arm, arm), (arm, -arm)):
            start, end = (round(x - dx), round(y - dy)), (round(x + dx), round(y + dy))
            cv2.line(picture, start, end, LOST_RGB, thick, cv2.LINE_AA, 4)
    c = tracking.clearance
    title = (
        f"Clearance {c.percent:.0f}%: {c.cleared} of {c.removal_impressions} impressions of the "
        f"removal zone cleared (follow-up {tracking.followup_date.isoformat()})"
    )
    outside = (
        f"Outside the zone: {c.outside_lost} of {c.outside_impressions} lost "
        f"({c.outside_lost_percent or 0.0:.1f}%{', FLAGGED' if c.outside_flagged else ''}); "
        f"registration residual {reg.residual_mm or 0.0:.3f} mm"
    )
    legend = [
        ("\u25ac removal zone", ZONE_TEXT_RGB),
        ("\u25cb gone", GONE_RGB),
        ("\u25cb faded", FADED_RGB),
        ("\u25cb remaining", REMAINING_RGB),
        ("\u00d7 lost outside the zone", LOST_RGB),
    ]
    lines = [[(title, INK_RGB)], [(outside, ALERT_RGB if c.outside_flagged else INK_RGB)]]
    return _band(picture, [*lines, legend])
