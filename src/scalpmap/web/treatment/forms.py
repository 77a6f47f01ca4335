"""The session forms as typed: every field is text, turned into the services' inputs here.

:func:`parse_laser_form` and :func:`parse_smp_form` raise one-line ``InputError`` messages that
name the field and say what to type. The laser settings' ranges are checked by the service
(:func:`scalpmap.services.treatment_sessions.log_laser_session`), so they are stated once.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

from fastapi import Depends, Form
from pydantic import ValidationError

from scalpmap.dates import current_today, parse_day
from scalpmap.errors import InputError
from scalpmap.field_messages import LABELS
from scalpmap.services.treatment_sessions import (
    DuplicateSessionError,
    LaserSessionIn,
    SmpSessionIn,
)
from scalpmap.store.models import PulseClass, Role, User
from scalpmap.web.deps import require_role
from scalpmap.web.errors import one_line

__all__ = [
    "AREAS",
    "CanRefer",
    "LaserForm",
    "SmpForm",
    "can_refer",
    "confirmed",
    "laser_defaults",
    "parse_laser_form",
    "parse_smp_form",
    "same_day_message",
    "smp_defaults",
]

AREAS = ("frontal", "temporal_left", "temporal_right", "side_left", "side_right", "crown")
"""The areas of the SMP form's check boxes (others may be typed as a comma list)."""

DEFAULT_WAVELENGTH_NM = 1064

_REFERRERS = (Role.ADMIN, Role.PRACTITIONER)

CanRefer = Annotated[User, Depends(require_role(*_REFERRERS))]
"""Practitioners and admins: reception may not refer a case (as it may not edit plans)."""


def can_refer(user: User | None) -> bool:
    """Tell whether a user may refer a case (for showing the buttons)."""
    return user is not None and user.role in _REFERRERS


Short = Annotated[str, Form(max_length=40)]
Line = Annotated[str, Form(max_length=400)]
Text = Annotated[str, Form(max_length=20000)]


def laser_form(
    session_date: Short = "",
    facility_id: Short = "",
    device: Line = "",
    wavelength_nm: Short = "",
    pulse: Short = "",
    fluence_j_cm2: Short = "",
    spot_mm: Short = "",
    passes: Short = "",
    notes: Text = "",
    adverse_effects: Text = "",
    confirm_duplicate: Short = "",
) -> dict[str, str]:
    """Collect the laser session form's fields as submitted (and the same-day confirmation)."""
    return {
        "session_date": session_date,
        "facility_id": facility_id,
        "device": device,
        "wavelength_nm": wavelength_nm,
        "pulse": pulse,
        "fluence_j_cm2": fluence_j_cm2,
        "spot_mm": spot_mm,
        "passes": passes,
        "notes": notes,
        "adverse_effects": adverse_effects,
        "confirm_duplicate": confirm_duplicate,
    }


def smp_form(
    session_date: Short = "",
    practitioner_name: Line = "",
    needle: Line = "",
    areas: Annotated[list[str] | None, Form(max_length=40)] = None,
    areas_other: Line = "",
    notes: Text = "",
    confirm_duplicate: Short = "",
) -> dict[str, Any]:
    """Collect the SMP session form's fields as submitted (``areas``: the ticked boxes)."""
    return {
        "session_date": session_date,
        "practitioner_name": practitioner_name,
        "needle": needle,
        "areas": list(areas or []),
        "areas_other": areas_other,
        "notes": notes,
        "confirm_duplicate": confirm_duplicate,
    }


LaserForm = Annotated[dict[str, str], Depends(laser_form)]
SmpForm = Annotated[dict[str, Any], Depends(smp_form)]


def laser_defaults(facility_id: int | None) -> dict[str, str]:
    """Return the empty laser form: today, the referral's facility, 1064 nm, picosecond."""
    values = dict.fromkeys(laser_form(), "")
    values.update(
        session_date=current_today().isoformat(),
        facility_id="" if facility_id is None else str(facility_id),
        wavelength_nm=str(DEFAULT_WAVELENGTH_NM),
        pulse=PulseClass.PS.value,
        passes="1",
    )
    return values


def smp_defaults(practitioner_name: str = "") -> dict[str, Any]:
    """Return the empty SMP form: today, the signed-in user as the practitioner."""
    values = smp_form()
    values.update(session_date=current_today().isoformat(), practitioner_name=practitioner_name)
    return values


def _number(form: dict[str, str], name: str, example: str) -> float:
    text = form[name].strip().replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        got = repr(form[name].strip()) if text else "nothing"
        raise InputError(f"{LABELS[name]} must be a number, e.g. {example}; got {got}", name)
    return value


def _whole(form: dict[str, str], name: str, example: str) -> int:
    value = _number(form, name, example)
    if value != int(value):
        raise InputError(
            f"{LABELS[name]} must be a whole number, e.g. {example}; got {value:g}", name
        )
    return int(value)


def _optional_id(text: str, name: str) -> int | None:
    value = text.strip()
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 2_147_483_647:
        raise InputError(f"{LABELS[name]}: choose one from the list", name)
    return int(value)


def _day(form: dict[str, Any]) -> dt.date:
    try:
        return parse_day(form["session_date"], LABELS["session_date"])
    except InputError as error:
        raise InputError(str(error), "session_date") from None


def same_day_message(
    error: DuplicateSessionError, with_photo: bool, *, correcting: bool = False
) -> str:
    """Say which session is logged that day already and which box to tick (the confirm step)."""
    kind = "laser" if error.kind == "laser" else "SMP"
    if correcting:
        box, then = f"Yes, there were two {kind} sessions on this day", "save it again"
    else:
        box, then = f"Yes, log a second {kind} session on this day", "log it again"
    again = " and choose the follow-up photo again" if with_photo else ""
    return (
        f'{error}: if there really were two that day, tick "{box}" above the button{again}, '
        f"then {then}"
    )


def confirmed(form: dict[str, Any]) -> bool:
    """Tell whether the form confirms a second session on the same day (the confirm step)."""
    return str(form.get("confirm_duplicate", "")).strip().lower() in {"1", "true", "yes", "on"}


def _optional_text(text: str) -> str | None:
    return text.strip() or None


def parse_laser_form(form: dict[str, str]) -> LaserSessionIn:
    """Turn the submitted laser session form into the service's input.

    Parameters
    ----------
    form : dict of str to str
        The fields as typed.

    Returns
    -------
    LaserSessionIn
        The session; its settings' ranges are checked by the service.

    Raises
    ------
    InputError
        When a field is empty or cannot be read; the message names it.
    """
    if not form["device"].strip():
        raise InputError("Device is empty: type the laser, e.g. PicoWay", "device")
    pulse = form["pulse"].strip().lower()
    if pulse not in {p.value for p in PulseClass}:
        raise InputError("Pulse: choose ns (Q-switched) or ps (picosecond)", "pulse")
    values: dict[str, Any] = {
        "session_date": _day(form),
        "facility_id": _optional_id(form["facility_id"], "facility_id"),
        "device": form["device"].strip(),
        "wavelength_nm": _whole(form, "wavelength_nm", "1064"),
        "pulse": PulseClass(pulse),
        "fluence_j_cm2": _number(form, "fluence_j_cm2", "2.5"),
        "spot_mm": _number(form, "spot_mm", "4"),
        "passes": _whole(form, "passes", "2"),
        "notes": _optional_text(form["notes"]),
        "adverse_effects": _optional_text(form["adverse_effects"]),
    }
    try:
        return LaserSessionIn.model_validate(values)
    except ValidationError as error:
        raise InputError(one_line(error)) from None


def parse_smp_form(form: dict[str, Any]) -> SmpSessionIn:
    """Turn the submitted SMP session form into the service's input.

    Parameters
    ----------
    form : dict
        The fields as typed; ``areas`` is the list of ticked boxes, ``areas_other`` a comma list.

    Returns
    -------
    SmpSessionIn
        The session.

    Raises
    ------
    InputError
        When a field is empty or cannot be read; the message names it.
    """
    day = _day(form)
    if not form["practitioner_name"].strip():
        raise InputError(
            "Practitioner is empty: type the name of who did the session", "practitioner_name"
        )
    if not form["needle"].strip():
        raise InputError("Needle is empty: type the needle, e.g. 0.25 mm 3RL", "needle")
    areas = [area.strip() for area in form["areas"] if area.strip()]
    areas += [area.strip() for area in form["areas_other"].split(",") if area.strip()]
    if not areas:
        raise InputError(
            "Areas worked: tick at least one area, or list them, e.g. frontal, crown", "areas"
        )
    values = {
        "session_date": day,
        "practitioner_name": form["practitioner_name"].strip(),
        "needle": form["needle"].strip(),
        "areas": list(dict.fromkeys(areas)),
        "notes": _optional_text(form["notes"]),
    }
    try:
        return SmpSessionIn.model_validate(values)
    except ValidationError as error:
        raise InputError(one_line(error)) from None
