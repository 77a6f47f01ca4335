"""Lasers, Fitzpatrick types and yes/no: parsed from CSV text and written back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scalpmap.facilities.fields import (
    Laser,
    Pulse,
    format_fitzpatrick,
    format_lasers,
    parse_fitzpatrick,
    parse_lasers,
    parse_yes_no,
)


def test_the_documented_example_parses():
    lasers = parse_lasers("Nd:YAG 1064 ps; Nd:YAG 1064/532 ns; Alexandrite 755 ps")
    assert lasers == (
        Laser("Nd:YAG", (1064,), Pulse.PS),
        Laser("Nd:YAG", (1064, 532), Pulse.NS),
        Laser("Alexandrite", (755,), Pulse.PS),
    )
    assert lasers[1].to_json() == {"device": "Nd:YAG", "wavelengths_nm": [1064, 532], "pulse": "ns"}
    assert Laser.from_json(lasers[1].to_json()) == lasers[1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ()),
        (" ; ", ()),
        ("PicoWay 1064 / 532 nm picosecond", (Laser("PicoWay", (1064, 532), Pulse.PS),)),
        ("Q-switched Nd:YAG 1064nm QS", (Laser("Q-switched Nd:YAG", (1064,), Pulse.NS),)),
        ("RevLite 2 1064 Q-switched", (Laser("RevLite 2", (1064,), Pulse.NS),)),
        ("1064 ps", (Laser("laser", (1064,), Pulse.PS),)),
    ],
)
def test_laser_variants(text, expected):
    assert parse_lasers(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("CO2 fractional", "cannot read laser 'CO2 fractional'"),
        ("Nd:YAG 1064", "cannot read laser 'Nd:YAG 1064'"),
        ("Nd:YAG ps", "cannot read laser"),
        ("Nd:YAG 1064 ms", "cannot read laser"),
        ("Nd:YAG 1064 ps, Alex 755 ps", "looks like two lasers: separate lasers with ';'"),
        ("Nd:YAG 1064 ps Alex 755 ps", "looks like two lasers"),
        ("CO2 10600 ns", "10600 nm is not a tattoo-removal wavelength"),
    ],
)
def test_unknown_laser_text_is_refused_with_the_format(text, fragment):
    with pytest.raises(ValueError) as raised:
        parse_lasers(text)
    assert fragment in str(raised.value)


devices = st.sampled_from(["Nd:YAG", "PicoWay", "Alexandrite", "Q-Plus C", "RevLite 2"])
lasers = st.builds(
    Laser,
    devices,
    st.lists(st.integers(400, 1100), min_size=1, max_size=3).map(tuple),
    st.sampled_from(Pulse),
)


@given(st.lists(lasers, max_size=4))
def test_lasers_round_trip_through_text(items):
    assert parse_lasers(format_lasers(items)) == tuple(items)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I-VI", (1, 6)),
        ("1-4", (1, 4)),
        ("I,II,III", (1, 3)),
        ("ii to v", (2, 5)),
        ("I – IV", (1, 4)),
        ("III", (3, 3)),
        ("all", (1, 6)),
        ("", None),
    ],
)
def test_fitzpatrick_forms(text, expected):
    assert parse_fitzpatrick(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("VII", "must be I-VI"),
        ("0-3", "must be I-VI"),
        ("IV-II", "runs backwards"),
        ("I,III", "have a gap"),
        ("I-II-III", "give one range"),
        ("light", "must be I-VI"),
    ],
)
def test_bad_fitzpatrick_is_refused(text, fragment):
    with pytest.raises(ValueError) as raised:
        parse_fitzpatrick(text)
    assert fragment in str(raised.value)


@given(st.integers(1, 6), st.integers(0, 5))
def test_fitzpatrick_round_trip(low, width):
    high = min(6, low + width)
    assert parse_fitzpatrick(format_fitzpatrick(low, high)) == (low, high)


def test_yes_no():
    assert [parse_yes_no(t) for t in ("yes", "Y", "TRUE", "1", "no", "n", "False", "0")] == [
        True
    ] * 4 + [False] * 4
    for bad in ("", "maybe", "si"):
        with pytest.raises(ValueError, match="must be yes or no"):
            parse_yes_no(bad)
