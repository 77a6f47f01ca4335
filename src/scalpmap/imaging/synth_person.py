"""The rest of the person in whole-head synthetic photos: ears, clothes, background, and masks.

Ears are flat shapes standing out from the side of the head, drawn over the head when they face
the camera and behind it otherwise. Clothes cover the shoulders; the background is a wall with
soft blotches and the edges of furniture, doors and pictures.
"""

from __future__ import annotations

from typing import cast

import cv2
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.imaging import synth_render as render
from scalpmap.imaging.synth_camera import Camera, SurfaceMaps
from scalpmap.imaging.synth_head import BACKGROUND, CLOTHES, EAR, EAR_PSI, Face, cranium_point

CLOTHES_RGB = (
    (0.15, 0.25, 0.45),
    (0.85, 0.85, 0.85),
    (0.12, 0.12, 0.13),
    (0.45, 0.12, 0.12),
    (0.35, 0.40, 0.30),
)
WALL_RGB = (
    (0.55, 0.57, 0.60),
    (0.30, 0.38, 0.50),
    (0.85, 0.85, 0.82),
    (0.35, 0.45, 0.38),
    (0.70, 0.62, 0.52),
    (0.92, 0.92, 0.90),
)


def mask_geometry(mask: NDArray[np.bool_], *, largest: bool = False) -> Polygon | MultiPolygon:
    """Trace a pixel mask into polygons (holes kept), on the pixels' outer edges.

    Parameters
    ----------
    mask : ndarray of bool, shape (rows, cols)
        The pixels.
    largest : bool, optional
        Keep only the largest polygon.

    Returns
    -------
    Polygon or MultiPolygon
        The mask's outline; an empty polygon for an empty mask.
    """
    found = cv2.findContours(mask.astype(np.uint8), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    contours, hierarchy = found[0], cast("NDArray[np.int32] | None", found[1])
    if hierarchy is None:
        return Polygon()
    polygons: list[Polygon] = []
    for i, contour in enumerate(contours):
        if hierarchy[0][i][3] != -1 or len(contour) < 3:
            continue
        holes = []
        child = hierarchy[0][i][2]
        while child != -1:
            if len(contours[child]) >= 3:
                holes.append(contours[child][:, 0, :].astype(np.float64))
            child = hierarchy[0][child][0]
        polygon = Polygon(contour[:, 0, :].astype(np.float64), holes).buffer(0)
        polygons.extend(getattr(polygon, "geoms", [polygon]))
    polygons = [p for p in polygons if p.area > 0]
    if not polygons:
        return Polygon()
    if largest:
        polygons = [max(polygons, key=lambda p: p.area)]
    # The contour runs through the edge pixels' centres: grow it by half a pixel to their edges.
    merged = shapely.union_all([p.buffer(0.5, join_style="mitre") for p in polygons])
    simple = shapely.simplify(merged, 0.3)
    return simple if isinstance(simple, Polygon | MultiPolygon) else Polygon()


def _ear_outline(
    camera: Camera,
    base: NDArray[np.float64],
    across: NDArray[np.float64],
    half_height: float,
    scale: float,
    shift: float,
) -> NDArray[np.float64]:
    """Project an ear's outline, egg-shaped (wider at the top), standing out from ``base``."""
    t = np.linspace(0, 2 * np.pi, 120, endpoint=False)
    width = 16.0 * (1 - 0.2 * np.sin(t))
    along = (width * np.cos(t) * scale + 16.0 + shift)[:, None] * across
    up = (half_height * np.sin(t) * scale)[:, None] * np.array([0.0, 1.0, 0.0])
    return np.asarray(camera.project(base[:3] + base[3:] * 2.0 + along + up))


def ear_outlines(
    face: Face, camera: Camera, maps: SurfaceMaps
) -> tuple[Polygon | MultiPolygon, list[NDArray[np.float64]]]:
    """Draw the ears into the label map and return where they show.

    An ear facing the camera (front, three-quarter and side views) is drawn over the head; one
    facing away only where it sticks out past the head.

    Parameters
    ----------
    face : Face
        The head.
    camera : Camera
        Pose, position and scale.
    maps : SurfaceMaps
        The label map, changed in place.

    Returns
    -------
    ears : Polygon or MultiPolygon
        The visible ears in pixels.
    inner : list of ndarray
        The bowl (concha) of each ear that faces the camera, in pixels.
    """
    rows, cols = maps.label.shape
    centre_y = (face.ear_top_y + face.ear_bottom_y) / 2
    half_h = (face.ear_bottom_y - face.ear_top_y) / 2
    inner = []
    for side in (-1.0, 1.0):
        base = cranium_point(face, np.array([side * EAR_PSI]), np.array([centre_y]))[0]
        normal = base[3:]
        tangent = np.array([np.cos(np.radians(EAR_PSI)) * side, 0.0, -1.0])
        tangent[0] *= face.cranium.axes[0] / face.cranium.axes[2]
        tangent -= normal * (tangent @ normal)
        tangent /= np.linalg.norm(tangent)
        across = np.cos(np.radians(25)) * tangent + np.sin(np.radians(25)) * normal
        ear_xy = _ear_outline(camera, base, across, half_h, 1.0, -2.0)
        mask = np.zeros((rows, cols), dtype=np.uint8)
        cv2.fillPoly(mask, [np.round(ear_xy * 16).astype(np.int32)], 1, cv2.LINE_8, shift=4)
        facing = float(camera.facing(np.array([[side, 0.0, 0.0]]))[0])
        if facing > -0.25:
            maps.label[mask > 0] = EAR
            inner.append(_ear_outline(camera, base, across, half_h, 0.55, -4.0))
        else:
            maps.label[(mask > 0) & (maps.label == BACKGROUND)] = EAR
    return mask_geometry(maps.label == EAR), inner


def _background(shape: tuple[int, int], rng: np.random.Generator) -> render.FloatImage:
    """Paint a wall with blotchy light and the soft edges of a few objects behind the person."""
    rows, cols = shape
    wall = np.asarray(WALL_RGB[int(rng.integers(0, len(WALL_RGB)))], np.float32)
    variation = render.low_frequency_field(shape, 200, rng).clip(-2, 2)[..., None]
    image = (wall * (1.0 + 0.06 * variation)).astype(np.float32)
    for _ in range(int(rng.integers(0, 5))):
        x0, x1 = np.sort(rng.uniform(0, cols, 2))
        y0, y1 = np.sort(rng.uniform(0, rows, 2))
        colour = np.asarray(rng.uniform(0.1, 0.9, 3), np.float32)
        box = np.zeros(shape, np.float32)
        box[int(y0) : int(y1) + 1, int(x0) : int(x1) + 1] = 1.0
        soft = np.asarray(cv2.GaussianBlur(box, (0, 0), rng.uniform(1.0, 6.0)))[..., None]
        image = image * (1 - soft) + colour * soft
    return image


def compose_person(
    albedo: render.FloatImage,
    diffuse: NDArray[np.float32],
    specular: NDArray[np.float32],
    maps: SurfaceMaps,
    px_per_mm: float,
    rng: np.random.Generator,
) -> render.FloatImage:
    """Light the skin, dress the shoulders and set the person against the background.

    Parameters
    ----------
    albedo : ndarray of float32, shape (rows, cols, 3)
        The painted skin.
    diffuse, specular : ndarray of float32, shape (rows, cols)
        Light from :func:`scalpmap.imaging.synth_face.shade`.
    maps : SurfaceMaps
        What each pixel shows.
    px_per_mm : float
        Scale (for the clothes' stripes).
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of float32, shape (rows, cols, 3)
        The photo before the sticker and the camera.
    """
    shape = maps.label.shape
    warm = np.array((1.0, 0.97, 0.93), np.float32)
    skin = albedo * diffuse[..., None] + specular[..., None] * warm
    cloth = np.asarray(CLOTHES_RGB[int(rng.integers(0, len(CLOTHES_RGB)))], np.float32)
    clothes = np.broadcast_to(cloth, (*shape, 3)) * diffuse[..., None]
    if rng.uniform() < 0.4:
        stripes = 0.5 + 0.5 * np.sin(np.arange(shape[0]) / (rng.uniform(3, 8) * px_per_mm))
        clothes = clothes * (0.8 + 0.2 * stripes[:, None, None]).astype(np.float32)
    image = _background(shape, rng)
    for mask, layer in (
        (maps.label == CLOTHES, clothes),
        ((maps.label != BACKGROUND) & (maps.label != CLOTHES), skin),
    ):
        alpha = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), 0.6)[..., None]
        image = image * (1 - alpha) + layer * alpha
    return np.asarray(image, dtype=np.float32)
