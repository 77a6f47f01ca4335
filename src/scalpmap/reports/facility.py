"""The facility report's clinical values: pigment, Kirby-Desai breakdown, suggested parameters.

The suggested parameters state only what PRODUCT.md's sources support (1064 nm for carbon, pulse
durations, the published interval, lower fluence and a test patch for Fitzpatrick V–VI); no
fluence numbers are given: the device's own settings for carbon pigment apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scalpmap.reports.context import DASH, FACTOR_LABELS, num

SOURCE_WORDS = {
    "estimated": "estimate",
    "measured": "measured",
    "given": "given",
    "default": "default",
}


def _measure(document: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    for m in (document.get("assessment") or {}).get("measures") or []:
        if m.get("name") == name:
            return dict(m)
    return {}


def pigment(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return the pigment's characteristics as (label, value) rows."""
    a = document.get("analysis") or {}
    cast = _measure(document, "colour_cast")
    details = cast.get("details") or {}
    if cast and cast.get("value") is not None:
        cast_text = (
            f"{details.get('cast', 'none')} cast, shift {num(cast.get('value'), 2)} "
            f"({cast.get('verdict', 'n/a')}; neutral black about 0)"
        )
    else:
        cast_text = DASH
    count = a.get("count_in_region")
    return [
        ("Impressions in the region", DASH if count is None else str(count)),
        ("Median impression diameter", num(a.get("median_diameter_mm"), 2, "mm")),
        ("Median darkness", f"{num(a.get('median_darkness'), 2)} (0 = skin, 1 = black)"),
        ("Ink tone", str(a.get("ink_tone") or DASH)),
        ("Mean density", num(a.get("mean_density_per_cm2"), 1, "impressions/cm²")),
        ("Blown out (> 0.35 mm)", num(a.get("blown_out_percent"), 1, "%")),
        ("Colour cast", cast_text),
        (
            "Pigmented region",
            f"{num(a.get('region_area_cm2'), 1, 'cm²')}, {num(a.get('coverage_percent'), 1, '%')}"
            " of it covered by pigment",
        ),
        ("Analysis mode", str(a.get("mode") or DASH)),
    ]


def kirby_desai(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return the Kirby-Desai score with one row per factor."""
    data = (document.get("sessions") or {}).get("kirby_desai") or {}
    factors = [
        {
            "label": FACTOR_LABELS.get(f["name"], str(f["name"]).replace("_", " ").capitalize()),
            "name": f["name"],
            "value": f.get("value", DASH),
            "points": f.get("points", DASH),
            "source": SOURCE_WORDS.get(str(f.get("source")), str(f.get("source") or DASH)),
            "estimated": f.get("source") == "estimated",
            "explanation": f.get("explanation", ""),
        }
        for f in data.get("factors") or []
    ]
    return {"score": data.get("score", DASH), "factors": factors, "note": data.get("note", "")}


def parameters(document: Mapping[str, Any], dark_skin: bool) -> list[tuple[str, str]]:
    """Return the suggested laser and starting parameters as (label, text) rows."""
    laser = (document.get("sessions") or {}).get("laser") or {}
    interval = list(laser.get("interval_weeks") or [3, 4]) + [0, 0]
    if laser.get("picosecond"):
        pulse = (
            "Picosecond (350–800 ps) preferred: picosecond lasers need about 25% fewer "
            "sessions than nanosecond (5–10 ns)."
        )
    else:
        pulse = (
            "Nanosecond (5–10 ns): no picosecond laser assumed; picosecond (350–800 ps) would "
            "need about 25% fewer sessions."
        )
    fluence = "Per the device's settings for carbon pigment, starting conservatively."
    if dark_skin:
        fluence = (
            "Lower fluence than for lighter skin, per the device's settings for carbon pigment, "
            "and a test patch before the first full session (hypopigmentation risk in "
            "Fitzpatrick V–VI)."
        )
    return [
        ("Laser", str(laser.get("laser") or DASH)),
        ("Wavelength", "1064 nm Nd:YAG: black carbon pigment responds to 1064 nm."),
        ("Pulse duration", pulse),
        ("Fluence and spot size", fluence),
        (
            "Interval",
            f"{interval[0]}–{interval[1]} weeks between sessions (published SMP series); many "
            "clinics wait about 6 weeks before re-treating a patch.",
        ),
    ]


def facility(document: Mapping[str, Any], dark_skin: bool) -> dict[str, Any]:
    """Return the facility report's own values."""
    removal = (document.get("zones") or {}).get("removal") or {}
    return {
        "removal_area": num(removal.get("area_cm2"), 1, "cm²"),
        "removal_impressions": int(removal.get("impressions") or 0),
        "pigment": pigment(document),
        "kirby_desai": kirby_desai(document),
        "parameters": parameters(document, dark_skin),
        "notes": list(document.get("notes") or []),
    }
