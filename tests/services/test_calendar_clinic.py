"""The case calendar names the clinic: organizer by its email, where each step takes place."""

from __future__ import annotations

import datetime as dt

from scalpmap.facilities.schemas import FacilityCreate
from scalpmap.services import calendar, facilities, plans, referrals
from scalpmap.services.clinic import update_clinic_settings

PLAN = {
    "format": "scalpmap-plan/1",
    "sessions": {
        "laser": {"likely": 1, "range": [1, 2], "interval_weeks": [6, 8]},
        "touch_up": {"sessions": 1, "healing_weeks": [6, 8]},
        "total_removal": False,
    },
    "timeline": {
        "events": [
            {"kind": "laser", "label": "Laser session 1", "start": "2027-03-01"},
            {"kind": "touch_up", "label": "SMP touch-up", "start": "2027-04-12"},
        ]
    },
}


def events_of(text: str) -> list[str]:
    unfolded = text.replace("\r\n ", "")
    return unfolded.split("BEGIN:VEVENT")[1:]


def test_events_are_organized_by_the_clinic_and_placed_at_facility_or_clinic(
    db_session, case, practitioner
):
    update_clinic_settings(
        db_session,
        {
            "name": 'North "side" Clinic',
            "address": "12 Mill Lane",
            "postcode": "LS1 4AP",
            "city": "Leeds",
            "country": "GB",
            "email": "reception@northside.example",
            "time_zone": "Europe/London",
        },
    )
    plans.save_plan(db_session, case.id, PLAN, practitioner)
    text = calendar.case_calendar(db_session, case.id, now=dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    assert 'X-WR-CALNAME:North "side" Clinic case #' in text.replace("\r\n ", "")
    assert "X-WR-TIMEZONE:Europe/London" in text
    for event in events_of(text):  # no referral yet: everything at the clinic
        assert 'ORGANIZER;CN="North side Clinic":mailto:reception@northside.example' in event
        assert (
            'LOCATION:North "side" Clinic\\, 12 Mill Lane\\, LS1 4AP Leeds\\, United Kingdom'
            in event
        )
    facility = facilities.create_facility(
        db_session,
        FacilityCreate(name="Clear Skin Laser", address="3 Park Row", city="Leeds", country="GB"),
    )
    referrals.create_referral(db_session, case.id, facility.id, practitioner)
    text = calendar.case_calendar(db_session, case.id).replace("\r\n ", "")
    laser, touch_up = events_of(text)
    assert (
        "Laser session 1" in laser
        and "LOCATION:Clear Skin Laser\\, 3 Park Row\\, Leeds\\, GB" in laser
    )
    assert "SMP touch-up" in touch_up and "LOCATION:North" in touch_up


def test_without_clinic_settings_there_is_no_organizer_and_no_location(
    db_session, case, practitioner
):
    plans.save_plan(db_session, case.id, PLAN, practitioner)
    text = calendar.case_calendar(db_session, case.id)
    assert "ORGANIZER" not in text and "LOCATION" not in text
    assert "X-WR-TIMEZONE:UTC" in text and "X-WR-CALNAME:scalpmap case #" in text
