"""The HTML reports: self-contained, complete, escaped; parsed, not string-searched."""

from __future__ import annotations

import copy
from html.parser import HTMLParser
from typing import Any

import pytest

from scalpmap.clinic_identity import ClinicIdentity
from scalpmap.errors import InputError
from scalpmap.planning.laser_rules import interval_rule, touch_up_rule
from scalpmap.planning.plan_figures import plan_figures
from scalpmap.reports import Audience, patient_words, render_report_html
from scalpmap.reports.context import FACTOR_LABELS, zones

HOSTILE = '<script>alert("x")</script>'


class Page(HTMLParser):
    """Collects tags, attributes, section headings and visible text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[str] = []
        self.text_parts: list[str] = []
        self._in: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._in:
            del self._in[len(self._in) - 1 - self._in[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] in ("style", "script"):
            return
        self.text_parts.append(data)
        if self._in and self._in[-1] in ("h2", "h3"):
            self.headings.append(data.strip())

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]


def _render(doc: dict[str, Any], images: dict[str, bytes], audience: Audience, **kw: Any) -> Page:
    return Page(render_report_html(doc, images, audience=audience, **kw))


@pytest.mark.parametrize("audience", ["patient", "facility"])
def test_self_contained(
    mature_doc: dict[str, Any], mature_images: dict[str, bytes], audience: Audience
) -> None:
    html = render_report_html(mature_doc, mature_images, audience=audience)
    page = Page(html)
    assert {t for t, _ in page.tags}.isdisjoint({"script", "link", "iframe", "object", "embed"})
    images = page.named("img")
    assert images and all(str(a.get("src")).startswith("data:image/") for a in images)
    assert all(a.get("alt") for a in images)
    for tag, attrs in page.tags:
        for name in ("src", "href", "action"):
            assert attrs.get(name) is None or str(attrs[name]).startswith("data:"), (tag, attrs)
    assert "http://" not in html and "https://" not in html and "@import" not in html


def test_patient_report_content(
    mature_doc: dict[str, Any], mature_images: dict[str, bytes]
) -> None:
    page = _render(mature_doc, mature_images, "patient", patient_label="J. Doe")
    text = page.text
    headings = ["What we see", "What we propose", "How many laser sessions, and why", "When",
                "What it will look like", "Risks"]  # fmt: skip
    assert [h for h in page.headings if h in headings] == headings
    # Each part says where it comes from, in one sentence.
    assert text.count("Source: ") == len(headings)
    assert "Revision plan" in text and "scalpmap clinic" not in text and "J. Doe" in text
    assert "sample_scalp.jpg" in text and "Fri 27 Nov 2026" in text
    assert "one laser session" in text  # likely: 1, in words
    assert zones(mature_doc)[0]["area"] in text  # the removal area, as every report says it
    patient = patient_words.patient(mature_doc)
    for aspect in patient["findings"]["aspects"]:
        assert aspect["text"] in text
    # The clinician's findings, reasons and warnings stay in the facility report.
    for measure in mature_doc["assessment"]["measures"]:
        assert measure["text"].split(": ", 1)[1] not in text
    for line in (
        mature_doc["sessions"]["laser"]["reasons"] + mature_doc["sessions"]["laser"]["warnings"]
    ):
        assert line not in text
    for line in patient["sessions"]["reasons"] + patient["sessions"]["cautions"]:
        assert line in text
    assert interval_rule() in text and touch_up_rule() in text
    for event in mature_doc["timeline"]["events"]:
        assert event["label"] in text and event["note"] in text
    assert "Provisional dates" in text  # no start date was given
    alts = [a.get("alt") for a in page.named("img")]
    assert "Simulated result after the SMP touch-up" in alts
    assert "Removal zone outlined in red" not in alts  # the facility's map


def test_remove_all_patient_has_no_touch_up(
    remove_all_doc: dict[str, Any], remove_all_images: dict[str, bytes]
) -> None:
    page = _render(remove_all_doc, remove_all_images, "patient")
    assert touch_up_rule() not in page.text
    assert "We remove all of your SMP with the laser." in page.text
    assert "two laser sessions" in page.text
    assert zones(remove_all_doc)[0]["area"] in page.text
    assert all("touch-up" not in str(a.get("alt")) for a in page.named("img"))
    # Fitzpatrick V: light patches, said plainly; the clinical term stays with the facility.
    assert "lose some of its colour in small patches" in page.text
    assert "hypopigmentation" not in page.text and "Fitzpatrick" not in page.text


def test_facility_report_content(
    mature_doc: dict[str, Any], mature_images: dict[str, bytes]
) -> None:
    page = _render(mature_doc, mature_images, "facility")
    text = page.text
    assert "Laser referral summary" in text
    figures = mature_doc["figures"]  # the texts every surface shows (plan_figures)
    assert figures["removal_area_cm2"]["text"] in text
    removed = mature_doc["zones"]["removal"]["impressions"]
    assert figures["removal_impressions"]["text"] == str(removed)
    assert figures["removal_impressions"]["text"] in text
    kd = mature_doc["sessions"]["kirby_desai"]
    assert f"Total Kirby-Desai score {kd['score']}" in text
    for factor in kd["factors"]:
        assert FACTOR_LABELS[factor["name"]] in text
        assert factor["explanation"] in text
    assert "Fitzpatrick III" in text and "40.5°" in text and "estimate" in text.lower()
    assert "Confirm the skin type in person" in text
    pigment = mature_doc["analysis"]
    assert f"{pigment['median_diameter_mm']:.2f} mm" in text and pigment["ink_tone"] in text
    assert f"{pigment['mean_density_per_cm2']:.1f} per cm²" in text
    cast = next(m for m in mature_doc["assessment"]["measures"] if m["name"] == "colour_cast")
    assert f"{cast['details']['cast']} cast, shift {cast['value']:.2f}" in text
    assert f"{pigment['blown_out_percent']:.1f}%" in text
    assert "1064 nm" in text and "starting conservatively" in text
    assert "Fluence" in text and "J/cm" not in text  # no invented fluence numbers
    alts = [a.get("alt") for a in page.named("img")]
    assert alts == ["Removal zone outlined in red"]


def test_facility_dark_skin_asks_for_a_test_patch(
    remove_all_doc: dict[str, Any], remove_all_images: dict[str, bytes]
) -> None:
    text = _render(remove_all_doc, remove_all_images, "facility").text
    assert "Fitzpatrick V" in text and "given by the clinician" in text
    assert "test patch" in text and "Lower fluence" in text
    assert "Total Kirby-Desai score 10" in text


def test_hostile_strings_are_escaped(mature_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(mature_doc)
    doc["photo"]["source"] = HOSTILE
    doc["sessions"]["laser"]["warnings"] = ['<img src="http://evil.example/x.png">']
    doc["assessment"]["measures"][0]["text"] = "good: <b>bold</b> & more"
    audiences: tuple[Audience, ...] = ("patient", "facility")
    for audience in audiences:
        html = render_report_html(
            doc,
            {},
            audience=audience,
            clinic=ClinicIdentity(name="<i>Evil</i> & Co", address="<script>x()</script>"),
            patient_label=HOSTILE,
        )
        page = Page(html)
        assert not page.named("script") and not page.named("i")
        assert all(str(a.get("src", "")).startswith("data:") for a in page.named("img"))
        assert "&lt;script&gt;" in html and "<script>" not in html
        assert HOSTILE in page.text and "<i>Evil</i> & Co" in page.text
    assert "<b>bold</b>" not in render_report_html(doc, {}, audience="patient")


def test_missing_pictures_are_left_out(mature_doc: dict[str, Any]) -> None:
    page = _render(mature_doc, {}, "patient")
    assert page.named("img") == []
    assert "What it will look like" not in page.headings and "What we see" in page.headings
    assert "No removal map was attached." in _render(mature_doc, {}, "facility").text


def test_start_given_drops_the_provisional_note(mature_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(mature_doc)
    doc["timeline"]["start_given"] = True
    assert "Provisional dates" not in _render(doc, {}, "patient").text


def test_bad_input_is_refused(mature_doc: dict[str, Any]) -> None:
    with pytest.raises(InputError, match="scalpmap-plan/1"):
        render_report_html({"format": "other"}, {}, audience="patient")
    with pytest.raises(InputError, match="audience"):
        render_report_html(mature_doc, {}, audience="lab")
    with pytest.raises(InputError, match="PNG or JPEG"):
        render_report_html(mature_doc, {"before": b"GIF89a..."}, audience="patient")


def test_coverage_mode_values_say_not_measured(mature_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(mature_doc)
    for key in ("count_in_region", "median_diameter_mm", "blown_out_percent", "median_darkness"):
        doc["analysis"][key] = None
    doc["analysis"]["mode"] = "coverage"
    doc["assessment"]["measures"] = [{"name": "colour_cast", "verdict": "n/a", "text": "n/a: -"}]
    doc["skin"]["estimate"] = None
    doc["photo"]["source"] = None
    doc["figures"] = plan_figures(doc)  # as a plan made in coverage mode stores them
    text = _render(doc, {}, "facility").text
    assert "Median impression diameter not measured" in text and "unnamed photo" in text
    assert "Impressions in the region not measured" in text and "—" not in text
    assert "Not measured: single impressions are not resolved on this photo" in text
    assert "We could not judge these from this photo: colour." in _render(doc, {}, "patient").text


def test_a_plan_stored_before_its_figures_shows_its_own_numbers(mature_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(mature_doc)
    stored = doc.pop("figures")  # a plan.json written before plans stored their figures
    text = _render(doc, {}, "facility").text
    area = doc["analysis"]["region_area_cm2"]
    assert area > 0 and f"Pigmented region {area:.2f} cm²" in text
    assert stored["region_area_cm2"]["text"] in text and stored["removal_area_cm2"]["text"] in text
    del doc["analysis"]  # a plan document that holds no analysis at all
    text = _render(doc, {}, "facility").text
    assert "Pigmented region not measured" in text and "0.00 cm²" not in text
    assert "Not measured: the plan holds no analysis of the photo." in text
