"""The designer and plans as the web app runs them: checks, designs, asking for a plan save.

Saving a plan takes seconds: the simulation, the pictures and the two PDF reports are made
before anything is written. The request only checks the design and asks for a plan-save job
(:func:`ask_plan_save`, :mod:`scalpmap.jobs.plan_saves`), keyed by the design, which the app's
job backend runs: its thread pool (``SCALPMAP_JOBS=inline``, in a session whose SQLite
transactions begin at the first write) or ``scalpmap worker`` (``procrastinate``). The browser
polls the job (``GET /api/jobs/{id}``) and opens the new version when it is done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from scalpmap.jobs.plan_saves import options_to_json, plan_save_key, plan_still_saved
from scalpmap.planning.design_state import edited_hairline
from scalpmap.planning.plan import PlanOptions
from scalpmap.planning.plan_figures import zone_figures
from scalpmap.planning.templates import MAX_AGE, MIN_AGE
from scalpmap.services.disclosure import DocumentKind, document_identity
from scalpmap.services.errors import ConflictError, NotFoundError
from scalpmap.services.plan_design import DESIGN_CACHE, Design, design_landmarks
from scalpmap.services.plan_design import start_design as engine_start
from scalpmap.services.plan_design import update_design as engine_update
from scalpmap.store.models import (
    AnalysisStatus,
    Case,
    Job,
    JobKind,
    Patient,
    Photo,
    PhotoAnalysis,
    User,
)
from scalpmap.web.job_progress import ask_job
from scalpmap.web.plans.schemas import GivenLandmarks, PlanCreate, TemplateChoice
from scalpmap.web.state import AppState

__all__ = [
    "analysis_of_case",
    "ask_plan_save",
    "design_of_case",
    "patient_age",
    "start",
    "update",
]


def patient_age(patient: Patient, today: dt.date | None = None) -> int | None:
    """Return the patient's age in whole years, when known and usable by the templates.

    Parameters
    ----------
    patient : Patient
        The patient.
    today : datetime.date, optional
        Today's date.

    Returns
    -------
    int or None
        The age, or ``None`` without a date of birth or outside 14..100.

    Examples
    --------
    >>> patient_age(Patient(full_name="A", date_of_birth=dt.date(1990, 6, 2)), dt.date(2026, 6, 1))
    35
    """
    born = patient.date_of_birth
    if born is None:
        return None
    today = today or dt.date.today()
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return age if MIN_AGE <= age <= MAX_AGE else None


def _done(photo: Photo) -> PhotoAnalysis:
    done = [row for row in photo.analyses if row.status == AnalysisStatus.DONE]
    if not done:
        latest = photo.analyses[-1].status if photo.analyses else "not analysed"
        raise ConflictError(f"photo {photo.id} has not been analysed yet ({latest})")
    return done[-1]


def analysis_of_case(
    session: Session, case: Case, *, analysis_id: int | None = None, photo_id: int | None = None
) -> PhotoAnalysis:
    """Find the finished analysis a design of the case starts from.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.
    case : Case
        The case.
    analysis_id : int, optional
        An analysis of one of the case's photos.
    photo_id : int, optional
        One of the case's photos (its newest finished analysis is used).

    Returns
    -------
    PhotoAnalysis
        The analysis (status ``done``).

    Raises
    ------
    NotFoundError
        When the analysis or photo does not exist or is not of this case.
    ConflictError
        When the photo or analysis has not finished its analysis.
    """
    if photo_id is not None:
        photo = session.get(Photo, photo_id)
        if photo is None or photo.case_id != case.id:
            raise NotFoundError(f"case {case.id} has no photo {photo_id}")
        return _done(photo)
    row = session.get(PhotoAnalysis, analysis_id) if analysis_id is not None else None
    if row is None or row.photo.case_id != case.id:
        raise NotFoundError(f"case {case.id} has no analysis {analysis_id}")
    if row.status != AnalysisStatus.DONE:
        raise ConflictError(f"analysis {row.id} of photo {row.photo_id} is {row.status}, not done")
    return row


def design_of_case(session: Session, analysis_id: int) -> tuple[Design, int]:
    """Return the cached design of an analysis of a case's photo, and the photo's id.

    The request's transaction is ended afterwards (nothing was written), so the designer's
    updates never hold SQLite's write lock while they compute.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The request's session.
    analysis_id : int
        The analysis.

    Returns
    -------
    tuple of (Design, int)
        The design and its photo's id.

    Raises
    ------
    NotFoundError
        When there is no such analysis, or its photo belongs to no case (an enquiry's photo).
    ConflictError
        When the analysis has not finished.
    """
    design = DESIGN_CACHE.design(session, analysis_id)
    row = session.get(PhotoAnalysis, analysis_id)
    session.commit()
    if design.case_id is None or row is None:
        raise NotFoundError(f"analysis {analysis_id} is not of a case's photo")
    return design, row.photo_id


def _with_ids(design: Design, photo_id: int, state: dict[str, Any]) -> dict[str, Any]:
    """Add the ids, and the zones' figures written as the saved plan will write them."""
    zones = {**state["zones"], "desired_density_per_cm2": state.get("desired_density_per_cm2")}
    return {
        "analysis_id": design.analysis_id,
        "photo_id": photo_id,
        "case_id": design.case_id,
        **state,
        "figures": zone_figures(zones, design.analysis.mode),
    }


def _given(landmarks: GivenLandmarks | Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the practitioner's landmarks by name (those not given left out)."""
    if isinstance(landmarks, GivenLandmarks):
        return landmarks.model_dump(exclude_none=True)
    return {k: v for k, v in (landmarks or {}).items() if v is not None}


def start(
    design: Design,
    photo_id: int,
    template: TemplateChoice,
    age: int | None,
    landmarks: GivenLandmarks | Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Start a design from a template (see :func:`scalpmap.services.plan_design.start_design`).

    Parameters
    ----------
    design : Design
        The design from :func:`design_of_case`.
    photo_id : int
        Its photo.
    template : {"keep", "soften", "mature", "remove-all"}
        The template.
    age : int or None
        The patient's age (``mature`` needs it unless the photo shows a face).
    landmarks : GivenLandmarks or dict, optional
        Landmarks the practitioner moved; the others are the detected ones.

    Returns
    -------
    dict
        The designer's state with ``analysis_id``, ``photo_id`` and ``case_id``.
    """
    marks = design_landmarks(design, _given(landmarks))
    state = engine_start(design, template, age=age, landmarks=marks)
    return _with_ids(design, photo_id, state)


def update(
    design: Design,
    photo_id: int,
    hairline: Any,
    landmarks: GivenLandmarks | Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Recompute the zones of an edited hairline (fast; see ``update_design``).

    Parameters
    ----------
    design : Design
        The design from :func:`design_of_case`.
    photo_id : int
        Its photo.
    hairline : dict
        The edited hairline model.
    landmarks : GivenLandmarks or dict, optional
        Landmarks the practitioner moved, for the state's ``landmarks``.

    Returns
    -------
    dict
        The designer's state (template ``custom``) with the ids.
    """
    marks = design_landmarks(design, _given(landmarks))
    return _with_ids(design, photo_id, engine_update(design, hairline, landmarks=marks))


def _options(body: PlanCreate, patient: Patient) -> PlanOptions:
    age = body.age if body.age is not None else patient_age(patient)
    skin = body.skin_type if body.skin_type is not None else patient.fitzpatrick_type
    return PlanOptions(
        template=body.template,
        age=age,
        skin_type=skin,
        start_date=body.start_date,
        picosecond=body.picosecond,
        scarring=body.scarring,
        layering=body.layering,
        second_touch_up=body.second_touch_up,
    )


def ask_plan_save(
    session: Session, state: AppState, user: User, case: Case, body: PlanCreate
) -> Job:
    """Check a design and ask for its plan to be made and saved as the case's next version.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The request's session; committed.
    state : AppState
        The app (its job backend).
    user : User
        Who saves (a practitioner or admin).
    case : Case
        The case.
    body : PlanCreate
        The design and the choices.

    Returns
    -------
    Job
        The plan-save job (the same one for the same design asked twice); done already when
        the app runs its jobs inline.

    Raises
    ------
    NotFoundError, ConflictError
        See :func:`analysis_of_case`.
    InputError
        When the hairline is not a valid line on the photo (422).
    starlette.exceptions.HTTPException
        503 when the job queue does not answer (nothing written).
    """
    analysis = analysis_of_case(session, case, analysis_id=body.analysis_id)
    hairline = None if body.template == "remove-all" else body.hairline
    if hairline is not None:  # a wrong line is a 422 now, not a failed job later
        design, _photo_id = design_of_case(session, analysis.id)
        edited_hairline(design.analysis, hairline)
        analysis = analysis_of_case(session, case, analysis_id=body.analysis_id)
    options = _options(body, case.patient)
    identity = document_identity(case.patient, DocumentKind.PATIENT_PLAN, case_id=case.id)
    payload: dict[str, Any] = {
        "analysis_id": analysis.id,
        "case_id": case.id,
        "options": options_to_json(options),
        "hairline": hairline,
        "landmarks": _given(body.landmarks),
        "note": (body.note or "").strip() or None,
        "patient_label": identity.label,
        "source": identity.photo_name(analysis.photo.original_filename, analysis.photo.id),
    }
    key = plan_save_key(case.id, payload)
    return ask_job(
        session,
        state,
        user,
        JobKind.PLAN_SAVE,
        key,
        case_id=case.id,
        payload=payload,
        still_current=plan_still_saved,
    )
