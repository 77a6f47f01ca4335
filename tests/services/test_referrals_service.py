"""Referrals: made from the latest plan, case to referred, status forward only, the letter."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import pytest
from sqlalchemy import select

from scalpmap.clinic_identity import ClinicIdentity
from scalpmap.facilities.schemas import FacilityCreate
from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.plan_outputs import make_plan_outputs
from scalpmap.planning.plan import PlanOptions, build_plan
from scalpmap.reports.referral import render_referral_html
from scalpmap.services import facilities, plans, referrals
from scalpmap.services.errors import ConflictError, InputError, NotFoundError
from scalpmap.store.models import AuditEvent, CaseStage, ReferralStatus, utcnow

MM = 0.035
DAY = dt.date(2026, 3, 9)


@functools.cache
def planned() -> tuple[dict[str, Any], bytes]:
    """A real plan.json document and its removal map, from a small synthetic photo."""
    options = SynthOptions(seed=3, width_px=800, height_px=600, mm_per_px=MM, marker=False)
    rgb = generate_scalp_photo(options)[0]
    plan = build_plan(
        rgb,
        analyse_photo(rgb, mm_per_px=MM),
        PlanOptions(template="mature", age=28, skin_type=3),
        today=dt.date(2026, 3, 2),
    )
    outputs = make_plan_outputs(rgb, plan, source="scalp.png", pdf=False)
    return dict(outputs.document), outputs.pictures["removal_map"]


@pytest.fixture
def facility(db_session):
    data = FacilityCreate(
        name="Clear Skin Laser Leeds",
        address="12 Park Row\nLeeds LS1 5HD",
        city="Leeds",
        country="GB",
        lat=53.8,
        lon=-1.55,
        email="referrals@clearskin.example",
        lasers=[{"device": "PicoWay", "wavelengths_nm": [1064], "pulse": "ps"}],
        treats_smp=True,
    )
    return facilities.create_facility(db_session, data)


@pytest.fixture
def plan(db_session, photo_store, case, practitioner):
    document, removal_map = planned()
    document = {**document, "files": {"removal_map": photo_store.put(removal_map)}}
    return plans.save_plan(db_session, case.id, document, practitioner)


def test_referral_moves_the_case_to_referred_and_uses_the_latest_plan(
    db_session, case, plan, facility, practitioner
):
    newer = plans.save_plan(db_session, case.id, plan.document, practitioner)
    referral = referrals.create_referral(
        db_session, case.id, facility.id, practitioner, referred_on=DAY
    )
    assert referral.status == ReferralStatus.DRAFTED and referral.plan_id == newer.id
    assert referral.referred_on == DAY and not referral.patient_details
    assert case.stage == CaseStage.REFERRED
    assert referrals.list_referrals(db_session, case.id) == [referral]
    assert referrals.latest_referral(db_session, case.id, facility_id=facility.id) == referral
    actions = db_session.scalars(select(AuditEvent.entity).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["referral", "case"]


def test_a_later_case_keeps_its_stage(db_session, case, plan, facility, practitioner):
    case.stage = CaseStage.LASER
    referrals.create_referral(db_session, case.id, facility.id, practitioner)
    assert case.stage == CaseStage.LASER


def test_referral_without_a_plan_is_a_conflict(db_session, case, facility, practitioner):
    with pytest.raises(ConflictError, match="no plan"):
        referrals.create_referral(db_session, case.id, facility.id, practitioner)
    assert case.stage == CaseStage.ENQUIRY


def test_referral_to_a_missing_facility_or_case_is_not_found(db_session, case, plan, practitioner):
    with pytest.raises(NotFoundError, match="no facility with id 999999"):
        referrals.create_referral(db_session, case.id, 999999, practitioner)
    with pytest.raises(NotFoundError, match="no case"):
        referrals.create_referral(db_session, 999999, 1, practitioner)


def test_status_moves_forward_only_and_stamps_each_step(
    db_session, case, plan, facility, practitioner
):
    referral = referrals.create_referral(db_session, case.id, facility.id, practitioner)
    referrals.set_referral_status(db_session, referral.id, ReferralStatus.ACCEPTED, practitioner)
    assert referral.sent_at is not None and referral.accepted_at is not None
    assert referral.done_at is None
    with pytest.raises(InputError, match="cannot go back"):
        referrals.set_referral_status(db_session, referral.id, ReferralStatus.SENT, practitioner)
    referrals.set_referral_status(db_session, referral.id, "done", practitioner)
    assert referral.status == ReferralStatus.DONE and referral.done_at is not None
    with pytest.raises(NotFoundError):
        referrals.set_referral_status(db_session, 999999, ReferralStatus.SENT, practitioner)


def test_letter_withholds_the_patient_without_consent(
    db_session, photo_store, case, plan, facility, practitioner
):
    referral = referrals.create_referral(db_session, case.id, facility.id, practitioner)
    letter = referrals.referral_letter(
        db_session, photo_store, referral.id, practitioner, pdf=False
    )
    assert not letter.patient_details and letter.pdf is None
    assert "Patient details withheld: no consent recorded" in letter.html
    assert "Sam Example" not in letter.html
    assert "Dear colleagues" in letter.html and "Clear Skin Laser Leeds" in letter.html
    assert "12 Park Row" in letter.html and "data:image/" in letter.html
    removal = plan.document["zones"]["removal"]
    assert f"{removal['area_cm2']:.2f} cm²" in letter.html  # areas to 0.01 cm² everywhere
    assert f"{removal['impressions']} impressions" in letter.html
    assert "1064 nm" in letter.html and "weeks apart" in letter.html
    assert "Fitzpatrick III" in letter.html


def test_letter_shows_the_patient_with_consent_and_prints_to_pdf(
    db_session, photo_store, case, plan, facility, practitioner
):
    case.patient.consent_given_at = utcnow()
    case.patient.date_of_birth = dt.date(1990, 5, 17)
    referral = referrals.create_referral(db_session, case.id, facility.id, practitioner)
    assert referral.patient_details
    letter = referrals.referral_letter(
        db_session,
        photo_store,
        referral.id,
        practitioner,
        clinic=ClinicIdentity(name="Inkless SMP"),
    )
    assert letter.patient_details and "Sam Example" in letter.html
    assert "17 May 1990" in letter.html and "withheld" not in letter.html
    assert "Inkless SMP" in letter.html
    assert letter.pdf is not None and letter.pdf.startswith(b"%PDF")
    views = db_session.scalars(select(AuditEvent).where(AuditEvent.entity == "referral")).all()
    assert any(event.action == "view" for event in views)


def test_consent_withdrawn_after_the_referral_withholds_the_details(
    db_session, photo_store, case, plan, facility, practitioner
):
    case.patient.consent_given_at = utcnow()
    referral = referrals.create_referral(db_session, case.id, facility.id, practitioner)
    case.patient.consent_given_at = None
    letter = referrals.referral_letter(db_session, photo_store, referral.id, None, pdf=False)
    assert not letter.patient_details and "Sam Example" not in letter.html


def test_letter_without_a_stored_map_says_so(db_session, photo_store, case, facility, practitioner):
    document = {k: v for k, v in planned()[0].items() if k != "files"}
    plans.save_plan(db_session, case.id, document, practitioner)
    referral = referrals.create_referral(db_session, case.id, facility.id, practitioner)
    letter = referrals.referral_letter(db_session, photo_store, referral.id, None, pdf=False)
    assert "No removal map was stored" in letter.html and "data:image/" not in letter.html


def test_render_refuses_a_document_that_is_not_a_plan(facility):
    with pytest.raises(InputError, match="plan.json"):
        render_referral_html({"format": "x"}, facility, referral_id=1, case_id=1, referred_on=DAY)


def test_html_escapes_hostile_facility_text(db_session, facility):
    facility.name = "<script>alert(1)</script>"
    html = render_referral_html(planned()[0], facility, referral_id=1, case_id=1, referred_on=DAY)
    assert "<script>" not in html and "&lt;script&gt;" in html
