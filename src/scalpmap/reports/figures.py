"""The report's pictures, drawn from the photo and a plan.json document.

They use only the stored document (format ``scalpmap-plan/1``), never in-memory plan objects, so
the web app can rebuild them from a saved plan. Big photos are first shrunk to at most
:data:`MAX_FIGURE_WIDTH_PX` wide; line widths and text scale with the picture.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.errors import InputError
from scalpmap.imaging.scale import scale_source_words
from scalpmap.planning.hairline import HairlineModel
from scalpmap.planning.plan_figures import figures_of
from scalpmap.planning.timeline import Timeline, render_timeline_png
from scalpmap.reports import drawing as dw
from scalpmap.reports.images import data_uri, downscale, encode_jpeg, encode_png

__all__ = [
    "ZONE_COLOURS",
    "data_uri",
    "encode_png",
    "render_removal_map",
    "render_zones",
    "report_images",
]

MAX_FIGURE_WIDTH_PX = 1600
ZONE_COLOURS: dict[str, dw.Colour] = {
    "removal": (214, 48, 39),
    "touch_up": (240, 165, 0),
    "keep": (46, 160, 67),
}
ZONE_LABELS = {"removal": "Removal", "touch_up": "Touch-up", "keep": "Keep"}
ZONE_ALPHA = 0.38
LEGEND_BG: dw.Colour = (250, 250, 248)
CHIP_BG: dw.Colour = (120, 108, 96)


def _start(rgb: NDArray[np.uint8], document: Mapping[str, Any]) -> tuple[NDArray[np.uint8], float]:
    """Check the inputs; return the (downscaled copy of the) photo and its scale factor."""
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise InputError(f"expected an RGB uint8 photo, got {rgb.dtype} {rgb.shape}")
    photo = document.get("photo") or {}
    width, height = photo.get("width"), photo.get("height")
    if (width, height) != (rgb.shape[1], rgb.shape[0]):
        raise InputError(
            f"the photo is {rgb.shape[1]}x{rgb.shape[0]} px but the plan was made on a "
            f"{width}x{height} px photo; pass the plan's own photo"
        )
    small = downscale(rgb, MAX_FIGURE_WIDTH_PX)
    return np.array(small, dtype=np.uint8, copy=True), small.shape[1] / rgb.shape[1]


def _unit(width: int) -> int:
    """Return the layout unit (about one line of text) for a picture ``width`` pixels wide."""
    return max(12, round(width * 0.021))


def _mm_per_px(document: Mapping[str, Any]) -> float:
    value = float(document["scale"]["mm_per_px"])
    if not value > 0:
        raise InputError(f"the plan's scale must be above 0 mm/px, got {value}")
    return value


def target_line_px(document: Mapping[str, Any]) -> NDArray[np.float64] | None:
    """Return the target hairline as a smooth polyline in photo pixels, or None.

    Parameters
    ----------
    document : mapping
        The plan.json document.

    Returns
    -------
    ndarray of float, shape (M, 2), or None
        The spline through the control points (with the plan's irregularity), or None when the
        target has no hairline (e.g. ``remove-all``).
    """
    hairline = (document.get("target") or {}).get("hairline")
    if not hairline:
        return None
    try:
        return HairlineModel.from_json(hairline).polyline(_mm_per_px(document))
    except InputError:
        segments = hairline.get("segments", {}).values()
        points = [p for seg in segments for p in (seg.get("points_px") or [])]
        return np.asarray(points, dtype=np.float64).reshape(-1, 2) if len(points) >= 2 else None


def _legend_band(
    width: int, unit: int, entries: list[tuple[str, str, dw.Colour]]
) -> NDArray[np.uint8]:
    """Draw a legend strip: entries are (kind, text, colour), kind "fill", "dash" or "line"."""
    face = dw.font(unit)
    pad, swatch = unit, round(unit * 1.6)
    placed: list[tuple[int, int, tuple[str, str, dw.Colour]]] = []
    x, row = pad, 0
    for entry in entries:
        w = swatch + unit // 2 + dw.text_width(entry[1], face) + round(unit * 1.4)
        if x + w > width - pad and x > pad:
            x, row = pad, row + 1
        placed.append((x, row, entry))
        x += w
    line_h = round(unit * 1.9)
    band = np.full((pad + (row + 1) * line_h + pad // 2, width, 3), LEGEND_BG, dtype=np.uint8)
    cv2.line(band, (0, 0), (width, 0), (200, 204, 208), max(1, unit // 12))
    texts = []
    for x, r, (kind, text, colour) in placed:
        y = pad + r * line_h
        x1, y1 = x + swatch, y + round(unit * 1.15)
        if kind == "fill":
            tint = tuple(round(255 * (1 - ZONE_ALPHA * 1.6) + c * ZONE_ALPHA * 1.6) for c in colour)
            cv2.rectangle(band, (x, y), (x1, y1), tint, -1)
            cv2.rectangle(band, (x, y), (x1, y1), colour, max(2, unit // 7))
        else:
            cv2.rectangle(band, (x, y), (x1, y1), CHIP_BG, -1)
            mid = np.array([[x + 3.0, (y + y1) / 2], [x1 - 3.0, (y + y1) / 2]])
            if kind == "dash":
                dw.dashed_polyline(band, mid, colour, max(2, unit // 6), unit * 0.45, unit * 0.3)
            else:
                dw.polyline(band, mid, colour, max(2, unit // 5))
        texts.append(((x1 + unit // 2, y - round(unit * 0.05)), text, face, dw.INK))
    return dw.draw_texts(band, texts)


def render_zones(rgb: NDArray[np.uint8], document: Mapping[str, Any]) -> NDArray[np.uint8]:
    """Draw the removal, touch-up and keep zones and both hairlines over the photo.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The plan's photo.
    document : mapping
        Its plan.json document.

    Returns
    -------
    ndarray of uint8, shape (r + legend, c, 3)
        The photo (shrunk to at most 1600 px wide) with the zones shaded (removal red, touch-up
        amber, keep green), the current hairline dashed white, the target hairline solid white,
        a scale bar, and below it a legend strip with each zone's area (the plan's figures).

    Raises
    ------
    InputError
        When the photo is not the plan's photo.
    """
    canvas, scale = _start(rgb, document)
    rows, cols = canvas.shape[:2]
    unit = _unit(cols)
    zones = document["zones"]
    entries: list[tuple[str, str, dw.Colour]] = []
    for name in ("keep", "touch_up", "removal"):
        zone = zones.get(name) or {}
        if not zone.get("polygons"):
            continue
        mask = dw.polygons_mask(zone["polygons"], (rows, cols), scale)
        dw.blend_mask(canvas, mask, ZONE_COLOURS[name], ZONE_ALPHA)
        dw.outline_polygons(canvas, zone["polygons"], scale, ZONE_COLOURS[name], unit // 8)
    figures = figures_of(document)
    for name in ("removal", "touch_up", "keep"):
        zone = zones.get(name) or {}
        if zone.get("polygons"):
            label = f"{ZONE_LABELS[name]} {figures[f'{name}_area_cm2']['text']}"
            entries.append(("fill", label, ZONE_COLOURS[name]))
    current = np.asarray(document["target"].get("current_hairline") or [], dtype=np.float64)
    if len(current) >= 2:
        line = current.reshape(-1, 2) * scale
        dw.dashed_polyline(canvas, line, (30, 30, 30), unit // 4 + 2, unit * 0.9, unit * 0.5)
        dw.dashed_polyline(canvas, line, dw.WHITE, unit // 4, unit * 0.9, unit * 0.5)
        entries.append(("dash", "Current hairline", dw.WHITE))
    target = target_line_px(document)
    if target is not None:
        dw.polyline(canvas, target * scale, (30, 30, 30), unit // 3 + 2)
        dw.polyline(canvas, target * scale, dw.WHITE, unit // 3)
        entries.append(("line", "New hairline", dw.WHITE))
    canvas = dw.scale_bar(canvas, _mm_per_px(document) / scale, unit)
    return np.vstack([canvas, _legend_band(cols, unit, entries)])


def _grid_step_px(mm_per_px: float, width: int) -> tuple[float, str]:
    """Grid spacing in output pixels: 1 cm, or 5 cm when 1 cm would be too dense."""
    for cm in (1, 5, 10):
        step = cm * 10 / mm_per_px
        if step >= max(18.0, width / 60):
            return step, f"{cm} cm"
    return 100 / mm_per_px, "10 cm"


def render_removal_map(rgb: NDArray[np.uint8], document: Mapping[str, Any]) -> NDArray[np.uint8]:
    """Draw the removal zone for the laser facility: thick red outline on a muted photo.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The plan's photo.
    document : mapping
        Its plan.json document.

    Returns
    -------
    ndarray of uint8, shape (r + caption, c, 3)
        The desaturated photo (shrunk to at most 1600 px wide) with a 1 cm grid (5 cm when the
        photo spans a large area), the removal zone tinted and outlined in red, a scale bar,
        and below it the caption "Removal zone: X cm², N impressions" (the plan's figures;
        "impressions not measured" on a whole head).

    Raises
    ------
    InputError
        When the photo is not the plan's photo.
    """
    canvas, scale = _start(rgb, document)
    rows, cols = canvas.shape[:2]
    unit = _unit(cols)
    grey = cv2.cvtColor(cv2.cvtColor(canvas, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    muted = canvas.astype(np.float32) * 0.35 + grey.astype(np.float32) * 0.65
    canvas = np.clip(muted * 0.9 + 255 * 0.1, 0, 255).astype(np.uint8)
    mm_per_px = _mm_per_px(document) / scale
    step, grid_label = _grid_step_px(mm_per_px, cols)
    grid = canvas.copy()
    for x in np.arange(step, cols, step):
        cv2.line(grid, (round(x), 0), (round(x), rows), (255, 255, 255), max(1, unit // 10))
    for y in np.arange(step, rows, step):
        cv2.line(grid, (0, round(y)), (cols, round(y)), (255, 255, 255), max(1, unit // 10))
    canvas = np.asarray(cv2.addWeighted(grid, 0.4, canvas, 0.6, 0.0), dtype=np.uint8)
    removal = document["zones"].get("removal") or {}
    polygons = removal.get("polygons") or []
    colour = ZONE_COLOURS["removal"]
    dw.blend_mask(canvas, dw.polygons_mask(polygons, (rows, cols), scale), colour, 0.22)
    dw.outline_polygons(canvas, polygons, scale, (255, 255, 255), round(unit * 0.55))
    dw.outline_polygons(canvas, polygons, scale, colour, round(unit * 0.35))
    canvas = dw.scale_bar(canvas, mm_per_px, unit)
    figures = figures_of(document)
    area, count = figures["removal_area_cm2"], figures["removal_impressions"]
    counted = f"{count['text']} impressions" if count["measured"] else "impressions not measured"
    caption = f"Removal zone: {area['text']}, {counted}"
    scale_info = document["scale"]
    source = scale_source_words(scale_info.get("source"), scale_info.get("uncertainty_percent"))
    detail = (
        f"Outlined in red. Grid: {grid_label} squares. Scale {float(scale_info['mm_per_px']):.4f}"
        f" mm/px ({source})."
    )
    big, small = dw.font(round(unit * 1.15), bold=True), dw.font(round(unit * 0.85))
    band = np.full((round(unit * 4.2), cols, 3), 255, dtype=np.uint8)
    cv2.rectangle(band, (0, 0), (max(4, unit // 3), band.shape[0]), colour, -1)
    band = dw.draw_texts(
        band,
        [
            ((unit, round(unit * 0.6)), caption, big, dw.INK),
            ((unit, round(unit * 2.35)), detail, small, (90, 98, 106)),
        ],
    )
    return np.vstack([canvas, band])


def report_images(rgb: NDArray[np.uint8], document: Mapping[str, Any]) -> dict[str, bytes]:
    """Draw the pictures a report needs from the photo and the document alone.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The plan's photo.
    document : mapping
        Its plan.json document.

    Returns
    -------
    dict of str to bytes
        ``"before"`` (the photo, JPEG), ``"zones"``, ``"removal_map"`` (JPEG, ready to embed)
        and ``"timeline"`` (PNG). The simulation's pictures come from :mod:`scalpmap.simulation`.
    """
    images = {
        "before": encode_jpeg(downscale(rgb, 1400)),
        "zones": encode_jpeg(downscale(render_zones(rgb, document), 1400)),
        "removal_map": encode_jpeg(downscale(render_removal_map(rgb, document), 1400)),
    }
    timeline = document.get("timeline")
    if timeline:
        images["timeline"] = render_timeline_png(Timeline.from_json(dict(timeline)))
    return images
