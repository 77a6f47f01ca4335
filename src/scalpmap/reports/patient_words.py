"""The patient's plan in plain words: what we see, what we propose, sessions, timing and risks.

Everything here is read from a plan.json document and said without statistics, thresholds or
internal names (those stay in the facility report and the plan page's detail section). Each
part carries one sentence of source, naming the published work for a reader. The reasons and
cautions come from the same rules as the clinician's
(:func:`scalpmap.planning.laser_rules.laser_rules`), rebuilt from the plan's stored inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scalpmap.planning.assessment import CLUSTERED_R
from scalpmap.planning.laser_rules import (
    HEALING_WEEKS,
    LASER_INTERVAL_WEEKS,
    interval_rule,
    laser_cautions,
    laser_rules,
    touch_up_rule,
)
from scalpmap.planning.timeline_rest import plan_weeks

ASPECTS = {
    "impression_size": "Dot size",
    "spacing": "Dot spacing",
    "patchiness": "Evenness",
    "colour_cast": "Colour",
    "hairline_harshness": "Hairline edge",
    "symmetry": "Symmetry",
}
SEEN: dict[str, dict[str, str]] = {
    "impression_size": {
        "good": "The dots are a natural size; very few have spread.",
        "fair": "Some dots have spread a little and look larger or softer than fresh ones.",
        "poor": "Many dots have spread and look blurred.",
    },
    "spacing": {
        "good": "The dots are spaced naturally, like the hair they imitate.",
        "fair": "The dots are spaced very evenly, a little more regularly than natural hair.",
        "poor": "The dots sit in a regular pattern, rather than the random spread of natural hair.",
        "clustered": "Some dots sit in clumps rather than spread out like natural hair.",
    },
    "patchiness": {
        "good": "The density is even across the scalp.",
        "fair": "Some areas are a little denser or lighter than others.",
        "poor": "The density is patchy: some areas are clearly denser or lighter than others.",
    },
    "colour_cast": {
        "good": "The pigment looks a neutral black.",
        "blue": "The pigment looks slightly bluish. This is common: black pigment seen through "
        "the skin, or a blue-black ink, often looks this way.",
        "green": "The pigment has a slight greenish tint. This can come from the ink used or "
        "from ink that has spread a little under the skin; your practitioner will look at it "
        "with you.",
        "warm": "The pigment looks slightly brown. Some brown inks respond less well to the "
        "laser, so the laser clinic may test a small patch first.",
    },
    "hairline_harshness": {
        "good": "The hairline fades in softly, like a natural one.",
        "fair": "The hairline edge is rather blurred: it fades in over a wider band than a "
        "natural hairline.",
        "poor": "The hairline edge is sharp, so it looks drawn on rather than grown.",
    },
    "symmetry": {
        "good": "The two sides of the hairline match.",
        "fair": "One side of the hairline sits a little higher than the other.",
        "poor": "One side of the hairline sits clearly higher than the other.",
    },
}
OVERALL = {
    "good": "Overall, your current SMP is in good shape.",
    "fair": "Overall, your current SMP is fair, with some points to improve.",
    "poor": "Overall, your current SMP needs work.",
    "n/a": "From this photo we could not judge enough of your SMP for an overall verdict.",
}
VERDICT_WORDS = {"good": "Good", "fair": "Fair", "poor": "Needs work"}
PROPOSAL = {
    "keep": "We keep the shape of your current hairline and refresh it.",
    "soften": "We soften your hairline: the temple corners are rounded and the edge is feathered.",
    "mature": "We move your hairline to a mature position that suits your age: a little higher, "
    "more at the temples than in the middle, in a gentle V.",
    "custom": "We move your hairline to the new line we designed with you.",
    "remove-all": "We remove all of your SMP with the laser.",
}
SOURCES = {
    "seen": "Source: every dot in your photo is measured, and the hairline is compared with the "
    "published rules hair-restoration surgeons use for natural hairlines (Garg; Shapiro; "
    "Nusbaum).",
    "proposal": "Source: the new line follows the published rules hair-restoration surgeons use "
    "for natural hairlines (Garg, from 431 patients; Shapiro; Nusbaum): never ruler-straight, "
    "with a soft edge.",
    "removal": "Source: laser removal of SMP pigment has been published (Wu 2020, Lasers in "
    "Surgery and Medicine).",
    "sessions": "Source: in a published series of SMP removals with a modern laser, one to "
    "three sessions were needed (Wu 2020, Lasers in Surgery and Medicine); a scale laser "
    "clinics use for ordinary tattoos (Kirby et al. 2009) predicts more, because it was made "
    "for larger tattoos and older lasers.",
    "when": "Source: laser clinics usually wait about six weeks before treating the same patch "
    "again; a published series of SMP removals (Wu 2020) treated sooner, so the plan is on the "
    "safe side.",
    "pictures": "Source: your own photo, changed as the plan describes; your own result depends "
    "on how your skin responds.",
    "risks": "Source: a published series of SMP removals reported no unexpected side effects "
    "(Wu 2020, Lasers in Surgery and Medicine); the points above are the known effects of "
    "laser treatment on the scalp.",
}


def _sentence(measure: Mapping[str, Any]) -> str | None:
    """Return what a measured aspect means for the patient; None when it was not measured."""
    name, verdict = str(measure.get("name")), str(measure.get("verdict"))
    words = SEEN.get(name)
    if words is None or verdict not in VERDICT_WORDS:
        return None
    if name == "colour_cast" and verdict != "good":
        cast = str((measure.get("details") or {}).get("cast") or "blue")
        return words.get(cast, words["blue"])
    value = measure.get("value")
    clustered = isinstance(value, int | float) and value < CLUSTERED_R
    if name == "spacing" and verdict == "poor" and clustered:
        return words["clustered"]
    return words[verdict]


def findings(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return what we see: the overall sentence, each measured aspect, and what was not judged.

    Parameters
    ----------
    document : mapping
        The plan.json document.

    Returns
    -------
    dict
        ``overall`` (a sentence), ``verdict`` (good, fair, poor or n/a), ``aspects`` (a list of
        dicts with ``label``, ``verdict``, ``verdict_words`` and ``text``), ``not_judged`` (the
        aspects' names in lower case) and ``source``.
    """
    data = document.get("assessment") or {}
    aspects, not_judged = [], []
    for measure in data.get("measures") or []:
        name = str(measure.get("name"))
        label = ASPECTS.get(name, name.replace("_", " ").capitalize())
        text = _sentence(measure)
        if text is None:
            not_judged.append(label.lower())
            continue
        verdict = str(measure["verdict"])
        aspects.append(
            {"label": label, "verdict": verdict, "verdict_words": VERDICT_WORDS[verdict],
             "text": text}
        )  # fmt: skip
    overall = str(data.get("overall") or "n/a")
    if overall not in OVERALL or not aspects:
        overall = "n/a"
    return {
        "overall": OVERALL[overall],
        "verdict": overall,
        "aspects": aspects,
        "not_judged": not_judged,
        "source": SOURCES["seen"],
    }


def proposal(document: Mapping[str, Any], *, total_removal: bool) -> dict[str, str]:
    """Return what we propose, in one or two sentences, with its source."""
    template = str((document.get("target") or {}).get("template") or "custom")
    if total_removal:
        return {"text": PROPOSAL["remove-all"], "source": SOURCES["removal"]}
    text = PROPOSAL.get(template, PROPOSAL["custom"])
    more = (
        " The pigment outside the new hairline is removed with a laser; once the skin has "
        "healed, a short SMP touch-up adds density and shape inside the new line."
    )
    return {"text": text + more, "source": SOURCES["proposal"]}


def _factor(kd: Mapping[str, Any], name: str, key: str, default: Any) -> Any:
    for factor in kd.get("factors") or []:
        if factor.get("name") == name:
            return factor.get(key, default)
    return default


def sessions(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return the laser sessions' reasons and cautions and the timing rules, for the patient.

    The rules are rebuilt from the plan's stored inputs (skin type, ink tone and darkness, the
    Kirby-Desai factors, the laser), so they are the clinician's reasons in other words.

    Parameters
    ----------
    document : mapping
        The plan.json document.

    Returns
    -------
    dict
        ``reasons`` and ``cautions`` (sentences), ``interval_rule``, ``touch_up_rule`` and
        ``sources`` (``sessions``, ``when``, ``pictures`` and ``risks``).
    """
    plan = document.get("sessions") or {}
    laser = plan.get("laser") or {}
    kd = plan.get("kirby_desai") or {}
    analysis = document.get("analysis") or {}
    skin = document.get("skin") or {}
    fitzpatrick = skin.get("fitzpatrick")
    fitzpatrick = fitzpatrick if isinstance(fitzpatrick, int) else 0
    tone = str(analysis.get("ink_tone") or "unknown")
    darkness = analysis.get("median_darkness") if analysis.get("mode") == "impressions" else None
    scarring = _factor(kd, "scarring", "points", 0)
    scarring = scarring if isinstance(scarring, int) else 0
    rules = laser_rules(
        fitzpatrick=fitzpatrick,
        ink_tone=tone,
        median_darkness=darkness if isinstance(darkness, int | float) else None,
        density_per_cm2=None,
        ink_amount=str(_factor(kd, "ink_amount", "value", "")),
        layering=str(_factor(kd, "layering", "value", "")),
        scarring_points=scarring,
        picosecond=laser.get("picosecond") is not False,
    )
    cautions = laser_cautions(fitzpatrick=fitzpatrick, scarring_points=scarring, ink_tone=tone)
    touch_up = plan.get("touch_up") or {}
    interval = plan_weeks(laser.get("interval_weeks"), LASER_INTERVAL_WEEKS)
    return {
        "reasons": [rule.patient for rule in rules],
        "cautions": [caution.patient for caution in cautions],
        "interval_rule": interval_rule(interval),
        "touch_up_rule": touch_up_rule(plan_weeks(touch_up.get("healing_weeks"), HEALING_WEEKS)),
        "sources": {key: SOURCES[key] for key in ("sessions", "when", "pictures", "risks")},
    }


def patient(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return the patient report's own words: ``findings``, ``proposal`` and ``sessions``.

    Parameters
    ----------
    document : mapping
        The plan.json document.

    Returns
    -------
    dict
        :func:`findings`, :func:`proposal` and :func:`sessions` of the document.
    """
    total_removal = bool((document.get("sessions") or {}).get("total_removal"))
    return {
        "findings": findings(document),
        "proposal": proposal(document, total_removal=total_removal),
        "sessions": sessions(document),
    }
