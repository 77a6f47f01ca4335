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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import gaussian_filter1d

from scalpmap.imaging.synth_geometry import HairlineStyle, smooth_wobble

FloatMap = NDArray[np.float32]

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


def rotation(yaw_deg: float, pitch_deg: float, roll_deg: float = 0.0) -> NDArray[np.float64]:
    """Rotation from the head frame to the camera frame.

    Parameters
    ----------
    yaw_deg, pitch_deg : float
        Head turn and the camera's downward look, in degrees (see the module's docstring).
    roll_deg : float, optional
        Tilt of the head in the picture, positive clockwise (the patient's left eye lower).

    Returns
    -------
    ndarray of float, shape (3, 3)
        ``R`` with ``camera = R @ head``.
    """
    t, b = np.radians(yaw_deg), np.radians(pitch_deg)
    yaw = np.array([[np.cos(t), 0, np.sin(t)], [0, 1, 0], [-np.sin(t), 0, np.cos(t)]])
    pitch = np.array([[1, 0, 0], [0, np.cos(b), np.sin(b)], [0, -np.sin(b), np.cos(b)]])
    r = np.radians(roll_deg)
    roll = np.array([[np.cos(r), -np.sin(r), 0], [np.sin(r), np.cos(r), 0], [0, 0, 1]])
    return np.asarray(roll @ pitch @ yaw, dtype=np.float64)


@dataclass(frozen=True)
class Camera:
    """Where the head's origin falls in the photo, the scale and the head's rotation.

    Attributes
    ----------
    rotation : ndarray of float, shape (3, 3)
        Head frame to camera frame.
    origin_xy : tuple of float
        Pixel position of the head frame's origin.
    px_per_mm : float
        Scale.
    """

    rotation: NDArray[np.float64]
    origin_xy: tuple[float, float]
    px_per_mm: float

    def project(self, points: NDArray[np.float64]) -> NDArray[np.float64]:
        """Project head-frame points to pixels.

        Parameters
        ----------
        points : ndarray of float, shape (N, 3)
            Points in mm.

        Returns
        -------
        ndarray of float, shape (N, 2)
            ``x, y`` in pixels.
        """
        camera = np.asarray(points, dtype=np.float64) @ self.rotation.T
        return np.asarray(camera[:, :2] * self.px_per_mm + np.asarray(self.origin_xy))

    def facing(self, normals: NDArray[np.float64]) -> NDArray[np.float64]:
        """How much head-frame unit normals face the camera: the camera-frame ``z``.

        Parameters
        ----------
        normals : ndarray of float, shape (N, 3)
            Unit normals.

        Returns
        -------
        ndarray of float, shape (N,)
            Cosine of the angle to the viewing direction.
        """
        return np.asarray(normals @ self.rotation[2], dtype=np.float64)


def projected_half_extent(solid: Solid, rot: NDArray[np.float64]) -> NDArray[np.float64]:
    """Half width and half height (mm) of an ellipsoid's orthographic silhouette.

    Parameters
    ----------
    solid : Solid
        The ellipsoid.
    rot : ndarray of float, shape (3, 3)
        Head frame to camera frame.

    Returns
    -------
    ndarray of float, shape (2,)
        Half extents along the image's ``x`` and ``y``.
    """
    return np.asarray(np.sqrt(((rot[:2] * solid.axes) ** 2).sum(axis=1)), dtype=np.float64)


@dataclass(frozen=True)
class SurfaceMaps:
    """What every pixel shows: the part of the person, and its surface point and normal.

    Attributes
    ----------
    label : ndarray of int8, shape (rows, cols)
        :data:`BACKGROUND`, :data:`CRANIUM`, ... per pixel (ears are added later).
    point : ndarray of float32, shape (3, rows, cols)
        Head-frame surface point (mm); 0 on the background.
    normal : ndarray of float32, shape (3, rows, cols)
        Camera-frame unit normal; 0 on the background.
    """

    label: NDArray[np.int8]
    point: FloatMap
    normal: FloatMap

    def psi(self, face: Face) -> FloatMap:
        """Cranium azimuth of each pixel's surface point, in degrees.

        Parameters
        ----------
        face : Face
            The head whose cranium defines the azimuth.

        Returns
        -------
        ndarray of float32, shape (rows, cols)
            Azimuth from -180 to 180.
        """
        a, _, c = face.cranium.axes
        return np.asarray(np.degrees(np.arctan2(self.point[0] / a, self.point[2] / c)))


def trace_surfaces(face: Face, camera: Camera, shape: tuple[int, int]) -> SurfaceMaps:
    """Cast a ray per pixel and keep the nearest solid: the person's parts, points and normals.

    Parameters
    ----------
    face : Face
        The head.
    camera : Camera
        Pose, position and scale.
    shape : tuple of int
        ``(rows, cols)`` of the photo.

    Returns
    -------
    SurfaceMaps
        The maps.
    """
    rows, cols = shape
    rot = camera.rotation
    depth = np.full(shape, -np.inf, dtype=np.float32)
    label = np.zeros(shape, dtype=np.int8)
    ppm = camera.px_per_mm
    ox0, oy0 = camera.origin_xy
    for solid in face.solids:
        centre_xy = camera.project(solid.center[None])[0]
        half = projected_half_extent(solid, rot) * ppm + 2
        c0, c1 = max(0, int(centre_xy[0] - half[0])), min(cols, int(centre_xy[0] + half[0]) + 1)
        r0, r1 = max(0, int(centre_xy[1] - half[1])), min(rows, int(centre_xy[1] + half[1]) + 1)
        if c0 >= c1 or r0 >= r1:
            continue
        x = ((np.arange(c0, c1, dtype=np.float32) - ox0) / ppm)[None, :]
        y = ((np.arange(r0, r1, dtype=np.float32) - oy0) / ppm)[:, None]
        o = [(rot[0, k] * x + rot[1, k] * y - solid.center[k]) / solid.axes[k] for k in range(3)]
        d = rot[2] / solid.axes
        qa = float(d @ d)
        qb = o[0] * d[0] + o[1] * d[1] + o[2] * d[2]
        qc = o[0] ** 2 + o[1] ** 2 + o[2] ** 2 - 1.0
        disc = qb * qb - qa * qc
        hit = disc >= 0
        t = np.where(hit, (-qb + np.sqrt(np.maximum(disc, 0))) / qa, -np.inf).astype(np.float32)
        window = depth[r0:r1, c0:c1]
        nearer = t > window
        window[nearer] = t[nearer]
        label[r0:r1, c0:c1][nearer] = solid.label
    point = np.zeros((3, rows, cols), dtype=np.float32)
    normal = np.zeros((3, rows, cols), dtype=np.float32)
    found = label > 0
    x = ((np.nonzero(found)[1].astype(np.float32)) - ox0) / ppm
    y = ((np.nonzero(found)[0].astype(np.float32)) - oy0) / ppm
    t = depth[found]
    head = [rot[0, k] * x + rot[1, k] * y + rot[2, k] * t for k in range(3)]
    n = [np.zeros_like(x) for _ in range(3)]
    which = label[found]
    for solid in face.solids:
        sel = which == solid.label
        for k in range(3):
            n[k][sel] = (head[k][sel] - solid.center[k]) / solid.axes[k] ** 2
    norm = np.sqrt(n[0] ** 2 + n[1] ** 2 + n[2] ** 2) + 1e-12
    for k in range(3):
        point[k][found] = head[k]
        normal[k][found] = sum(rot[k, j] * n[j] for j in range(3)) / norm
    return SurfaceMaps(label=label, point=point, normal=normal)


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
