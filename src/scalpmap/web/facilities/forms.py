"""The facility form as typed (lasers and skin types as text) and a facility as shown.

The form sends every field as text: ``lasers`` like ``Nd:YAG 1064 ps; Nd:YAG 1064/532 ns``,
``fitzpatrick_types`` like ``I-VI``, ``treats_smp`` as ``yes``/``no`` and ``lat``/``lon`` empty
to locate the facility from its city. :func:`form_values` turns it into the values of
:class:`~scalpmap.facilities.schemas.FacilityCreate` (or ``FacilityUpdate``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Form

from scalpmap.errors import InputError
from scalpmap.facilities.fields import (
    Laser,
    format_fitzpatrick,
    format_lasers,
    parse_fitzpatrick,
    parse_yes_no,
)
from scalpmap.field_labels import HINTS, LABELS
from scalpmap.store.models import Facility, Role, User
from scalpmap.web.deps import require_role

__all__ = [
    "FORM_FIELDS",
    "CanEditFacilities",
    "FacilityForm",
    "as_form",
    "can_edit",
    "form_values",
    "lasers_text",
]

FORM_FIELDS = (
    "name",
    "address",
    "city",
    "country",
    "lat",
    "lon",
    "phone",
    "email",
    "lasers",
    "treats_smp",
    "fitzpatrick_types",
    "notes",
)
"""The form's fields, in the order the form shows them."""

_EDITORS = (Role.ADMIN, Role.PRACTITIONER)

CanEditFacilities = Annotated[User, Depends(require_role(*_EDITORS))]
"""Admins and practitioners: reception may only look at the directory."""


def can_edit(user: User | None) -> bool:
    """Tell whether a user may change the directory (for showing the buttons)."""
    return user is not None and user.role in _EDITORS


Line = Annotated[str, Form(max_length=400)]
Text = Annotated[str, Form(max_length=20000)]


def facility_form(
    name: Line = "",
    address: Text = "",
    city: Line = "",
    country: Line = "",
    lat: Annotated[str, Form(max_length=40)] = "",
    lon: Annotated[str, Form(max_length=40)] = "",
    phone: Line = "",
    email: Line = "",
    lasers: Text = "",
    treats_smp: Annotated[str, Form(max_length=10)] = "no",
    fitzpatrick_types: Annotated[str, Form(max_length=40)] = "",
    notes: Text = "",
) -> dict[str, str]:
    """Collect the facility form's fields as submitted."""
    return {
        "name": name,
        "address": address,
        "city": city,
        "country": country,
        "lat": lat,
        "lon": lon,
        "phone": phone,
        "email": email,
        "lasers": lasers,
        "treats_smp": treats_smp,
        "fitzpatrick_types": fitzpatrick_types,
        "notes": notes,
    }


FacilityForm = Annotated[dict[str, str], Depends(facility_form)]


def _number(form: dict[str, str], name: str) -> float | None:
    text = form[name].strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise InputError(
            f"{LABELS[name]} must be a number: {HINTS[name]}; got {text!r}", name
        ) from None


def form_values(form: dict[str, str]) -> dict[str, Any]:
    """Turn the submitted form into the values of ``FacilityCreate``/``FacilityUpdate``.

    Parameters
    ----------
    form : dict of str to str
        The fields as typed.

    Returns
    -------
    dict
        Every field set: empty optional fields become ``None``, ``lasers`` stays text (the
        schema parses it), ``fitzpatrick_types`` becomes ``fitzpatrick_min``/``_max``.

    Raises
    ------
    InputError
        When ``lat``/``lon``, ``treats_smp`` or ``fitzpatrick_types`` cannot be read; the
        message names the field.
    """
    values: dict[str, Any] = {
        name: form[name].strip() or None for name in ("address", "phone", "email", "notes")
    }
    values.update(name=form["name"], city=form["city"], country=form["country"])
    values["lasers"] = form["lasers"]
    values["lat"], values["lon"] = _number(form, "lat"), _number(form, "lon")
    try:
        values["treats_smp"] = parse_yes_no(form["treats_smp"])
    except ValueError as error:
        raise InputError(f"{LABELS['treats_smp']}: {error}", "treats_smp") from None
    try:
        skin = parse_fitzpatrick(form["fitzpatrick_types"])
    except ValueError as error:
        raise InputError(f"{LABELS['fitzpatrick_types']}: {error}", "fitzpatrick_types") from None
    values["fitzpatrick_min"], values["fitzpatrick_max"] = skin or (None, None)
    return values


def lasers_text(facility: Facility) -> str:
    """Return a facility's lasers as the form and the CSV write them."""
    return format_lasers([Laser.from_json(item) for item in facility.lasers])


def as_form(facility: Facility | None) -> dict[str, str]:
    """Return a facility as the form's text fields (empty ones for a new facility).

    Parameters
    ----------
    facility : Facility or None
        The facility; ``None`` for the new-facility form.

    Returns
    -------
    dict of str to str
        The fields; ``lat``/``lon`` are empty when the facility was located from its city.
    """
    if facility is None:
        return {**dict.fromkeys(FORM_FIELDS, ""), "treats_smp": "yes"}
    values = {
        name: getattr(facility, name) or ""
        for name in ("name", "address", "city", "country", "phone", "email", "notes")
    }
    located = not facility.geocoded
    values.update(
        lat=repr(facility.lat) if located else "",
        lon=repr(facility.lon) if located else "",
        lasers=lasers_text(facility),
        treats_smp="yes" if facility.treats_smp else "no",
        fitzpatrick_types=format_fitzpatrick(facility.fitzpatrick_min, facility.fitzpatrick_max),
    )
    return values
