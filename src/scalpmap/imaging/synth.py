"""Synthetic scalp photos with ground truth, for tests, benchmarks and the demo.

One generator covers close-ups of the hairline and whole-head views (front, side, top). Every
random choice comes from the ``seed``; options left as ``None`` are drawn from realistic ranges.

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
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal, cast

import cv2
import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree
from shapely.geometry import LineString, MultiPolygon, Polygon

from scalpmap.errors import InputError
from scalpmap.imaging import synth_render as render
from scalpmap.imaging.marker import paste_marker
from scalpmap.imaging.scale import STANDARD_MARKER_SIDES_MM
from scalpmap.imaging.synth_geometry import HairlineStyle, View, build_scene, ellipse_polygon

Ink = Literal["bluish-black", "black", "faded-grey"]

CLOSEUP_MM_PER_PX = (0.025, 0.038)
WHOLE_HEAD_MM_PER_PX = (0.10, 0.25)
MIN_SPACING_MM = 0.4
BACKGROUND_RGB = ((0.55, 0.57, 0.60), (0.30, 0.38, 0.50), (0.85, 0.85, 0.82), (0.35, 0.45, 0.38))


@dataclass(frozen=True)
class SynthOptions:
    """What to draw. ``None`` means: draw it at random from a realistic range.

    Attributes
    ----------
    seed : int
        Seed of every random choice.
    view : {"closeup", "front", "side", "top"}
        A close-up of the frontal hairline, or a whole-head view.
    width_px, height_px : int
        Photo size.
    mm_per_px : float or None
        Scale; 0.022–0.035 for close-ups and 0.10–0.25 for whole-head views by default.
    fitzpatrick : int or None
        Skin type 1..6.
    ink : {"bluish-black", "black", "faded-grey"} or None
        Ink of the impressions.
    density_per_cm2 : float or None
        Nominal impression density, 15–80 per cm² (40–80 for whole-head views).
    hairline : {"aggressive", "rounded"} or None
        Hairline shape.
    marker : bool
        Place the printed calibration sticker.
    silhouette : bool or None
        Show the head's outline against a background (always in whole-head views).
    confounders : bool
        Add stubble, pores, freckles and moles.
    jpeg_quality : int or None
        JPEG quality used by :func:`write_synthetic_photo` and applied to the returned pixels.
    """

    seed: int = 0
    view: View = "closeup"
    width_px: int = 2400
    height_px: int = 1800
    mm_per_px: float | None = None
    fitzpatrick: int | None = None
    ink: Ink | None = None
    density_per_cm2: float | None = None
    hairline: HairlineStyle | None = None
    marker: bool = True
    silhouette: bool | None = None
    confounders: bool = True
    jpeg_quality: int | None = None


@dataclass(frozen=True)
class SynthTruth:
    """Ground truth of a synthetic photo; coordinates in pixels, origin top-left.

    Attributes
    ----------
    options : SynthOptions
        The options with every random choice filled in.
    impressions : ndarray of float, shape (N, 4)
        Columns ``x, y, diameter_mm, darkness``.
    region : Polygon or MultiPolygon
        The true pigmented region.
    hairline_xy : ndarray of float, shape (M, 2)
        The true hairline, left to right.
    scalp : Polygon or None
        The head's silhouette, when visible.
    marker_corners_xy : ndarray of float, shape (4, 2) or (0, 2)
        The sticker's black square corners.
    marker_side_mm : float
        Printed side of the black square.
    """

    options: SynthOptions
    impressions: NDArray[np.float64]
    region: Polygon | MultiPolygon
    hairline_xy: NDArray[np.float64]
    scalp: Polygon | None
    marker_corners_xy: NDArray[np.float64]
    marker_side_mm: float

    @property
    def mm_per_px(self) -> float:
        """Scale of the photo in mm per pixel."""
        assert self.options.mm_per_px is not None
        return self.options.mm_per_px

    @property
    def region_area_cm2(self) -> float:
        """Area of the true region in cm²."""
        return float(self.region.area) * self.mm_per_px**2 / 100.0

    @property
    def density_per_cm2(self) -> float:
        """Impressions per cm² inside the true region."""
        inside = shapely.contains_xy(self.region, self.impressions[:, 0], self.impressions[:, 1])
        return float(inside.sum()) / max(self.region_area_cm2, 1e-9)

    def to_json(self) -> dict[str, Any]:
        """Return the truth as the JSON document written beside the photo.

        Returns
        -------
        dict
            JSON-serialisable truth.
        """
        polygons = list(getattr(self.region, "geoms", [self.region]))
        return {
            "format": "scalpmap-synth-truth/1",
            "options": asdict(self.options),
            "mm_per_px": self.mm_per_px,
            "impressions": [
                {"x": x, "y": y, "diameter_mm": d, "darkness": k}
                for x, y, d, k in self.impressions.round(4).tolist()
            ],
            "region": {
                "area_cm2": round(self.region_area_cm2, 4),
                "polygons": [np.round(p.exterior.coords, 2).tolist() for p in polygons],
            },
            "density_per_cm2": round(self.density_per_cm2, 3),
            "hairline": {"points": np.round(self.hairline_xy, 2).tolist()},
            "scalp": None
            if self.scalp is None
            else np.round(self.scalp.exterior.coords, 1).tolist(),
            "marker": None
            if len(self.marker_corners_xy) == 0
            else {
                "corners": self.marker_corners_xy.round(3).tolist(),
                "side_mm": self.marker_side_mm,
            },
        }


def resolve_options(options: SynthOptions) -> SynthOptions:
    """Fill every ``None`` option from the seed and check the given ones.

    Parameters
    ----------
    options : SynthOptions
        Options, some possibly ``None``.

    Returns
    -------
    SynthOptions
        Options with every value set.

    Raises
    ------
    InputError
        When a value is out of range.
    """
    if not (64 <= options.width_px <= 12000 and 64 <= options.height_px <= 12000):
        raise InputError("photo size must be 64..12000 px on each side; pass --width/--height")
    if options.fitzpatrick is not None and options.fitzpatrick not in range(1, 7):
        raise InputError(f"Fitzpatrick type must be 1..6, got {options.fitzpatrick}")
    if options.density_per_cm2 is not None and not 1 <= options.density_per_cm2 <= 200:
        raise InputError(f"density must be 1..200 per cm², got {options.density_per_cm2}")
    if options.mm_per_px is not None and not 0.005 <= options.mm_per_px <= 1.0:
        raise InputError(f"mm per px must be 0.005..1.0, got {options.mm_per_px}")
    rng = np.random.default_rng([options.seed, 7])
    whole_head = options.view != "closeup"
    scale_range = WHOLE_HEAD_MM_PER_PX if whole_head else CLOSEUP_MM_PER_PX
    inks: tuple[Ink, ...] = ("bluish-black", "black", "faded-grey")
    styles: tuple[HairlineStyle, ...] = ("aggressive", "rounded")
    return replace(
        options,
        mm_per_px=options.mm_per_px or float(rng.uniform(*scale_range)),
        fitzpatrick=options.fitzpatrick or int(rng.integers(1, 7)),
        ink=options.ink or inks[int(rng.integers(0, 3))],
        density_per_cm2=options.density_per_cm2
        or float(rng.uniform(40, 80) if whole_head else rng.uniform(15, 80)),
        hairline=options.hairline or styles[int(rng.integers(0, 2))],
        silhouette=whole_head
        or (options.silhouette if options.silhouette is not None else bool(rng.uniform() < 0.3)),
        jpeg_quality=options.jpeg_quality or int(rng.integers(80, 96)),
    )


def sample_spaced_points(
    polygon: Polygon | MultiPolygon,
    count: int,
    min_spacing_px: float,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Draw ``count`` random points in a polygon, no two closer than ``min_spacing_px``.

    Parameters
    ----------
    polygon : Polygon or MultiPolygon
        Where to draw.
    count : int
        How many points to aim for.
    min_spacing_px : float
        Minimum distance between points.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of float, shape (K, 2)
        Points ``(x, y)``, ``K <= count``.
    """
    x0, y0, x1, y1 = polygon.bounds
    kept = np.zeros((0, 2))
    for _ in range(8):
        missing = count - len(kept)
        if missing <= 0:
            break
        fill = polygon.area / max((x1 - x0) * (y1 - y0), 1e-9)
        batch = rng.uniform((x0, y0), (x1, y1), (int(missing / max(fill, 0.05) * 1.3) + 8, 2))
        batch = batch[shapely.contains_xy(polygon, batch[:, 0], batch[:, 1])]
        if len(kept):
            distance, _ = cKDTree(kept).query(batch, k=1)
            batch = batch[distance >= min_spacing_px]
        tree = cKDTree(batch)
        drop = {j for i, j in tree.query_pairs(min_spacing_px)}
        batch = np.delete(batch, sorted(drop), axis=0)
        kept = np.vstack([kept, batch[:missing]])
    return kept


def _impressions(
    region: Polygon | MultiPolygon,
    hairline_xy: NDArray[np.float64],
    allowed: Polygon | MultiPolygon,
    options: SynthOptions,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Place impressions with a feathered edge at the hairline; columns x, y, d_mm, strength."""
    assert options.mm_per_px is not None and options.density_per_cm2 is not None
    px_per_mm = 1.0 / options.mm_per_px
    feather_px = rng.uniform(1.0, 3.0) * px_per_mm
    zone = cast("Polygon | MultiPolygon", region.buffer(feather_px).intersection(allowed))
    area_cm2 = zone.area * options.mm_per_px**2 / 100.0
    points = sample_spaced_points(
        zone, int(area_cm2 * options.density_per_cm2 * 1.15), MIN_SPACING_MM * px_per_mm, rng
    )
    if len(points) and len(hairline_xy) >= 2:
        distance = shapely.distance(LineString(hairline_xy), shapely.points(points))
        inside = shapely.contains_xy(region, points[:, 0], points[:, 1])
        signed = np.where(inside, distance, -distance)
        keep_probability = np.clip(0.5 + signed / feather_px, 0.0, 1.0)
    else:
        keep_probability = np.ones(len(points))
    keep_probability *= 0.87 * (1 + 0.1 * rng.uniform(-1, 1))  # patchiness of real work
    points = points[rng.uniform(size=len(points)) < keep_probability]
    diameters = rng.uniform(0.10, 0.35, len(points))
    strengths = rng.uniform(*render.INK_PROFILES[options.ink or "black"][1], len(points))
    return np.column_stack([points, diameters, strengths])


def _paint_confounders(
    canvas: render.FloatImage,
    allowed: Polygon | MultiPolygon,
    region: Polygon | MultiPolygon,
    options: SynthOptions,
    rng: np.random.Generator,
) -> None:
    """Pores, stubble, freckles and moles: dark marks that are not ink."""
    assert options.mm_per_px is not None
    px_per_mm = 1.0 / options.mm_per_px
    area_cm2 = allowed.area * options.mm_per_px**2 / 100
    for x, y in sample_spaced_points(allowed, int(area_cm2 * rng.uniform(15, 40)), 3.0, rng):
        render.paint_spot(
            canvas,
            x,
            y,
            rng.uniform(0.05, 0.12) * px_per_mm,
            rng.uniform(0.05, 0.14),
            (0.55, 0.45, 0.40),
            rng,
        )
    hairy = cast("Polygon | MultiPolygon", region.buffer(3 * px_per_mm).intersection(allowed))
    hair_area_cm2 = hairy.area * options.mm_per_px**2 / 100
    starts = sample_spaced_points(hairy, int(hair_area_cm2 * rng.uniform(1, 6)), 2.0, rng)
    lengths = rng.uniform(0.5, 1.6, len(starts)) * px_per_mm
    angles = rng.normal(rng.uniform(0, np.pi), 0.4, len(starts))
    ends = starts + np.column_stack([np.cos(angles), np.sin(angles)]) * lengths[:, None]
    widths = rng.uniform(0.05, 0.09, len(starts)) * px_per_mm
    render.paint_strokes(canvas, starts, ends, widths, rng.uniform(0.6, 0.8), render.HAIR_TINT)
    lesions = sample_spaced_points(allowed, int(rng.integers(1, 7)), 8 * px_per_mm, rng)
    for i, (x, y) in enumerate(lesions):
        mole = i % 3 == 2
        size = rng.uniform(2.0, 4.5) if mole else rng.uniform(1.0, 3.5)
        render.paint_spot(
            canvas,
            x,
            y,
            size * px_per_mm,
            rng.uniform(0.5, 0.7) if mole else rng.uniform(0.15, 0.3),
            render.MELANIN_TINT if not mole else (0.35, 0.22, 0.16),
            rng,
            soft_px=0.2 * px_per_mm,
        )


def _paint_eyebrows(
    canvas: render.FloatImage,
    curves: list[NDArray[np.float64]],
    px_per_mm: float,
    rng: np.random.Generator,
) -> None:
    """Dark bands of hairs along each eyebrow curve."""
    for curve in curves:
        index = rng.integers(0, len(curve), 400)
        base = curve[index] + rng.normal(0, 2.5 * px_per_mm, (400, 2)) * (0.3, 1.0)
        direction = np.gradient(curve, axis=0)[index]
        angle = np.arctan2(direction[:, 1], direction[:, 0]) + rng.normal(0, 0.35, 400)
        length = rng.uniform(4, 9, 400) * px_per_mm
        ends = base + np.column_stack([np.cos(angle), np.sin(angle)]) * length[:, None]
        widths = np.full(400, max(1.0, 0.08 * px_per_mm))
        render.paint_strokes(canvas, base, ends, widths, 0.85, render.HAIR_TINT)


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
    frame = shapely.box(0, 0, options.width_px, options.height_px)
    head = scene.head
    if head is not None and options.view == "front":
        (x0, _, x1, _), brow_y = head.bounds, float(scene.eyebrows[0][:, 1].mean())
        for ear_x in (x0 + 8 * px_per_mm, x1 - 8 * px_per_mm):
            ear = ellipse_polygon(ear_x, brow_y + 20 * px_per_mm, 14 * px_per_mm, 30 * px_per_mm)
            head = cast(Polygon, head.union(ear))  # the ear overlaps the head: one polygon
    allowed = frame.intersection(head) if head is not None else frame
    marker_corners = np.zeros((0, 2))
    sticker = Polygon()
    marker_angle = float(rng.uniform(-25, 25))
    marker_id = 0 if options.view == "closeup" else 2
    marker_side_mm = STANDARD_MARKER_SIDES_MM[marker_id]
    half = marker_side_mm * px_per_mm * (0.5 + 2 / 6)
    reach = half * (abs(np.cos(np.radians(marker_angle))) + abs(np.sin(np.radians(marker_angle))))
    marker_center = scene.marker_center_xy
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
    if options.confounders:
        _paint_confounders(canvas, allowed_ink, scene.region, options, rng)
        _paint_eyebrows(canvas, scene.eyebrows, px_per_mm, rng)
    impressions = _impressions(scene.region, scene.hairline_xy, allowed_ink, options, rng)
    tint = render.INK_PROFILES[options.ink or "black"][0]
    for x, y, diameter_mm, strength in impressions:
        render.paint_spot(canvas, x, y, diameter_mm * px_per_mm, strength, tint, rng)
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
            cast("Polygon | MultiPolygon", scene.region.difference(sticker))
            if place_marker
            else scene.region
        ),
        hairline_xy=_outside(scene.hairline_xy, sticker) if place_marker else scene.hairline_xy,
        scalp=head,
        marker_corners_xy=marker_corners,
        marker_side_mm=marker_side_mm,
    )
    return encoded.tobytes(), truth


def sticker_outline(center_xy: tuple[float, float], side_px: float, angle_deg: float) -> Polygon:
    """Return the printed sticker (marker and quiet zone) as :func:`paste_marker` draws it.

    Parameters
    ----------
    center_xy : tuple of float
        Centre in pixels.
    side_px : float
        Side of the whole sticker (marker and quiet zone) in pixels.
    angle_deg : float
        Rotation, counter-clockwise as seen on screen.

    Returns
    -------
    shapely.Polygon
        The sticker.
    """
    theta = np.radians(angle_deg)
    rot = np.array([[np.cos(theta), np.sin(theta)], [-np.sin(theta), np.cos(theta)]])
    unit = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
    return Polygon(np.asarray(center_xy) + (unit * side_px) @ rot.T)


def _outside(line_xy: NDArray[np.float64], sticker: Polygon) -> NDArray[np.float64]:
    """Return the longest part of a polyline that the sticker does not cover, left to right."""
    if len(line_xy) < 2:
        return line_xy
    rest = LineString(line_xy).difference(sticker)
    parts = [p for p in getattr(rest, "geoms", [rest]) if isinstance(p, LineString) and p.length]
    if not parts:
        return np.zeros((0, 2))
    xy = np.asarray(max(parts, key=lambda p: p.length).coords, dtype=np.float64)
    return xy if xy[0, 0] <= xy[-1, 0] else xy[::-1]


def strength_to_darkness(
    strength: NDArray[np.float64], tint: tuple[float, float, float]
) -> NDArray[np.float64]:
    """Relative darkening of skin under a dot's centre, 0..1, averaged over the colour channels.

    Parameters
    ----------
    strength : ndarray of float
        Ink strength 0..1.
    tint : tuple of float
        Per-channel reflectance under full-strength ink.

    Returns
    -------
    ndarray of float
        Darkness 0..1, the same measure the analysis reports.
    """
    return np.asarray(strength * (1.0 - float(np.mean(tint))), dtype=np.float64)


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
