"""Painting the face of whole-head synthetic photos: eyes, nose, lips, beard, wrinkles and ears.

Every feature is a shape on the head's surface, in the head frame of :mod:`synth_head`, so it
turns and foreshortens with the head. Features darken or recolour the skin's albedo in place;
light and shine are applied afterwards by :func:`shade`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging import synth_render as render
from scalpmap.imaging.synth_camera import Camera, SurfaceMaps
from scalpmap.imaging.synth_head import CRANIUM, EAR, JAW, NOSE, Face

Window = tuple[slice, slice]

IRIS_COLOURS: tuple[tuple[float, float, float], ...] = (
    (0.30, 0.18, 0.10),
    (0.20, 0.14, 0.10),
    (0.30, 0.42, 0.52),
    (0.35, 0.38, 0.25),
)


def _bump(distance2: NDArray[np.floating[Any]]) -> NDArray[np.float32]:
    """Gaussian bump ``exp(-d²)`` that never underflows (zero beyond ``d² = 60``)."""
    bump = np.where(distance2 < 60, np.exp(-np.minimum(distance2, 60)), 0)
    return np.asarray(bump, dtype=np.float32)


def _power(log_base: NDArray[np.float32], exponent: float) -> NDArray[np.float32]:
    """Raise to a power given ``log(base)``, without underflow (zero below ``e**-60``)."""
    product = np.maximum(log_base * exponent, -60)
    return np.asarray(np.where(product > -60, np.exp(product), 0), dtype=np.float32)


@dataclass(frozen=True)
class Painter:
    """The photo being painted and what it shows.

    Attributes
    ----------
    albedo : ndarray of float32, shape (rows, cols, 3)
        The skin's colour, painted in place.
    maps : SurfaceMaps
        What each pixel shows.
    face : Face
        The head.
    camera : Camera
        Pose, position and scale.
    rng : numpy.random.Generator
        Source of randomness.
    """

    albedo: render.FloatImage
    maps: SurfaceMaps
    face: Face
    camera: Camera
    rng: np.random.Generator

    def window(self, lo: tuple[float, float, float], hi: tuple[float, float, float]) -> Window:
        """Return the pixel box that a head-frame box projects into, clipped to the photo.

        Parameters
        ----------
        lo, hi : tuple of float
            Opposite corners of the box, ``X, Y, Z`` in mm.

        Returns
        -------
        tuple of slice
            Rows and columns.
        """
        corners = np.array(list(itertools.product(*zip(lo, hi, strict=True))), dtype=np.float64)
        xy = self.camera.project(corners)
        rows, cols = self.albedo.shape[:2]
        c0, r0 = np.floor(xy.min(axis=0)).astype(int) - 2
        c1, r1 = np.ceil(xy.max(axis=0)).astype(int) + 3
        return slice(max(0, r0), max(0, min(rows, r1))), slice(max(0, c0), max(0, min(cols, c1)))

    def surface(
        self, win: Window
    ) -> tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float32], NDArray[np.int8]]:
        """Head-frame ``X, Y, Z`` and the label of the pixels in a window.

        Parameters
        ----------
        win : tuple of slice
            Rows and columns.

        Returns
        -------
        tuple of ndarray
            ``X``, ``Y``, ``Z`` (float32) and the label (int8).
        """
        p = self.maps.point
        return p[0][win], p[1][win], p[2][win], self.maps.label[win]

    def darken(self, win: Window, amount: NDArray[np.float32], tint: tuple[float, ...]) -> None:
        """Multiply the albedo towards ``tint`` by ``amount`` (0..1) in a window.

        Parameters
        ----------
        win : tuple of slice
            Rows and columns.
        amount : ndarray of float32
            Per-pixel strength, the window's shape.
        tint : tuple of float
            Reflectance left under full strength.
        """
        patch = self.albedo[win]
        for k in range(3):
            patch[..., k] *= 1.0 - amount * (1.0 - tint[k])


def paint_wrinkles(p: Painter, front_hairline_y: float) -> None:
    """Paint horizontal forehead wrinkles between the brows and the hairline.

    Parameters
    ----------
    p : Painter
        The photo.
    front_hairline_y : float
        Height of the frontal hairline at the midline (mm).
    """
    f, rng = p.face, p.rng
    top, bottom = front_hairline_y + 8.0, f.brow_top_y - 6.0
    if bottom - top < 10:
        return
    win = p.window((-60, top - 5, 0), (60, bottom + 5, 130))
    x, y, z, label = p.surface(win)
    on = ((label == CRANIUM) & (z > 0)).astype(np.float32)
    amount = np.zeros(x.shape, dtype=np.float32)
    count = int(rng.integers(3, 7))
    for y0 in np.linspace(top, bottom, count + 2)[1:-1] + rng.normal(0, 1.5, count):
        phase, wave = rng.uniform(0, 2 * np.pi), rng.uniform(0.8, 2.5)
        centre = y0 + wave * np.sin(x / rng.uniform(12, 25) + phase) + 0.004 * x**2
        width = rng.uniform(0.5, 0.9)
        half = rng.uniform(30, 50)
        envelope = np.clip(1.2 - np.abs(x) / half, 0, 1)
        depth = rng.uniform(0.06, 0.18)
        amount += depth * envelope * _bump(((y - centre) / width) ** 2)
        amount -= 0.3 * depth * envelope * _bump(((y - centre - 1.6 * width) / width) ** 2)
    p.darken(win, np.clip(amount * on, -0.1, 0.5).astype(np.float32), (0.55, 0.42, 0.36))


def paint_eyes(p: Painter) -> None:
    """Paint both eyes: socket shadow, white, iris, pupil and the upper lid's lashes.

    Parameters
    ----------
    p : Painter
        The photo.
    """
    f, rng = p.face, p.rng
    iris = IRIS_COLOURS[int(rng.integers(0, len(IRIS_COLOURS)))]
    gaze = rng.normal(0, 1.0, 2)
    for side in (-1.0, 1.0):
        ex = side * f.eye_x
        win = p.window((ex - 24, f.eye_y - 16, 0), (ex + 24, f.eye_y + 14, 130))
        x, y, z, label = p.surface(win)
        front = ((label == CRANIUM) & (z > 0)).astype(np.float32)
        socket = _bump(((x - ex) / 19) ** 2 + ((y - f.eye_y + 2) / 11) ** 2)
        p.darken(win, (0.22 * socket * front).astype(np.float32), (0.6, 0.45, 0.4))
        u = (x - ex) / 14.0
        lid = np.clip(1 - u**2, 0, 1)
        upper, lower = f.eye_y - 5.5 * lid, f.eye_y + 4.0 * lid
        opening = ((y > upper) & (y < lower) & (np.abs(u) < 1)).astype(np.float32) * front
        patch = p.albedo[win]
        white = np.array((0.82, 0.79, 0.76), dtype=np.float32)
        patch[:] = patch * (1 - opening[..., None]) + white * opening[..., None]
        r2 = (x - ex - gaze[0]) ** 2 + (y - f.eye_y - gaze[1]) ** 2
        disc = (r2 < 5.85**2).astype(np.float32) * opening
        patch[:] = patch * (1 - disc[..., None]) + np.asarray(iris, np.float32) * disc[..., None]
        pupil = (r2 < 2.0**2).astype(np.float32) * opening
        p.darken(win, 0.9 * pupil, (0.05, 0.05, 0.05))
        lashes = (np.abs(y - upper + 0.4) < 0.8) & (np.abs(u) < 1.05)
        p.darken(win, 0.8 * lashes.astype(np.float32) * front, (0.1, 0.08, 0.08))


def brow_curves(face: Face) -> list[NDArray[np.float64]]:
    """Return the brows' centre lines in the head frame, right brow first.

    Parameters
    ----------
    face : Face
        The head.

    Returns
    -------
    list of ndarray, each of shape (60, 2)
        ``X, Y`` in mm.
    """
    curves = []
    for side in (-1.0, 1.0):
        t = np.linspace(0.2, 2.9, 60)
        x = side * np.linspace(10, 52, 60)
        curves.append(np.column_stack([x, face.brow_y - 3.5 * np.sin(t)]))
    return curves


def paint_nose_and_lips(p: Painter) -> None:
    """Paint the nostrils, the shadow under the nose and the lips.

    Parameters
    ----------
    p : Painter
        The photo.
    """
    f, rng = p.face, p.rng
    win = p.window((-35, f.eye_y, 0), (35, f.mouth_y + 12, 140))
    x, y, z, label = p.surface(win)
    nose = (label == NOSE).astype(np.float32)
    nb = f.nose_bottom_y
    for side in (-1.0, 1.0):
        nostril = ((x - side * 6.5) / 4.2) ** 2 + ((y - nb + 2.5) / 2.2) ** 2 < 1
        p.darken(win, 0.7 * nostril.astype(np.float32) * nose, (0.2, 0.12, 0.1))
    face = ((label == CRANIUM) | (label == JAW)).astype(np.float32) * (z > 0)
    below = _bump(((y - nb - 2) / 2.5) ** 2 + (x / 14) ** 2)
    p.darken(win, (0.25 * below * face).astype(np.float32), (0.5, 0.35, 0.3))
    half = rng.uniform(22, 27)
    u = x / half
    shape = np.clip(1 - u**2, 0, 1) ** 0.6
    lips = (y > f.mouth_y - 5.0 * shape) & (y < f.mouth_y + 6.0 * shape) & (np.abs(u) < 1)
    p.darken(win, 0.35 * lips.astype(np.float32) * face, (0.75, 0.35, 0.35))
    line = (np.abs(y - f.mouth_y) < 0.7) & (np.abs(u) < 1)
    p.darken(win, 0.6 * line.astype(np.float32) * face, (0.25, 0.12, 0.12))


def paint_ear_details(p: Painter, inner: list[NDArray[np.float64]]) -> None:
    """Darken each visible ear's bowl (the concha), inside its rim.

    Parameters
    ----------
    p : Painter
        The photo.
    inner : list of ndarray, each of shape (K, 2)
        The bowls' outlines in pixels.
    """
    rows, cols = p.albedo.shape[:2]
    mask = np.zeros((rows, cols), dtype=np.uint8)
    for outline in inner:
        cv2.fillPoly(mask, [np.round(outline * 16).astype(np.int32)], 255, cv2.LINE_AA, shift=4)
    soft = cv2.GaussianBlur(mask.astype(np.float32) / 255, (0, 0), 2.0 * p.camera.px_per_mm)
    soft *= p.maps.label == EAR
    p.darken((slice(None), slice(None)), (0.45 * soft).astype(np.float32), (0.55, 0.35, 0.3))


def shade(
    p: Painter, shine: float, beard: NDArray[np.bool_]
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Light the person: diffuse light from the upper front, and the skin's specular shine.

    Parameters
    ----------
    p : Painter
        The photo.
    shine : float
        Strength of the specular highlight (0 for matt skin).
    beard : ndarray of bool
        Where hair hides the skin's shine.

    Returns
    -------
    diffuse : ndarray of float32, shape (rows, cols)
        Multiplier of the albedo.
    specular : ndarray of float32, shape (rows, cols)
        Light added on top.
    """
    rng = p.rng
    light = np.array([rng.uniform(-0.5, 0.5), rng.uniform(-0.8, -0.3), rng.uniform(0.6, 1.0)])
    light /= np.linalg.norm(light)
    half = light + np.array([0.0, 0.0, 1.0])
    half /= np.linalg.norm(half)
    n = p.maps.normal
    lambert = np.clip(n[0] * light[0] + n[1] * light[1] + n[2] * light[2], 0, 1)
    ambient = rng.uniform(0.35, 0.5)
    diffuse = (ambient + (1 - ambient) * 1.05 * lambert).astype(np.float32)
    diffuse[p.maps.label == EAR] = np.float32(rng.uniform(0.65, 0.85))
    facing = np.clip(n[0] * half[0] + n[1] * half[1] + n[2] * half[2], 0, 1)
    sharp = rng.uniform(20, 60)
    log_facing = np.log(np.maximum(facing, 1e-6))
    specular = shine * (_power(log_facing, sharp) + 0.15 * _power(log_facing, 6.0))
    specular *= ~beard & (p.maps.label != EAR) & (p.maps.label > 0)
    return diffuse, specular.astype(np.float32)
