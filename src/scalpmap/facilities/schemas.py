"""Input schemas of the facility directory (the forms the web app shows): create and update.

Separate from the CSV reader, which reports problems by line; both use the same field parsers.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator
from pydantic import field_validator as validates

from scalpmap.facilities.fields import Pulse, parse_lasers
from scalpmap.facilities.geocode import resolve_country

__all__ = ["FIELDS", "FacilityCreate", "FacilityUpdate", "LaserIn"]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
City = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]
SkinType = Annotated[int, Field(ge=1, le=6)]
Lat = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Lon = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
FIELDS = ("name", "address", "city", "country", "phone", "email", "treats_smp", "notes")
"""Plain fields, copied as they are to the model."""


class LaserIn(BaseModel):
    """One laser: device, wavelengths in nm (400-1100) and pulse (``ns`` or ``ps``)."""

    model_config = ConfigDict(extra="forbid")

    device: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    wavelengths_nm: list[Annotated[int, Field(ge=400, le=1100)]] = Field(min_length=1)
    pulse: Pulse


def _lasers(value: Any) -> Any:
    """Accept the CSV text form too: ``"Nd:YAG 1064 ps; Nd:YAG 1064/532 ns"``."""
    return [laser.to_json() for laser in parse_lasers(value)] if isinstance(value, str) else value


def _country(value: Any) -> Any:
    if isinstance(value, str) and value.strip():
        code = resolve_country(value)
        if code is None:
            raise ValueError(f"unknown country {value.strip()!r}: give its name or ISO code")
        return code
    return value


class _Checks(BaseModel):
    @model_validator(mode="after")
    def _pairs(self) -> _Checks:
        values = self.model_dump(exclude_unset=True)
        pairs = (
            ("lat", "lon", "latitude and longitude"),
            ("fitzpatrick_min", "fitzpatrick_max", "the lowest and highest skin types treated"),
        )
        for low, high, words in pairs:
            if (low in values) != (high in values) or (values.get(low) is None) != (
                values.get(high) is None
            ):
                raise ValueError(f"give both {words} ({low} and {high}), or neither")
        if (values.get("fitzpatrick_min") or 0) > (values.get("fitzpatrick_max") or 6):
            raise ValueError(
                "the lowest skin type treated (fitzpatrick_min) is above the highest "
                "(fitzpatrick_max): give them low to high, e.g. I-VI"
            )
        return self


class FacilityCreate(_Checks):
    """A new facility; without ``lat`` and ``lon`` its city is located offline."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    address: str | None = None
    city: City
    country: Annotated[str, StringConstraints(min_length=2, max_length=2)]
    lat: Lat | None = None
    lon: Lon | None = None
    phone: Short | None = None
    email: EmailStr | None = None
    lasers: list[LaserIn] = []
    treats_smp: bool = False
    fitzpatrick_min: SkinType | None = None
    fitzpatrick_max: SkinType | None = None
    notes: str | None = None

    _lasers = validates("lasers", mode="before")(_lasers)
    _country = validates("country", mode="before")(_country)


class FacilityUpdate(_Checks):
    """Changes to a facility: only the fields that are set change.

    Changing the city or country without ``lat`` and ``lon`` locates the new city; setting
    ``lat`` and ``lon`` to ``None`` locates the facility's city again.
    """

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    address: str | None = None
    city: City | None = None
    country: Annotated[str, StringConstraints(min_length=2, max_length=2)] | None = None
    lat: Lat | None = None
    lon: Lon | None = None
    phone: Short | None = None
    email: EmailStr | None = None
    lasers: list[LaserIn] | None = None
    treats_smp: bool | None = None
    fitzpatrick_min: SkinType | None = None
    fitzpatrick_max: SkinType | None = None
    notes: str | None = None

    _lasers = validates("lasers", mode="before")(_lasers)
    _country = validates("country", mode="before")(_country)
