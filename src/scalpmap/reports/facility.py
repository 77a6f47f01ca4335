"""The facility report's clinical values: pigment, Kirby-Desai breakdown, suggested parameters.

The suggested parameters state only what the published sources support (1064 nm for carbon,
pulse durations, the interval rule with its evidence, lower fluence and a test patch for
Fitzpatrick V–VI); no fluence numbers are given: the device's own settings for carbon pigment
apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scalpmap.planning.laser_rules import INTERVAL_EVIDENCE, LASER_INTERVAL_WEEKS, interval_rule
from scalpmap.planning.plan_figures import figures_of
from scalpmap.planning.timeline_rest import plan_weeks
from scalpmap.reports.context import DASH, FACTOR_LABELS

SOURCE_WORDS = {
    "estimated": "estimate",
    "measured": "measured",
    "given": "given",
    "default": "default",
}


def pigment(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return the pigment's characteristics as (label, value) rows, from the plan's figures."""
    f = figures_of(document)
    cast = f["colour_cast"]
    cast_text = cast["text"]
    if cast["measured"]:
        cast_text += f" ({cast.get('verdict', 'n/a')}; neutral black about 0)"
    darkness = f["median_darkness"]
    area, share = f["region_area_cm2"], f["coverage_percent"]
    region = area["text"]
    if area["measured"] and share["measured"]:
        region += f", {share['text']} of it covered by pigment"
    return [
        ("Impressions in the region", f["impressions_in_region"]["text"]),
        ("Median impression diameter", f["median_diameter_mm"]["text"]),
        (
            "Median darkness",
            darkness["text"] + (" (0 = skin, 1 = black)" if darkness["measured"] else ""),
        ),
        ("Ink tone", f["ink_tone"]["text"]),
        ("Mean density", f["mean_density_per_cm2"]["text"]),
        ("Blown out (> 0.35 mm)", f["blown_out_percent"]["text"]),
        ("Colour cast", cast_text),
        ("Pigmented region", region),
        ("Analysis mode", str((document.get("analysis") or {}).get("mode") or DASH)),
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
    weeks = plan_weeks(laser.get("interval_weeks"), LASER_INTERVAL_WEEKS)
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
            f"{interval_rule(weeks)} {INTERVAL_EVIDENCE[0].upper()}{INTERVAL_EVIDENCE[1:]}.",
        ),
    ]


def facility(document: Mapping[str, Any], dark_skin: bool) -> dict[str, Any]:
    """Return the facility report's own values."""
    figures = figures_of(document)
    return {
        "removal_area": figures["removal_area_cm2"]["text"],
        "removal_impressions": figures["removal_impressions"]["text"],
        "removal_impressions_why": figures["removal_impressions"]["why"],
        "pigment": pigment(document),
        "kirby_desai": kirby_desai(document),
        "parameters": parameters(document, dark_skin),
        "notes": list(document.get("notes") or []),
    }
