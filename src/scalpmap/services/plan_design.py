"""The hairline designer's engine: start a design, update it as points move, save it as a plan.

The web app's designer shows the photo, the current hairline and the target's draggable control
points. :func:`start_design` returns that state as JSON for a template; :func:`update_design`
recomputes the removal, keep and touch-up zones for an edited :class:`HairlineModel` (well under
300 ms on a 12-megapixel photo, see the ``designer-speed`` section of docs/benchmarks.md);
:func:`save_design` makes the full plan and stores it as the case's next plan version.

Speed: rebuilding the :class:`Analysis` from its analysis.json and decoding the photo are slow,
so :class:`DesignCache` keeps the last few, keyed by analysis id. A :class:`Design` also holds
what every update would otherwise recompute: the pigmented side of the current hairline (a
polygonisation of the whole photo). The target is then the current region clipped to that side
of the new line, exactly as :func:`~scalpmap.planning.designer.target_from_hairline` makes it.

Stored files: the pictures and reports go to the :class:`PhotoStore`, named by their sha256.
The plan.json document kept in the database is the one :func:`make_plan_outputs` wrote, except
that its ``files`` map gives each role's **sha256 in the PhotoStore** instead of a file name (the
schema allows any string). A role's download name is ``FILE_NAMES[role]`` (the names the command
line writes, e.g. ``zones.png``); :func:`load_plan_outputs` returns both. Known gap: after a
crash between the commit and the files' promotion, :meth:`PhotoStore.open` still finds a staged
file, but ``services.photos.recover_photo_store`` does not yet count plan files as referenced.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.errors import GEOSException
from shapely.geometry import LineString, Polygon
from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap.imaging.analysis import Analysis
from scalpmap.imaging.analysis_from_json import analysis_from_json
from scalpmap.imaging.photo_io import DEFAULT_MAX_PIXELS, decode_photo
from scalpmap.plan_outputs import PICTURE_FILES, REPORT_FILES, make_plan_outputs
from scalpmap.planning.designer import target_from_hairline
from scalpmap.planning.hairline import HAIRLINE_FORMAT, HairlineModel, distinct_points
from scalpmap.planning.plan import PlanOptions, build_plan
from scalpmap.planning.plan_json import validate_plan_json
from scalpmap.planning.target_file import NEAR_MM, TANGENT_MM, region_sign, side_region
from scalpmap.planning.templates import Landmarks, TemplateName, make_target
from scalpmap.planning.zones import (
    Target,
    Zones,
    as_lineal,
    as_polygonal,
    compute_zones,
    photo_frame,
)
from scalpmap.services import plans
from scalpmap.services._tx import atomic, get_or_raise
from scalpmap.services.errors import ConflictError, InputError, NotFoundError
from scalpmap.store.models import AnalysisStatus, PhotoAnalysis, PlanVersion, User
from scalpmap.store.photos import PhotoStore

__all__ = [
    "DESIGN_CACHE", "FILE_NAMES", "Design", "DesignCache", "PlanFile", "load_plan_outputs",
    "prepare_design", "save_design", "start_design", "update_design",
]  # fmt: skip

FILE_NAMES = {**PICTURE_FILES, **REPORT_FILES}
DRAW_TOLERANCE_MM = 0.5  # zone outlines and lines are simplified this much for drawing
MAX_CONTROL_POINTS = 500
_MEDIA = {".png": "image/png", ".html": "text/html; charset=utf-8", ".pdf": "application/pdf"}
K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, eq=False)
class Design:
    """An analysis prepared for the designer (see :func:`prepare_design`).

    Attributes
    ----------
    analysis : Analysis
        The photo's analysis.
    analysis_id, case_id, photo_sha256 : int, int, str or None
        The stored analysis, its photo's case and the photo in the PhotoStore, if stored.
    current : ndarray of float, shape (K, 2)
        The current hairline without repeated points.
    sign : int
        Its pigmented side (+1 or -1, see :func:`~scalpmap.planning.target_file.side_region`);
        0 without a current hairline.
    """

    analysis: Analysis
    analysis_id: int | None = None
    case_id: int | None = None
    photo_sha256: str | None = None
    current: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 2)))
    sign: int = 0


def prepare_design(
    analysis: Analysis,
    *,
    analysis_id: int | None = None,
    case_id: int | None = None,
    photo_sha256: str | None = None,
) -> Design:
    """Precompute what every update of a design needs.

    Parameters
    ----------
    analysis : Analysis
        The photo's analysis.
    analysis_id, case_id, photo_sha256 : int, int, str, optional
        The stored analysis, its photo's case and the photo in the PhotoStore.

    Returns
    -------
    Design
        The prepared design.
    """
    mm = analysis.scale.mm_per_px
    current = distinct_points(np.asarray(analysis.hairline_xy, dtype=np.float64).reshape(-1, 2))
    sign = 0
    if len(current) >= 2 and not analysis.region.is_empty:
        frame = photo_frame(analysis.shape)
        near = NEAR_MM / mm
        sign = region_sign(current, analysis.region, frame, tangent=TANGENT_MM / mm, near=near)
    # Prepare the region (and build GEOS's lazy point index) now: the impression counts of
    # every update query it, possibly from several threads at once.
    shapely.prepare(analysis.region)
    shapely.contains_xy(analysis.region, 0.0, 0.0)
    return Design(analysis, analysis_id, case_id, photo_sha256, current, sign)


class _Lru(Generic[K, V]):
    """A small least-recently-used mapping, safe to share between threads."""

    def __init__(self, size: int) -> None:
        self.size, self.items, self.lock = size, OrderedDict[K, V](), threading.Lock()

    def get(self, key: K) -> V | None:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
            return self.items.get(key)

    def put(self, key: K, value: V) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


class DesignCache:
    """The last few designs (by analysis id) and decoded photos (by sha256).

    Parameters
    ----------
    designs : int, optional
        How many designs to keep.
    photos : int, optional
        How many decoded photos to keep (a 12-megapixel photo takes 36 MB).
    """

    def __init__(self, designs: int = 16, photos: int = 2) -> None:
        self.designs: _Lru[tuple[int, Any], Design] = _Lru(designs)
        self.photos: _Lru[str, NDArray[np.uint8]] = _Lru(photos)

    def design(self, session: Session, analysis_id: int) -> Design:
        """Return the design of a stored analysis, rebuilding it from analysis.json on a miss.

        Parameters
        ----------
        session : sqlalchemy.orm.Session
            The session (read only).
        analysis_id : int
            The analysis; cached by its id and finishing time.

        Returns
        -------
        Design
            The design.

        Raises
        ------
        NotFoundError
            When there is no such analysis.
        ConflictError
            When the analysis has not finished.
        """
        query = select(PhotoAnalysis.status, PhotoAnalysis.finished_at)
        stamp = session.execute(query.where(PhotoAnalysis.id == analysis_id)).one_or_none()
        if stamp is None:
            raise NotFoundError(f"no analysis with id {analysis_id}")
        if stamp.status != AnalysisStatus.DONE:
            raise ConflictError(f"analysis {analysis_id} is {stamp.status}, not done")
        key = (analysis_id, stamp.finished_at)
        found = self.designs.get(key)
        if found is not None:
            return found
        row = get_or_raise(session, PhotoAnalysis, analysis_id, "analysis")
        design = prepare_design(
            analysis_from_json(row.document or {}),
            analysis_id=row.id,
            case_id=row.photo.case_id,
            photo_sha256=row.photo.sha256,
        )
        self.designs.put(key, design)
        return design

    def photo(
        self, store: PhotoStore, design: Design, *, max_pixels: int = DEFAULT_MAX_PIXELS
    ) -> NDArray[np.uint8]:
        """Return the design's decoded photo (upright RGB, read-only), read on a miss.

        Parameters
        ----------
        store : PhotoStore
            Where the photo is.
        design : Design
            A design from :meth:`design`.
        max_pixels : int, optional
            Largest photo accepted.

        Returns
        -------
        ndarray of uint8, shape (rows, cols, 3)
            The photo.

        Raises
        ------
        InputError
            When the design has no stored photo, or the photo does not match the analysis.
        """
        sha = design.photo_sha256
        if sha is None:
            raise InputError("this design has no stored photo")
        rgb = self.photos.get(sha)
        if rgb is None:
            rgb = decode_photo(store.read(sha), max_pixels=max_pixels).rgb
            if rgb.shape[:2] != design.analysis.shape:
                raise InputError("the stored photo's size does not match its analysis")
            rgb.setflags(write=False)
            self.photos.put(sha, rgb)
        return rgb


DESIGN_CACHE = DesignCache()


def _as_design(design: Design | Analysis) -> Design:
    return design if isinstance(design, Design) else prepare_design(design)


def _rounded(xy: Any) -> list[list[float]]:
    return cast(list[list[float]], np.round(np.asarray(xy, dtype=np.float64), 1).tolist())


def _drawn(geometry: Any, tolerance: float) -> list[list[list[list[float]]]]:
    """Polygons simplified for drawing: lists of rings (exterior first) of ``[x, y]``."""
    simple = shapely.simplify(geometry, tolerance, preserve_topology=True)
    return [
        [_rounded(ring.coords) for ring in (p.exterior, *p.interiors)]
        for p in shapely.get_parts(as_polygonal(simple))
        if isinstance(p, Polygon) and not p.is_empty
    ]


def _state(design: Design, target: Target, zones: Zones) -> dict[str, Any]:
    """Return the designer's state as JSON."""
    mm = design.analysis.scale.mm_per_px
    tol = DRAW_TOLERANCE_MM / mm
    lines = shapely.get_parts(shapely.simplify(target.edge, tol))
    current = LineString(design.current) if len(design.current) >= 2 else LineString()
    desired = zones.desired_density_per_cm2
    return {
        "template": target.template,
        "mm_per_px": round(mm, 6),
        "photo": {"width": design.analysis.shape[1], "height": design.analysis.shape[0]},
        "current_hairline": _rounded(shapely.simplify(current, tol).coords),
        "hairline": None if target.hairline is None else target.hairline.to_json(mm),
        "target_lines": [_rounded(line.coords) for line in lines if not line.is_empty],
        "zones": {
            zone.name: {
                "area_cm2": round(zone.area_cm2, 4),
                "impressions": zone.impressions,
                "impressions_to_add": zone.impressions_to_add,
                "polygons": _drawn(zone.geometry, tol),
            }
            for zone in (zones.removal, zones.touch_up, zones.keep)
        },
        "desired_density_per_cm2": None if desired is None else round(desired, 3),
        "notes": [*target.notes, *zones.notes],
    }


def start_design(
    analysis: Design | Analysis,
    template: TemplateName,
    *,
    age: int | None = None,
    landmarks: Landmarks | None = None,
    feather_mm: float = 1.5,
    corner_radius_mm: float = 10.0,
) -> dict[str, Any]:
    """Start a design from a template.

    Parameters
    ----------
    analysis : Design or Analysis
        The photo's design (from :class:`DesignCache`), or its analysis (prepared each call).
    template : {"keep", "soften", "mature", "remove-all"}
        The template.
    age : int, optional
        The patient's age (``mature`` needs it unless landmarks are given).
    landmarks : Landmarks, optional
        Facial landmarks.
    feather_mm, corner_radius_mm : float, optional
        See :func:`~scalpmap.planning.templates.make_target`.

    Returns
    -------
    dict
        ``template``, ``mm_per_px``, ``photo`` (width, height), ``current_hairline`` (points),
        ``hairline`` (the model's control points per segment, :meth:`HairlineModel.to_json`;
        None for ``remove-all``), ``target_lines`` (the smoothed new line, clipped to the
        photo), ``zones`` (``removal``, ``touch_up``, ``keep``: ``area_cm2``, ``impressions``,
        ``impressions_to_add`` and ``polygons`` simplified by ``DRAW_TOLERANCE_MM``, in pixels),
        ``desired_density_per_cm2`` and ``notes``.

    Raises
    ------
    InputError
        When the template cannot be applied.
    """
    design = _as_design(analysis)
    target = make_target(
        design.analysis,
        template,
        age=age,
        landmarks=landmarks,
        feather_mm=feather_mm,
        corner_radius_mm=corner_radius_mm,
    )
    return _state(design, target, compute_zones(design.analysis, target))


def _edited(analysis: Analysis, document: Any) -> HairlineModel:
    """Check an edited model: well formed, 2..MAX_CONTROL_POINTS points, none far off the photo."""
    if not isinstance(document, Mapping):
        raise InputError("the hairline must be a JSON object with 'segments'")
    if document.get("format", HAIRLINE_FORMAT) != HAIRLINE_FORMAT:
        raise InputError(f"the hairline's format must be {HAIRLINE_FORMAT!r}")
    model = HairlineModel.from_json(document)
    points = model.control_points()
    if len(points) > MAX_CONTROL_POINTS:
        raise InputError(f"a hairline may have at most {MAX_CONTROL_POINTS} control points")
    rows, cols = analysis.shape
    margin = max(rows, cols)
    far = (points < -margin).any(axis=1) | (points > np.array([cols, rows]) + margin).any(axis=1)
    if far.any():
        x, y = points[np.argmax(far)]
        raise InputError(f"control point ({x:.0f}, {y:.0f}) lies far outside the photo")
    return model


def _target(design: Design, model: HairlineModel) -> Target:
    """:func:`target_from_hairline`, with the current hairline's side computed once."""
    analysis = design.analysis
    if design.sign == 0:
        return target_from_hairline(analysis, model)
    mm, frame = analysis.scale.mm_per_px, photo_frame(analysis.shape)
    line = model.polyline(mm)
    edge = as_lineal(LineString(line).intersection(frame))
    if edge.is_empty:
        raise InputError("the hairline lies outside the photo; move its points onto the scalp")
    if float(np.dot(line[-1] - line[0], design.current[-1] - design.current[0])) < 0:
        line = line[::-1]
    side = side_region(line, frame, design.sign, tangent=TANGENT_MM / mm)
    region = as_polygonal(analysis.region.intersection(side))
    notes = ["target region: the current region clipped to the new line's pigmented side"]
    if region.is_empty:
        notes.append("the new line leaves no pigment in the photo: all of it is removal")
    return Target("custom", region, model, edge, model.feather_mm, notes)


def update_design(analysis: Design | Analysis, hairline_json: Any) -> dict[str, Any]:
    """Recompute the zones for a hairline the practitioner edited.

    Parameters
    ----------
    analysis : Design or Analysis
        The photo's design (from :class:`DesignCache`; fast), or its analysis.
    hairline_json : dict
        The edited model (:meth:`HairlineModel.to_json`; the pixel points are used).

    Returns
    -------
    dict
        The state, as :func:`start_design` returns it, with template ``custom``.

    Raises
    ------
    InputError
        When the model is malformed: fewer than 2 or more than ``MAX_CONTROL_POINTS`` points,
        one not finite or more than the photo's size off it; or the line misses the photo.
    """
    design = _as_design(analysis)
    model = _edited(design.analysis, hairline_json)
    try:
        target = _target(design, model)
    except (ValueError, GEOSException) as error:
        raise InputError(f"the hairline cannot be drawn: {error}".splitlines()[0]) from None
    return _state(design, target, compute_zones(design.analysis, target))


def save_design(
    session: Session,
    store: PhotoStore,
    analysis_id: int,
    *,
    case_id: int,
    actor: User,
    options: PlanOptions,
    hairline_json: Mapping[str, Any] | None = None,
    note: str | None = None,
    patient_label: str | None = None,
    clinic_name: str = "scalpmap clinic",
    cache: DesignCache = DESIGN_CACHE,
    today: dt.date | None = None,
) -> PlanVersion:
    """Make the full plan of a design and save it as the case's next plan version.

    The plan, pictures and reports are made first; then, in one transaction, the files are
    staged in the store and the plan.json (``files``: role to sha256) saved. A failure leaves
    no plan row and no file.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    store : PhotoStore
        Where the photo is and the files go.
    analysis_id : int
        The analysis of one of the case's photos.
    case_id : int
        The case.
    actor : User
        Who saves.
    options : PlanOptions
        The choices. With ``hairline_json``, ``options.template`` records the template the design
        started from and the target is the edited line's (``custom``); without it, the target is
        the template's.
    hairline_json : dict, optional
        The edited hairline model.
    note : str, optional
        What changed.
    patient_label, clinic_name : str, optional
        For the reports' header.
    cache : DesignCache, optional
        Where the design and the photo are cached.
    today : datetime.date, optional
        Today's date (for the timeline).

    Returns
    -------
    PlanVersion
        The new version.

    Raises
    ------
    InputError
        When the analysis is of another case's photo, or the plan cannot be made.
    NotFoundError, ConflictError
        See :meth:`DesignCache.design` and :func:`scalpmap.services.plans.save_plan`.
    """
    design = cache.design(session, analysis_id)
    if design.case_id != case_id:
        raise InputError(f"analysis {analysis_id} is not of a photo of case {case_id}")
    rgb = cache.photo(store, design)
    target = None
    if hairline_json is not None:
        target = target_from_hairline(design.analysis, _edited(design.analysis, hairline_json))
    plan = build_plan(rgb, design.analysis, options, target=target, today=today)
    row = session.get(PhotoAnalysis, analysis_id)
    source = row.photo.original_filename if row is not None else None
    outputs = make_plan_outputs(
        rgb, plan, source=source, pdf=True, patient_label=patient_label, clinic_name=clinic_name
    )
    document = dict(outputs.document)
    with atomic(session) as staged:
        files = {}
        for role, data in (*outputs.pictures.items(), *outputs.reports.items()):
            staged.append(store.stage(data))
            files[role] = staged[-1].sha256
        document["files"] = files
        validate_plan_json(document)
        return plans.save_plan(
            session, case_id, document, actor, analysis_id=analysis_id, note=note
        )


@dataclass(frozen=True)
class PlanFile:
    """A stored picture or report of a plan version.

    Attributes
    ----------
    role : str
        E.g. ``zones`` or ``patient_pdf`` (see :data:`FILE_NAMES`).
    filename : str
        Its download name, e.g. ``zones.png``.
    media_type : str
        Its MIME type.
    sha256 : str
        Its name in the PhotoStore.
    data : bytes
        Its content.
    """

    role: str
    filename: str
    media_type: str
    sha256: str
    data: bytes


def load_plan_outputs(
    session: Session, plan_version_id: int, store: PhotoStore, *, roles: Sequence[str] | None = None
) -> dict[str, PlanFile]:
    """Read a plan version's stored pictures and reports (for the web's download routes).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session (read only; the caller checks access and audits the view).
    plan_version_id : int
        The plan version's id.
    store : PhotoStore
        Where the files are.
    roles : sequence of str, optional
        Only these roles (all by default); read only what is asked for.

    Returns
    -------
    dict of str to PlanFile
        The files, by role.

    Raises
    ------
    NotFoundError
        When there is no such plan version, or it has no file of an asked role.
    """
    plan = get_or_raise(session, PlanVersion, plan_version_id, "plan version")
    files = plan.document.get("files") if isinstance(plan.document, dict) else None
    stored = {r: s for r, s in (files or {}).items() if r in FILE_NAMES and isinstance(s, str)}
    wanted = list(stored) if roles is None else list(roles)
    missing = [role for role in wanted if role not in stored]
    if missing:
        raise NotFoundError(f"plan version {plan_version_id} has no {missing[0]} file")
    result = {}
    for role in wanted:
        name = FILE_NAMES[role]
        media = _MEDIA[name[name.rindex(".") :]]
        try:
            data = store.read(stored[role])
        except FileNotFoundError:
            missing_file = f"the {role} file of plan version {plan_version_id} is missing"
            raise NotFoundError(missing_file) from None
        result[role] = PlanFile(role, name, media, stored[role], data)
    return result
