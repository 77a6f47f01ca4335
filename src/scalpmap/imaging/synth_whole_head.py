"""Whole-head synthetic photos: front, three-quarter, side and top views of a person with SMP.

The head of :mod:`synth_head` is traced per pixel, the face of :mod:`synth_face` painted on it,
the impressions laid in the region above its hairline, and the person set against clothes and a
cluttered background. The truth gains what a whole-head evaluation needs
(:mod:`synth_head_truth`): the frontal hairline, the brow line, the face below it (where pigment
must never be found), the beard and the ears; what the camera sees of the head is found by
:mod:`synth_head_view`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

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
    front_point,
    make_face,
)
from scalpmap.imaging.synth_head_truth import HeadTruth
from scalpmap.imaging.synth_head_view import (
    WholeHeadView,
    frame_camera,
    head_pose,
    longest_run,
    marker_center,
    visible_hairlines,
    visible_landmarks,
    visible_points,
)
from scalpmap.imaging.synth_marks import paint_confounders, paint_eyebrows
from scalpmap.imaging.synth_person import compose_person, ear_outlines, mask_geometry

if TYPE_CHECKING:
    from scalpmap.imaging.synth_options import SynthOptions


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
    camera = frame_camera(face, rotation(yaw, pitch, roll), view, options, rng)
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
    hairline_xy, frontal_xy = visible_hairlines(face, camera, maps)
    brow_x = np.linspace(-70, 70, 281)
    brow_points = front_point(face, brow_x, np.full_like(brow_x, face.brow_top_y))
    brow_xy = longest_run(
        camera.project(brow_points[:, :3]), visible_points(maps, camera, brow_points, (CRANIUM,))
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
        landmarks=visible_landmarks(face, camera, maps),
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
        marker_center_xy=marker_center(face, camera, view, yaw),
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
        seen = visible_points(scene.maps, scene.camera, points, (CRANIUM,))
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
