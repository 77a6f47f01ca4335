"""Days typed the clinic's way: ISO everywhere, day or month first by the clinic's country."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import BaseModel, ValidationError

from scalpmap.clinic_identity import ClinicIdentity
from scalpmap.dates import BirthDay, Day, DayError, parse_day, read_day, use_day_order
from scalpmap.errors import InputError
from scalpmap.field_messages import first_problem
from scalpmap.services.clinic_locale import day_order_of

APRIL_12 = dt.date(1981, 4, 12)


@pytest.mark.parametrize(
    ("text", "order", "day"),
    [
        ("1981-04-12", None, APRIL_12),
        ("1981-04-12", "mdy", APRIL_12),
        ("12/04/1981", "dmy", APRIL_12),
        ("12.04.1981", "dmy", APRIL_12),
        ("12-4-1981", "dmy", APRIL_12),
        ("04/12/1981", "mdy", APRIL_12),
        ("4/12/1981", "mdy", APRIL_12),
        ("1981/04/12", "mdy", APRIL_12),
        ("25/04/1981", None, dt.date(1981, 4, 25)),  # reads one way only
        ("04/25/1981", None, dt.date(1981, 4, 25)),
        ("05/05/1981", None, dt.date(1981, 5, 5)),  # both readings are the same day
    ],
)
def test_days_in_the_clinics_order_and_in_iso(text, order, day):
    assert read_day(text, order) == day
    with use_day_order(order):  # the same through the context a request or a command sets
        assert read_day(text) == day


@pytest.mark.parametrize(
    ("text", "order", "words"),
    [
        ("12/04/1981", None, "'12/04/1981' could be 12 April 1981 or 4 December 1981"),
        ("04/25/1981", "dmy", "this clinic types days as DD/MM/YYYY or YYYY-MM-DD"),
        ("25/04/1981", "mdy", "this clinic types days as MM/DD/YYYY or YYYY-MM-DD"),
        ("12/04/81", "dmy", "has a two-digit year ('12/04/81'): type the year in full"),
        ("1981-02-30", "dmy", "is not a day ('1981-02-30')"),
        ("12 April", "dmy", "is not a day ('12 April'): type it as DD/MM/YYYY or YYYY-MM-DD"),
    ],
)
def test_a_day_that_cannot_be_read_says_how_to_type_it(text, order, words):
    with pytest.raises(DayError) as refused:
        read_day(text, order)
    assert words in str(refused.value)


def test_an_ambiguous_day_offers_both_readings_in_iso():
    with pytest.raises(DayError) as refused:
        read_day("03/07/2027", None)
    message = str(refused.value)
    assert "2027-07-03 or 2027-03-07" in message and "clinic's country" in message


def test_parse_day_names_the_field_and_keeps_its_limits():
    today = dt.date(2027, 4, 1)
    with use_day_order("dmy", today):
        assert parse_day("01/03/2027", "--date", latest=today) == dt.date(2027, 3, 1)
        with pytest.raises(InputError, match=r"^--date 2027-04-02 is in the future"):
            parse_day("02/04/2027", "--date", latest=today)
        with pytest.raises(InputError, match=r"^Date is missing: type the day as DD/MM/YYYY"):
            parse_day("  ", "Date")
        with pytest.raises(InputError, match=r"e\.g\. 01/04/2027"):  # today as the example
            parse_day("soon", "Date")


class Patient(BaseModel):
    born: BirthDay
    seen: Day | None = None


def test_dates_of_birth_lie_between_1900_and_today():
    today = dt.date(2027, 4, 1)
    with use_day_order("dmy", today):
        assert Patient(born="12/04/1981").born == APRIL_12
        assert Patient(born=dt.date(1900, 1, 1)).born == dt.date(1900, 1, 1)
        assert Patient(born="01/04/2027").born == today
        for typed, words in (
            ("01/01/1850", "Born is before 1900 (1850-01-01): check the year of birth"),
            ("02/04/2027", "Born is in the future (2027-04-02): type the day the patient was born"),
            ("31/02/1981", "Born is not a day ('31/02/1981')"),
        ):
            with pytest.raises(ValidationError) as refused:
                Patient(born=typed)
            assert first_problem(refused.value).message.startswith(words)


def test_a_us_clinic_reads_month_first_and_others_day_first():
    assert day_order_of(ClinicIdentity(country="US")) == "mdy"
    assert day_order_of(ClinicIdentity(country="GB")) == "dmy"
    assert day_order_of(ClinicIdentity(country="DE")) == "dmy"
    assert day_order_of(ClinicIdentity()) is None
    with use_day_order(day_order_of(ClinicIdentity(country="US"))):
        assert Patient(born="12/04/1981").born == dt.date(1981, 12, 4)
