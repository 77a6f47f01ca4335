"""The session log: laser and SMP sessions, their checks, and follow-up photos."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError

from scalpmap.facilities.schemas import FacilityCreate
from scalpmap.services import cases, facilities, photos, plans, referrals
from scalpmap.services import treatment_sessions as ts
from scalpmap.services.errors import InputError, NotFoundError
from scalpmap.store.models import CaseReason, CaseStage, LaserSession, PulseClass, utcnow

TODAY = utcnow().date()
REFERRED = TODAY - dt.timedelta(days=60)
MINIMAL_PLAN: dict[str, Any] = {
    "format": "scalpmap-plan/1",
    "sessions": {
        "laser": {"likely": 2, "range": [1, 3], "interval_weeks": [3, 4]},
        "touch_up": {"sessions": 1, "healing_weeks": [4, 6]},
        "total_removal": False,
    },
    "timeline": {"events": []},
}


@pytest.fixture
def facility(db_session):
    data = FacilityCreate(name="Laser One", city="Leeds", country="GB", lat=53.8, lon=-1.55)
    return facilities.create_facility(db_session, data)


@pytest.fixture
def referral(db_session, case, facility, practitioner):
    plans.save_plan(db_session, case.id, MINIMAL_PLAN, practitioner)
    return referrals.create_referral(
        db_session, case.id, facility.id, practitioner, referred_on=REFERRED
    )


def laser(**changes: Any) -> ts.LaserSessionIn:
    values: dict[str, Any] = {
        "session_date": REFERRED + dt.timedelta(days=7),
        "device": "PicoWay",
        "wavelength_nm": 1064,
        "pulse": PulseClass.PS,
        "fluence_j_cm2": 2.5,
        "spot_mm": 4.0,
        "passes": 2,
        "notes": "frontal band",
        "adverse_effects": "mild erythema",
    }
    return ts.LaserSessionIn(**(values | changes))


def smp(**changes: Any) -> ts.SmpSessionIn:
    values: dict[str, Any] = {
        "session_date": REFERRED + dt.timedelta(days=60),
        "practitioner_name": "Alex P.",
        "needle": "0.25 mm 3RL",
        "areas": ["frontal", " temporal_left "],
    }
    return ts.SmpSessionIn(**(values | changes))


def test_log_a_laser_session_linked_to_its_referral(
    db_session, case, facility, referral, practitioner
):
    row = ts.log_laser_session(db_session, case.id, laser(facility_id=facility.id), practitioner)
    assert row.referral_id == referral.id and row.facility_id == facility.id
    assert row.pulse == PulseClass.PS and row.fluence_j_cm2 == 2.5
    assert row.adverse_effects == "mild erythema"
    assert ts.list_laser_sessions(db_session, case.id) == [row]


def test_a_session_dated_before_the_referral_is_refused(db_session, case, referral, practitioner):
    early = laser(session_date=REFERRED - dt.timedelta(days=1))
    with pytest.raises(InputError, match="before the referral"):
        ts.log_laser_session(db_session, case.id, early, practitioner)
    assert ts.list_laser_sessions(db_session, case.id) == []


def test_a_session_in_the_future_is_refused(db_session, case, practitioner):
    with pytest.raises(InputError, match="future"):
        ts.log_laser_session(
            db_session, case.id, laser(session_date=TODAY + dt.timedelta(days=1)), practitioner
        )
    with pytest.raises(InputError, match="future"):
        ts.log_smp_session(
            db_session, case.id, smp(session_date=TODAY + dt.timedelta(days=1)), practitioner
        )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("fluence_j_cm2", 0.05, "Fluence must be 0.1-20 J/cm²; got 0.05"),
        ("fluence_j_cm2", 25.0, "Fluence must be 0.1-20 J/cm²; got 25"),
        ("fluence_j_cm2", float("nan"), "Fluence must be"),
        ("spot_mm", 0.5, "Spot size must be 1-10 mm"),
        ("spot_mm", 12.0, "Spot size must be 1-10 mm"),
        ("passes", 0, "Passes must be 1-5; got 0"),
        ("passes", 6, "Passes must be 1-5"),
        ("wavelength_nm", 10600, "Wavelength must be 400-1200 nm"),
    ],
)
def test_out_of_range_settings_are_refused(db_session, case, practitioner, field, value, message):
    with pytest.raises(InputError, match=message):
        ts.log_laser_session(db_session, case.id, laser(**{field: value}), practitioner)


def test_the_database_checks_the_ranges_too(db_session, case):
    values = laser(fluence_j_cm2=30.0).model_dump()
    db_session.add(LaserSession(case_id=case.id, **values))
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()


def test_missing_case_or_facility_is_not_found(db_session, case, practitioner):
    with pytest.raises(NotFoundError, match="no case"):
        ts.log_laser_session(db_session, 999999, laser(), practitioner)
    with pytest.raises(NotFoundError, match="no facility"):
        ts.log_laser_session(db_session, case.id, laser(facility_id=999999), practitioner)


def test_log_an_smp_session(db_session, case, practitioner):
    row = ts.log_smp_session(
        db_session, case.id, smp(practitioner_id=practitioner.id), practitioner
    )
    assert row.areas == ["frontal", "temporal_left"] and row.needle == "0.25 mm 3RL"
    assert ts.list_smp_sessions(db_session, case.id) == [row]
    with pytest.raises(ValueError, match="at least one area"):
        smp(areas=["  "])
    with pytest.raises(NotFoundError, match="no user"):
        ts.log_smp_session(db_session, case.id, smp(practitioner_id=999999), practitioner)


def test_follow_up_photos_attach_to_a_session_of_the_same_case(
    db_session, photo_store, case, patient, practitioner, photo_bytes
):
    row = ts.log_laser_session(db_session, case.id, laser(), practitioner)
    photo = photos.add_photo(
        db_session, photo_store, photo_bytes(1), case_id=case.id, actor=practitioner
    )
    ts.attach_follow_up_photo(db_session, "laser", row.id, photo.id, practitioner)
    assert row.follow_up_photo_id == photo.id and row.follow_up_photo is not None
    other = cases.open_case(db_session, patient.id, CaseReason.POOR_WORK, practitioner)
    foreign = photos.add_photo(
        db_session, photo_store, photo_bytes(2), case_id=other.id, actor=practitioner
    )
    with pytest.raises(InputError, match="not a photo of case"):
        ts.attach_follow_up_photo(db_session, "laser", row.id, foreign.id, practitioner)
    touch = ts.log_smp_session(db_session, case.id, smp(), practitioner)
    ts.attach_follow_up_photo(db_session, "smp", touch.id, photo.id, practitioner)
    ts.attach_follow_up_photo(db_session, "laser", row.id, None, practitioner)
    assert row.follow_up_photo_id is None and touch.follow_up_photo_id == photo.id
    with pytest.raises(NotFoundError, match="no smp session"):
        ts.attach_follow_up_photo(db_session, "smp", 999999, None, practitioner)


def test_logging_sessions_moves_the_case_on(db_session, case, referral, practitioner):
    assert case.stage == CaseStage.REFERRED
    ts.log_laser_session(db_session, case.id, laser(), practitioner)
    db_session.refresh(case)
    assert case.stage == CaseStage.LASER
    second_day = REFERRED + dt.timedelta(days=35)
    ts.log_laser_session(db_session, case.id, laser(session_date=second_day), practitioner)
    ts.log_smp_session(db_session, case.id, smp(), practitioner)
    db_session.refresh(case)
    assert case.stage == CaseStage.TOUCH_UP
    cases.set_stage(db_session, case.id, CaseStage.COMPLETE, practitioner)
    late = laser(session_date=REFERRED + dt.timedelta(days=40))
    ts.log_laser_session(db_session, case.id, late, practitioner)  # a late entry
    db_session.refresh(case)
    assert case.stage == CaseStage.COMPLETE
