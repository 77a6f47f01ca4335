"""Matching: who can treat the patient, nearest first, every ranking and exclusion in words."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scalpmap.errors import InputError
from scalpmap.facilities.fields import parse_lasers
from scalpmap.facilities.matching import (
    NANOSECOND_PENALTY_KM,
    FacilityProfile,
    haversine_km,
    rank_facilities,
)

LEEDS = (53.7997, -1.5492)


def facility(name, lat, lon, lasers="Nd:YAG 1064 ps", *, smp=True, skin=(1, 6), geocoded=False):
    return FacilityProfile(
        id=None,
        name=name,
        city=name,
        country="GB",
        lat=lat,
        lon=lon,
        geocoded=geocoded,
        lasers=parse_lasers(lasers),
        treats_smp=smp,
        fitzpatrick=skin,
    )


@pytest.mark.parametrize(
    ("a", "b", "km"),
    [
        ((51.5074, -0.1278), (48.8566, 2.3522), 343.6),  # London - Paris
        ((40.7128, -74.0060), (51.5074, -0.1278), 5570.2),  # New York - London
        ((0.0, 0.0), (0.0, 180.0), math.pi * 6371.0088),  # half the equator
        ((10.0, 10.0), (10.0, 10.0), 0.0),
    ],
)
def test_haversine_known_distances(a, b, km):
    assert haversine_km(a, b) == pytest.approx(km, abs=1.0)


points = st.tuples(st.floats(-90, 90), st.floats(-180, 180))


@given(points, points, points)
def test_haversine_is_a_metric(a, b, c):
    assert haversine_km(a, b) == pytest.approx(haversine_km(b, a), abs=1e-6)
    assert 0 <= haversine_km(a, b) <= math.pi * 6371.0088 + 1e-6
    assert haversine_km(a, c) <= haversine_km(a, b) + haversine_km(b, c) + 1e-6


def test_nearest_first_with_distance_score_and_reasons():
    far = facility("York", 53.959, -1.0815)
    near = facility("Bradford", 53.795, -1.7594)
    result = rank_facilities([far, near], fitzpatrick=3, origin_latlon=LEEDS)
    assert [e.facility.name for e in result.ranked] == ["Bradford", "York"]
    assert [e.rank for e in result.ranked] == [1, 2]
    first = result.ranked[0]
    assert first.distance_km == pytest.approx(14, abs=1)
    assert first.score > result.ranked[1].score and 0 < first.score <= 100
    assert first.picosecond
    assert first.reasons == (
        "treats SMP",
        "1064 nm picosecond (Nd:YAG 1064 ps): preferred for SMP's carbon",
        "treats Fitzpatrick I-VI, which covers type III",
        "14 km from the patient",
    )
    assert result.excluded == () and result.notes == ()


def test_every_exclusion_is_explained():
    alex = facility("Alex", 53.8, -1.5, "Alexandrite 755 ps")
    none = facility("None", 53.8, -1.5, "")
    no_smp = facility("NoSMP", 53.8, -1.5, smp=False)
    light = facility("Light", 53.8, -1.5, skin=(1, 4))
    all_wrong = facility("AllWrong", 53.8, -1.5, "Ruby 694 ns", smp=False, skin=(1, 2))
    result = rank_facilities(
        [alex, none, no_smp, light, all_wrong], fitzpatrick=5, origin_latlon=LEEDS
    )
    assert result.ranked == ()
    reasons = {e.facility.name: e.reasons for e in result.excluded}
    assert reasons["Alex"] == (
        "excluded: no 1064 nm laser (Alexandrite 755 ps), and SMP's carbon pigment needs 1064 nm",
    )
    assert reasons["None"] == ("excluded: no laser listed",)
    assert reasons["NoSMP"] == ("excluded: does not treat SMP",)
    assert reasons["Light"] == ("excluded: treats Fitzpatrick I-IV, not type V",)
    assert len(reasons["AllWrong"]) == 3
    assert all(r.startswith("excluded: ") for rs in reasons.values() for r in rs)
    assert "no facility in the directory can treat this patient" in result.notes
    assert any("hypopigmentation" in note for note in result.notes)


def test_picosecond_is_preferred_unless_much_farther():
    nano_next_door = facility("Nano", *LEEDS, "Nd:YAG 1064/532 ns")
    pico_near = facility("PicoNear", 53.95, -1.08)  # York, about 34 km
    pico_far = facility("PicoFar", 51.5074, -0.1278)  # London, about 270 km
    result = rank_facilities(
        [pico_far, nano_next_door, pico_near], fitzpatrick=2, origin_latlon=LEEDS
    )
    assert [e.facility.name for e in result.ranked] == ["PicoNear", "Nano", "PicoFar"]
    nano = result.ranked[1]
    assert not nano.picosecond
    assert f"ranked as if {NANOSECOND_PENALTY_KM:g} km farther" in nano.reasons[1]


def test_unstated_skin_types_rank_lower_and_say_to_confirm():
    stated = facility("Stated", 53.9, -1.5)
    unstated = facility("Unstated", 53.85, -1.5, skin=None)
    result = rank_facilities([unstated, stated], fitzpatrick=6, origin_latlon=LEEDS)
    assert [e.facility.name for e in result.ranked] == ["Stated", "Unstated"]
    assert "confirm type VI with the facility" in result.ranked[1].reasons[2]


def test_without_a_location_or_skin_type_the_notes_say_so():
    nano = facility("Nano", 10, 10, "Nd:YAG 1064 ns")
    pico = facility("Pico", 50, 50, skin=(1, 2))
    result = rank_facilities([nano, pico], fitzpatrick=None, origin_latlon=None)
    assert [e.facility.name for e in result.ranked] == ["Pico", "Nano"]
    assert all(e.distance_km is None for e in result.ranked)
    assert not any("km from the patient" in r for e in result.ranked for r in e.reasons)
    assert result.notes == (
        "no patient location: facilities ranked without distance",
        "the patient's skin type is not recorded: record it before referring",
    )
    assert "the patient's type is not recorded" in result.ranked[0].reasons[2]


def test_a_geocoded_facility_says_its_distance_is_approximate():
    result = rank_facilities(
        [facility("York", 53.959, -1.0815, geocoded=True)], fitzpatrick=1, origin_latlon=LEEDS
    )
    assert (
        "approximate: the facility is placed at the centre of York" in result.ranked[0].reasons[-1]
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fitzpatrick": 7, "origin_latlon": None}, "Fitzpatrick type must be 1..6"),
        ({"fitzpatrick": 1, "origin_latlon": (95.0, 0.0)}, "origin must be (lat, lon)"),
    ],
)
def test_bad_inputs_are_refused(kwargs, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        rank_facilities([], **kwargs)
