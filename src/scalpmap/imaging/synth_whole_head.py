"""Whole-head synthetic photos: front, three-quarter, side and top views of a person with SMP.

The head of :mod:`synth_head` is traced per pixel, the face of :mod:`synth_face` painted on it,
the impressions laid in the region above its hairline, and the person set against clothes and a
cluttered background. The truth gains what a whole-head evaluation needs: the frontal hairline,
the brow line, the face below it (where pigment must never be found), the beard and the ears.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.imaging import synth_face as face_paint
from scalpmap.imaging import synth_glasses as glasses
from scalpmap.imaging import synth_hair as hair
from scalpmap.imaging import synth_render as render
from scalpmap.imaging.synth_camera import (
    Camera,
    SurfaceMaps,
    projected_half_extent,
    rotation,
    trace_surfaces,
)
from scalpmap.imaging.synth_head import (
    CRANIUM,
    EAR,
    JAW,
    NECK,
    NOSE,
    PSI_GRID,
    SIDEBURN_BACK_PSI,
    Face,
    cranium_point,
    front_point,
    make_face,
)
from scalpmap.imaging.synth_marks import paint_confounders, paint_eyebrows
from scalpmap.imaging.synth_person import compose_person, ear_outlines, mask_geometry

if TYPE_CHECKING:
    from scalpmap.imaging.synth_options import SynthOptions

WholeHeadView = Literal["front", "three-quarter-left", "three-quarter-right", "side", "top"]
BeardStyle = Literal["none", "stubble", "full", "goatee"]
MIN_FACING = 0.25  # the truth's hairline stops where the scalp turns more than ~75° away


@dataclass(frozen=True)
class HeadTruth:
    """What a whole-head photo shows besides the SMP, in pixels.

    Attributes
    ----------
    view : str
        ``front``, ``left-three-quarter``, ``right-three-quarter``, ``left-side``, ``right-side``
        or ``top``, named as :class:`scalpmap.imaging.head.HeadModel` names them (by the
        patient's own cheek that faces the camera).
    yaw_deg, pitch_deg, roll_deg : float
        Head turn (positive towards the patient's own left), the camera's downward look and the
        head's tilt in the picture (positive clockwise: the patient's left eye lower).
    frontal_hairline_xy : ndarray of float, shape (M, 2)
        The frontal part of the hairline, between the temple peaks, left to right.
    brow_line_xy : ndarray of float, shape (K, 2)
        The brows' upper edge extended across the face, left to right.
    below_brows : Polygon or MultiPolygon
        The face below the brow line, the ears and the neck, without the pigmented region:
        where no pigment may be found.
    beard : Polygon or MultiPolygon
        Beard and moustache (empty without).
    ears : Polygon or MultiPolygon
        The visible ears.
    landmarks : dict of str to ndarray
        ``glabella``, ``left_iris_center``, ``right_iris_center``, the four canthi and
        ``nose_tip`` as ``(1, 2)`` arrays, where visible.
    beard_style : str
        ``none``, ``stubble``, ``full`` or ``goatee``.
    moustache : bool
        Whether a moustache was drawn.
    glasses : bool
        Whether spectacles were drawn.
    natural_hair : Polygon or MultiPolygon
        Shaved natural hair growing inside the region on the sides and back (empty without).
    """

    view: str
    yaw_deg: float
    pitch_deg: float
    roll_deg: float
    frontal_hairline_xy: NDArray[np.float64]
    brow_line_xy: NDArray[np.float64]
    below_brows: Polygon | MultiPolygon
    beard: Polygon | MultiPolygon
    ears: Polygon | MultiPolygon
    landmarks: dict[str, NDArray[np.float64]]
    beard_style: str
    moustache: bool
    glasses: bool = False
    natural_hair: Polygon | MultiPolygon = Polygon()

    def to_json(self) -> dict[str, Any]:
        """Return the head's truth as JSON-serialisable values.

        Returns
        -------
        dict
            The ``head`` block of the truth file.
        """
        return {
            "view": self.view,
            "yaw_deg": round(self.yaw_deg, 2),
            "pitch_deg": round(self.pitch_deg, 2),
            "roll_deg": round(self.roll_deg, 2),
            "frontal_hairline": np.round(self.frontal_hairline_xy, 2).tolist(),
            "brow_line": np.round(self.brow_line_xy, 2).tolist(),
            "below_brows": _polygons_json(self.below_brows),
            "glasses": self.glasses,
            "natural_hair": _polygons_json(self.natural_hair),
            "beard": {"style": self.beard_style, "moustache": self.moustache}
            | {"polygons": _polygons_json(self.beard)},
            "ears": _polygons_json(self.ears),
            "landmarks": {k: np.round(v, 2).tolist() for k, v in self.landmarks.items()},
        }


def _polygons_json(geometry: Polygon | MultiPolygon) -> list[list[list[float]]]:
    parts = [g for g in getattr(geometry, "geoms", [geometry]) if not g.is_empty]
    return [np.round(p.exterior.coords, 1).tolist() for p in parts]


@dataclass(frozen=True)
class HeadScene:
    """The laid-out whole-head scene, before painting.

    Attributes
    ----------
    face : Face
        The head.
    camera : Camera
        Pose, position and scale.
    maps : SurfaceMaps
        What each pixel shows (ears included).
    silhouette : Polygon
        The head with its visible ears (no neck): where the skin of the head is.
    region : Polygon or MultiPolygon
        The true pigmented region.
    hairline_xy : ndarray of float, shape (M, 2)
        Frontal, temporal and sideburn hairline where it faces the camera, left to right.
    ear_inner : list of ndarray
        The visible ears' bowls in pixels.
    marker_center_xy : tuple of float
        Where the sticker goes.
    truth : HeadTruth
        Everything else the truth records.
    """

    face: Face
    camera: Camera
    maps: SurfaceMaps
    silhouette: Polygon
    region: Polygon | MultiPolygon
    hairline_xy: NDArray[np.float64]
    ear_inner: list[NDArray[np.float64]]
    marker_center_xy: tuple[float, float]
    truth: HeadTruth


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


def _visible(
    maps: SurfaceMaps, camera: Camera, points: NDArray[np.float64], labels: tuple[int, ...]
) -> NDArray[np.bool_]:
    """Which surface points (columns X, Y, Z, normal) the camera sees, unhidden by the rest."""
    xy = camera.project(points[:, :3])
    rows, cols = maps.label.shape
    c, r = np.round(xy[:, 0]).astype(int), np.round(xy[:, 1]).astype(int)
    inside = (c >= 0) & (c < cols) & (r >= 0) & (r < rows)
    seen = inside & (camera.facing(points[:, 3:]) > 0.02)
    c, r = np.clip(c, 0, cols - 1), np.clip(r, 0, rows - 1)
    on = np.isin(maps.label[r, c], labels)
    gap = np.linalg.norm(maps.point[:, r, c].T - points[:, :3], axis=1)
    return np.asarray(seen & on & (gap < 3.0), dtype=bool)


def _longest_run(xy: NDArray[np.float64], keep: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Return the longest run of consecutive kept points, ordered left to right."""
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


def _hairlines(
    face: Face, camera: Camera, maps: SurfaceMaps
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the visible hairline up to the sideburns, and its frontal part between the temples."""
    points = cranium_point(face, PSI_GRID, face.hairline_y)
    xy = camera.project(points[:, :3])
    keep = _visible(maps, camera, points, (CRANIUM,)) & (camera.facing(points[:, 3:]) > MIN_FACING)
    whole = _longest_run(xy, keep & (np.abs(PSI_GRID) <= SIDEBURN_BACK_PSI))
    frontal = _longest_run(xy, keep & (np.abs(PSI_GRID) <= face.temple_psi))
    return whole, frontal


def _landmarks(face: Face, camera: Camera, maps: SurfaceMaps) -> dict[str, NDArray[np.float64]]:
    """Named face points (patient's own left and right) that the camera sees."""
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
    seen = _visible(maps, camera, points, (CRANIUM, JAW))
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


def _frame_camera(
    face: Face,
    rot: NDArray[np.float64],
    view: WholeHeadView,
    options: SynthOptions,
    rng: np.random.Generator,
) -> Camera:
    """Place the head: its top near the top of the frame (centred in top views)."""
    assert options.mm_per_px is not None
    ppm = 1.0 / options.mm_per_px
    half = projected_half_extent(face.cranium, rot) * ppm
    x = options.width_px * rng.uniform(0.45, 0.55)
    if view == "top":
        y = options.height_px * rng.uniform(0.45, 0.55)
    else:
        y = options.height_px * rng.uniform(0.04, 0.1) + half[1]
    return Camera(rotation=rot, origin_xy=(float(x), float(y)), px_per_mm=ppm)


def _marker_center(
    face: Face, camera: Camera, view: WholeHeadView, yaw: float
) -> tuple[float, float]:
    """On the cheek that faces the camera, or on the crown in top views."""
    if view == "top":
        point = cranium_point(face, np.array([180.0]), np.array([-0.75 * face.cranium.axes[1]]))
    else:
        side = -1.0 if yaw > 0 else 1.0
        psi = side * (60.0 if view == "side" else 42.0)
        point = cranium_point(face, np.array([psi]), np.array([face.eye_y + 32.0]))
    x, y = camera.project(point[:, :3])[0]
    return float(x), float(y)


def build_head_scene(options: SynthOptions, rng: np.random.Generator) -> HeadScene:
    """Lay out a whole-head scene: pose, head, maps, region, hairline and the face's truth.

    Parameters
    ----------
    options : SynthOptions
        Resolved options with a whole-head ``view``.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    HeadScene
        The scene.
    """
    view = cast(WholeHeadView, options.view)
    yaw, pitch, roll, view_name = head_pose(view, rng)
    face = make_face(options.hairline or "rounded", rng)
    camera = _frame_camera(face, rotation(yaw, pitch, roll), view, options, rng)
    shape = (options.height_px, options.width_px)
    maps = trace_surfaces(face, camera, shape)
    ears, ear_inner = ear_outlines(face, camera, maps)
    psi = maps.psi(face)
    y = maps.point[1]
    hairline_at = np.interp(psi, PSI_GRID, face.hairline_y).astype(np.float32)
    in_region = (maps.label == CRANIUM) & (y < hairline_at)
    region = mask_geometry(in_region, largest=True)
    head_mask = np.isin(maps.label, (CRANIUM, JAW, NOSE, EAR))
    silhouette = cast(Polygon, mask_geometry(head_mask, largest=True))
    face_mask = np.isin(maps.label, (CRANIUM, JAW, NOSE)) & (y > face.brow_top_y) & ~in_region
    below = mask_geometry(face_mask | (maps.label == EAR) | (maps.label == NECK))
    hairline_xy, frontal_xy = _hairlines(face, camera, maps)
    brow_x = np.linspace(-70, 70, 281)
    brow_points = front_point(face, brow_x, np.full_like(brow_x, face.brow_top_y))
    brow_xy = _longest_run(
        camera.project(brow_points[:, :3]), _visible(maps, camera, brow_points, (CRANIUM,))
    )
    truth = HeadTruth(
        view=view_name,
        yaw_deg=yaw,
        pitch_deg=pitch,
        roll_deg=roll,
        frontal_hairline_xy=frontal_xy,
        brow_line_xy=brow_xy,
        below_brows=below,
        beard=Polygon(),
        ears=ears,
        landmarks=_landmarks(face, camera, maps),
        beard_style=options.beard or "none",
        moustache=bool(options.moustache),
        glasses=bool(options.glasses),
    )
    return HeadScene(
        face=face,
        camera=camera,
        maps=maps,
        silhouette=silhouette,
        region=region,
        hairline_xy=hairline_xy,
        ear_inner=ear_inner,
        marker_center_xy=_marker_center(face, camera, view, yaw),
        truth=truth,
    )


def paint_head_scene(
    scene: HeadScene,
    options: SynthOptions,
    impressions: NDArray[np.float64],
    allowed_ink: Polygon | MultiPolygon,
    rng: np.random.Generator,
) -> tuple[render.FloatImage, HeadTruth]:
    """Paint the person, the SMP's impressions and the background.

    Parameters
    ----------
    scene : HeadScene
        The laid-out scene.
    options : SynthOptions
        Resolved options.
    impressions : ndarray of float, shape (N, 4)
        ``x, y, diameter_mm, strength`` of the impressions to paint.
    allowed_ink : Polygon or MultiPolygon
        The head's skin without the sticker (where pores and moles may fall).
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    canvas : ndarray of float32, shape (rows, cols, 3)
        The photo before the sticker and the camera.
    truth : HeadTruth
        The scene's truth with the beard filled in.
    """
    assert options.mm_per_px is not None and options.fitzpatrick is not None
    ppm = 1.0 / options.mm_per_px
    shape = (options.height_px, options.width_px)
    albedo = render.paint_skin(shape, options.fitzpatrick, ppm, rng)
    p = face_paint.Painter(albedo, scene.maps, scene.face, scene.camera, rng)
    face = scene.face
    if options.wrinkles:
        face_paint.paint_wrinkles(p, float(face.hairline_y[len(PSI_GRID) // 2]))
    if options.confounders:
        paint_confounders(albedo, allowed_ink, scene.region, options, rng)
    curves = []
    for curve in face_paint.brow_curves(face):
        points = front_point(face, curve[:, 0], curve[:, 1])
        seen = _visible(scene.maps, scene.camera, points, (CRANIUM,))
        if seen.sum() >= 5:
            curves.append(scene.camera.project(points[seen, :3]))
    paint_eyebrows(albedo, curves, ppm, rng)
    face_paint.paint_eyes(p)
    face_paint.paint_nose_and_lips(p)
    sideburn_y = float(np.interp(SIDEBURN_BACK_PSI - 2, PSI_GRID, face.hairline_y))
    beard_style = options.beard or "none"
    beard = hair.beard_mask(p, beard_style, bool(options.moustache), sideburn_y + 4)
    hair.paint_beard(p, beard, beard_style)
    face_paint.paint_ear_details(p, scene.ear_inner)
    shaved = np.zeros(shape, dtype=bool)
    if options.natural_hair:
        psi = scene.maps.psi(face)
        hairline_at = np.interp(psi, PSI_GRID, face.hairline_y)
        in_region = (scene.maps.label == CRANIUM) & (scene.maps.point[1] < hairline_at)
        shaved = hair.shaved_hair_mask(p, in_region)
        hair.paint_shaved_hair(p, shaved)
    if options.glasses:
        glasses.paint_glasses(p)
    tint = render.INK_PROFILES[options.ink or "black"][0]
    for x, y, diameter_mm, strength in impressions:
        render.paint_spot(albedo, x, y, diameter_mm * ppm, strength, tint, rng)
    diffuse, specular = face_paint.shade(p, float(options.shine or 0.0), beard)
    canvas = compose_person(albedo, diffuse, specular, scene.maps, ppm, rng)
    truth = HeadTruth(
        **{
            **scene.truth.__dict__,
            "beard": mask_geometry(beard) if beard.any() else Polygon(),
            "natural_hair": mask_geometry(shaved) if shaved.any() else Polygon(),
        }
    )
    return canvas, truth
