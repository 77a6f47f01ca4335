"""Clinic settings in the database: defaults, checked changes, the logo, the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from scalpmap.errors import InputError
from scalpmap.services.clinic import (
    get_clinic_settings,
    remove_clinic_logo,
    set_clinic_logo,
    update_clinic_settings,
)
from scalpmap.store.models import AuditEvent, ClinicSettings


def test_without_settings_documents_get_no_name_utc_and_english(db_session):
    clinic = get_clinic_settings(db_session)
    assert (clinic.name, clinic.time_zone, clinic.report_language) == ("", "UTC", "en")
    assert not clinic.is_named and clinic.logo_data_uri is None and clinic.address_lines == []


def test_settings_are_checked_tidied_stored_and_audited(db_session):
    clinic = update_clinic_settings(
        db_session,
        {
            "name": "  Northside   Hair Clinic ",
            "address": "  12 Mill Lane \n\n Unit 3 ",
            "postcode": "LS1 4AP",
            "city": "Leeds",
            "country": "United Kingdom",
            "phone": "+44 113 496 0000",
            "email": "Reception@Northside.example",
            "website": "www.northside.example",
            "time_zone": "europe/london",
            "report_language": "English",
        },
    )
    assert clinic.name == "Northside Hair Clinic"
    assert clinic.address_lines == ["12 Mill Lane", "Unit 3", "LS1 4AP Leeds", "United Kingdom"]
    assert (clinic.country, clinic.time_zone, clinic.report_language) == (
        "GB",
        "Europe/London",
        "en",
    )
    assert clinic.website == "https://www.northside.example"
    assert clinic.email == "Reception@northside.example"
    assert clinic.contact_lines == [
        "Tel. +44 113 496 0000",
        "Email Reception@northside.example",
        "Web www.northside.example",
    ]
    db_session.expire_all()
    assert get_clinic_settings(db_session) == clinic
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "clinic_settings")
    ).one()
    assert event.action == "update" and "name" in event.details["fields"]
    # Clearing a field with empty text; None leaves it.
    clinic = update_clinic_settings(db_session, {"phone": "", "name": None, "time_zone": ""})
    assert (clinic.phone, clinic.name, clinic.time_zone) == ("", "Northside Hair Clinic", "UTC")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("time_zone", "Mars/Olympus", "time zone 'Mars/Olympus' is unknown"),
        ("time_zone", "GMT+2", "is unknown: give an IANA name"),
        ("country", "Narnia", "Country 'Narnia' is unknown"),
        ("phone", "call us", "Phone 'call us' is not a phone number"),
        ("email", "reception at clinic", "Email 'reception at clinic' is not an email address"),
        ("website", "javascript:alert(1)", "is not a web address"),
        ("website", "localhost", "is not a web address"),
        ("report_language", "Klingon", "report language 'Klingon' is not available"),
        ("name", "x" * 201, "Clinic name is too long: at most 200 characters"),
        ("colour", "red", "unknown clinic setting 'colour'"),
    ],
)
def test_a_wrong_value_is_one_line_naming_the_field_and_nothing_is_stored(
    db_session, field, value, words
):
    with pytest.raises(InputError, match=words) as caught:
        update_clinic_settings(db_session, {"name": "Should not stay", field: value})
    assert "\n" not in str(caught.value)
    assert db_session.get(ClinicSettings, 1) is None


def test_the_logo_is_stored_checked_replaced_and_removed(db_session, png_logo, hostile_svg):
    logo = set_clinic_logo(db_session, png_logo(200, 60), "logo.png")
    clinic = get_clinic_settings(db_session)
    assert clinic.logo == logo.data and clinic.logo_media_type == "image/png"
    assert clinic.logo_data_uri.startswith("data:image/png;base64,")
    svg = set_clinic_logo(db_session, hostile_svg, "logo.svg")
    assert b"script" not in get_clinic_settings(db_session).logo and svg.removed
    with pytest.raises(InputError, match="neither a PNG nor an SVG"):
        set_clinic_logo(db_session, b"%PDF-1.7", "logo.pdf")
    assert get_clinic_settings(db_session).logo_media_type == "image/svg+xml"  # unchanged
    assert remove_clinic_logo(db_session) and not remove_clinic_logo(db_session)
    assert get_clinic_settings(db_session).logo is None


def test_times_and_today_are_the_clinics(db_session):
    clinic = update_clinic_settings(db_session, {"time_zone": "Pacific/Auckland"})
    late = dt.datetime(2027, 1, 10, 20, 30, tzinfo=dt.UTC)  # 09:30 the next day in Auckland
    assert clinic.format_time(late) == "2027-01-11 09:30 NZDT"
    assert clinic.today(late) == dt.date(2027, 1, 11)
    assert update_clinic_settings(db_session, {"time_zone": "Asia/Dubai"}).format_time(late) == (
        "2027-01-11 00:30 UTC+04"
    )
