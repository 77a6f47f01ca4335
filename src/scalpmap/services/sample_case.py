"""A planned sample case with known follow-ups, for tests, benchmarks and demonstrations.

The sample is made through the services, as the clinic would make it:

1. :func:`sample_baseline_png`: a synthetic scalp photo (by default 1200 x 900 pixels, no
   silhouette, 60 impressions per cm², Fitzpatrick type 3) with the printed marker (its scale).
2. :func:`plan_sample_case`: a new patient's case with that photo added, analysed and planned
   (:func:`scalpmap.services.plan_design.save_design`, ``mature`` at age 35 by default).
3. :func:`add_sample_facility` and :func:`log_sample_laser_session`: a laser facility to refer
   the case to, and a laser session there.
4. :func:`sample_follow_up_png`: a follow-up photo of the planned case with a known clearance:
   a share of the plan's removal zone erased (and optionally faded), the camera moved and the
   light changed (:func:`scalpmap.tracking.synth_followup.make_followup`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy.orm import Session

from scalpmap.facilities.schemas import FacilityCreate
from scalpmap.imaging.analysis_from_json import analysis_from_json
from scalpmap.imaging.analysis_result import Analysis
from scalpmap.imaging.photo_io import decode_photo
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.planning.plan import PlanOptions
from scalpmap.reports.images import encode_png
from scalpmap.services import analyses, cases, facilities, patients, photos, plan_design
from scalpmap.services import treatment_sessions as ts
from scalpmap.services.errors import ConflictError
from scalpmap.store.models import (
    Case,
    CaseReason,
    Facility,
    LaserSession,
    PhotoView,
    PulseClass,
    User,
)
from scalpmap.store.photos import PhotoStore
from scalpmap.tracking.plan_facts import plan_facts
from scalpmap.tracking.synth_followup import FollowupOptions, FollowupTruth, make_followup

__all__ = [
    "SampleCase",
    "add_sample_facility",
    "log_sample_laser_session",
    "open_sample_case",
    "plan_sample_case",
    "sample_baseline_png",
    "sample_baseline_rgb",
    "sample_follow_up",
    "sample_follow_up_png",
]

SAMPLE_SEED = 41
SAMPLE_PATIENT = "Sam Example"


@dataclass(frozen=True)
class SampleCase:
    """A planned sample case: its records' ids and what its follow-ups are made from.

    Attributes
    ----------
    case_id, patient_id, photo_id, analysis_id, plan_id : int
        The case, its patient, its baseline photo, the photo's analysis and the saved plan
        version.
    baseline_rgb : ndarray of uint8, shape (rows, cols, 3)
        The baseline photo, decoded.
    analysis : Analysis
        Its stored analysis.
    removal : Polygon or MultiPolygon
        The plan's removal zone, baseline pixels.
    """

    case_id: int
    patient_id: int
    photo_id: int
    analysis_id: int
    plan_id: int
    baseline_rgb: NDArray[np.uint8]
    analysis: Analysis
    removal: Polygon | MultiPolygon


def sample_baseline_rgb(
    seed: int = SAMPLE_SEED, width_px: int = 1200, height_px: int = 900
) -> NDArray[np.uint8]:
    """Make the synthetic baseline photo of the sample case.

    Parameters
    ----------
    seed : int, optional
        Seed of the generator; another seed is another scalp (a photo of someone else).
    width_px, height_px : int, optional
        Size of the photo.

    Returns
    -------
    ndarray of uint8, shape (height_px, width_px, 3)
        The photo: the printed marker, no silhouette, 60 impressions per cm², Fitzpatrick
        type 3.
    """
    options = SynthOptions(
        seed=seed,
        width_px=width_px,
        height_px=height_px,
        silhouette=False,
        density_per_cm2=60,
        fitzpatrick=3,
    )
    return generate_scalp_photo(options)[0]


def sample_baseline_png(
    seed: int = SAMPLE_SEED, width_px: int = 1200, height_px: int = 900
) -> bytes:
    """Make the synthetic baseline photo of the sample case as a PNG file.

    Parameters
    ----------
    seed : int, optional
        Seed of the generator.
    width_px, height_px : int, optional
        Size of the photo.

    Returns
    -------
    bytes
        The PNG file of :func:`sample_baseline_rgb`.
    """
    return encode_png(sample_baseline_rgb(seed, width_px, height_px), compression=1)


def open_sample_case(
    session: Session,
    actor: User,
    *,
    patient_name: str = SAMPLE_PATIENT,
    address: str | None = None,
    consent: bool = False,
) -> Case:
    """Open a repositioning case for a new patient of Fitzpatrick type 3.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    actor : User
        Who records the patient and opens the case.
    patient_name : str, optional
        The patient's full name.
    address : str, optional
        The patient's address.
    consent : bool, optional
        Record the patient's consent to treatment and referral (without it, letters and
        reports withhold the patient's details).

    Returns
    -------
    Case
        The new case, stage ``enquiry``.
    """
    details = patients.PatientCreate(full_name=patient_name, fitzpatrick_type=3, address=address)
    patient = patients.create_patient(session, details, actor)
    if consent:
        patients.record_consent(session, patient.id, "treatment and referral", actor)
    return cases.open_case(session, patient.id, CaseReason.REPOSITION, actor)


def plan_sample_case(
    session: Session,
    store: PhotoStore,
    actor: User,
    *,
    photo_png: bytes,
    patient_name: str = SAMPLE_PATIENT,
    address: str | None = None,
    consent: bool = False,
    view: PhotoView | None = None,
    mm_per_px: float | None = None,
    template: str = "mature",
    age: int = 35,
    plan_day: dt.date | None = None,
) -> SampleCase:
    """Open a new patient's case, add the baseline photo, analyse it and save a plan.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed by each step.
    store : PhotoStore
        Where the photo and the plan's files go.
    actor : User
        Who does it all (a practitioner).
    photo_png : bytes
        The baseline photo file, e.g. :func:`sample_baseline_png`.
    patient_name, address, consent
        The patient (see :func:`open_sample_case`).
    view : PhotoView, optional
        The baseline photo's view.
    mm_per_px : float, optional
        The photo's scale; by default the photo's own (the synthetic photo's printed marker).
    template : str, optional
        The plan's hairline template.
    age : int, optional
        The patient's age for the plan (the skin type is 3).
    plan_day : datetime.date, optional
        The plan's date (its timeline starts there); today by default.

    Returns
    -------
    SampleCase
        The case, its records and what its follow-ups are made from.

    Raises
    ------
    ConflictError
        When the photo cannot be analysed (e.g. no scale): the case and photo are kept.
    """
    case = open_sample_case(
        session, actor, patient_name=patient_name, address=address, consent=consent
    )
    photo = photos.add_photo(session, store, photo_png, case_id=case.id, actor=actor, view=view)
    pending = analyses.request_analysis(session, photo.id, actor, mm_per_px=mm_per_px)
    analysis = analyses.run_analysis(session, store, pending.id)
    if analysis.document is None:
        raise ConflictError(f"the sample photo could not be analysed: {analysis.error_message}")
    plan = plan_design.save_design(
        session,
        store,
        analysis.id,
        case_id=case.id,
        actor=actor,
        options=PlanOptions(template=template, age=age, skin_type=3),
        today=plan_day,
    )
    return SampleCase(
        case_id=case.id,
        patient_id=case.patient_id,
        photo_id=photo.id,
        analysis_id=analysis.id,
        plan_id=plan.id,
        baseline_rgb=decode_photo(photo_png).rgb,
        analysis=analysis_from_json(analysis.document),
        removal=plan_facts(plan.document).removal,
    )


def add_sample_facility(
    session: Session, actor: User | None = None, *, name: str = "Laser One"
) -> Facility:
    """Add a laser facility in Leeds that treats SMP with a picosecond Nd:YAG.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    actor : User, optional
        Who adds it (audited when given).
    name : str, optional
        Its name; facility names are unique.

    Returns
    -------
    Facility
        The new facility (every skin type, located in Leeds, GB).
    """
    place = FacilityCreate.model_validate(
        {
            "name": name,
            "city": "Leeds",
            "country": "GB",
            "lat": 53.8,
            "lon": -1.55,
            "lasers": "PicoWay 1064/532 ps",
            "treats_smp": True,
            "fitzpatrick_min": 1,
            "fitzpatrick_max": 6,
        }
    )
    return facilities.create_facility(session, place, actor)


def log_sample_laser_session(
    session: Session,
    case_id: int,
    actor: User | None,
    *,
    session_date: dt.date,
    facility_id: int | None = None,
) -> LaserSession:
    """Log a picosecond Nd:YAG session (1064 nm, 2.5 J/cm², 4 mm spot, 2 passes).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session; committed.
    case_id : int
        The case.
    actor : User or None
        Who logs it.
    session_date : datetime.date
        When it took place (not before the case's referral, not in the future).
    facility_id : int, optional
        Where it took place.

    Returns
    -------
    LaserSession
        The logged session.
    """
    data = ts.LaserSessionIn(
        session_date=session_date,
        facility_id=facility_id,
        device="PicoWay",
        wavelength_nm=1064,
        pulse=PulseClass.PS,
        fluence_j_cm2=2.5,
        spot_mm=4.0,
        passes=2,
    )
    return ts.log_laser_session(session, case_id, data, actor)


def sample_follow_up(
    sample: SampleCase, *, erase_share: float, seed: int, fade_share: float = 0.0
) -> tuple[NDArray[np.uint8], FollowupTruth]:
    """Make a follow-up photo of the sample case with a known clearance.

    Parameters
    ----------
    sample : SampleCase
        The planned case.
    erase_share, fade_share : float
        Shares of the plan's removal zone's impressions erased, and faded (half of them below
        the clearance threshold).
    seed : int
        Seed of the laser's choice, the camera's move and the light's change.

    Returns
    -------
    photo : ndarray of uint8, shape (rows, cols, 3)
        The follow-up.
    truth : FollowupTruth
        What happened to each baseline impression, e.g. the true
        :attr:`~scalpmap.tracking.synth_followup.FollowupTruth.clearance_percent`.
    """
    options = FollowupOptions(seed=seed, erase_share=erase_share, fade_share=fade_share)
    return make_followup(sample.baseline_rgb, sample.analysis, sample.removal, options)


def sample_follow_up_png(
    sample: SampleCase, *, erase_share: float, seed: int, fade_share: float = 0.0
) -> bytes:
    """Make a follow-up photo of the sample case as a PNG file (see :func:`sample_follow_up`).

    Parameters
    ----------
    sample : SampleCase
        The planned case.
    erase_share, fade_share : float
        Shares of the plan's removal zone's impressions erased, and faded.
    seed : int
        Seed of every random choice.

    Returns
    -------
    bytes
        The PNG file.
    """
    picture, _truth = sample_follow_up(
        sample, erase_share=erase_share, seed=seed, fade_share=fade_share
    )
    return encode_png(picture, compression=1)
