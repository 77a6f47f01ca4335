"""Clearance checks: a laser session's follow-up photo measured against the plan's baseline."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import func, select

from scalpmap.facilities.schemas import FacilityCreate
from scalpmap.imaging.analysis_from_json import analysis_from_json
from scalpmap.imaging.photo_io import decode_photo
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.planning.plan import PlanOptions
from scalpmap.services import analyses, clearance, facilities, photos, plan_design, referrals
from scalpmap.services import treatment_sessions as ts
from scalpmap.services.errors import InputError
from scalpmap.store.models import AuditEvent, ClearanceCheck, PulseClass, utcnow
from scalpmap.tracking.clearance_json import validate_clearance_json
from scalpmap.tracking.plan_facts import plan_facts
from scalpmap.tracking.synth_followup import FollowupOptions, make_followup

TODAY = utcnow().date()
REFERRED = TODAY - dt.timedelta(days=70)


def png(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def baseline_png() -> bytes:
    options = SynthOptions(
        seed=41, width_px=1200, height_px=900, silhouette=False, density_per_cm2=60, fitzpatrick=3
    )
    return png(generate_scalp_photo(options)[0])


@pytest.fixture
def planned(db_session, photo_store, case, practitioner, baseline_png):
    """A case with a saved mature plan of the baseline, referred to a facility."""
    photo = photos.add_photo(
        db_session, photo_store, baseline_png, case_id=case.id, actor=practitioner
    )
    row = analyses.request_analysis(db_session, photo.id, practitioner)
    analysis = analyses.run_analysis(db_session, photo_store, row.id)
    plan = plan_design.save_design(
        db_session,
        photo_store,
        analysis.id,
        case_id=case.id,
        actor=practitioner,
        options=PlanOptions(template="mature", age=35, skin_type=3),
        today=REFERRED - dt.timedelta(days=7),
    )
    place = FacilityCreate(name="Laser One", city="Leeds", country="GB", lat=53.8, lon=-1.55)
    facility = facilities.create_facility(db_session, place)
    referrals.create_referral(db_session, case.id, facility.id, practitioner, referred_on=REFERRED)
    return plan, analysis, facility


def log_session(db_session, case, facility, practitioner, days: int):
    data = ts.LaserSessionIn(
        session_date=REFERRED + dt.timedelta(days=days),
        facility_id=facility.id,
        device="PicoWay",
        wavelength_nm=1064,
        pulse=PulseClass.PS,
        fluence_j_cm2=2.5,
        spot_mm=4.0,
        passes=2,
    )
    return ts.log_laser_session(db_session, case.id, data, practitioner)


def follow_up(plan, analysis, baseline_png, erase: float, seed: int) -> bytes:
    rgb = decode_photo(baseline_png).rgb
    removal = plan_facts(plan.document).removal
    options = FollowupOptions(seed=seed, erase_share=erase, fade_share=0.0)
    picture, _truth = make_followup(rgb, analysis_from_json(analysis.document), removal, options)
    return png(picture)


def attach(db_session, photo_store, case, practitioner, laser, data: bytes):
    photo = photos.add_photo(db_session, photo_store, data, case_id=case.id, actor=practitioner)
    ts.attach_follow_up_photo(db_session, "laser", laser.id, photo.id, practitioner)


def test_measures_the_clearance_of_two_sessions_and_charts_them(
    db_session, photo_store, case, practitioner, planned, baseline_png
):
    plan, analysis, facility = planned
    first = log_session(db_session, case, facility, practitioner, 7)
    attach(
        db_session,
        photo_store,
        case,
        practitioner,
        first,
        follow_up(plan, analysis, baseline_png, 0.4, 1),
    )
    check = clearance.measure_clearance(db_session, photo_store, first.id, practitioner)
    assert check.measured and check.percent is not None
    assert 37 <= check.percent <= 43  # 40 % erased, nothing faded
    assert check.recommendation == "another_laser_session" and check.next_laser_on is not None
    validate_clearance_json(check.document)
    assert photo_store.read(check.overlay_sha256)[:8] == b"\x89PNG\r\n\x1a\n"

    second = log_session(db_session, case, facility, practitioner, 35)
    attach(
        db_session,
        photo_store,
        case,
        practitioner,
        second,
        follow_up(plan, analysis, baseline_png, 1.0, 2),
    )
    later = clearance.measure_clearance(db_session, photo_store, second.id, practitioner)
    assert later.recommendation == "touch_up" and later.percent >= 95

    points = clearance.clearance_points(db_session, case.id)
    assert [p[1] for p in points] == [check.percent, later.percent]
    assert points[0][0].startswith("session 1")
    assert clearance.clearance_chart(db_session, case.id)[:8] == b"\x89PNG\r\n\x1a\n"
    audited = db_session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.entity == "clearance_check")
    )
    assert audited == 2


def test_measuring_again_replaces_the_check(
    db_session, photo_store, case, practitioner, planned, baseline_png
):
    plan, analysis, facility = planned
    laser = log_session(db_session, case, facility, practitioner, 7)
    attach(
        db_session,
        photo_store,
        case,
        practitioner,
        laser,
        follow_up(plan, analysis, baseline_png, 0.5, 3),
    )
    clearance.measure_clearance(db_session, photo_store, laser.id, practitioner)
    clearance.measure_clearance(db_session, photo_store, laser.id, practitioner)
    count = select(func.count()).select_from(ClearanceCheck)
    assert db_session.scalar(count.where(ClearanceCheck.laser_session_id == laser.id)) == 1


def test_an_unregistrable_follow_up_is_saved_without_a_clearance(
    db_session, photo_store, case, practitioner, planned
):
    _plan, _analysis, facility = planned
    laser = log_session(db_session, case, facility, practitioner, 7)
    other = SynthOptions(
        seed=42, width_px=1200, height_px=900, silhouette=False, density_per_cm2=60, fitzpatrick=3
    )
    attach(db_session, photo_store, case, practitioner, laser, png(generate_scalp_photo(other)[0]))
    check = clearance.measure_clearance(db_session, photo_store, laser.id, practitioner)
    assert not check.measured and check.percent is None and check.recommendation is None
    assert check.reason
    assert clearance.clearance_points(db_session, case.id)[0][1] is None


def test_a_session_without_a_follow_up_or_with_the_baseline_is_refused(
    db_session, photo_store, case, practitioner, planned
):
    _plan, analysis, facility = planned
    laser = log_session(db_session, case, facility, practitioner, 7)
    with pytest.raises(InputError, match="no follow-up photo"):
        clearance.measure_clearance(db_session, photo_store, laser.id, practitioner)
    ts.attach_follow_up_photo(db_session, "laser", laser.id, analysis.photo_id, practitioner)
    with pytest.raises(InputError, match="baseline photo itself"):
        clearance.measure_clearance(db_session, photo_store, laser.id, practitioner)
    assert clearance.clearance_chart(db_session, case.id) is None
