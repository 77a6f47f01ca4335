"""Painting synthetic scalp photos: skin, ink dots, hairs, pigmented lesions and the camera.

The canvas is a float32 RGB image with values in 0..1 (linear-ish reflectance times light). Dark
marks multiply the skin under them, which is how ink and melanin darken real skin: the contrast
of a dot against its surrounding skin is the same on any skin type.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

FloatImage = NDArray[np.float32]

# Typical skin colours (sRGB 0..1) of Fitzpatrick types I..VI, from light to dark.
FITZPATRICK_SKIN_RGB: dict[int, tuple[float, float, float]] = {
    1: (0.95, 0.84, 0.77),
    2: (0.89, 0.74, 0.63),
    3: (0.80, 0.63, 0.50),
    4: (0.66, 0.48, 0.34),
    5: (0.47, 0.32, 0.22),
    6: (0.30, 0.20, 0.15),
}

# Per-channel reflectance left under a fully dense dot, and the range of ink strength (0..1).
INK_PROFILES: dict[str, tuple[tuple[float, float, float], tuple[float, float]]] = {
    "bluish-black": ((0.10, 0.14, 0.24), (0.80, 0.95)),
    "black": ((0.12, 0.12, 0.13), (0.80, 0.95)),
    "faded-grey": ((0.40, 0.40, 0.42), (0.55, 0.85)),
}

MELANIN_TINT = (0.55, 0.38, 0.25)  # reflectance under a brown lesion: blue drops most
HAIR_TINT = (0.12, 0.10, 0.09)

SUPERSAMPLE = 4


def low_frequency_field(
    shape: tuple[int, int], cell_px: float, rng: np.random.Generator
) -> FloatImage:
    """Smooth random field with unit standard deviation and features about ``cell_px`` wide.

    Parameters
    ----------
    shape : tuple of int
        Output ``(rows, cols)``.
    cell_px : float
        Feature size in pixels.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of float32
        The field.
    """
    rows, cols = shape
    small = (max(2, int(cols / cell_px) + 2), max(2, int(rows / cell_px) + 2))
    noise = rng.normal(0, 1, (small[1], small[0])).astype(np.float32)
    field = np.asarray(
        cv2.resize(noise, (cols, rows), interpolation=cv2.INTER_CUBIC), dtype=np.float32
    )
    std = float(field.std()) or 1.0
    return np.asarray((field - field.mean()) / std, dtype=np.float32)


def paint_skin(
    shape: tuple[int, int],
    fitzpatrick: int,
    px_per_mm: float,
    rng: np.random.Generator,
) -> FloatImage:
    """Paint bare skin: base tone, blotches, curvature shading and fine texture.

    Parameters
    ----------
    shape : tuple of int
        ``(rows, cols)``.
    fitzpatrick : int
        Skin type 1..6.
    px_per_mm : float
        Scale.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of float32, shape (rows, cols, 3)
        The skin.
    """
    rows, cols = shape
    base = np.array(FITZPATRICK_SKIN_RGB[fitzpatrick], dtype=np.float32)
    base = base * rng.uniform(0.93, 1.05, 3).astype(np.float32)
    blotch = low_frequency_field(shape, 12 * px_per_mm, rng) * rng.uniform(0.02, 0.05)
    redness = low_frequency_field(shape, 20 * px_per_mm, rng) * rng.uniform(0.01, 0.04)
    texture = low_frequency_field(shape, max(2.0, 0.4 * px_per_mm), rng) * 0.015
    yy = np.linspace(-1, 1, rows, dtype=np.float32)[:, None]
    xx = np.linspace(-1, 1, cols, dtype=np.float32)[None, :]
    cx, cy = rng.uniform(-0.6, 0.6, 2)
    shading = 1.04 - rng.uniform(0.12, 0.28) * ((xx - cx) ** 2 + (yy - cy) ** 2) / 2
    light = (shading * (1 + blotch + texture)).astype(np.float32)
    skin = np.empty((rows, cols, 3), dtype=np.float32)
    tint = (1.0 + redness * np.float32(0.6), 1.0 - redness * np.float32(0.3), 1.0 - redness)
    for channel in range(3):
        skin[..., channel] = base[channel] * light * tint[channel]
    return skin


def disk_alpha(
    radius_px: float, frac_xy: tuple[float, float], aspect: float, angle: float
) -> tuple[FloatImage, int]:
    """Anti-aliased coverage of a slightly elliptic disk, by supersampling.

    Parameters
    ----------
    radius_px : float
        Mean radius in pixels.
    frac_xy : tuple of float
        Sub-pixel position of the centre inside the central pixel, each in [0, 1).
    aspect : float
        Ratio of the long to the short axis (1 = round).
    angle : float
        Orientation in radians.

    Returns
    -------
    alpha : ndarray of float32
        Coverage 0..1 of each pixel of the patch.
    half : int
        The patch is ``2 * half + 1`` pixels wide, centred on the dot's pixel.
    """
    half = int(np.ceil(radius_px * aspect)) + 2
    n = (2 * half + 1) * SUPERSAMPLE
    offsets = (np.arange(n, dtype=np.float32) + 0.5) / SUPERSAMPLE - half - 0.5
    dx = offsets[None, :] - (frac_xy[0] - 0.5)
    dy = offsets[:, None] - (frac_xy[1] - 0.5)
    cos, sin = np.cos(angle), np.sin(angle)
    u = (dx * cos + dy * sin) / np.sqrt(aspect)
    v = (-dx * sin + dy * cos) * np.sqrt(aspect)
    inside = (u * u + v * v <= radius_px * radius_px).astype(np.float32)
    alpha = inside.reshape(2 * half + 1, SUPERSAMPLE, 2 * half + 1, SUPERSAMPLE).mean(axis=(1, 3))
    return alpha.astype(np.float32), half


def darken_patch(
    canvas: FloatImage,
    alpha: FloatImage,
    center_rc: tuple[int, int],
    half: int,
    strength: float,
    tint: tuple[float, float, float],
) -> None:
    """Multiply the canvas under ``alpha`` towards ``tint`` reflectance, in place.

    Parameters
    ----------
    canvas : ndarray of float32, shape (rows, cols, 3)
        The image being painted.
    alpha : ndarray of float32
        Coverage patch of shape ``(2 * half + 1, 2 * half + 1)``.
    center_rc : tuple of int
        Row and column of the patch centre.
    half : int
        Half size of the patch.
    strength : float
        0..1, how fully the mark absorbs.
    tint : tuple of float
        Reflectance per channel left under a full-strength mark.
    """
    rows, cols = canvas.shape[:2]
    r, c = center_rc
    r0, r1 = max(0, r - half), min(rows, r + half + 1)
    c0, c1 = max(0, c - half), min(cols, c + half + 1)
    if r0 >= r1 or c0 >= c1:
        return
    a = alpha[r0 - (r - half) : r1 - (r - half), c0 - (c - half) : c1 - (c - half)]
    region = canvas[r0:r1, c0:c1]
    for channel in range(3):
        region[..., channel] *= 1.0 - strength * a * (1.0 - tint[channel])


def paint_spot(
    canvas: FloatImage,
    x: float,
    y: float,
    diameter_px: float,
    strength: float,
    tint: tuple[float, float, float],
    rng: np.random.Generator,
    *,
    soft_px: float = 0.0,
) -> None:
    """Paint one round mark (an ink impression, a pore, a freckle or a mole).

    Parameters
    ----------
    canvas : ndarray of float32, shape (rows, cols, 3)
        The image being painted, modified in place.
    x, y : float
        Centre in pixel coordinates (centre of the top-left pixel is 0, 0).
    diameter_px : float
        Diameter in pixels.
    strength : float
        0..1 absorption.
    tint : tuple of float
        Per-channel reflectance under a full-strength mark.
    rng : numpy.random.Generator
        Source of randomness for a slight irregular shape.
    soft_px : float, optional
        Extra Gaussian softness of the edge, for lesions.
    """
    col, row = int(np.floor(x + 0.5)), int(np.floor(y + 0.5))
    frac = (x + 0.5 - col, y + 0.5 - row)
    aspect = float(rng.uniform(1.0, 1.15))
    alpha, half = disk_alpha(diameter_px / 2, frac, aspect, float(rng.uniform(0, np.pi)))
    if soft_px > 0:
        pad = int(np.ceil(3 * soft_px))
        alpha = np.asarray(cv2.GaussianBlur(np.pad(alpha, pad), (0, 0), soft_px), dtype=np.float32)
        half += pad
    darken_patch(canvas, alpha, (row, col), half, strength, tint)


def paint_strokes(
    canvas: FloatImage,
    starts_xy: NDArray[np.float64],
    ends_xy: NDArray[np.float64],
    width_px: NDArray[np.float64],
    strength: float,
    tint: tuple[float, float, float],
) -> None:
    """Paint hair strokes (stubble, eyebrows) as anti-aliased lines.

    Parameters
    ----------
    canvas : ndarray of float32, shape (rows, cols, 3)
        The image being painted, modified in place.
    starts_xy, ends_xy : ndarray of float, shape (N, 2)
        Stroke end points.
    width_px : ndarray of float, shape (N,)
        Stroke widths.
    strength : float
        0..1 absorption.
    tint : tuple of float
        Per-channel reflectance under the hair.
    """
    rows, cols = canvas.shape[:2]
    mask = np.zeros((rows, cols), dtype=np.uint8)
    shift = 4
    scale = 1 << shift
    for start, end, width in zip(starts_xy, ends_xy, width_px, strict=True):
        p0 = (int(round(start[0] * scale)), int(round(start[1] * scale)))
        p1 = (int(round(end[0] * scale)), int(round(end[1] * scale)))
        cv2.line(mask, p0, p1, 255, max(1, int(round(width))), cv2.LINE_AA, shift)
    alpha = mask.astype(np.float32) / 255.0
    for channel in range(3):
        canvas[..., channel] *= 1.0 - strength * alpha * (1.0 - tint[channel])


def apply_camera(
    canvas: FloatImage, rng: np.random.Generator, *, blur_px: float, noise: float
) -> NDArray[np.uint8]:
    """Blur, add sensor noise and quantise to 8-bit sRGB.

    Parameters
    ----------
    canvas : ndarray of float32, shape (rows, cols, 3)
        The painted scene, values 0..1.
    rng : numpy.random.Generator
        Source of randomness.
    blur_px : float
        Gaussian blur sigma in pixels (0 for none).
    noise : float
        Noise standard deviation at full brightness, as a fraction of the range.

    Returns
    -------
    ndarray of uint8, shape (rows, cols, 3)
        The photo, RGB.
    """
    image = cv2.GaussianBlur(canvas, (0, 0), blur_px) if blur_px > 0 else canvas
    shot = np.sqrt(np.clip(image, 0, 1)) * noise
    image = image + rng.standard_normal(image.shape, dtype=np.float32) * (shot + noise * 0.3)
    return np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8)
