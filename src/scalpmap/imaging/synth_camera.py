"""The camera of synthetic whole-head photos: the head's pose, and what every pixel shows.

Frames and angles are those of :mod:`scalpmap.imaging.synth_head`: the camera looks along ``-Z``
of its own frame with an orthographic projection; the head is turned by ``yaw`` and tilted by
``pitch``. :func:`trace_surfaces` casts a ray per pixel against the head's ellipsoids.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.synth_head import Face, Solid

FloatMap = NDArray[np.float32]


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
