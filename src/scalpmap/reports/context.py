"""Turn a plan.json document into the values the report templates show.

Everything is formatted here (numbers with units, dates, roman numerals, plain-word counts), so
the templates only lay it out. Missing values show as an em dash rather than failing: a report
is still useful when, say, a coverage-mode analysis has no impression sizes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from scalpmap.imaging.scale import scale_source_words
from scalpmap.planning.plan_figures import figures_of
from scalpmap.planning.sessions import number_words
from scalpmap.planning.skin_tone import ROMAN
from scalpmap.reports.figures import ZONE_COLOURS, ZONE_LABELS
from scalpmap.reports.scale_note import scale_estimate

DASH = "—"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Same-day events: the laser session before the healing that follows it.
KIND_ORDER = {"laser": 0, "touch_up": 1, "touch_up_optional": 2, "healing": 3, "review": 4}
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FACTOR_LABELS = {
    "skin_type": "Skin type (Fitzpatrick)",
    "location": "Location",
    "colour": "Ink colour",
    "ink_amount": "Amount of ink",
    "scarring": "Scarring",
    "layering": "Layering",
}
TEMPLATE_WORDS = {
    "keep": "a refreshed version of your current hairline",
    "soften": "a softer hairline",
    "mature": "a new, age-appropriate hairline",
    "custom": "the new hairline we designed with you",
}


def nice_date(value: str | None) -> str:
    """Format an ISO date as e.g. ``Fri 11 Dec 2026`` (locale-independent).

    Examples
    --------
    >>> nice_date("2026-12-11")
    'Fri 11 Dec 2026'
    """
    if not value:
        return DASH
    day = dt.date.fromisoformat(value)
    return f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def num(value: Any, digits: int = 1, unit: str = "") -> str:
    """Format a number with a unit; an em dash for None.

    Examples
    --------
    >>> num(14.4183, 1, "cm²"), num(None), num(3, 0), num(40.49, 1, "°")
    ('14.4 cm²', '—', '3', '40.5°')
    """
    if value is None or isinstance(value, bool):
        return DASH
    text = f"{float(value):.{digits}f}"
    return text + unit if unit in ("", "%", "°") else f"{text} {unit}"


def span(low: int, high: int, words: bool = False) -> str:
    """Format a range such as ``1–2`` (or ``one to two``); a single number when equal.

    Examples
    --------
    >>> span(3, 4), span(1, 1), span(1, 2, words=True)
    ('3–4', '1', 'one to two')
    """
    if words:
        return number_words(low) if low == high else f"{number_words(low)} to {number_words(high)}"
    return str(low) if low == high else f"{low}–{high}"


def roman(fitzpatrick: Any) -> str:
    """Return a Fitzpatrick type 1..6 as I..VI (as given otherwise)."""
    return (
        ROMAN[fitzpatrick]
        if isinstance(fitzpatrick, int) and 1 <= fitzpatrick <= 6
        else str(fitzpatrick)
    )


def zones(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the zones present (area above 0 or polygons), removal first.

    Areas and counts are the plan's stored figures (:func:`figures_of`); a count that was not
    measured (coverage mode) is None, with ``impressions_text`` saying so.
    """
    rows = []
    figures = figures_of(document)
    for name in ("removal", "touch_up", "keep"):
        zone = (document.get("zones") or {}).get(name) or {}
        if not zone.get("polygons") and not zone.get("area_cm2"):
            continue
        r, g, b = ZONE_COLOURS[name]
        area = figures.get(f"{name}_area_cm2") or {}
        count = figures.get(f"{name}_impressions") or {}
        to_add = (figures.get("impressions_to_add") or {}) if name == "touch_up" else {}
        rows.append(
            {
                "name": name,
                "label": ZONE_LABELS[name],
                "colour": f"#{r:02x}{g:02x}{b:02x}",
                "area": area.get("text") or num(zone.get("area_cm2"), 2, "cm²"),
                "impressions": count.get("text") if count.get("value") else None,
                "impressions_text": count.get("text"),
                "to_add": to_add.get("text")
                if to_add.get("measured") and to_add.get("value")
                else None,
            }
        )
    return rows


def events(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the timeline's events in date order, with formatted dates."""
    rows = []
    timeline = document.get("timeline") or {}
    for event in sorted(
        timeline.get("events") or [], key=lambda e: (e["start"], KIND_ORDER.get(e["kind"], 9))
    ):
        when = nice_date(event["start"]).replace(" ", "\u00a0")
        if event.get("end"):
            when = f"{when} – " + nice_date(event["end"]).replace(" ", "\u00a0")
        rows.append(
            {
                "when": when,
                "label": event.get("label", ""),
                "note": event.get("note", ""),
                "kind": event.get("kind", ""),
                "optional": bool(event.get("optional")),
            }
        )
    return rows


def sessions(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return the laser estimate and the touch-up, formatted."""
    data = document.get("sessions") or {}
    laser = data.get("laser") or {}
    low, high = (list(laser.get("range") or [0, 0]) + [0, 0])[:2]
    interval = list(laser.get("interval_weeks") or [0, 0]) + [0, 0]
    likely = int(laser.get("likely") or 0)
    touch_up = data.get("touch_up") or {}
    healing = list(touch_up.get("healing_weeks") or [4, 6]) + [0, 0]
    return {
        "likely": likely,
        "likely_words": number_words(likely),
        "plural": likely != 1,
        "range": span(int(low), int(high)),
        "high": int(high),
        "high_words": number_words(int(high)),
        "range_words": span(int(low), int(high), words=True),
        "interval": span(int(interval[0]), int(interval[1])),
        "interval_words": span(int(interval[0]), int(interval[1]), words=True),
        "reasons": list(laser.get("reasons") or []),
        "warnings": list(laser.get("warnings") or []),
        "laser": str(laser.get("laser") or DASH),
        "picosecond": bool(laser.get("picosecond")),
        "sources": list(laser.get("sources") or []),
        "total_removal": bool(data.get("total_removal")),
        "touch_up_sessions": int(touch_up.get("sessions") or 0),
        "touch_up_notes": list(touch_up.get("notes") or []),
        "optional_second": bool(touch_up.get("optional_second")),
        "healing": span(int(healing[0]), int(healing[1])),
    }


def skin(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return the skin type with its source and, when estimated, the ITA° estimate."""
    data = document.get("skin") or {}
    fitzpatrick = data.get("fitzpatrick")
    estimate = data.get("estimate") or {}
    estimated = data.get("source") == "estimated"
    return {
        "type": roman(fitzpatrick),
        "number": fitzpatrick,
        "estimated": estimated,
        "source": "estimated from the photo" if estimated else "given by the clinician",
        "ita": num(estimate.get("ita_degrees"), 1, "°") if estimate else None,
        "category": estimate.get("category") if estimate else None,
        "dark": isinstance(fitzpatrick, int) and fitzpatrick >= 5,
    }


def common(
    document: Mapping[str, Any],
    images: Mapping[str, str | None],
    *,
    audience: str,
    clinic_name: str,
    patient_label: str | None,
) -> dict[str, Any]:
    """Return the values shared by both reports (``images`` are data URIs by role)."""
    photo = document.get("photo") or {}
    scale = document.get("scale") or {}
    timeline = document.get("timeline") or {}
    return {
        "audience": audience,
        "title": "Revision plan" if audience == "patient" else "Laser referral summary",
        "clinic_name": clinic_name,
        "patient_label": patient_label,
        "source": photo.get("source") or "unnamed photo",
        "plan_date": nice_date(document.get("created")),
        "version": document.get("scalpmap_version") or "",
        "template": (document.get("target") or {}).get("template") or "",
        "template_words": TEMPLATE_WORDS.get(
            (document.get("target") or {}).get("template") or "", "a new hairline"
        ),
        "scale": f"{num(scale.get('mm_per_px'), 4)} mm/px, "
        + scale_source_words(scale.get("source"), scale.get("uncertainty_percent")),
        "scale_estimate": scale_estimate(scale),
        "images": dict(images),
        "zones": zones(document),
        "events": events(document),
        "provisional": not timeline.get("start_given", False),
        "sessions": sessions(document),
        "skin": skin(document),
        "figures": figures_of(document),
    }
