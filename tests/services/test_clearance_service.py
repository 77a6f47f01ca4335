"""Clearance checks: a laser session's follow-up photo measured against the plan's baseline."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from scalpmap.services import clearance, clearance_progress, follow_up_measure, photos, referrals
from scalpmap.services import treatment_sessions as ts
from scalpmap.services.errors import ConflictError, InputError
from scalpmap.services.sample_case import (
    add_sample_facility,
    log_sample_laser_session,
    plan_sample_case,
    sample_baseline_png,
    sample_follow_up_png,
)
from scalpmap.store.models import AuditEvent, ClearanceCheck, utcnow
from scalpmap.tracking.clearance_json import validate_clearance_json

TODAY = utcnow().date()
REFERRED = TODAY - dt.timedelta(days=70)


@pytest.fixture(scope="module")
def baseline_png() -> bytes:
    return sample_baseline_png()


@pytest.fixture
def planned(db_session, photo_store, practitioner, baseline_png):
    """A case with a saved mature plan of the baseline, referred to a facility."""
    sample = plan_sample_case(
        db_session,
        photo_store,
        practitioner,
        photo_png=baseline_png,
        plan_day=REFERRED - dt.timedelta(days=7),
    )
    facility = add_sample_facility(db_session)
    referrals.create_referral(
        db_session, sample.case_id, facility.id, practitioner, referred_on=REFERRED
    )
    return sample, facility


def log_session(db_session, planned, practitioner, days: int):
    sample, facility = planned
    day = REFERRED + dt.timedelta(days=days)
    return log_sample_laser_session(
        db_session, sample.case_id, practitioner, session_date=day, facility_id=facility.id
    )


def attach(db_session, photo_store, practitioner, laser, data: bytes):
    photo = photos.add_photo(
        db_session,
        photo_store,
        data,
        case_id=laser.case_id,
        actor=practitioner,
        filename="Sam_Example_after_laser.png",  # file names often name the patient
    )
    ts.attach_follow_up_photo(db_session, "laser", laser.id, photo.id, practitioner)


def test_measures_the_clearance_of_two_sessions_and_charts_them(
    db_session, photo_store, practitioner, planned
):
    sample, _facility = planned
    first = log_session(db_session, planned, practitioner, 7)
    follow_up = sample_follow_up_png(sample, erase_share=0.4, seed=1)
    attach(db_session, photo_store, practitioner, first, follow_up)
    check = clearance.measure_clearance(db_session, photo_store, first.id, practitioner)
    assert check.measured and check.percent is not None
    assert 37 <= check.percent <= 43  # 40 % erased, nothing faded
    assert check.recommendation == "another_laser_session" and check.next_laser_on is not None
    validate_clearance_json(check.document)
    assert "Sam" not in json.dumps(check.document)  # photos are named by id in clearance.json
    assert photo_store.read(check.overlay_sha256)[:8] == b"\x89PNG\r\n\x1a\n"

    second = log_session(db_session, planned, practitioner, 35)
    follow_up = sample_follow_up_png(sample, erase_share=1.0, seed=2)
    attach(db_session, photo_store, practitioner, second, follow_up)
    later = clearance.measure_clearance(db_session, photo_store, second.id, practitioner)
    assert later.recommendation == "touch_up" and later.percent >= 95

    points = clearance_progress.clearance_points(db_session, sample.case_id)
    assert [p[1] for p in points] == [check.percent, later.percent]
    assert points[0][0].startswith("session 1")
    assert (
        clearance_progress.clearance_chart(db_session, sample.case_id)[:8] == b"\x89PNG\r\n\x1a\n"
    )
    audited = db_session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.entity == "clearance_check")
    )
    assert audited == 2


def test_measuring_again_replaces_the_check(db_session, photo_store, practitioner, planned):
    sample, _facility = planned
    laser = log_session(db_session, planned, practitioner, 7)
    follow_up = sample_follow_up_png(sample, erase_share=0.5, seed=3)
    attach(db_session, photo_store, practitioner, laser, follow_up)
    clearance.measure_clearance(db_session, photo_store, laser.id, practitioner)
    clearance.measure_clearance(db_session, photo_store, laser.id, practitioner)
    count = select(func.count()).select_from(ClearanceCheck)
    assert db_session.scalar(count.where(ClearanceCheck.laser_session_id == laser.id)) == 1


def test_an_unregistrable_follow_up_is_saved_without_a_clearance(
    db_session, photo_store, practitioner, planned
):
    sample, _facility = planned
    laser = log_session(db_session, planned, practitioner, 7)
    attach(db_session, photo_store, practitioner, laser, sample_baseline_png(seed=42))
    check = clearance.measure_clearance(db_session, photo_store, laser.id, practitioner)
    assert not check.measured and check.percent is None and check.recommendation is None
    assert check.reason
    assert clearance_progress.clearance_points(db_session, sample.case_id)[0][1] is None


def test_a_session_without_a_follow_up_or_with_the_baseline_is_refused(
    db_session, photo_store, practitioner, planned
):
    sample, _facility = planned
    laser = log_session(db_session, planned, practitioner, 7)
    with pytest.raises(InputError, match="no follow-up photo"):
        clearance.measure_clearance(db_session, photo_store, laser.id, practitioner)
    with pytest.raises(InputError, match="is the baseline photo of the case's plan"):
        ts.attach_follow_up_photo(db_session, "laser", laser.id, sample.photo_id, practitioner)
    assert clearance_progress.clearance_chart(db_session, sample.case_id) is None


def test_replacing_the_follow_up_drops_its_old_clearance(
    db_session, photo_store, practitioner, planned
):
    sample, _facility = planned
    laser = log_session(db_session, planned, practitioner, 7)
    first = photos.add_photo(db_session, photo_store, sample_follow_up_png(sample, erase_share=0.4,
                             seed=1), case_id=sample.case_id, actor=practitioner)  # fmt: skip
    ts.attach_follow_up_photo(db_session, "laser", laser.id, first.id, practitioner)
    clearance.measure_clearance(db_session, photo_store, laser.id, practitioner)
    assert len(clearance_progress.list_clearance_checks(db_session, sample.case_id)) == 1
    other = photos.add_photo(db_session, photo_store, sample_follow_up_png(sample, erase_share=0.8,
                             seed=2), case_id=sample.case_id, actor=practitioner)  # fmt: skip
    ts.attach_follow_up_photo(db_session, "laser", laser.id, other.id, practitioner)
    assert clearance_progress.list_clearance_checks(db_session, sample.case_id) == []


def test_a_check_whose_follow_up_changed_meanwhile_is_not_saved(
    db_session, photo_store, practitioner, planned, monkeypatch
):
    sample, _facility = planned
    laser = log_session(db_session, planned, practitioner, 7)
    photo = photos.add_photo(db_session, photo_store, sample_follow_up_png(sample, erase_share=0.4,
                             seed=1), case_id=sample.case_id, actor=practitioner)  # fmt: skip
    ts.attach_follow_up_photo(db_session, "laser", laser.id, photo.id, practitioner)
    real_track = follow_up_measure.track_followup

    def detach_meanwhile(*args, **kwargs):  # someone removes the photo during the slow part
        ts.attach_follow_up_photo(db_session, "laser", laser.id, None, practitioner)
        return real_track(*args, **kwargs)

    monkeypatch.setattr(follow_up_measure, "track_followup", detach_meanwhile)
    with pytest.raises(ConflictError, match="changed while its follow-up was measured"):
        clearance.measure_clearance(db_session, photo_store, laser.id, practitioner)
    assert clearance_progress.list_clearance_checks(db_session, sample.case_id) == []
