"""Hair on the synthetic whole heads: beards, moustaches and shaved natural hair on the scalp.

Hair is painted into the albedo of :class:`scalpmap.imaging.synth_face.Painter` as a shadow of
hair showing through the skin, then single hairs drawn as anti-aliased strokes.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging import synth_render as render
from scalpmap.imaging.synth_face import Painter
from scalpmap.imaging.synth_head import CRANIUM, JAW

HAIR_COLOURS: tuple[tuple[float, float, float], ...] = (
    (0.12, 0.10, 0.09),  # black-brown
    (0.22, 0.15, 0.10),  # brown
    (0.45, 0.44, 0.43),  # grey
    (0.50, 0.30, 0.16),  # ginger
)


def beard_mask(p: Painter, style: str, moustache: bool, sideburn_y: float) -> NDArray[np.bool_]:
    """Where the beard and the moustache grow, on the photo's pixels.

    Parameters
    ----------
    p : Painter
        The photo.
    style : {"none", "stubble", "full", "goatee"}
        The beard.
    moustache : bool
        Whether a moustache grows over the upper lip.
    sideburn_y : float
        Height of the sideburns' lower end, where a full beard joins the scalp's hairline.

    Returns
    -------
    ndarray of bool, shape (rows, cols)
        The beard's pixels (empty when there is none).
    """
    f = p.face
    rows, cols = p.albedo.shape[:2]
    mask = np.zeros((rows, cols), dtype=bool)
    win = p.window((-90, f.eye_y, -40), (90, f.chin_y + 40, 140))
    x, y, z, label = p.surface(win)
    psi = np.abs(np.degrees(np.arctan2(x / f.cranium.axes[0], z / f.cranium.axes[2])))
    skin = (label == CRANIUM) | (label == JAW)
    u = x / 25.0
    lip = np.clip(1 - u**2, 0, 1) ** 0.6
    lips = (y > f.mouth_y - 5.0 * lip - 0.5) & (y < f.mouth_y + 6.0 * lip + 0.5) & (np.abs(u) < 1)
    grown = np.zeros(x.shape, dtype=bool)
    if style in ("stubble", "full"):
        knots_psi = [0.0, 18.0, 35.0, 60.0, 80.0]
        knots_y = [f.mouth_y + 8, f.mouth_y - 8, f.nose_bottom_y + 2, f.eye_y + 22, sideburn_y]
        top = np.interp(psi, knots_psi, knots_y)
        grown |= (y > top) & (psi < 82.0) & (z > -30)
    if style == "goatee":
        grown |= (np.abs(x) < 24) & (y > f.mouth_y - 4) & (y < f.chin_y + 12)
    if moustache or style == "stubble":
        droop = np.clip((np.abs(x) - 18) / 8, 0, 1) * 8
        grown |= (
            (np.abs(x) < 29) & (y > f.nose_bottom_y + 1.5) & (y < f.mouth_y - 4.5 * lip + droop)
        )
    mask[win] = grown & skin & ~lips
    return mask


def paint_beard(p: Painter, mask: NDArray[np.bool_], style: str) -> None:
    """Paint beard hair (or stubble's short dark dots) into its pixels.

    Parameters
    ----------
    p : Painter
        The photo.
    mask : ndarray of bool, shape (rows, cols)
        Where the beard grows.
    style : {"none", "stubble", "full", "goatee"}
        Full beards, goatees and moustaches are long hair; stubble is short and sparse.
    """
    rng = p.rng
    tint = HAIR_COLOURS[int(rng.integers(0, len(HAIR_COLOURS)))]
    if style == "stubble":
        coverage, density, length = rng.uniform(0.12, 0.3), rng.uniform(300, 600), (0.3, 1.0)
        _paint_hair(p, mask, coverage, (0.35, 0.36, 0.40), tint, density, length)
    else:
        coverage, density, length = rng.uniform(0.5, 0.8), rng.uniform(150, 300), (3.0, 9.0)
        _paint_hair(p, mask, coverage, tint, tint, density, length)


def _paint_hair(
    p: Painter,
    mask: NDArray[np.bool_],
    coverage: float,
    base_tint: tuple[float, float, float],
    tint: tuple[float, float, float],
    density_per_cm2: float,
    length_mm: tuple[float, float],
) -> None:
    """Shade a mask by hair showing through, then draw hairs growing down in it."""
    rng, ppm = p.rng, p.camera.px_per_mm
    rows, cols = np.nonzero(mask)
    if len(rows) == 0:
        return
    soft = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), 1.5 * ppm)
    for k in range(3):
        p.albedo[..., k] *= 1.0 - coverage * soft * (1.0 - base_tint[k])
    area_cm2 = len(rows) / ppm**2 / 100.0
    count = int(area_cm2 * density_per_cm2)
    pick = rng.integers(0, len(rows), count)
    starts = np.column_stack([cols[pick], rows[pick]]) + rng.uniform(-0.5, 0.5, (count, 2))
    length = rng.uniform(*length_mm, count)
    angle = np.pi / 2 + rng.normal(0, 0.5, count)
    ends = starts + np.column_stack([np.cos(angle), np.sin(angle)]) * (length * ppm)[:, None]
    widths = np.full(count, max(1.0, 0.1 * ppm))
    render.paint_strokes(p.albedo, starts, ends, widths, rng.uniform(0.55, 0.85), tint)


def shaved_hair_mask(p: Painter, in_region: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Where shaved natural hair grows inside the SMP: a horseshoe over the sides and the back.

    Parameters
    ----------
    p : Painter
        The photo.
    in_region : ndarray of bool, shape (rows, cols)
        The pigmented region's pixels.

    Returns
    -------
    ndarray of bool, shape (rows, cols)
        The shaved hair's pixels.
    """
    f = p.face
    psi = np.abs(p.maps.psi(f))
    knots_psi = [50.0, 75.0, 100.0, 140.0, 180.0]
    knots_y = [f.brow_y - 40, f.ear_top_y - 30, f.ear_top_y - 35, -50.0, -40.0]
    line = np.interp(psi, knots_psi, knots_y)
    return np.asarray(in_region & (psi > 50) & (p.maps.point[1] > line), dtype=bool)


def paint_shaved_hair(p: Painter, mask: NDArray[np.bool_]) -> None:
    """Paint shaved natural hair: a grey-blue shadow and dense short hairs.

    Parameters
    ----------
    p : Painter
        The photo.
    mask : ndarray of bool, shape (rows, cols)
        Where it grows (see :func:`shaved_hair_mask`).
    """
    rng = p.rng
    tint = HAIR_COLOURS[int(rng.integers(0, len(HAIR_COLOURS)))]
    coverage, density = rng.uniform(0.08, 0.25), rng.uniform(100, 250)
    _paint_hair(p, mask, coverage, (0.32, 0.34, 0.38), tint, density, (0.3, 1.5))
