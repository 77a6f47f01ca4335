"""A follow-up measured in a limited child process: the same check, or a clean failure."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from scalpmap.services import clearance, photos, referrals
from scalpmap.services import treatment_sessions as ts
from scalpmap.services.limited import OUT_OF_LIMITS, Limits, LimitsExceeded
from scalpmap.services.sample_case import (
    add_sample_facility,
    log_sample_laser_session,
    plan_sample_case,
    sample_baseline_png,
    sample_follow_up_png,
)
from scalpmap.store.models import ClearanceCheck, utcnow

REFERRED = utcnow().date() - dt.timedelta(days=70)


@pytest.fixture
def laser_with_follow_up(db_session, photo_store, practitioner):
    """A planned, referred case with a laser session whose follow-up erased 40 %."""
    sample = plan_sample_case(
        db_session,
        photo_store,
        practitioner,
        photo_png=sample_baseline_png(),
        plan_day=REFERRED - dt.timedelta(days=7),
    )
    facility = add_sample_facility(db_session)
    referrals.create_referral(
        db_session, sample.case_id, facility.id, practitioner, referred_on=REFERRED
    )
    laser = log_sample_laser_session(
        db_session,
        sample.case_id,
        practitioner,
        session_date=REFERRED + dt.timedelta(days=7),
        facility_id=facility.id,
    )
    data = sample_follow_up_png(sample, erase_share=0.4, seed=1)
    photo = photos.add_photo(
        db_session, photo_store, data, case_id=laser.case_id, actor=practitioner
    )
    ts.attach_follow_up_photo(db_session, "laser", laser.id, photo.id, practitioner)
    return laser


def test_a_measure_in_a_child_saves_the_check_it_would_save_here(
    db_session, photo_store, practitioner, laser_with_follow_up
):
    limits = Limits(memory_mb=2048, time_s=120)
    there = clearance.measure_clearance(
        db_session, photo_store, laser_with_follow_up.id, practitioner, limits=limits
    )
    document = dict(there.document)
    here = clearance.measure_clearance(
        db_session, photo_store, laser_with_follow_up.id, practitioner
    )
    assert there.measured and 37 <= there.percent <= 43
    assert here.percent == there.percent and dict(here.document) == document


def test_a_measure_beyond_its_limits_fails_and_saves_nothing(
    db_session, photo_store, practitioner, laser_with_follow_up
):
    with pytest.raises(LimitsExceeded, match=f"^{OUT_OF_LIMITS}"):
        clearance.measure_clearance(
            db_session,
            photo_store,
            laser_with_follow_up.id,
            practitioner,
            limits=Limits(memory_mb=8, time_s=120),
        )
    query = select(func.count()).select_from(ClearanceCheck)
    assert (
        db_session.scalar(query.where(ClearanceCheck.laser_session_id == laser_with_follow_up.id))
        == 0
    )
