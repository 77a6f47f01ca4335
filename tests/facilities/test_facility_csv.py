"""Reading the facility CSV: every row checked, bad rows named by line, nothing half-read."""

from __future__ import annotations

from importlib import resources

import pytest

from scalpmap.facilities.csv_io import (
    COLUMNS,
    FacilityCsvError,
    read_facilities_csv,
    write_facilities_csv,
)
from scalpmap.facilities.fields import Laser, Pulse
from scalpmap.facilities.geocode import GeocodeError, Place

HEADER = ",".join(COLUMNS)
GOOD = "Good,1 High St,Leeds,GB,53.8,-1.55,+44 113 496 0000,a@b.example,Nd:YAG 1064 ps,yes,I-VI,"


def fake_geocoder(city, country):
    if city == "Atlantis":
        raise GeocodeError(f"cannot find city {city!r} in {country} offline")
    return Place(city, country, 10.0, 20.0, 1000)


def read(text, **kwargs):
    data = text.encode() if isinstance(text, str) else text
    return read_facilities_csv(data, source="f.csv", geocoder=fake_geocoder, **kwargs)


def problems_of(text):
    with pytest.raises(FacilityCsvError) as raised:
        read(text)
    return str(raised.value), list(raised.value.problems)


def test_the_sample_file_reads_and_locates_cities_offline():
    data = resources.files("scalpmap").joinpath("data/facilities_sample.csv").read_bytes()
    records = read_facilities_csv(data, source="facilities_sample.csv")
    assert 5 <= len(records) <= 8
    assert len({r.country for r in records}) >= 3
    geocoded = [r for r in records if r.geocoded]
    assert geocoded and len(geocoded) < len(records)
    berlin = next(r for r in records if r.city == "Berlin")
    assert berlin.geocoded and abs(berlin.lat - 52.52) < 0.1 and abs(berlin.lon - 13.4) < 0.1
    assert [r.line for r in records] == list(range(2, len(records) + 2))


def test_a_good_row():
    (record,) = read(f"{HEADER}\n{GOOD}\n")
    assert record.line == 2 and record.name == "Good" and record.country == "GB"
    assert (record.lat, record.lon, record.geocoded) == (53.8, -1.55, False)
    assert record.lasers == (Laser("Nd:YAG", (1064,), Pulse.PS),)
    assert record.treats_smp is True and record.fitzpatrick == (1, 6)
    assert record.notes is None and record.email == "a@b.example"


def test_columns_in_any_order_with_a_bom_and_optional_columns_left_out():
    text = "\ufeffCountry,Name,City,Lasers,Treats SMP,Fitzpatrick\nUK,X,York,1064 ps,no,\n"
    (record,) = read(text)
    assert (record.name, record.country, record.treats_smp, record.fitzpatrick) == (
        "X",
        "GB",
        False,
        None,
    )
    assert record.geocoded and (record.lat, record.lon) == (10.0, 20.0)


def test_quoted_commas_and_line_breaks_keep_line_numbers_right():
    text = f'{HEADER}\nA,"1 Road, Leeds",Leeds,GB,,,,,1064 ps,yes,I,"two\nlines"\n\n{GOOD}\n'
    first, second = read(text)
    assert first.address == "1 Road, Leeds" and first.notes == "two\nlines"
    assert (first.line, second.line) == (2, 5)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (GOOD.replace("53.8", "91.2"), "line 2: lat must be -90..90; got 91.2"),
        (GOOD.replace("-1.55", "-200"), "line 2: lon must be -180..180; got -200"),
        (GOOD.replace("53.8", "north"), "line 2: lat must be a number of degrees; got 'north'"),
        (GOOD.replace("53.8", "nan"), "line 2: lat must be -90..90; got nan"),
        (GOOD.replace("53.8", ""), "line 2: give both lat and lon, or neither"),
        (
            GOOD.replace("Leeds,GB,53.8,-1.55", "Atlantis,GR,,"),
            "line 2: cannot find city 'Atlantis'",
        ),
        (GOOD.replace(",GB,", ",Narnia,"), "line 2: unknown country 'Narnia'"),
        (GOOD.replace("Nd:YAG 1064 ps", "CO2 fractional"), "line 2: cannot read laser"),
        (GOOD.replace("I-VI", "I-VII"), "line 2: Fitzpatrick types must be I-VI"),
        (GOOD.replace("I-VI", "V-II"), "line 2: Fitzpatrick range 'V-II' runs backwards"),
        (GOOD.replace(",yes,", ",maybe,"), "line 2: treats_smp must be yes or no; got 'maybe'"),
        (GOOD.replace("a@b.example", "not-an-email"), "line 2: email 'not-an-email' is not"),
        (GOOD.replace("Good", ""), "line 2: name is required"),
        (GOOD.replace("Good", "x" * 201), "line 2: name is longer than 200 characters"),
        (GOOD + ",extra", "line 2: 13 fields but the header has 12"),
        ("Short,row", "line 2: 2 fields but the header has 12"),
    ],
)
def test_each_bad_row_is_named_by_line_and_reason(row, expected):
    summary, problems = problems_of(f"{HEADER}\n{row}\n")
    assert summary == "1 bad row in f.csv; nothing imported"
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_every_bad_row_is_reported_not_just_the_first():
    rows = [GOOD, GOOD.replace("53.8", "91"), GOOD.replace("Good", "Two"), "", "x,y"]
    rows.append(GOOD.replace("Good", "Three").replace("I-VI", "VII").replace("yes", "?"))
    summary, problems = problems_of("\n".join([HEADER, *rows]) + "\n")
    assert summary == "3 bad rows in f.csv; nothing imported"
    assert [p.split(":")[0] for p in problems] == ["line 3", "line 6", "line 7", "line 7"]


def test_a_duplicate_row_points_at_the_first():
    _, problems = problems_of(f"{HEADER}\n{GOOD}\n{GOOD.replace('Good', ' GOOD ')}\n")
    assert problems == ["line 3: same name and city as line 2"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "f.csv is empty; its first line must name the columns"),
        (b" \n\n", "f.csv is empty"),
        (b"name,town\nA,B\n", "f.csv has the wrong columns (missing city, country, lasers"),
        (b"name,city,country,lasers,treats_smp,fitzpatrick_types,name\n", "repeated name"),
        (f"{HEADER},colour\n".encode(), "unknown 'colour'"),
        (f'{HEADER}\n"Open,Leeds\n{GOOD}\n'.encode(), "f.csv is not valid CSV: line 2: a quoted"),
        (f"{HEADER}\n{GOOD}\nCaf\xe9\n".encode("latin-1"), "f.csv is not UTF-8 text: line 3"),
    ],
)
def test_malformed_files_are_one_line(data, expected):
    with pytest.raises(FacilityCsvError) as raised:
        read(data)
    assert expected in str(raised.value), str(raised.value)
    assert str(raised.value).endswith("nothing imported") and "\n" not in str(raised.value)


def test_a_header_alone_is_an_empty_directory():
    assert read(HEADER + "\n") == []


def test_write_then_read_back():
    row = dict(zip(COLUMNS, GOOD.split(","), strict=True))
    row["notes"] = 'says "hi", twice'
    text = write_facilities_csv([row])
    assert text.startswith(HEADER + "\r\n")
    (record,) = read(text)
    assert record.notes == 'says "hi", twice' and record.name == "Good"


def test_an_unknown_city_is_reported_with_the_rows_other_problems():
    row = "X,,Atlantis,GR,,,,,CO2 fractional,yes,I-VI,"
    _, problems = problems_of(f"{HEADER}\n{GOOD}\n{row}\n")
    assert [p[:30] for p in problems] == [
        "line 3: cannot read laser 'CO2",
        "line 3: cannot find city 'Atla",
    ]


def test_an_unnamed_column_is_named_as_such():
    with pytest.raises(FacilityCsvError, match="unknown an unnamed column"):
        read(f"{HEADER},\n{GOOD},\n")
