"""The hairline designer's service: cache designs, save a design as a plan, load its files.

The design state itself (:func:`start_design`, :func:`update_design`, :class:`Design`) lives in
:mod:`scalpmap.planning.design_state` and is re-exported here for the web app;
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
line writes, e.g. ``zones.png``); :func:`load_plan_outputs` returns both. After a crash between
the commit and the files' promotion, :meth:`PhotoStore.open` finds the staged file and
``services.photos.recover_photo_store`` promotes it (plan files count as referenced).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap.clinic_identity import ClinicIdentity
from scalpmap.imaging.analysis_from_json import analysis_from_json
from scalpmap.imaging.photo_io import DEFAULT_MAX_PIXELS, decode_photo
from scalpmap.plan_outputs import PICTURE_FILES, REPORT_FILES, make_plan_outputs
from scalpmap.planning.design_state import (
    Design,
    design_landmarks,
    edited_hairline,
    prepare_design,
    start_design,
    update_design,
)
from scalpmap.planning.plan import PlanOptions, build_plan
from scalpmap.planning.plan_json import validate_plan_json
from scalpmap.planning.saved_design import saved_target
from scalpmap.services import plans
from scalpmap.services._tx import atomic, get_or_raise
from scalpmap.services.clinic import get_clinic_settings
from scalpmap.services.errors import ConflictError, InputError, NotFoundError
from scalpmap.store.models import AnalysisStatus, PhotoAnalysis, PlanVersion, User
from scalpmap.store.photos import PhotoStore

__all__ = [
    "DESIGN_CACHE", "FILE_NAMES", "Design", "DesignCache", "PlanFile", "design_landmarks",
    "load_plan_outputs", "prepare_design", "save_design", "start_design", "update_design",
]  # fmt: skip

FILE_NAMES = {**PICTURE_FILES, **REPORT_FILES}
_MEDIA = {".png": "image/png", ".html": "text/html; charset=utf-8", ".pdf": "application/pdf"}
K = TypeVar("K")
V = TypeVar("V")


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


def save_design(
    session: Session,
    store: PhotoStore,
    analysis_id: int,
    *,
    case_id: int,
    actor: User,
    options: PlanOptions,
    hairline_json: Mapping[str, Any] | None = None,
    landmarks: Mapping[str, Any] | None = None,
    note: str | None = None,
    patient_label: str | None = None,
    source: str | None = None,
    clinic: ClinicIdentity | None = None,
    cache: DesignCache = DESIGN_CACHE,
    today: dt.date | None = None,
    on_saved: Callable[[Session, PlanVersion], None] | None = None,
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
        started from and the target is the edited line's (``custom``), or the template's own
        when the line was not edited (:func:`~scalpmap.planning.saved_design.saved_target`);
        without it, the target is the template's.
    hairline_json : dict, optional
        The edited hairline model.
    landmarks : dict, optional
        Landmarks the practitioner placed (``glabella``, ``left_canthus``, ``right_canthus`` as
        ``[x, y]``; each optional): they replace the detected ones and are recorded as
        ``given``. ``options.landmarks`` is replaced by the design's landmarks.
    note : str, optional
        What changed.
    patient_label : str, optional
        For the reports' header (decide the label with
        :func:`scalpmap.services.disclosure.document_identity`).
    clinic : ClinicIdentity, optional
        The clinic's name, logo and contact for the reports' header; the clinic's settings
        (:func:`scalpmap.services.clinic.get_clinic_settings`) when omitted.
    source : str, optional
        How plan.json and the reports name the photo; the uploaded file's name by default.
    cache : DesignCache, optional
        Where the design and the photo are cached.
    today : datetime.date, optional
        Today's date (for the timeline); today at the clinic by default.
    on_saved : callable, optional
        Called with the session and the new version inside the transaction that saves it
        (see :func:`scalpmap.services.plans.save_plan`).

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
    options = dataclasses.replace(options, landmarks=design_landmarks(design, landmarks))
    target = None
    if hairline_json is not None:
        model = edited_hairline(design.analysis, hairline_json)
        target = saved_target(design.analysis, options, model)
    clinic = clinic or get_clinic_settings(session)
    plan = build_plan(rgb, design.analysis, options, target=target, today=today or clinic.today())
    if source is None:
        row = session.get(PhotoAnalysis, analysis_id)
        source = row.photo.original_filename if row is not None else None
    outputs = make_plan_outputs(
        rgb, plan, source=source, pdf=True, patient_label=patient_label, clinic=clinic
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
            session, case_id, document, actor, analysis_id=analysis_id, note=note, on_saved=on_saved
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
