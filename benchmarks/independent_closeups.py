"""Close-ups drawn by a second, independent model: a guard against tuning to our own generator.

``scalpmap.imaging.synth`` draws every photo the tests and the main benchmarks use, so a detector
tuned on it could learn that generator's ink, skin and camera rather than SMP. This module draws
close-ups with none of its code or models:

- **skin**: a colour from the Individual Typology Angle (ITA°, the colorimetric scale behind
  Fitzpatrick types) converted from CIELAB, spectral 1/f texture, a criss-cross of fine creases,
  pores of Gaussian profile, specular shine, vignetting;
- **ink**: dots of three contrast profiles (a disc with a soft edge of random width, a Gaussian,
  a disc inside a spread halo), each with its own peak contrast and colour, composited as a
  blend towards the ink colour, so that faded ink loses contrast on dark skin;
- **confounders**: curved, tapered stubble with a Gaussian cross-section, irregular freckles of
  several overlapping blobs, and moles;
- **camera**: optical blur, photon and read noise on a linear signal, a tone curve, a white
  balance, the phone's unsharp-mask sharpening (bright halos) and JPEG with chroma subsampling.

The pigmented region lies on one side of a wavy hairline tilted up to 30 degrees, with the dot
density fading over 1-4 mm across it. The truth lists every dot (centre, diameter at half
contrast, peak contrast) and the region.

Run ``.venv/bin/python benchmarks/independent_closeups.py OUT.png --seed 3`` to draw one and look.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.spatial import cKDTree
from shapely.geometry import LineString, Polygon

from independent_skin import skin_colour, spectral_noise

INKS = ("black", "blue-black", "faded")
PROFILES = ("soft-disc", "gaussian", "spread")
MIN_SPACING_MM = 0.3


@dataclass(frozen=True)
class IndependentCloseup:
    """One drawn close-up and its truth.

    Attributes
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo, after JPEG.
    mm_per_px : float
        Scale.
    fitzpatrick : int
        Skin type 1..6 (from the ITA° drawn).
    ink : str
        ``black``, ``blue-black`` or ``faded``.
    dots : ndarray of float, shape (N, 4)
        ``x, y, diameter_mm, contrast``: centre in pixels, diameter at half the peak contrast,
        peak darkening of the gamma-encoded luminance (0..1) before the camera's blur.
    region : Polygon
        The pigmented region (the 50 % density line is its hairline edge).
    """

    rgb: NDArray[np.uint8]
    mm_per_px: float
    fitzpatrick: int
    ink: str
    dots: NDArray[np.float64]
    region: Polygon


def _hairline(
    rows: int, cols: int, mm_per_px: float, rng: np.random.Generator
) -> tuple[NDArray[np.float64], Polygon]:
    """Draw a wavy line across the photo, tilted; the region is the side above it."""
    angle = np.radians(rng.uniform(-30, 30))
    centre = np.array([cols * rng.uniform(0.35, 0.65), rows * rng.uniform(0.4, 0.6)])
    along = np.array([np.cos(angle), np.sin(angle)])
    normal = np.array([np.sin(angle), -np.cos(angle)])  # towards the top of the photo
    reach = 1.5 * np.hypot(rows, cols)
    t = np.linspace(-reach, reach, 600)
    wave = np.zeros_like(t)
    for period_mm in (rng.uniform(8, 20), rng.uniform(25, 60)):
        wave += (
            rng.uniform(0.4, 2.5)
            / mm_per_px
            * np.sin(2 * np.pi * t * mm_per_px / period_mm + rng.uniform(0, 2 * np.pi))
        )
    line = centre + t[:, None] * along + wave[:, None] * normal
    far = line[::-1] + 3 * reach * normal
    region = Polygon(np.vstack([line, far])).buffer(0)
    frame = shapely.box(-0.5, -0.5, cols - 0.5, rows - 0.5)
    clipped = region.intersection(frame)
    if not isinstance(clipped, Polygon):
        clipped = max(getattr(clipped, "geoms", [Polygon()]), key=lambda g: g.area)
    return line, clipped


def _dot_positions(
    rows: int,
    cols: int,
    mm_per_px: float,
    density_per_cm2: float,
    line: NDArray[np.float64],
    region: Polygon,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Jittered-grid positions, kept by a density that fades across the hairline."""
    spacing_px = np.sqrt(100.0 / density_per_cm2) / mm_per_px
    ys = np.arange(spacing_px / 2, rows, spacing_px)
    xs = np.arange(spacing_px / 2, cols, spacing_px)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    grid += rng.uniform(-0.42, 0.42, grid.shape) * spacing_px
    grid = grid[(grid[:, 0] >= 2) & (grid[:, 0] < cols - 3) & (grid[:, 1] >= 2)]
    grid = grid[grid[:, 1] < rows - 3]
    close = cKDTree(grid).query_pairs(MIN_SPACING_MM / mm_per_px, output_type="ndarray")
    grid = np.delete(grid, np.unique(close[:, 1]), axis=0)  # practitioners keep dots apart
    feather_px = rng.uniform(1.0, 4.0) / mm_per_px
    distance = shapely.distance(LineString(line), shapely.points(grid))
    inside = shapely.contains_xy(region, grid[:, 0], grid[:, 1])
    signed = np.where(inside, distance, -distance)
    keep = rng.uniform(size=len(grid)) < np.clip(0.5 + signed / feather_px, 0, 1) * 0.9
    return np.asarray(grid[keep], dtype=np.float64)


def _profile(kind: str, r: NDArray[np.float64], r0: float, soft: float) -> NDArray[np.float64]:
    """Relative contrast (1 at the centre) of a dot of radius ``r0`` at distances ``r``."""
    if kind == "gaussian":  # half contrast at r0
        return np.asarray(np.exp(-np.log(2) * (r / r0) ** 2))
    core = np.clip((r0 - r) / max(soft, 1e-3) + 0.5, 0.0, 1.0)
    if kind == "soft-disc":
        return np.asarray(core)
    halo = 0.3 * np.clip((1.7 * r0 - r) / (0.7 * r0), 0.0, 1.0)  # ink spread around the core
    return np.asarray(np.maximum(core, halo))


def _paint_dots(
    linear: NDArray[np.float32],
    dots: NDArray[np.float64],
    ink_rgb: NDArray[np.float64],
    profiles: Sequence[str],
    softness: NDArray[np.float64],
) -> None:
    """Blend each dot towards the ink colour with its profile, supersampled 4x4, in place."""
    rows, cols = linear.shape[:2]
    sub = (np.arange(4) + 0.5) / 4 - 0.5
    for (x, y, r0, alpha), kind, soft in zip(dots, profiles, softness, strict=True):
        reach = int(np.ceil(1.8 * r0 + soft + 1))
        c0, c1 = max(0, int(x) - reach), min(cols, int(x) + reach + 2)
        r_0, r_1 = max(0, int(y) - reach), min(rows, int(y) + reach + 2)
        px = (np.arange(c0, c1)[:, None] + sub[None, :]).ravel()
        py = (np.arange(r_0, r_1)[:, None] + sub[None, :]).ravel()
        dist = np.hypot(px[None, :] - x, py[:, None] - y)
        weight = _profile(kind, dist, r0, soft)
        weight = weight.reshape(r_1 - r_0, 4, c1 - c0, 4).mean(axis=(1, 3)) * alpha
        patch = linear[r_0:r_1, c0:c1]
        patch *= 1 - weight[..., None]
        patch += weight[..., None] * ink_rgb[None, None, :].astype(np.float32)


def _paint_hairs(
    linear: NDArray[np.float32], mm_per_px: float, count: int, rng: np.random.Generator
) -> None:
    """Curved, tapered stubble with a Gaussian cross-section, darkening towards brown-black."""
    rows, cols = linear.shape[:2]
    scale = 4
    for _ in range(count):
        start = rng.uniform((0, 0), (cols, rows))
        length = rng.uniform(0.4, 3.0) / mm_per_px
        angle = rng.uniform(0, 2 * np.pi)
        bend = rng.normal(0, 0.4)
        t = np.linspace(0, 1, 24)
        heading = angle + bend * t
        steps = np.column_stack([np.cos(heading), np.sin(heading)]) * (length / len(t))
        path = start + np.cumsum(steps, axis=0)
        width_px = rng.uniform(0.035, 0.09) / mm_per_px
        x0, y0 = np.floor(path.min(axis=0) - width_px - 3).astype(int)
        x1, y1 = np.ceil(path.max(axis=0) + width_px + 3).astype(int)
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, cols), min(y1, rows)
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        canvas = np.zeros(((y1 - y0) * scale, (x1 - x0) * scale), np.float32)
        local = (path - (x0, y0) + 0.5) * scale - 0.5
        for k in range(len(local) - 1):  # tapered: thinner towards the tip
            thick = max(1, int(round(width_px * scale * (1.0 - 0.7 * t[k]))))
            p0 = tuple(int(v) for v in np.round(local[k]))
            p1 = tuple(int(v) for v in np.round(local[k + 1]))
            cv2.line(canvas, p0, p1, 1.0, thick)
        canvas = cv2.GaussianBlur(canvas, (0, 0), 0.5 * scale)
        small = cv2.resize(canvas, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)
        alpha = np.clip(small, 0, 1) * rng.uniform(0.45, 0.85)
        hair = np.array([0.035, 0.025, 0.02], np.float32) * rng.uniform(0.6, 1.6)
        patch = linear[y0:y1, x0:x1]
        patch *= 1 - alpha[..., None]
        patch += alpha[..., None] * hair


def _paint_lesions(linear: NDArray[np.float32], mm_per_px: float, rng: np.random.Generator) -> None:
    """Freckles (clusters of soft brown blobs) and moles (dark, round, soft-edged)."""
    rows, cols = linear.shape[:2]
    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float32)
    for _ in range(int(rng.integers(2, 9))):
        cx, cy = rng.uniform((0, 0), (cols, rows))
        mole = rng.uniform() < 0.35
        size_px = (rng.uniform(2.0, 6.0) if mole else rng.uniform(0.8, 4.0)) / mm_per_px
        y0, y1 = int(max(0, cy - size_px)), int(min(rows, cy + size_px))
        x0, x1 = int(max(0, cx - size_px)), int(min(cols, cx + size_px))
        if x1 <= x0 or y1 <= y0:
            continue
        sx, sy = xx[y0:y1, x0:x1], yy[y0:y1, x0:x1]
        weight = np.zeros_like(sx)
        for _blob in range(1 if mole else int(rng.integers(2, 5))):
            bx = cx + rng.normal(0, 0.15 * size_px) * (not mole)
            by = cy + rng.normal(0, 0.15 * size_px) * (not mole)
            radius = size_px / 2 * (1.0 if mole else rng.uniform(0.4, 0.8))
            dist = np.hypot(sx - bx, sy - by)
            weight = np.maximum(weight, np.clip((radius - dist) / (0.25 * radius) + 0.5, 0, 1))
        strength = rng.uniform(0.45, 0.75) if mole else rng.uniform(0.12, 0.35)
        brown = np.array([0.12, 0.055, 0.03] if mole else [0.35, 0.19, 0.10], np.float32)
        patch = linear[y0:y1, x0:x1]
        patch *= 1 - (weight * strength)[..., None]
        patch += (weight * strength)[..., None] * brown


def _camera(
    linear: NDArray[np.float32], rng: np.random.Generator, quality: int
) -> NDArray[np.uint8]:
    """Blur, noise, white balance, tone curve, sharpening and JPEG."""
    target = rng.uniform(0.18, 0.45)  # auto exposure: the median brought to a mid tone
    exposure = target / max(float(np.median(linear.mean(axis=2))), 1e-3)
    signal = np.clip(linear * exposure, 0, 1)
    signal = cv2.GaussianBlur(signal, (0, 0), rng.uniform(0.3, 1.0))
    photons = rng.uniform(800, 6000)  # full-well-like: fewer photons, more shot noise
    noisy = rng.poisson(signal * photons).astype(np.float32) / photons
    noisy += rng.normal(0, rng.uniform(0.001, 0.004), noisy.shape).astype(np.float32)
    noisy *= rng.uniform(0.92, 1.08, 3).astype(np.float32)
    encoded = np.clip(noisy, 0, 1) ** (1 / rng.uniform(2.0, 2.4))
    encoded = encoded + 0.08 * (encoded - cv2.GaussianBlur(encoded, (0, 0), 4.0))  # tone S
    amount = rng.uniform(0.0, 0.8)  # the phone's sharpening
    sharp = encoded + amount * (encoded - cv2.GaussianBlur(encoded, (0, 0), 1.2))
    out = np.clip(sharp * 255 + 0.5, 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(
        ".jpg", cv2.cvtColor(out, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    assert ok
    decoded = cv2.imdecode(jpeg, cv2.IMREAD_COLOR)
    return np.asarray(cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB), dtype=np.uint8)


def draw_closeup(
    seed: int,
    *,
    mm_per_px: float,
    fitzpatrick: int,
    ink: str,
    width_px: int = 1600,
    height_px: int = 1200,
    diameter_mm: tuple[float, float] = (0.14, 0.36),
) -> IndependentCloseup:
    """Draw one close-up with the independent model.

    Parameters
    ----------
    seed : int
        Seed of every random choice.
    mm_per_px : float
        Scale.
    fitzpatrick : int
        Skin type 1..6.
    ink : {"black", "blue-black", "faded"}
        The ink.
    width_px, height_px : int, optional
        Photo size.
    diameter_mm : tuple of float, optional
        Range of the dots' diameters at half contrast.

    Returns
    -------
    IndependentCloseup
        The photo and its truth.
    """
    rng = np.random.default_rng([seed, 11, 29])
    rows, cols = height_px, width_px
    base = skin_colour(fitzpatrick, rng)
    px_per_mm = 1 / mm_per_px
    low = cv2.GaussianBlur(spectral_noise((rows, cols), 2.6, rng), (0, 0), 2 * px_per_mm)
    mid = spectral_noise((rows, cols), 1.6, rng)
    creases = np.abs(spectral_noise((rows, cols), 2.2, rng))
    creases = np.exp(-((creases / 0.06) ** 2)).astype(np.float32)
    light = 1 + 0.08 * low + 0.025 * mid - rng.uniform(0.02, 0.06) * creases
    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float32)
    vignette = 1 - rng.uniform(0.1, 0.35) * (
        ((xx - cols / 2) / cols) ** 2 + ((yy - rows / 2) / rows) ** 2
    )
    linear = (base[None, None, :] * (light * vignette)[..., None]).astype(np.float32)
    area_cm2 = rows * cols * mm_per_px**2 / 100
    pores = rng.uniform((0, 0), (cols, rows), (int(area_cm2 * rng.uniform(30, 120)), 2))
    for x, y in pores:
        sigma = rng.uniform(0.02, 0.05) * px_per_mm
        reach = int(np.ceil(3 * sigma)) + 1
        c0, c1 = max(0, int(x) - reach), min(cols, int(x) + reach + 1)
        r0, r1 = max(0, int(y) - reach), min(rows, int(y) + reach + 1)
        g = np.exp(-((xx[r0:r1, c0:c1] - x) ** 2 + (yy[r0:r1, c0:c1] - y) ** 2) / (2 * sigma**2))
        linear[r0:r1, c0:c1] *= (1 - rng.uniform(0.03, 0.12) * g)[..., None]
    _paint_lesions(linear, mm_per_px, rng)
    line, region = _hairline(rows, cols, mm_per_px, rng)
    xy = _dot_positions(rows, cols, mm_per_px, rng.uniform(20, 90), line, region, rng)
    diameters = rng.uniform(*diameter_mm, len(xy))
    if ink == "faded":  # contrasts as seen on the photo (gamma-encoded luminance)
        contrast = rng.uniform(0.10, 0.35, len(xy))
        ink_rgb = np.array([0.025, 0.035, 0.05]) * rng.uniform(0.8, 1.3)  # blue-grey
    elif ink == "blue-black":
        contrast = rng.uniform(0.45, 0.85, len(xy))
        ink_rgb = np.array([0.010, 0.018, 0.040])
    else:
        contrast = rng.uniform(0.45, 0.85, len(xy))
        ink_rgb = np.array([0.012, 0.012, 0.013])
    ink_rgb = np.minimum(ink_rgb, 0.6 * base)  # seen through the skin: never lighter than it
    kinds = [PROFILES[int(k)] for k in rng.integers(0, 3, len(xy))]
    radius_px = diameters / 2 * px_per_mm
    softness = rng.uniform(0.1, 0.5, len(xy)) * radius_px
    # Blend weight giving the drawn luminance contrast on this skin with this ink.
    luma = np.array([0.2126, 0.7152, 0.0722])
    skin_luma, ink_luma = float(base @ luma), float(ink_rgb @ luma)
    linear_contrast = 1 - (1 - contrast) ** 2.2
    alpha = np.clip(linear_contrast / max(1 - ink_luma / skin_luma, 0.05), 0, 1)
    drawn = 1 - (1 - alpha * max(1 - ink_luma / skin_luma, 0.0)) ** (1 / 2.2)
    _paint_dots(linear, np.column_stack([xy, radius_px, alpha]), ink_rgb, kinds, softness)
    hairs = int(area_cm2 * rng.uniform(2, 14))
    _paint_hairs(linear, mm_per_px, hairs, rng)
    rgb = _camera(linear, rng, int(rng.integers(70, 96)))
    dots = np.column_stack([xy, diameters, drawn])
    return IndependentCloseup(rgb, mm_per_px, fitzpatrick, ink, dots, region)


def main(argv: Sequence[str] | None = None) -> int:
    """Draw one close-up to a PNG (to look at).

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments.

    Returns
    -------
    int
        0.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mm-per-px", type=float, default=0.06)
    parser.add_argument("--skin", type=int, default=3)
    parser.add_argument("--ink", choices=INKS, default="faded")
    args = parser.parse_args(argv)
    photo = draw_closeup(args.seed, mm_per_px=args.mm_per_px, fitzpatrick=args.skin, ink=args.ink)
    cv2.imwrite(str(args.out), cv2.cvtColor(photo.rgb, cv2.COLOR_RGB2BGR))
    print(f"{args.out}: {len(photo.dots)} dots, {photo.mm_per_px} mm/px")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
