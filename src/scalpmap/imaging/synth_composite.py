"""Semi-real composites: synthetic SMP rendered into a region drawn on a real photo's bare scalp.

A real photo without SMP, with a by-eye annotation of its bare bald scalp and of a realistic
hairline (``benchmarks/data/real-heads/scalp_annotations.json``), is turned upright, upscaled to
clinic resolution, and gets the generator's impressions (ink, size, density and the hairline's
feathering) in the region above the hairline, so that the truth is known exactly while skin,
light, face, beard and background are real.

Examples
--------
>>> from scalpmap.imaging.synth_composite import region_from_annotation
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import cv2
import numpy as np
import shapely
import shapely.affinity
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiPolygon, Polygon

from scalpmap.errors import InputError
from scalpmap.imaging import synth_render as render
from scalpmap.imaging.synth_marks import place_impressions, strength_to_darkness
from scalpmap.imaging.synth_options import Ink, SynthOptions

UPSCALE = 3


@dataclass(frozen=True)
class ScalpAnnotation:
    """A by-eye annotation of one real photo, in the pixels of the photo turned upright.

    Attributes
    ----------
    name : str
        The photo's file stem.
    quarter_turns : int
        Counter-clockwise quarter turns (``numpy.rot90``) that stand the photo upright.
    view : str
        The head's view, named as the head model names it.
    bare_scalp : Polygon or MultiPolygon
        Bare bald skin of the head above the brows: where pigment could be drawn.
    brow_line_xy : ndarray of float, shape (K, 2)
        The brows' upper edge, left to right.
    glabella_xy : ndarray of float, shape (2,) or None
        The point between the brows, when it shows.
    scale_points_xy : ndarray of float, shape (2, 2)
        Two points whose distance is ``scale_mm`` (head width, head length or ear length).
    scale_mm : float
        That distance in millimetres.
    hairline_xy : ndarray of float, shape (M, 2)
        The drawn hairline: the region lies on the side of ``closure_xy``.
    frontal : tuple of int
        First and last index of the hairline's frontal part.
    closure_xy : ndarray of float, shape (P, 2)
        Points that close the hairline into a polygon around the scalp side.
    """

    name: str
    quarter_turns: int
    view: str
    bare_scalp: Polygon | MultiPolygon
    brow_line_xy: NDArray[np.float64]
    glabella_xy: NDArray[np.float64] | None
    scale_points_xy: NDArray[np.float64]
    scale_mm: float
    hairline_xy: NDArray[np.float64]
    frontal: tuple[int, int]
    closure_xy: NDArray[np.float64]

    @property
    def mm_per_px(self) -> float:
        """Scale of the upright photo at its own resolution, from the scale points."""
        distance = float(np.linalg.norm(self.scale_points_xy[1] - self.scale_points_xy[0]))
        return self.scale_mm / distance


def load_scalp_annotations(path: str | Path) -> dict[str, ScalpAnnotation]:
    """Read the annotations file.

    Parameters
    ----------
    path : str or Path
        ``scalp_annotations.json``.

    Returns
    -------
    dict of str to ScalpAnnotation
        By photo name.

    Raises
    ------
    InputError
        When the file is missing or not an annotations file.
    """
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputError(f"cannot read the scalp annotations {path}: {error}") from error
    if doc.get("format") != "scalpmap-real-heads-annotations/1":
        raise InputError(f"{path} is not a scalpmap-real-heads-annotations/1 file")
    return {name: _annotation(name, entry) for name, entry in doc["photos"].items()}


def _annotation(name: str, entry: dict[str, Any]) -> ScalpAnnotation:
    bare = shapely.union_all([Polygon(p).buffer(0) for p in entry["bare_scalp"]])
    glabella = entry.get("glabella")
    return ScalpAnnotation(
        name=name,
        quarter_turns=int(entry["rotate_ccw_quarter_turns"]),
        view=str(entry["view"]),
        bare_scalp=cast("Polygon | MultiPolygon", bare),
        brow_line_xy=np.asarray(entry["brow_line"], dtype=np.float64),
        glabella_xy=None if glabella is None else np.asarray(glabella, dtype=np.float64),
        scale_points_xy=np.asarray(entry["scale"]["points"], dtype=np.float64),
        scale_mm=float(entry["scale"]["mm"]),
        hairline_xy=np.asarray(entry["hairline"], dtype=np.float64),
        frontal=(int(entry["frontal"][0]), int(entry["frontal"][1])),
        closure_xy=np.asarray(entry["closure"], dtype=np.float64),
    )


def region_from_annotation(annotation: ScalpAnnotation) -> Polygon | MultiPolygon:
    """Return the region an annotation defines: bare scalp on the closure's side of the hairline.

    Parameters
    ----------
    annotation : ScalpAnnotation
        The annotation.

    Returns
    -------
    Polygon or MultiPolygon
        The region in the upright photo's pixels.
    """
    ring = np.vstack([annotation.hairline_xy, annotation.closure_xy])
    side = Polygon(ring).buffer(0)
    return cast("Polygon | MultiPolygon", annotation.bare_scalp.intersection(side))


def to_original_xy(
    xy: NDArray[np.float64], quarter_turns: int, upright_shape: tuple[int, int]
) -> NDArray[np.float64]:
    """Map points of the upright photo back to the photo's own pixels.

    Parameters
    ----------
    xy : ndarray of float, shape (N, 2)
        Points in the upright photo.
    quarter_turns : int
        The ``numpy.rot90`` turns that made the upright photo.
    upright_shape : tuple of int
        ``(rows, cols)`` of the upright photo.

    Returns
    -------
    ndarray of float, shape (N, 2)
        The same points in the original photo.
    """
    points = np.asarray(xy, dtype=np.float64).copy()
    rows, cols = upright_shape
    for _ in range(quarter_turns % 4):
        # numpy.rot90 puts original (x, y) at (y, W - 1 - x), W = the turned frame's rows.
        x, y = points[:, 0].copy(), points[:, 1].copy()
        points[:, 0], points[:, 1] = rows - 1 - y, x
        rows, cols = cols, rows
    return points


@dataclass(frozen=True)
class Composite:
    """A real photo with rendered SMP, and the truth, at the upscaled resolution.

    Attributes
    ----------
    name : str
        The photo.
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The composite, upright and upscaled, passed through JPEG.
    mm_per_px : float
        Its scale.
    region : Polygon or MultiPolygon
        The true pigmented region.
    hairline_xy, frontal_hairline_xy : ndarray of float, shape (M, 2)
        The true hairline and its frontal part, left to right.
    bare_scalp : Polygon or MultiPolygon
        The bare scalp (where pigment could be).
    brow_line_xy : ndarray of float, shape (K, 2)
        The brows' upper edge.
    impressions : ndarray of float, shape (N, 4)
        ``x, y, diameter_mm, darkness``.
    ink : str
        The ink rendered.
    density_per_cm2 : float
        Nominal density.
    """

    name: str
    rgb: NDArray[np.uint8]
    mm_per_px: float
    region: Polygon | MultiPolygon
    hairline_xy: NDArray[np.float64]
    frontal_hairline_xy: NDArray[np.float64]
    bare_scalp: Polygon | MultiPolygon
    brow_line_xy: NDArray[np.float64]
    impressions: NDArray[np.float64]
    ink: str
    density_per_cm2: float


def _scaled(geometry: Any, factor: float) -> Any:
    """Scale pixel geometry about the pixel-centre origin (centre of pixel 0 stays at 0)."""
    shift = (factor - 1) / 2
    return shapely.affinity.affine_transform(geometry, [factor, 0, 0, factor, shift, shift])


def _inside_part(line_xy: NDArray[np.float64], area: Polygon | MultiPolygon) -> NDArray[np.float64]:
    """Return the longest part of a polyline inside an area, left to right."""
    inside = LineString(line_xy).intersection(area)
    parts = [p for p in getattr(inside, "geoms", [inside]) if isinstance(p, LineString)]
    parts = [p for p in parts if p.length > 0]
    if not parts:
        return np.zeros((0, 2))
    xy = np.asarray(max(parts, key=lambda p: p.length).coords, dtype=np.float64)
    return xy if xy[0, 0] <= xy[-1, 0] else xy[::-1]


def composite_smp(
    photo_rgb: NDArray[np.uint8],
    annotation: ScalpAnnotation,
    *,
    seed: int,
    ink: Ink,
    density_per_cm2: float,
    upscale: int = UPSCALE,
) -> Composite:
    """Render SMP into the annotated region of a real photo.

    Parameters
    ----------
    photo_rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo as stored (not yet upright).
    annotation : ScalpAnnotation
        Its annotation.
    seed : int
        Seed of the impressions.
    ink : {"bluish-black", "black", "faded-grey"}
        Ink.
    density_per_cm2 : float
        Nominal impressions per cm².
    upscale : int, optional
        Factor of the Lanczos upscaling (3 brings 640 px photos to about 0.1 mm/px).

    Returns
    -------
    Composite
        The composite and its truth.
    """
    rng = np.random.default_rng([seed, 31])
    upright = np.ascontiguousarray(np.rot90(photo_rgb, annotation.quarter_turns))
    big = cv2.resize(upright, None, fx=upscale, fy=upscale, interpolation=cv2.INTER_LANCZOS4)
    mm_per_px = annotation.mm_per_px / upscale
    options = SynthOptions(seed=seed, mm_per_px=mm_per_px, density_per_cm2=density_per_cm2, ink=ink)
    bare = _scaled(annotation.bare_scalp, upscale)
    region = _scaled(region_from_annotation(annotation), upscale)
    hairline = _inside_part(_scaled_xy(annotation.hairline_xy, upscale), bare.buffer(1.0))
    i0, i1 = annotation.frontal
    frontal = _inside_part(
        _scaled_xy(annotation.hairline_xy[i0 : i1 + 1], upscale), bare.buffer(1.0)
    )
    impressions = place_impressions(region, hairline, bare, options, rng)
    canvas = big.astype(np.float32) / 255.0
    tint = render.INK_PROFILES[ink][0]
    px_per_mm = 1.0 / mm_per_px
    for x, y, diameter_mm, strength in impressions:
        render.paint_spot(canvas, x, y, diameter_mm * px_per_mm, strength, tint, rng)
    photo = render.apply_camera(canvas, rng, blur_px=0.6, noise=0.006)
    ok, encoded = cv2.imencode(
        ".jpg", cv2.cvtColor(photo, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95]
    )
    decoded = cv2.imdecode(encoded, cv2.IMREAD_COLOR) if ok else None
    if decoded is None:
        raise InputError(f"could not encode the composite of {annotation.name} as JPEG")
    darkness = strength_to_darkness(impressions[:, 3], tint)
    return Composite(
        name=annotation.name,
        rgb=np.asarray(cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB), dtype=np.uint8),
        mm_per_px=mm_per_px,
        region=region,
        hairline_xy=hairline,
        frontal_hairline_xy=frontal,
        bare_scalp=bare,
        brow_line_xy=_scaled_xy(annotation.brow_line_xy, upscale),
        impressions=np.column_stack([impressions[:, :3], darkness]),
        ink=ink,
        density_per_cm2=density_per_cm2,
    )


def _scaled_xy(xy: NDArray[np.float64], factor: float) -> NDArray[np.float64]:
    """Scale pixel coordinates about the pixel-centre origin."""
    return np.asarray(xy, dtype=np.float64) * factor + (factor - 1) / 2
