"""Synthetic scalp photos with ground truth, for tests, benchmarks and the demo.

One generator covers close-ups of the hairline and whole-head views (front, three-quarter, side,
top; :mod:`scalpmap.imaging.synth_whole_head`) with faces, beards, ears, shine and clothes. Every
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
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.errors import InputError
from scalpmap.imaging import synth_render as render
from scalpmap.imaging.marker import paste_marker
from scalpmap.imaging.scale import STANDARD_MARKER_SIDES_MM
from scalpmap.imaging.synth_geometry import HairlineStyle, View, build_scene
from scalpmap.imaging.synth_marks import (
    longest_part_outside,
    paint_confounders,
    paint_eyebrows,
    place_impressions,
    sticker_outline,
    strength_to_darkness,
)
from scalpmap.imaging.synth_whole_head import (
    BeardStyle,
    HeadTruth,
    build_head_scene,
    paint_head_scene,
)

Ink = Literal["bluish-black", "black", "faded-grey"]

CLOSEUP_MM_PER_PX = (0.025, 0.038)
PHONE_MM_PER_PX = (0.02, 0.08)
"""Phone close-ups (``phone=True``): a phone 10-20 cm from the scalp."""
PHONE_MIN_DOT_PX = 2.0
PHONE_FADED_STRENGTH = (0.35, 0.85)
"""Faded ink in phone close-ups goes fainter than the ink's own range: old, light-grey work."""
PHONE_SPREAD_SHARE = 0.3
"""Share of phone close-ups' impressions whose ink spread into the skin: a soft edge."""
WHOLE_HEAD_MM_PER_PX = (0.10, 0.25)
VIEWS: tuple[View, ...] = (
    "closeup",
    "front",
    "three-quarter-left",
    "three-quarter-right",
    "side",
    "top",
)
BEARDS: tuple[BeardStyle, ...] = ("none", "stubble", "full", "goatee")
BACKGROUND_RGB = ((0.55, 0.57, 0.60), (0.30, 0.38, 0.50), (0.85, 0.85, 0.82), (0.35, 0.45, 0.38))


@dataclass(frozen=True)
class SynthOptions:
    """What to draw. ``None`` means: draw it at random from a realistic range.

    Attributes
    ----------
    seed : int
        Seed of every random choice.
    view : {"closeup", "front", "three-quarter-left", "three-quarter-right", "side", "top"}
        A close-up of the frontal hairline, or a whole-head view (``three-quarter-left`` shows
        the patient's left cheek).
    width_px, height_px : int
        Photo size.
    mm_per_px : float or None
        Scale; 0.025–0.038 for close-ups (0.02–0.08 with ``phone``) and 0.10–0.25 for
        whole-head views by default.
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
    beard : {"none", "stubble", "full", "goatee"} or None
        Whole-head views: the beard.
    moustache : bool or None
        Whole-head views: a moustache over the upper lip.
    shine : float or None
        Whole-head views: strength of the skin's specular shine, 0 (matt) to 1.
    wrinkles : bool or None
        Whole-head views: horizontal wrinkles on the forehead.
    glasses : bool or None
        Whole-head views: spectacles.
    natural_hair : bool or None
        Whole-head views: shaved natural hair on the sides and back, inside the SMP region.
    phone : bool
        Close-ups as a phone 10-20 cm away takes them: 0.02-0.08 mm/px by default, impressions
        at least 2 px across, faded ink down to strength 0.35 (darkness 0.21), and a third of
        the impressions with ink spread into the skin (a soft edge). Off, the close-ups are
        drawn as before (the tests' and the demo's photos do not change).
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
    beard: BeardStyle | None = None
    moustache: bool | None = None
    shine: float | None = None
    wrinkles: bool | None = None
    glasses: bool | None = None
    natural_hair: bool | None = None
    phone: bool = False


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
    head : HeadTruth or None
        Whole-head views: the view, the frontal hairline, the brow line, the face below it,
        the beard, the ears and the face's landmarks.
    """

    options: SynthOptions
    impressions: NDArray[np.float64]
    region: Polygon | MultiPolygon
    hairline_xy: NDArray[np.float64]
    scalp: Polygon | None
    marker_corners_xy: NDArray[np.float64]
    marker_side_mm: float
    head: HeadTruth | None = None

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
            "head": None if self.head is None else self.head.to_json(),
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
    if options.shine is not None and not 0.0 <= options.shine <= 1.0:
        raise InputError(f"shine must be 0..1, got {options.shine}")
    if options.view not in VIEWS:
        raise InputError(f"view must be one of {', '.join(VIEWS)}, got {options.view!r}")
    if options.beard is not None and options.beard not in BEARDS:
        raise InputError(f"beard must be one of {', '.join(BEARDS)}, got {options.beard!r}")
    rng = np.random.default_rng([options.seed, 7])
    whole_head = options.view != "closeup"
    scale_range = (
        WHOLE_HEAD_MM_PER_PX
        if whole_head
        else PHONE_MM_PER_PX
        if options.phone
        else CLOSEUP_MM_PER_PX
    )
    inks: tuple[Ink, ...] = ("bluish-black", "black", "faded-grey")
    styles: tuple[HairlineStyle, ...] = ("aggressive", "rounded")
    resolved = replace(
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
    if not whole_head:
        return resolved
    face_rng = np.random.default_rng([options.seed, 8])  # the close-ups' draws stay as they were
    beard = options.beard or BEARDS[int(face_rng.choice(4, p=[0.4, 0.2, 0.25, 0.15]))]
    moustache = options.moustache
    if moustache is None:
        moustache = bool(face_rng.uniform() < (0.8 if beard == "full" else 0.3))
    shine = options.shine
    if shine is None:
        shine = float(face_rng.uniform(0.15, 0.5)) if face_rng.uniform() < 0.6 else 0.0
    wrinkles = options.wrinkles
    if wrinkles is None:
        wrinkles = bool(face_rng.uniform() < 0.4)
    glasses = options.glasses
    if glasses is None:
        glasses = bool(face_rng.uniform() < 0.2)
    natural_hair = options.natural_hair
    if natural_hair is None:
        natural_hair = bool(face_rng.uniform() < 0.35)
    return replace(
        resolved,
        beard=beard,
        moustache=moustache,
        shine=shine,
        wrinkles=wrinkles,
        glasses=glasses,
        natural_hair=natural_hair,
    )


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
