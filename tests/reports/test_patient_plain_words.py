"""The patient's plan reads as plain words: no statistic, no internal name, a source for each part.

A word list of what a reader who is not a clinician should never meet (statistics, thresholds,
internal names, file names, seeds, laser jargon, alarming phrases) is checked over the text
extracted from the patient PDF of a close-up plan, a total removal on darker skin and a
whole-head plan, and over every patient sentence the session rules can produce.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from pathlib import Path
from typing import Any

import numpy as np
import pypdf
import pytest
from numpy.typing import NDArray

from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.photo_io import load_photo
from scalpmap.imaging.synth_truth import SynthTruth
from scalpmap.planning.laser_rules import interval_rule, laser_cautions, laser_rules
from scalpmap.planning.plan import PlanOptions, build_plan
from scalpmap.planning.plan_json import plan_to_json
from scalpmap.reports import html_to_pdf, patient_words, render_report_html, report_images

TODAY = dt.date(2026, 11, 27)
FORBIDDEN: list[tuple[str, str]] = [
    (r"\bR\s*=|Clark|\bNN\b|NN-|nearest.neighbou?r|direction order", "a spacing statistic"),
    (r"\bCV\b|coefficient of variation", "a coefficient of variation"),
    (r"\bCI\b|confidence|\bIQR\b|interquartile|quartile", "an interval statistic"),
    (r"p-value|\bp\s*[<=>]|\bsigma\b|σ|standard (deviation|uncertainty)|±", "a statistic"),
    (r"\bmedian\b|\bmean\b|\baverage\b|\bz\s*=", "a statistic"),
    (r"\d+[.,]\d+\s*%", "a percentage with decimals"),
    (r"threshold|\bshift\b|\bscore\b|Kirby-Desai|ink load|blown out", "a threshold or score"),
    (r"\bseed\b", "a random seed"),
    (r"PRODUCT|README|\b[\w-]+\.(md|py|json|j2|csv|ya?ml|toml)\b", "a file of the software"),
    (r"\b[a-z]+_[a-z_]+\b", "an internal identifier"),
    (r"\bmode\b|analysis", "the analysis's internal name"),
    (r"Fitzpatrick|\btypes? (I|II|III|IV|V|VI)\b|\bITA\b", "a clinical scale's name"),
    (r"hypopigmentation|fluence|Nd:YAG|\bnm\b|picosecond|nanosecond|Q-switched", "laser jargon"),
    (r"mm/px|\bpx\b|pixel|impressions?/cm", "a measurement unit of the software"),
    (r"wrong pigment|migration|unnatural|poor work", "alarming wording"),
    (r"\bn/a\b|\bN/A\b|\bNone\b|\bnull\b|\bnan\b|[{}]", "a leaked value"),
    (r"J Clin|J Cosmet|Lasers Surg Med|Dermatol", "a citation abbreviated for specialists"),
]


def offences(text: str) -> list[str]:
    """Return what a non-clinician should not meet in ``text``, each with what it is."""
    found = []
    for pattern, what in FORBIDDEN:
        for match in re.finditer(pattern, text):
            start = max(0, match.start() - 40)
            found.append(f"{what}: {match.group(0)!r} in …{text[start : match.end() + 40]}…")
    return found


def pdf_text(document: dict[str, Any], images: dict[str, bytes]) -> str:
    """The patient PDF's text as a reader gets it, with the photo's own file name left out."""
    pdf = html_to_pdf(render_report_html(document, images, audience="patient"))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(text.replace(str(document["photo"]["source"]), "the photo").split())


@pytest.fixture(scope="module")
def whole_head(face_photo: tuple[Path, SynthTruth]) -> tuple[dict[str, Any], dict[str, bytes]]:
    """A whole head from the front (scale from the iris), mature template, darker skin."""
    rgb: NDArray[np.uint8] = load_photo(face_photo[0]).rgb
    options = PlanOptions(template="mature", age=45, skin_type=5)
    plan = build_plan(rgb, analyse_photo(rgb), options, today=TODAY)
    document = plan_to_json(plan, source="face-front.jpg", created=TODAY)
    images = report_images(rgb, document)
    return document, {**images, "after_laser": images["before"], "after_touch_up": images["before"]}


def check_patient_pdf(document: dict[str, Any], images: dict[str, bytes]) -> str:
    text = pdf_text(document, images)
    assert not offences(text), "\n".join(offences(text))
    # One sentence of source for each part, naming published work or the patient's own photo.
    sources = re.findall(r"Source: (.*?)\.(?: |$)", text)
    assert len(sources) == text.count("Source: ") >= 5
    for source in sources:
        assert re.search(r"\b(Garg|Shapiro|Nusbaum|Wu|Kirby)\b|your (own )?photo", source), source
    assert interval_rule(document["sessions"]["laser"]["interval_weeks"]) in text
    return text


def test_close_up_patient_pdf_is_in_plain_words(
    mature_doc: dict[str, Any], mature_images: dict[str, bytes]
) -> None:
    text = check_patient_pdf(mature_doc, mature_images)
    # The bluish cast is said calmly, and the clinician's wording stays away.
    assert "The pigment looks slightly bluish. This is common" in text


def test_total_removal_on_darker_skin_is_in_plain_words(
    remove_all_doc: dict[str, Any], remove_all_images: dict[str, bytes]
) -> None:
    text = check_patient_pdf(remove_all_doc, remove_all_images)
    assert "lose some of its colour in small patches" in text


def test_whole_head_patient_pdf_is_in_plain_words(
    whole_head: tuple[dict[str, Any], dict[str, bytes]],
) -> None:
    document, images = whole_head
    assert document["scale"]["source"] == "iris"  # the estimated scale's note is checked too
    text = check_patient_pdf(document, images)
    assert "We could not judge these from this photo" in text


def test_the_word_list_catches_what_the_clinician_reads(mature_doc: dict[str, Any]) -> None:
    """The list is not empty words: it flags the professional texts of the same plan."""
    statistics = ("impression_size", "spacing", "patchiness", "colour_cast", "hairline_harshness")
    for measure in mature_doc["assessment"]["measures"]:
        if measure["name"] in statistics:
            assert offences(measure["text"]), measure["name"]
    clinical = " ".join(mature_doc["notes"] + mature_doc["sessions"]["laser"]["reasons"])
    assert offences(clinical)


@pytest.mark.parametrize(
    ("fitzpatrick", "tone", "darkness", "ink", "layering", "scarring", "picosecond"),
    list(
        itertools.product(
            [1, 3, 5, 6],
            ["bluish", "neutral", "faded", "unknown"],
            [None, 0.2, 0.8],
            ["moderate", "significant"],
            ["none", "cover-up"],
            [0, 3],
            [True, False],
        )
    )[::7],
)
def test_every_patient_reason_and_caution_is_plain(
    fitzpatrick, tone, darkness, ink, layering, scarring, picosecond
) -> None:
    rules = laser_rules(
        fitzpatrick=fitzpatrick, ink_tone=tone, median_darkness=darkness, density_per_cm2=60.0,
        ink_amount=ink, layering=layering, scarring_points=scarring, picosecond=picosecond,
    )  # fmt: skip
    cautions = laser_cautions(fitzpatrick=fitzpatrick, scarring_points=scarring, ink_tone=tone)
    for sentence in [r.patient for r in rules] + [c.patient for c in cautions]:
        assert not offences(sentence) and not re.search(r"\d", sentence), sentence
        assert sentence[0].isupper() and sentence.endswith("."), sentence


@pytest.mark.parametrize("name", ["mature", "remove_all"])
def test_the_patient_reasons_are_the_clinicians_rules(
    name: str, plan_documents: dict[str, dict[str, Any]]
) -> None:
    """Rebuilt from plan.json, the rules give the stored reasons, one patient line for each."""
    document = plan_documents[name]
    stored = document["sessions"]["laser"]
    words = patient_words.sessions(document)
    # The stored reasons end with the Kirby-Desai note, which the patient reads as a source.
    assert len(words["reasons"]) == len(stored["reasons"]) - 1
    assert len(words["cautions"]) == len(stored["warnings"])


def test_no_document_cites_a_file_of_the_software_or_a_seed(
    plan_documents: dict[str, dict[str, Any]],
    whole_head: tuple[dict[str, Any], dict[str, bytes]],
) -> None:
    """The facility's and the patient's reports and the plan notes (CLI, designer) name none."""
    internal = re.compile(r"PRODUCT|README|\b[\w-]+\.(md|py|j2)\b|\bseed\b", re.IGNORECASE)
    for document in [*plan_documents.values(), whole_head[0]]:
        for note in document["notes"] + document["target"]["notes"]:
            assert not internal.search(note), note
        for audience in ("patient", "facility"):
            html = render_report_html(document, {}, audience=audience)
            text = re.sub(r"<[^>]+>", " ", html.split("</style>", 1)[1])
            assert not internal.search(text), internal.search(text)


def test_the_interval_rule_reads_the_same_in_both_reports(mature_doc: dict[str, Any]) -> None:
    rule = interval_rule(mature_doc["sessions"]["laser"]["interval_weeks"])
    for audience in ("patient", "facility"):
        html = render_report_html(mature_doc, {}, audience=audience)
        assert rule in " ".join(re.sub(r"<[^>]+>", " ", html).split()), audience
