"""The view of a synthetic whole head: its pose, the camera's framing and what the camera sees.

The visible hairline and its frontal part, the brow line's points, the face's landmarks and the
sticker's place are found here for :mod:`scalpmap.imaging.synth_whole_head`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.synth_camera import Camera, SurfaceMaps, projected_half_extent
from scalpmap.imaging.synth_head import (
    CRANIUM,
    JAW,
    NOSE,
    PSI_GRID,
    SIDEBURN_BACK_PSI,
    Face,
    cranium_point,
    front_point,
)

if TYPE_CHECKING:
    from scalpmap.imaging.synth_options import SynthOptions

WholeHeadView = Literal["front", "three-quarter-left", "three-quarter-right", "side", "top"]
MIN_FACING = 0.25  # the truth's hairline stops where the scalp turns more than ~75° away


def head_pose(view: WholeHeadView, rng: np.random.Generator) -> tuple[float, float, float, str]:
    """Draw the yaw, pitch and roll of a view, and name it as the head model does.

    Parameters
    ----------
    view : {"front", "three-quarter-left", "three-quarter-right", "side", "top"}
        The requested view; ``-left`` shows the patient's left cheek.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    tuple
        ``yaw_deg``, ``pitch_deg``, ``roll_deg`` and the head model's name of the view.
    """
    roll = float(rng.uniform(-5, 5))
    if view == "front":
        return float(rng.uniform(-8, 8)), float(rng.uniform(0, 30)), roll, "front"
    if view == "top":
        return float(rng.uniform(-10, 10)), float(rng.uniform(55, 75)), roll, "top"
    if view == "side":
        sign = 1.0 if rng.uniform() < 0.5 else -1.0
        yaw = sign * float(rng.uniform(80, 95))
        return yaw, float(rng.uniform(0, 10)), roll, "right-side" if sign > 0 else "left-side"
    sign = 1.0 if view == "three-quarter-right" else -1.0
    name = "right-three-quarter" if sign > 0 else "left-three-quarter"
    return sign * float(rng.uniform(30, 50)), float(rng.uniform(0, 20)), roll, name


def visible_points(
    maps: SurfaceMaps, camera: Camera, points: NDArray[np.float64], labels: tuple[int, ...]
) -> NDArray[np.bool_]:
    """Which surface points (columns X, Y, Z, normal) the camera sees, unhidden by the rest.

    Parameters
    ----------
    maps : SurfaceMaps
        What each pixel shows.
    camera : Camera
        Pose, position and scale.
    points : ndarray of float, shape (N, 6)
        Head-frame points and their unit normals.
    labels : tuple of int
        The parts of the person the points lie on.

    Returns
    -------
    ndarray of bool, shape (N,)
        Seen points.
    """
    xy = camera.project(points[:, :3])
    rows, cols = maps.label.shape
    c, r = np.round(xy[:, 0]).astype(int), np.round(xy[:, 1]).astype(int)
    inside = (c >= 0) & (c < cols) & (r >= 0) & (r < rows)
    seen = inside & (camera.facing(points[:, 3:]) > 0.02)
    c, r = np.clip(c, 0, cols - 1), np.clip(r, 0, rows - 1)
    on = np.isin(maps.label[r, c], labels)
    gap = np.linalg.norm(maps.point[:, r, c].T - points[:, :3], axis=1)
    return np.asarray(seen & on & (gap < 3.0), dtype=bool)


def longest_run(xy: NDArray[np.float64], keep: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Return the longest run of consecutive kept points, ordered left to right.

    Parameters
    ----------
    xy : ndarray of float, shape (N, 2)
        Points in order.
    keep : ndarray of bool, shape (N,)
        Which to keep.

    Returns
    -------
    ndarray of float, shape (M, 2)
        The run, ``(0, 2)`` when shorter than two points.
    """
    best: tuple[int, int] = (0, 0)
    start = None
    for i, k in enumerate([*keep.tolist(), False]):
        if k and start is None:
            start = i
        elif not k and start is not None:
            if i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    run = xy[best[0] : best[1]]
    if len(run) < 2:
        return np.zeros((0, 2))
    return run if run[0, 0] <= run[-1, 0] else run[::-1]


def visible_hairlines(
    face: Face, camera: Camera, maps: SurfaceMaps
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the visible hairline up to the sideburns, and its frontal part between the temples.

    Parameters
    ----------
    face : Face
        The head.
    camera : Camera
        Pose, position and scale.
    maps : SurfaceMaps
        What each pixel shows.

    Returns
    -------
    whole, frontal : ndarray of float, shape (M, 2)
        The hairlines in pixels, left to right.
    """
    points = cranium_point(face, PSI_GRID, face.hairline_y)
    xy = camera.project(points[:, :3])
    keep = visible_points(maps, camera, points, (CRANIUM,)) & (
        camera.facing(points[:, 3:]) > MIN_FACING
    )
    whole = longest_run(xy, keep & (np.abs(PSI_GRID) <= SIDEBURN_BACK_PSI))
    frontal = longest_run(xy, keep & (np.abs(PSI_GRID) <= face.temple_psi))
    return whole, frontal


def visible_landmarks(
    face: Face, camera: Camera, maps: SurfaceMaps
) -> dict[str, NDArray[np.float64]]:
    """Named face points (patient's own left and right) that the camera sees.

    Parameters
    ----------
    face : Face
        The head.
    camera : Camera
        Pose, position and scale.
    maps : SurfaceMaps
        What each pixel shows.

    Returns
    -------
    dict of str to ndarray
        ``(1, 2)`` pixel positions by name, the seen ones only.
    """
    named = {
        "glabella": (0.0, face.brow_y),
        "left_iris_center": (face.eye_x, face.eye_y),
        "right_iris_center": (-face.eye_x, face.eye_y),
        "left_eye_inner_canthus": (face.eye_x - 14, face.eye_y),
        "left_eye_outer_canthus": (face.eye_x + 14, face.eye_y),
        "right_eye_inner_canthus": (-face.eye_x + 14, face.eye_y),
        "right_eye_outer_canthus": (-face.eye_x - 14, face.eye_y),
    }
    xs, ys = (np.array([v[i] for v in named.values()]) for i in range(2))
    points = front_point(face, xs, ys)
    seen = visible_points(maps, camera, points, (CRANIUM, JAW))
    xy = camera.project(points[:, :3])
    found = {name: xy[i : i + 1] for i, name in enumerate(named) if seen[i]}
    nose = face.solids[2]
    tip = nose.center + np.array([0.0, nose.axes[1] * 0.35, nose.axes[2] * 0.94])
    tip_xy = camera.project(tip[None])
    c, r = np.round(tip_xy[0]).astype(int)
    rows, cols = maps.label.shape
    if 0 <= r < rows and 0 <= c < cols and maps.label[r, c] == NOSE:
        found["nose_tip"] = tip_xy
    return found


def frame_camera(
    face: Face,
    rot: NDArray[np.float64],
    view: WholeHeadView,
    options: SynthOptions,
    rng: np.random.Generator,
) -> Camera:
    """Place the head: its top near the top of the frame (centred in top views).

    Parameters
    ----------
    face : Face
        The head.
    rot : ndarray of float, shape (3, 3)
        Head frame to camera frame.
    view : str
        The requested view.
    options : SynthOptions
        Resolved options (size and scale).
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    Camera
        The camera.
    """
    assert options.mm_per_px is not None
    ppm = 1.0 / options.mm_per_px
    half = projected_half_extent(face.cranium, rot) * ppm
    x = options.width_px * rng.uniform(0.45, 0.55)
    if view == "top":
        y = options.height_px * rng.uniform(0.45, 0.55)
    else:
        y = options.height_px * rng.uniform(0.04, 0.1) + half[1]
    return Camera(rotation=rot, origin_xy=(float(x), float(y)), px_per_mm=ppm)


def marker_center(
    face: Face, camera: Camera, view: WholeHeadView, yaw: float
) -> tuple[float, float]:
    """Place the sticker on the cheek that faces the camera, or on the crown in top views.

    Parameters
    ----------
    face : Face
        The head.
    camera : Camera
        Pose, position and scale.
    view : str
        The requested view.
    yaw : float
        The head's turn in degrees.

    Returns
    -------
    tuple of float
        The sticker's centre ``(x, y)`` in pixels.
    """
    if view == "top":
        point = cranium_point(face, np.array([180.0]), np.array([-0.75 * face.cranium.axes[1]]))
    else:
        side = -1.0 if yaw > 0 else 1.0
        psi = side * (60.0 if view == "side" else 42.0)
        point = cranium_point(face, np.array([psi]), np.array([face.eye_y + 32.0]))
    x, y = camera.project(point[:, :3])[0]
    return float(x), float(y)
