"""Synthetic scalp photos with ground truth, for tests, benchmarks and the demo.

One generator covers close-ups of the hairline and whole-head views (front, three-quarter, side,
top; :mod:`scalpmap.imaging.synth_whole_head`) with faces, beards, ears, shine and clothes. Every
random choice comes from the ``seed``; options left as ``None`` are drawn from realistic ranges
(:mod:`scalpmap.imaging.synth_options`). The truth is a :class:`SynthTruth`
(:mod:`scalpmap.imaging.synth_truth`); both are re-exported here.

Examples
--------
>>> photo, truth = generate_scalp_photo(SynthOptions(seed=3, width_px=320, height_px=240))
>>> photo.shape, photo.dtype.name
((240, 320, 3), 'uint8')
>>> truth.impressions.shape[1]
4
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import cv2
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.errors import InputError
from scalpmap.imaging import synth_render as render
from scalpmap.imaging.marker_draw import paste_marker
from scalpmap.imaging.scale import STANDARD_MARKER_SIDES_MM
from scalpmap.imaging.synth_geometry import build_scene
from scalpmap.imaging.synth_marks import (
    longest_part_outside,
    paint_confounders,
    paint_eyebrows,
    place_impressions,
    sticker_outline,
    strength_to_darkness,
)
from scalpmap.imaging.synth_options import BEARDS, VIEWS, Ink, SynthOptions, resolve_options
from scalpmap.imaging.synth_truth import SynthTruth
from scalpmap.imaging.synth_whole_head import build_head_scene, paint_head_scene

__all__ = [
    "BEARDS",
    "VIEWS",
    "Ink",
    "SynthOptions",
    "SynthTruth",
    "generate_scalp_jpeg",
    "generate_scalp_photo",
    "resolve_options",
    "write_synthetic_photo",
]

PHONE_MIN_DOT_PX = 2.0
PHONE_FADED_STRENGTH = (0.35, 0.85)
"""Faded ink in phone close-ups goes fainter than the ink's own range: old, light-grey work."""
PHONE_SPREAD_SHARE = 0.3
"""Share of phone close-ups' impressions whose ink spread into the skin: a soft edge."""
BACKGROUND_RGB = ((0.55, 0.57, 0.60), (0.30, 0.38, 0.50), (0.85, 0.85, 0.82), (0.35, 0.45, 0.38))


def generate_scalp_photo(options: SynthOptions) -> tuple[NDArray[np.uint8], SynthTruth]:
    """Generate a synthetic scalp photo and its ground truth.

    Parameters
    ----------
    options : SynthOptions
        What to draw; ``None`` fields are drawn from the seed.

    Returns
    -------
    photo : ndarray of uint8, shape (height, width, 3)
        RGB pixels, already passed through JPEG at ``options.jpeg_quality``.
    truth : SynthTruth
        Where everything is.
    """
    encoded, truth = generate_scalp_jpeg(options)
    decoded = cv2.imdecode(np.frombuffer(encoded, np.uint8), cv2.IMREAD_COLOR)
    assert decoded is not None  # the JPEG was just encoded
    return np.asarray(cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB), dtype=np.uint8), truth


def generate_scalp_jpeg(options: SynthOptions) -> tuple[bytes, SynthTruth]:
    """Generate a synthetic scalp photo as JPEG bytes, and its ground truth.

    Parameters
    ----------
    options : SynthOptions
        What to draw; ``None`` fields are drawn from the seed.

    Returns
    -------
    jpeg : bytes
        The photo, encoded at ``options.jpeg_quality``.
    truth : SynthTruth
        Where everything is.
    """
    options = resolve_options(options)
    assert options.mm_per_px is not None and options.fitzpatrick is not None
    rng = np.random.default_rng(options.seed)
    px_per_mm = 1.0 / options.mm_per_px
    shape = (options.height_px, options.width_px)
    frame = shapely.box(0, 0, options.width_px, options.height_px)
    head_scene = None
    if options.view == "closeup":
        scene = build_scene(
            options.view,
            options.width_px,
            options.height_px,
            options.mm_per_px,
            options.hairline or "rounded",
            bool(options.silhouette),
            rng,
        )
        canvas = render.paint_skin(shape, options.fitzpatrick, px_per_mm, rng)
        head, region, hairline_xy = scene.head, scene.region, scene.hairline_xy
        marker_center = scene.marker_center_xy
    else:
        head_scene = build_head_scene(options, rng)
        head, region = head_scene.silhouette, head_scene.region
        hairline_xy, marker_center = head_scene.hairline_xy, head_scene.marker_center_xy
    allowed = frame.intersection(head) if head is not None else frame
    marker_corners = np.zeros((0, 2))
    sticker = Polygon()
    marker_angle = float(rng.uniform(-25, 25))
    marker_id = 0 if options.view == "closeup" else 2
    marker_side_mm = STANDARD_MARKER_SIDES_MM[marker_id]
    half = marker_side_mm * px_per_mm * (0.5 + 2 / 6)
    reach = half * (abs(np.cos(np.radians(marker_angle))) + abs(np.sin(np.radians(marker_angle))))
    marker_center = (  # keep the whole sticker inside the frame
        float(np.clip(marker_center[0], reach + 4, options.width_px - reach - 4)),
        float(np.clip(marker_center[1], reach + 4, options.height_px - reach - 4)),
    )
    place_marker = options.marker and 2 * reach + 8 < min(options.width_px, options.height_px)
    if place_marker:
        sticker = sticker_outline(marker_center, 2 * half, marker_angle)
    allowed_ink = cast(
        "Polygon | MultiPolygon", allowed.difference(sticker) if place_marker else allowed
    )
    tint = render.INK_PROFILES[options.ink or "black"][0]
    head_truth = None
    if head_scene is not None:
        impressions = place_impressions(region, hairline_xy, allowed_ink, options, rng)
        canvas, head_truth = paint_head_scene(head_scene, options, impressions, allowed_ink, rng)
    else:
        if options.confounders:
            paint_confounders(canvas, allowed_ink, region, options, rng)
            paint_eyebrows(canvas, scene.eyebrows, px_per_mm, rng)
        impressions = _closeup_impressions(region, hairline_xy, allowed_ink, options, rng)
        spread_rng = np.random.default_rng([options.seed, 9])  # the other draws stay as they were
        share = PHONE_SPREAD_SHARE if options.phone else 0.0
        spread = spread_rng.uniform(size=len(impressions)) < share
        soft = spread_rng.uniform(0.1, 0.3, len(impressions)) * spread
        for (x, y, diameter_mm, strength), softness in zip(impressions, soft, strict=True):
            diameter_px = diameter_mm * px_per_mm
            render.paint_spot(
                canvas, x, y, diameter_px, strength, tint, rng, soft_px=softness * diameter_px / 2
            )
        if head is not None:
            mask = np.zeros(shape, dtype=np.uint8)
            outline = np.round(np.asarray(head.exterior.coords) * 16).astype(np.int32)
            cv2.fillPoly(mask, [outline], 255, cv2.LINE_AA, shift=4)
            alpha = (mask.astype(np.float32) / 255.0)[..., None]
            palette = BACKGROUND_RGB[int(rng.integers(0, len(BACKGROUND_RGB)))]
            variation = render.low_frequency_field(shape, 200, rng).clip(-2, 2)[..., None]
            background = np.asarray(palette, np.float32) * (1.0 + 0.05 * variation)
            canvas = canvas * alpha + background * (1 - alpha)
    darkness = strength_to_darkness(impressions[:, 3], tint)
    truth_impressions = np.column_stack([impressions[:, :3], darkness])
    if place_marker:
        sticker_rgb = np.clip(canvas * 255 + 0.5, 0, 255).astype(np.uint8)
        marker_corners = paste_marker(
            sticker_rgb,
            center_xy=marker_center,
            side_px=marker_side_mm * px_per_mm,
            angle_deg=marker_angle,
            marker_id=marker_id,
        )
        canvas = sticker_rgb.astype(np.float32) / 255.0
    photo = render.apply_camera(
        canvas, rng, blur_px=float(rng.uniform(0.4, 1.1)), noise=float(rng.uniform(0.006, 0.02))
    )
    ok, encoded = cv2.imencode(
        ".jpg",
        cv2.cvtColor(photo, cv2.COLOR_RGB2BGR),
        [cv2.IMWRITE_JPEG_QUALITY, int(options.jpeg_quality or 90)],
    )
    if not ok:
        raise InputError("could not encode the synthetic photo as JPEG")
    truth = SynthTruth(
        options=options,
        impressions=truth_impressions,
        region=(
            cast("Polygon | MultiPolygon", region.difference(sticker)) if place_marker else region
        ),
        hairline_xy=longest_part_outside(hairline_xy, sticker) if place_marker else hairline_xy,
        scalp=head,
        marker_corners_xy=marker_corners,
        marker_side_mm=marker_side_mm,
        head=head_truth,
    )
    return encoded.tobytes(), truth


def _closeup_impressions(
    region: Polygon | MultiPolygon,
    hairline_xy: NDArray[np.float64],
    allowed: Polygon | MultiPolygon,
    options: SynthOptions,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Place a close-up's impressions: as always, or as a phone sees them (``options.phone``)."""
    if not options.phone:
        return place_impressions(region, hairline_xy, allowed, options, rng)
    return place_impressions(
        region,
        hairline_xy,
        allowed,
        options,
        rng,
        min_diameter_px=PHONE_MIN_DOT_PX,
        strength_range=PHONE_FADED_STRENGTH if options.ink == "faded-grey" else None,
    )


def write_synthetic_photo(path: str | Path, options: SynthOptions) -> SynthTruth:
    """Generate a photo and write it with ``PATH.truth.json`` beside it.

    Parameters
    ----------
    path : str or Path
        Output photo, ``.jpg``/``.jpeg`` or ``.png``.
    options : SynthOptions
        What to draw.

    Returns
    -------
    SynthTruth
        The ground truth that was written.

    Raises
    ------
    InputError
        When the suffix is not a supported photo format.
    """
    path = Path(path)
    if path.suffix.lower() not in {".jpg", ".jpeg", ".png"}:
        raise InputError(f"cannot write {path.name}: use a .jpg or .png file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".png":
        photo, truth = generate_scalp_photo(options)
        cv2.imwrite(str(path), cv2.cvtColor(photo, cv2.COLOR_RGB2BGR))
    else:
        encoded, truth = generate_scalp_jpeg(options)
        path.write_bytes(encoded)
    truth_path = path.with_name(path.name + ".truth.json")
    truth_path.write_text(json.dumps(truth.to_json(), indent=1))
    return truth
