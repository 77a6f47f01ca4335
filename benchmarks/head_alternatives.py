"""The head model's evidence: its thresholds, and the alternatives tried and not kept.

Runs on the 80 real photos (``$SCALPMAP_REAL_HEADS``, else ``../shared/real-heads``; skipped with
a message when absent) with the by-eye annotation ``benchmarks/data/real_heads_annotations.json``,
and writes the ``head-alternatives`` section of ``docs/benchmarks.md``:

1. **MediaPipe's crop**: the detector score of every upright face confirmed there, on the photos
   and on their upside-down copies (where an "upright face" is a misread upside-down one); and
   how far each upright mesh that passes the other checks lies above the detector's eyes and nose
   (the forehead check of ``keypoints.py``).
2. **Eye crops**, on every upright detection the head model would try them on: the whole grid of
   crops against the three probes (what the probes give up, what they lose), and the surest crop
   that the keypoint check refuses.
3. **MediaPipe's full-range detector** as a second pass on the photos where no face was found
   (its model is read from the mediapipe 0.10.21 wheel, ``--wheel`` or
   ``$SCALPMAP_MEDIAPIPE_WHEEL``; that part is skipped without it).
4. **MediaPipe's tracking step** on the faces found in eye crops: the mesh run again on the crop
   its own landmarks give.
5. **The mesh on the missed faces' own eyes**: on each upright photo with both eyes where the head
   model finds no face, eye crops anchored on the annotated eyes (``eyes`` in the annotation;
   moved by up to 0.2 eye distances, their distance scaled by 0.85-1.15) over a wider grid of
   shapes than the head model's; the mesh's highest presence among the crops where it puts both
   eyes within 0.15 and 0.25 eye distances of the annotated ones. This is the most that any way
   of placing the crop could give.

Run ``.venv/bin/python benchmarks/head_alternatives.py`` (not part of ``make bench``: the head
model's own benchmark is ``evaluate_head.py``).
"""

from __future__ import annotations

import os

os.environ["OMP_NUM_THREADS"] = "2"

import argparse
import hashlib
import itertools
import json
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from rich.console import Console

from bench_common import DEFAULT_REPORT, replace_section
from evaluate_head import ANNOTATIONS, load_rgb, photos_dir
from head_alternatives_report import (
    ORACLE_SHAPES,
    ORACLE_SHIFTS,
    ORACLE_TOLERANCES,
    render,
)
from scalpmap.imaging.head.detector_views import (
    MIN_DETECTION_SCORE,
    DetectorViews,
    Place,
    scaled_detection,
    stretch_matrix,
)
from scalpmap.imaging.head.eye_crop import eye_crop_from_eyes
from scalpmap.imaging.head.face_detection import DetectorSpec, FaceDetection
from scalpmap.imaging.head.face_mesh import (
    MIN_FACE_PRESENCE,
    mesh_for,
    roi_from_landmarks,
    run_mesh,
)
from scalpmap.imaging.head.face_search import (
    EYE_CROP_VIEWS,
    FaceSearch,
    confirm_place,
    search_faces,
)
from scalpmap.imaging.head.find import working_copy
from scalpmap.imaging.head.from_above import (
    ABOVE,
    BELOW,
    PROBES,
    WIDTHS_EYES,
)
from scalpmap.imaging.head.keypoints import (
    MAX_UPWARD_SHIFT,
    agrees_with_detection,
    keypoint_shifts,
    mesh_eyes,
    upward_shift,
)
from scalpmap.imaging.head.pose import (
    THREE_QUARTER_MAX_YAW_DEG,
    eye_line_angle_deg,
    rotation_and_roll,
    yaw_from_mesh,
)
from scalpmap.imaging.head.runtime import LoadedModel, load_model_file

SECTION = "head-alternatives"
DEFAULT_WHEEL = Path("/tmp/wheels/mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl")
FULL_RANGE_MEMBER = "mediapipe/modules/face_detection/face_detection_full_range_sparse.tflite"
FULL_RANGE_SHA256 = "2c3728e6da56f21e21a320433396fb06d40d9088f2247c05e5635a688d45dfe1"
# face_detection_full_range.pbtxt: 192 x 192 input, one layer of stride 4 (2304 anchors), 0.6.
FULL_RANGE = DetectorSpec("face_detection_full_range", 192, (4,), 0.0, 0.6)
GRID = list(itertools.product(range(len(WIDTHS_EYES)), range(len(ABOVE)), range(len(BELOW))))


def upright(rgb: NDArray[np.uint8], quarter_turns: int = 0) -> NDArray[np.uint8]:
    """Return the photo turned anticlockwise by ``quarter_turns`` quarters."""
    return np.ascontiguousarray(np.rot90(rgb, k=quarter_turns))


def mediapipe_crop_meshes(views: DetectorViews) -> Iterator[tuple[FaceDetection, float, float]]:
    """Yield (detection, presence, upward shift) for each upright mesh passing the other checks.

    The other checks: presence and score, the eye line level, and a face up to three-quarter view
    (the forehead check applies to those only).
    """
    for place in views.places(0):
        for face, stretch in place:
            scale = stretch_matrix(0, stretch)
            mesh = mesh_for(views.pyramid, scaled_detection(face, scale), stretch=scale)
            points = mesh.points_xy / scale
            if mesh.presence < MIN_FACE_PRESENCE or face.score < MIN_DETECTION_SCORE:
                continue
            if rotation_and_roll(eye_line_angle_deg(points))[0] != 0:
                continue
            if abs(yaw_from_mesh(mesh.points_xy, mesh.depth_px)) > THREE_QUARTER_MAX_YAW_DEG:
                continue
            yield face, mesh.presence, upward_shift(points, face)


def eye_crop_grid(views: DetectorViews, place: Place) -> list[dict[str, float]]:
    """Run every crop of the grid on each view of the place the head model would try."""
    rows = []
    for face, _stretch in place[:EYE_CROP_VIEWS]:
        right, left = face.keypoints_xy[0], face.keypoints_xy[1]
        agreed: dict[tuple[int, int, int], float] = {}
        refused = 0.0
        for shape in GRID:
            crop = eye_crop_from_eyes(
                right,
                left,
                width_eyes=WIDTHS_EYES[shape[0]],
                above=ABOVE[shape[1]],
                below=BELOW[shape[2]],
            )
            mesh = run_mesh(views.pyramid, crop)
            level = rotation_and_roll(eye_line_angle_deg(mesh.points_xy))[0] == 0
            if level and agrees_with_detection(mesh.points_xy, face):
                agreed[shape] = mesh.presence
            else:
                agreed[shape] = 0.0
                refused = max(refused, mesh.presence if level else 0.0)
        rows.append(
            {
                "best": max(agreed.values()),
                "probes": max(agreed[shape] for shape in PROBES),
                "refused": refused,
            }
        )
    return rows


def full_range_model(wheel: Path, folder: Path) -> LoadedModel | None:
    """Extract and load the full-range detector from the mediapipe wheel, or None without it."""
    if not wheel.is_file():
        return None
    with zipfile.ZipFile(wheel) as archive:
        data = archive.read(FULL_RANGE_MEMBER)
    if hashlib.sha256(data).hexdigest() != FULL_RANGE_SHA256:
        raise SystemExit(f"{FULL_RANGE_MEMBER} in {wheel} does not have the expected sha256")
    path = folder / Path(FULL_RANGE_MEMBER).name
    path.write_bytes(data)
    return load_model_file(path)


def full_range_faces(views: DetectorViews) -> list[tuple[int, str]]:
    """Return (turn, crop kind) of every place the views' detections confirm, in all four turns.

    The same places and confirmations as the head model's, without its choice of one turn.
    """
    found = []
    for turn_deg in (0, 90, 180, 270):
        for number, place in enumerate(views.places(turn_deg)):
            kinds = ("detection", "eyes") if number == 0 else ("detection",)
            for crop_kind in kinds:
                if confirm_place(views, place, turn_deg, crop_kind) is not None:  # type: ignore[arg-type]
                    found.append((turn_deg, crop_kind))
                    break
    return found


def tracking_step(views: DetectorViews, search: FaceSearch) -> dict[str, float] | None:
    """Run MediaPipe's tracking step on an upright face found in eye crops, if there is one."""
    faces = [face for face in search.faces if face.crop_kind == "eyes" and search.turn_deg == 0]
    if not faces:
        return None
    points = faces[0].mesh.points_xy
    again = run_mesh(views.pyramid, roi_from_landmarks(points))
    right, left = mesh_eyes(points)
    distance = float(np.linalg.norm(left - right))
    moved = float(np.mean(np.linalg.norm(again.points_xy - points, axis=1))) / distance
    return {"presence": faces[0].mesh.presence, "again": again.presence, "moved": moved}


def mesh_on_annotated_eyes(
    views: DetectorViews, eyes: dict[str, list[float]], to_photo: NDArray[np.float64]
) -> dict[float, float]:
    """Return the mesh's best presence on crops anchored on the annotated eyes, per tolerance.

    For each tolerance of :data:`ORACLE_TOLERANCES`: the highest presence among the crops (of
    :data:`ORACLE_SHIFTS` x :data:`ORACLE_SHAPES`) where the mesh's eyes both lie within that many
    eye distances of the annotated ones (0 when none does).
    """
    right = np.asarray(eyes["right"], dtype=np.float64) / to_photo
    left = np.asarray(eyes["left"], dtype=np.float64) / to_photo
    span = left - right
    distance = float(np.linalg.norm(span))
    along = span / distance
    across = np.array([-along[1], along[0]])
    best = dict.fromkeys(ORACLE_TOLERANCES, 0.0)
    for (shift_along, shift_across, spread), (width, above, below) in itertools.product(
        ORACLE_SHIFTS, ORACLE_SHAPES
    ):
        middle = (right + left) / 2.0 + distance * (shift_along * along + shift_across * across)
        half = span / 2.0 * spread
        crop = eye_crop_from_eyes(
            middle - half, middle + half, width_eyes=width, above=above, below=below
        )
        mesh = run_mesh(views.pyramid, crop)
        found_right, found_left = mesh_eyes(mesh.points_xy)
        error = max(
            float(np.linalg.norm(found_right - right)), float(np.linalg.norm(found_left - left))
        )
        for tolerance in ORACLE_TOLERANCES:
            if error <= tolerance * distance:
                best[tolerance] = max(best[tolerance], mesh.presence)
    return best


def evaluate(folder: Path, model: LoadedModel | None, console: Console) -> dict[str, Any]:
    """Run every measure on every photo."""
    annotations = json.loads(ANNOTATIONS.read_text(encoding="utf-8"))["photos"]
    facts: dict[str, Any] = {
        "scores": {},
        "upside_down_scores": [],
        "shifts": [],
        "grid": [],
        "full_range": [],
        "tracking": [],
        "eye_crop_shifts": [],
        "annotated_eyes": [],
    }
    with console.status("the head model's alternatives") as status:
        for index, (name, truth) in enumerate(annotations.items(), start=1):
            status.update(f"the head model's alternatives: {index}/{len(annotations)} {name}")
            rgb = load_rgb(folder / name)
            working, to_photo = working_copy(rgb)
            views = DetectorViews(working)
            for face, _presence, shift in mediapipe_crop_meshes(views):
                facts["shifts"].append((name, shift))
                if truth["rotation"] == 0 and shift <= MAX_UPWARD_SHIFT:
                    facts["scores"][name] = max(facts["scores"].get(name, 0.0), face.score)
            if truth["rotation"] == 0 and truth["both_eyes_visible"]:
                turned_views = DetectorViews(upright(working, 2))
                for face, _presence, _shift in mediapipe_crop_meshes(turned_views):
                    facts["upside_down_scores"].append((name, face.score))
            for place in views.places(0)[:1]:
                for row in eye_crop_grid(views, place):
                    facts["grid"].append({"photo": name, **row})
            search = search_faces(working, pyramid=views.pyramid)
            for face in search.faces:
                if face.crop_kind == "eyes":
                    shift = float(keypoint_shifts(face.mesh.points_xy, face.detection).max())
                    facts["eye_crop_shifts"].append((name, shift))
            missed = truth["rotation"] == 0 and truth["both_eyes_visible"] and not search.faces
            if missed and "eyes" in truth:
                best = mesh_on_annotated_eyes(views, truth["eyes"], to_photo)
                facts["annotated_eyes"].append((name, best))
            tracked = tracking_step(views, search)
            if tracked is not None:
                facts["tracking"].append({"photo": name, **tracked})
            if model is not None and not search.faces:
                full = DetectorViews(working, views.pyramid, spec=FULL_RANGE, model=model)
                for turn_deg, crop_kind in full_range_faces(full):
                    facts["full_range"].append(
                        {"photo": name, "truth": truth, "turn": turn_deg, "crop_kind": crop_kind}
                    )
    return facts


def main(argv: Sequence[str] | None = None) -> int:
    """Run and write the report section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_REPORT, help="report to update")
    default_wheel = Path(os.environ.get("SCALPMAP_MEDIAPIPE_WHEEL", str(DEFAULT_WHEEL)))
    parser.add_argument("--wheel", type=Path, default=default_wheel, help="mediapipe 0.10.21 wheel")
    args = parser.parse_args(argv)
    console = Console()
    cv2.setNumThreads(2)
    folder = photos_dir()
    if folder is None:
        console.print("real-head photos not found: set SCALPMAP_REAL_HEADS; skipped")
        return 0
    with tempfile.TemporaryDirectory() as work:
        model = full_range_model(args.wheel, Path(work))
        if model is None:
            console.print(f"{args.wheel} not found: the full-range detector is not measured")
        facts = evaluate(folder, model, console)
    body = render(facts, full_range_ran=model is not None)
    replace_section(Path(args.out), SECTION, body)
    console.print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
