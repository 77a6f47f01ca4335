"""Spectacles on synthetic whole heads: rims, a bridge and arms, hidden where the head is nearer."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.synth_face import Painter

FRAME_RGB = ((0.08, 0.08, 0.08), (0.25, 0.15, 0.08), (0.55, 0.55, 0.58))


def _densify(points: NDArray[np.float64], step_mm: float = 0.5) -> NDArray[np.float64]:
    """Resample a 3D polyline every ``step_mm``."""
    lengths = np.linalg.norm(np.diff(points, axis=0), axis=1)
    at = np.concatenate([[0.0], np.cumsum(lengths)])
    samples = np.arange(0.0, at[-1] + step_mm, step_mm)
    return np.column_stack([np.interp(samples, at, points[:, k]) for k in range(3)])


def _draw_visible(
    p: Painter, mask: NDArray[np.uint8], line: NDArray[np.float64], width: int
) -> None:
    """Draw the parts of a 3D polyline that no surface hides into a mask."""
    points = _densify(line)
    xy = p.camera.project(points)
    depth = points @ p.camera.rotation[2]
    rows, cols = mask.shape
    c = np.clip(np.round(xy[:, 0]).astype(int), 0, cols - 1)
    r = np.clip(np.round(xy[:, 1]).astype(int), 0, rows - 1)
    surface = np.einsum("k,kn->n", p.camera.rotation[2], p.maps.point[:, r, c])
    seen = (p.maps.label[r, c] == 0) | (depth >= surface - 1.0)
    for i in range(len(points) - 1):
        if seen[i] and seen[i + 1]:
            a, b = np.round(xy[i] * 16).astype(int), np.round(xy[i + 1] * 16).astype(int)
            cv2.line(
                mask, (int(a[0]), int(a[1])), (int(b[0]), int(b[1])), 255, width, cv2.LINE_AA, 4
            )


def paint_glasses(p: Painter) -> None:
    """Paint spectacles: two rimmed lenses in front of the eyes, a bridge and the arms to the ears.

    Parameters
    ----------
    p : Painter
        The photo.
    """
    f, rng = p.face, p.rng
    colour = FRAME_RGB[int(rng.integers(0, len(FRAME_RGB)))]
    half_w, half_h = rng.uniform(20, 26) / 2 + 2, rng.uniform(14, 19) / 2 + 1
    a, b, c = f.cranium.axes
    t = np.linspace(0, 2 * np.pi, 73)
    lines = []
    for side in (-1.0, 1.0):
        cx, cy = side * (f.eye_x + 1), f.eye_y + 1
        cz = c * float(np.sqrt(max(0.0, 1 - (cx / a) ** 2 - (cy / b) ** 2))) + 13
        rim = np.column_stack(
            [
                cx + half_w * np.sign(np.cos(t)) * np.abs(np.cos(t)) ** 0.5,
                cy + half_h * np.sign(np.sin(t)) * np.abs(np.sin(t)) ** 0.5,
                np.full_like(t, cz),
            ]
        )
        lines.append(rim)
        ear_x = side * a * float(np.sqrt(max(0.0, 1 - (f.eye_y / b) ** 2)))
        lines.append(
            np.array(
                [
                    [cx + side * half_w, cy - 2, cz],
                    [ear_x + side * 4, f.eye_y - 2, c * 0.35],
                    [ear_x + side * 3, f.eye_y - 1, -c * 0.08],
                ]
            )
        )
    bridge_z = c + 10
    lines.append(
        np.array(
            [
                [-(f.eye_x + 1 - half_w), f.eye_y - 2, bridge_z - 2],
                [0.0, f.eye_y - 4, bridge_z],
                [f.eye_x + 1 - half_w, f.eye_y - 2, bridge_z - 2],
            ]
        )
    )
    mask = np.zeros(p.albedo.shape[:2], dtype=np.uint8)
    width = max(1, int(round(rng.uniform(1.2, 2.5) * p.camera.px_per_mm)))
    for line in lines:
        _draw_visible(p, mask, line, width)
    p.darken((slice(None), slice(None)), (0.9 * mask / 255.0).astype(np.float32), colour)
