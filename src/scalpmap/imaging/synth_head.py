"""Whole-head scenes of synthetic photos: a head built of ellipsoids, seen from any yaw and pitch.

The head lives in its own frame, in millimetres: ``X`` towards the patient's left (the image's
right in a front view), ``Y`` down and ``Z`` out of the face. The camera looks along ``-Z`` of its
own frame with an orthographic projection; the head is turned by ``yaw`` about its vertical axis
(positive: the patient turns towards their own left, so their right cheek comes into view and the
nose points to the image's right) and tilted by ``pitch`` towards the camera (positive: the
camera looks down on the scalp).

The scalp's surface is addressed by ``(psi, Y)``: ``psi`` is the cranium's parametric azimuth in
degrees (0 at the midline of the face, +90 over the patient's left ear, 180 at the back) and ``Y``
the height. The hairline is a height for every azimuth, so the pigmented region, the temporal
hairlines, the sideburns and the nape all follow from one curve.

How the camera sees the head, pixel by pixel, is :mod:`scalpmap.imaging.synth_camera`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import gaussian_filter1d

from scalpmap.imaging.synth_geometry import HairlineStyle, smooth_wobble

PSI_GRID = np.linspace(-180.0, 180.0, 3601)
SIDEBURN_FRONT_PSI = 76.0
SIDEBURN_BACK_PSI = 82.0
OVER_EAR_PSI = (88.0, 104.0)
NAPE_PSI = 125.0
EAR_PSI = 96.0

# Labels of the per-pixel map: which part of the person a pixel shows.
BACKGROUND, CRANIUM, JAW, NOSE, NECK, CLOTHES, EAR = 0, 1, 2, 3, 4, 5, 6
SKIN_LABELS = (CRANIUM, JAW, NOSE, NECK, EAR)


@dataclass(frozen=True)
class Solid:
    """An ellipsoid part of the person, in the head frame (mm).

    Attributes
    ----------
    label : int
        The label its pixels get.
    center : ndarray of float, shape (3,)
        Centre ``X, Y, Z``.
    axes : ndarray of float, shape (3,)
        Half axes along ``X, Y, Z``.
    """

    label: int
    center: NDArray[np.float64]
    axes: NDArray[np.float64]


@dataclass(frozen=True)
class Face:
    """One person's head: its solids, the heights of the face's parts and the hairline.

    Attributes
    ----------
    solids : tuple of Solid
        Cranium, jaw, nose, neck and shoulders.
    brow_y : float
        Height of the brows' centre line.
    eye_y, eye_x : float
        Height of the eye centres and their distance from the midline (half the IPD).
    nose_bottom_y, mouth_y, chin_y : float
        Heights of the nose's base, the lips' parting line and the chin.
    ear_top_y, ear_bottom_y : float
        Heights of the ears' top and lobe.
    temple_psi : float
        Azimuth of the temple peaks of the hairline.
    hairline_y : ndarray of float, shape (len(PSI_GRID),)
        Height of the hairline at each azimuth of :data:`PSI_GRID`.
    """

    solids: tuple[Solid, ...]
    brow_y: float
    eye_y: float
    eye_x: float
    nose_bottom_y: float
    mouth_y: float
    chin_y: float
    ear_top_y: float
    ear_bottom_y: float
    temple_psi: float
    hairline_y: NDArray[np.float64]

    @property
    def cranium(self) -> Solid:
        """The cranium, which carries the scalp and the forehead."""
        return self.solids[0]

    @property
    def brow_top_y(self) -> float:
        """Height of the brows' upper edge: the brow line nothing below may be pigment."""
        return self.brow_y - 5.0


def _solid(
    label: int, center: tuple[float, float, float], axes: tuple[float, float, float]
) -> Solid:
    return Solid(label, np.asarray(center, dtype=np.float64), np.asarray(axes, dtype=np.float64))


def _ease(a: NDArray[np.float64], start: float, end: float) -> NDArray[np.float64]:
    """0 before ``start``, 1 after ``end``, a cosine ramp between."""
    w = np.clip((a - start) / (end - start), 0.0, 1.0)
    return np.asarray((1.0 - np.cos(np.pi * w)) / 2.0, dtype=np.float64)


def hairline_heights(
    front_y: float,
    rise: tuple[float, float],
    temple_psi: tuple[float, float],
    sideburn_y: float,
    over_ear_y: float,
    nape_y: float,
    style: HairlineStyle,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Height of the hairline at each azimuth of :data:`PSI_GRID`, all around the head.

    Parameters
    ----------
    front_y : float
        Height of the frontal hairline at the midline.
    rise : tuple of float
        How far the temple peaks rise above the front, on the patient's right and left.
    temple_psi : tuple of float
        Azimuths of the right and left temple peaks (positive degrees).
    sideburn_y, over_ear_y, nape_y : float
        Heights of the sideburns' lower end, of the line over the ears and of the nape.
    style : {"aggressive", "rounded"}
        A straight front with sharp temple corners, or a smooth arch.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of float
        The heights.
    """
    heights = np.empty_like(PSI_GRID)
    corner = rng.uniform(0.62, 0.75)
    power = rng.uniform(1.8, 2.6)
    for side, (side_rise, peak) in zip((-1, 1), zip(rise, temple_psi, strict=True), strict=True):
        mask = PSI_GRID * side >= 0
        a = np.abs(PSI_GRID[mask])
        u = np.clip(a / peak, 0.0, 1.0)
        if style == "aggressive":
            front = front_y - side_rise * np.clip((u - corner) / (1.0 - corner), 0.0, 1.0) ** 0.9
        else:
            front = front_y - side_rise * u**power
        y = np.where(a <= peak, front, front_y - side_rise)
        y = y + (sideburn_y - (front_y - side_rise)) * _ease(a, peak, SIDEBURN_FRONT_PSI)
        y = y + (over_ear_y - sideburn_y) * _ease(a, SIDEBURN_BACK_PSI, OVER_EAR_PSI[0])
        y = y + (nape_y - over_ear_y) * _ease(a, OVER_EAR_PSI[1], NAPE_PSI)
        heights[mask] = y
    heights += smooth_wobble(len(PSI_GRID), rng.uniform(0.4, 1.0), rng, periods=24.0)
    return np.asarray(gaussian_filter1d(heights, 4.0, mode="wrap"), dtype=np.float64)


def make_face(style: HairlineStyle, rng: np.random.Generator) -> Face:
    """Draw one person's head proportions and hairline.

    Parameters
    ----------
    style : {"aggressive", "rounded"}
        Hairline shape.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    Face
        The head.
    """
    width, height, depth = rng.uniform(0.95, 1.05, 3)
    cranium = _solid(CRANIUM, (0.0, 0.0, 0.0), (76 * width, 95 * height, 98 * depth))
    brow_y = rng.uniform(10.0, 18.0)
    eye_y = brow_y + rng.uniform(14.0, 18.0)
    nose_bottom_y = eye_y + rng.uniform(36.0, 44.0)
    mouth_y = nose_bottom_y + rng.uniform(17.0, 23.0)
    jaw_width = rng.uniform(0.92, 1.08)
    jaw = _solid(JAW, (0.0, mouth_y - 10.0, 22.0), (54 * jaw_width, 50.0, 58 * depth))
    nose_top = eye_y - 10.0
    nose_half = (nose_bottom_y - nose_top) / 2
    nose_y = nose_top + nose_half
    nose_z = cranium.axes[2] * float(np.sqrt(max(0.0, 1 - (nose_y / cranium.axes[1]) ** 2)))
    nose = _solid(NOSE, (0.0, nose_y, nose_z - 3.0), (rng.uniform(9, 12), nose_half, 20))
    neck = _solid(NECK, (0.0, 200.0, -12.0), (rng.uniform(52, 60), 150.0, 55.0))
    shoulders = _solid(CLOTHES, (0.0, 345.0, -20.0), (rng.uniform(190, 230), 130.0, 120.0))
    ear_top_y = brow_y + rng.uniform(-2.0, 6.0)
    ear_bottom_y = nose_bottom_y + rng.uniform(0.0, 8.0)
    front_y = brow_y - 5.0 - rng.uniform(50.0, 70.0)
    rise = rng.uniform(8.0, 18.0)
    temple = rng.uniform(52.0, 62.0)
    hairline = hairline_heights(
        front_y,
        (rise * rng.uniform(0.9, 1.1), rise * rng.uniform(0.9, 1.1)),
        (temple + rng.uniform(-2, 2), temple + rng.uniform(-2, 2)),
        eye_y + rng.uniform(0.0, 15.0),
        ear_top_y - rng.uniform(5.0, 12.0),
        ear_bottom_y + rng.uniform(20.0, 35.0),
        style,
        rng,
    )
    return Face(
        solids=(cranium, jaw, nose, neck, shoulders),
        brow_y=brow_y,
        eye_y=eye_y,
        eye_x=rng.uniform(29.0, 34.0),
        nose_bottom_y=nose_bottom_y,
        mouth_y=mouth_y,
        chin_y=mouth_y + 40.0,
        ear_top_y=ear_top_y,
        ear_bottom_y=ear_bottom_y,
        temple_psi=temple,
        hairline_y=hairline,
    )


def cranium_point(
    face: Face, psi_deg: NDArray[np.float64], y: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Points on the cranium at given azimuths and heights, with their unit normals.

    Parameters
    ----------
    face : Face
        The head.
    psi_deg, y : ndarray of float, shape (N,)
        Azimuths (degrees) and heights (mm).

    Returns
    -------
    ndarray of float, shape (N, 6)
        ``X, Y, Z`` and the unit normal's three components.
    """
    a, b, c = face.cranium.axes
    s = np.sqrt(np.clip(1.0 - (y / b) ** 2, 0.0, 1.0))
    psi = np.radians(psi_deg)
    xyz = np.column_stack([a * s * np.sin(psi), y, c * s * np.cos(psi)])
    n = xyz / np.array([a * a, b * b, c * c])
    n /= np.linalg.norm(n, axis=1, keepdims=True) + 1e-12
    return np.asarray(np.column_stack([xyz, n]), dtype=np.float64)


def front_point(face: Face, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """Points on the front of the cranium at given ``X, Y``, with their unit normals.

    Parameters
    ----------
    face : Face
        The head.
    x, y : ndarray of float, shape (N,)
        Positions across and down the face (mm).

    Returns
    -------
    ndarray of float, shape (N, 6)
        ``X, Y, Z`` and the unit normal.
    """
    a, b, _ = face.cranium.axes
    s = np.sqrt(np.clip(1.0 - (y / b) ** 2, 1e-6, 1.0))
    psi = np.degrees(np.arcsin(np.clip(x / (a * s), -1.0, 1.0)))
    return cranium_point(face, psi, y)
