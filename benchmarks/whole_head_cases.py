"""The cases of the whole-head evaluation and how each is run (in a worker process).

Three kinds: generated whole heads (held-out seeds 7000..), semi-real composites (seeds 7100..)
and the real photos of ``/work/shared/real-heads``. :func:`run_case` returns one plain row per
case and writes a picture of what was found against the truth.
"""

from __future__ import annotations

import json
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import shapely

from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.imaging.synth_composite import (
    ScalpAnnotation,
    composite_smp,
    load_scalp_annotations,
    to_original_xy,
)
from whole_head_measures import (
    FACE_CLEARANCE_MM,
    area_cm2,
    below_brows_zone,
    brows_from_head,
    found_frontal,
    frontal_hairline_error_mm,
    person_outline,
    region_iou,
    save_overlay,
    whole_hairline_error_mm,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
REAL_HEADS = Path("/work/shared/real-heads")
ANNOTATED = REPO_ROOT / "benchmarks" / "data" / "real-heads"
GENERATED_SEED_BASE = 7000
COMPOSITE_SEED_BASE = 7100
UPSCALE = 3
DEFAULT_REAL_MM_PER_PX = 0.3  # a whole head across a 640 px photo, before the x3 upscaling
VIEWS = ("front", "three-quarter-left", "three-quarter-right", "side", "top")
BEARDS = ("none", "stubble", "full", "goatee")
SKIN_INK = (
    (1, "faded-grey"),
    (6, "faded-grey"),
    (2, "black"),
    (5, "bluish-black"),
    (2, "faded-grey"),
    (5, "faded-grey"),
    (3, "black"),
    (4, "bluish-black"),
)
INKS = ("black", "faded-grey", "bluish-black")


@dataclass(frozen=True)
class GeneratedCase:
    """One generated whole head (see :func:`generated_cases`)."""

    seed: int
    view: str
    beard: str
    moustache: bool
    glasses: bool
    natural_hair: bool
    fitzpatrick: int
    ink: str
    mm_per_px: float
    overlays: str


@dataclass(frozen=True)
class CompositeCase:
    """One semi-real composite: an annotated photo with rendered SMP."""

    name: str
    seed: int
    ink: str
    density_per_cm2: float
    overlays: str


@dataclass(frozen=True)
class RealCase:
    """One real photo, analysed for pigment where there is none."""

    name: str
    overlays: str


def generated_cases(count: int, overlays: str) -> list[GeneratedCase]:
    """Whole heads cycling through views, beards, moustaches and skin/ink pairs.

    Case ``i`` has view ``VIEWS[i % 5]``, beard ``BEARDS[i % 4]``, a moustache when ``i // 2`` is
    odd, glasses when ``i // 5`` is odd, shaved natural hair on the sides when ``i % 3 == 1``,
    skin and ink ``SKIN_INK[i % 8]`` (faded grey on types 1, 2, 5 and 6 among them) and a scale
    rising evenly from 0.08 to 0.15 mm/px; shine and wrinkles are drawn from the seed.

    Parameters
    ----------
    count : int
        Number of heads.
    overlays : str
        Folder for the pictures.

    Returns
    -------
    list of GeneratedCase
        The cases.
    """
    scales = np.linspace(0.08, 0.15, count) if count > 1 else [0.11]
    return [
        GeneratedCase(
            seed=GENERATED_SEED_BASE + i,
            view=VIEWS[i % len(VIEWS)],
            beard=BEARDS[i % len(BEARDS)],
            moustache=(i // 2) % 2 == 1,
            glasses=(i // 5) % 2 == 1,
            natural_hair=i % 3 == 1,
            fitzpatrick=SKIN_INK[i % len(SKIN_INK)][0],
            ink=SKIN_INK[i % len(SKIN_INK)][1],
            mm_per_px=round(float(scales[i]), 4),
            overlays=overlays,
        )
        for i in range(count)
    ]


def composite_cases(count: int, overlays: str) -> list[CompositeCase]:
    """List the annotated photos, with inks cycling and densities rising from 40 to 80 per cm².

    Parameters
    ----------
    count : int
        At most the number of annotated photos.
    overlays : str
        Folder for the pictures.

    Returns
    -------
    list of CompositeCase
        The cases.
    """
    names = list(load_scalp_annotations(ANNOTATED / "scalp_annotations.json"))[:count]
    densities = np.linspace(40, 80, len(names)) if len(names) > 1 else [60.0]
    return [
        CompositeCase(name, COMPOSITE_SEED_BASE + i, INKS[i % 3], float(densities[i]), overlays)
        for i, name in enumerate(names)
    ]


def real_cases(count: int, overlays: str) -> list[RealCase]:
    """List the real photos, in name order.

    Parameters
    ----------
    count : int
        At most this many.
    overlays : str
        Folder for the pictures.

    Returns
    -------
    list of RealCase
        The cases.
    """
    return [RealCase(p.stem, overlays) for p in sorted(REAL_HEADS.glob("*.jpg"))[:count]]


def run_case(case: GeneratedCase | CompositeCase | RealCase) -> dict[str, Any]:
    """Run one case; an exception becomes the row's ``error``, never a crash of the run.

    Parameters
    ----------
    case : GeneratedCase or CompositeCase or RealCase
        The case.

    Returns
    -------
    dict
        Plain values: ``group``, ``case`` and the measures.
    """
    cv2.setNumThreads(1)
    group = {GeneratedCase: "generated", CompositeCase: "composite", RealCase: "real"}[type(case)]
    name = str(case.seed) if isinstance(case, GeneratedCase) else case.name
    try:
        if isinstance(case, GeneratedCase):
            row = _run_generated(case)
        elif isinstance(case, CompositeCase):
            row = _run_composite(case)
        else:
            row = _run_real(case)
    except Exception as error:  # noqa: BLE001 - one broken case must not stop the evaluation
        last = traceback.extract_tb(error.__traceback__)[-1]
        row = {
            "error": f"{type(error).__name__}: {error} ({Path(last.filename).name}:{last.lineno})"
        }
    return {"group": group, "case": name, **row}


def _run_generated(case: GeneratedCase) -> dict[str, Any]:
    options = SynthOptions(
        seed=case.seed, view=case.view, width_px=2048, height_px=2730, mm_per_px=case.mm_per_px,
        fitzpatrick=case.fitzpatrick, ink=case.ink, beard=case.beard, moustache=case.moustache,
        glasses=case.glasses, natural_hair=case.natural_hair, marker=False,
    )  # fmt: skip
    rgb, truth = generate_scalp_photo(options)
    started = time.perf_counter()
    analysis = analyse_photo(rgb, mm_per_px=truth.mm_per_px)
    analyse_s = time.perf_counter() - started
    assert truth.head is not None
    mm = truth.mm_per_px
    clear = truth.region.buffer(FACE_CLEARANCE_MM / mm)
    face = truth.head.below_brows.difference(clear)
    save_overlay(
        Path(case.overlays) / f"generated-{case.seed}-{case.view}-{case.beard}.png",
        rgb,
        found_region=analysis.region,
        found_hairline=analysis.hairline_xy,
        truth_region=truth.region,
        truth_hairline=truth.hairline_xy,
        never=face,
    )
    return {
        "view": truth.head.view,
        "beard": case.beard,
        "moustache": case.moustache,
        "glasses": case.glasses,
        "natural_hair": case.natural_hair,
        "shine": truth.options.shine,
        "fitzpatrick": case.fitzpatrick,
        "ink": case.ink,
        "mm_per_px": mm,
        "region_iou": region_iou(analysis.region, truth.region),
        "hairline_error_mm": whole_hairline_error_mm(analysis.hairline_xy, truth.hairline_xy, mm),
        "frontal_error_mm": frontal_hairline_error_mm(
            analysis.hairline_xy, found_frontal(analysis), truth.head.frontal_hairline_xy, mm
        ),
        "face_cm2": area_cm2(analysis.region.intersection(face), mm),
        "analyse_s": analyse_s,
    }


def _read_rgb(path: Path) -> np.ndarray:
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise FileNotFoundError(f"cannot read {path}")
    return np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


def _run_composite(case: CompositeCase) -> dict[str, Any]:
    annotation = load_scalp_annotations(ANNOTATED / "scalp_annotations.json")[case.name]
    photo = _read_rgb(ANNOTATED / f"{case.name}.jpg")
    composite = composite_smp(
        photo, annotation, seed=case.seed, ink=case.ink, density_per_cm2=case.density_per_cm2
    )
    mm = composite.mm_per_px
    started = time.perf_counter()
    analysis = analyse_photo(composite.rgb, mm_per_px=mm)
    analyse_s = time.perf_counter() - started
    shape = composite.rgb.shape[:2]
    zone = below_brows_zone(composite.brow_line_xy, np.array([0.0, 1.0]), shape)
    save_overlay(
        Path(case.overlays) / f"composite-{case.name}.png",
        composite.rgb,
        found_region=analysis.region,
        found_hairline=analysis.hairline_xy,
        truth_region=composite.region,
        truth_hairline=composite.hairline_xy,
        never=zone,
    )
    return {
        "ink": case.ink,
        "mm_per_px": mm,
        "region_iou": region_iou(analysis.region, composite.region),
        "scalp_iou": region_iou(
            analysis.region.intersection(composite.bare_scalp.union(composite.region)),
            composite.region,
        ),
        "off_scalp_cm2": area_cm2(
            analysis.region.difference(composite.bare_scalp.union(composite.region)), mm
        ),
        "frontal_error_mm": frontal_hairline_error_mm(
            analysis.hairline_xy, found_frontal(analysis), composite.frontal_hairline_xy, mm
        ),
        "hairline_error_mm": whole_hairline_error_mm(
            analysis.hairline_xy, composite.hairline_xy, mm
        ),
        "below_brows_cm2": area_cm2(analysis.region.intersection(zone), mm),
        "analyse_s": analyse_s,
    }


def _upscaled(geometry: Any, annotation: ScalpAnnotation, shape: tuple[int, int]) -> Any:
    """Map an annotation's upright geometry to the stored photo's pixels, upscaled."""
    upright_shape = shape if annotation.quarter_turns % 2 == 0 else (shape[1], shape[0])

    def move(xy: np.ndarray) -> np.ndarray:
        back = to_original_xy(
            np.asarray(xy, dtype=np.float64), annotation.quarter_turns, upright_shape
        )
        return back * UPSCALE + (UPSCALE - 1) / 2

    return shapely.transform(geometry, move)


def _face_visible(name: str) -> bool | None:
    """Whether the by-eye annotation of the real photos sees a face (None when not annotated).

    A face the head model finds in a photo without one (a back or top view) has no brows to
    judge by, so its landmarks are not used.
    """
    path = REPO_ROOT / "benchmarks" / "data" / "real_heads_annotations.json"
    if not path.is_file():
        return None
    entry = json.loads(path.read_text(encoding="utf-8")).get("photos", {}).get(f"{name}.jpg")
    return None if entry is None else bool(entry.get("face_visible"))


def _run_real(case: RealCase) -> dict[str, Any]:
    photo = _read_rgb(REAL_HEADS / f"{case.name}.jpg")
    annotations = load_scalp_annotations(ANNOTATED / "scalp_annotations.json")
    annotation = annotations.get(case.name)
    mm_source = annotation.mm_per_px if annotation is not None else DEFAULT_REAL_MM_PER_PX
    mm = mm_source / UPSCALE
    rgb = cv2.resize(photo, None, fx=UPSCALE, fy=UPSCALE, interpolation=cv2.INTER_LANCZOS4)
    started = time.perf_counter()
    analysis = analyse_photo(rgb, mm_per_px=mm)
    analyse_s = time.perf_counter() - started
    shape = rgb.shape[:2]
    head = getattr(analysis, "head", None)
    zone = None
    bare = None
    brows_from = "none"
    if annotation is not None:
        brow_line = shapely.LineString(annotation.brow_line_xy)
        brow = np.asarray(_upscaled(brow_line, annotation, photo.shape[:2]).coords)
        ends = shapely.LineString([(0.0, 0.0), (0.0, 10.0)])
        down_line = np.asarray(_upscaled(ends, annotation, photo.shape[:2]).coords)
        zone = below_brows_zone(brow, down_line[1] - down_line[0], shape)
        bare = _upscaled(annotation.bare_scalp, annotation, photo.shape[:2])
        brows_from = "annotation"
    elif _face_visible(case.name) is False:
        brows_from = "no face in the photo"
    else:
        found = brows_from_head(head)
        if found is not None:
            zone = below_brows_zone(found[0], found[1], shape)
            brows_from = "landmarks"
    person = person_outline(head, mm)
    region = analysis.region
    save_overlay(
        Path(case.overlays) / f"real-{case.name}.png",
        rgb,
        found_region=region,
        found_hairline=analysis.hairline_xy,
        truth_region=bare,
        never=zone,
    )
    return {
        "view": getattr(head, "view", "n/a"),
        "pigment_cm2": area_cm2(region, mm),
        "below_brows_cm2": None if zone is None else area_cm2(region.intersection(zone), mm),
        "brows_from": brows_from,
        "bare_fraction": None
        if bare is None
        else float(region.intersection(bare).area / bare.area),
        "background_cm2": None if person is None else area_cm2(region.difference(person), mm),
        "analyse_s": analyse_s,
    }
