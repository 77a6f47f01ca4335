"""The clinic on every document: name, logo, contact; names in any script print in the PDF."""

from __future__ import annotations

import io
import re
from typing import Any

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from scalpmap.clinic_identity import ClinicIdentity
from scalpmap.clinic_logo import check_logo
from scalpmap.reports import html_to_pdf, render_report_html
from scalpmap.reports.clinic_header import shown_fingerprint

WORLD_NAME = "Ελένη Иванова 李明 محمد"
"""A patient's name in Greek, Cyrillic, Chinese and Arabic."""


def logo_png() -> bytes:
    pixels = np.full((60, 180, 3), 255, dtype=np.uint8)
    pixels[5:55, 5:55] = (31, 111, 139)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return check_logo(out.getvalue()).data


@pytest.fixture(scope="module")
def clinic() -> ClinicIdentity:
    return ClinicIdentity(
        name="Northside Hair Clinic",
        address="12 Mill Lane\nUnit 3",
        postcode="LS1 4AP",
        city="Leeds",
        country="GB",
        country_name="United Kingdom",
        phone="+44 113 496 0000",
        email="reception@northside.example",
        website="https://northside.example",
        logo=logo_png(),
        logo_media_type="image/png",
        time_zone="Europe/London",
    )


def pdf_fonts(data: bytes) -> set[str]:
    """The base names of the fonts embedded in a PDF (subset prefixes removed)."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page["/Resources"].get_object().get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            base = str(font.get("/BaseFont", ""))
            descendants = font.get("/DescendantFonts")
            if descendants:
                descriptor = descendants[0].get_object().get("/FontDescriptor").get_object()
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            names.add(re.sub(r"^/?[A-Z]{6}\+", "", base))
    return names


@pytest.mark.parametrize("audience", ["patient", "facility"])
def test_both_reports_head_with_the_clinic_and_no_placeholder(
    mature_doc: dict[str, Any], clinic: ClinicIdentity, audience: Any
) -> None:
    html = render_report_html(mature_doc, {}, audience=audience, clinic=clinic)
    assert '<div class="clinic">Northside Hair Clinic</div>' in html
    assert '<img class="clinic-logo" src="data:image/png;base64,' in html
    for line in (
        "12 Mill Lane, Unit 3",
        "LS1 4AP Leeds, United Kingdom",
        "Tel. +44 113 496 0000 · Email reception@northside.example",
        "Web northside.example",
        "Prepared by Northside Hair Clinic with scalpmap",
    ):
        assert line in html, line  # fmt: skip
    assert "scalpmap clinic" not in html.lower()
    assert shown_fingerprint(html) == clinic.fingerprint


def test_without_settings_a_report_names_no_clinic_at_all(mature_doc: dict[str, Any]) -> None:
    html = render_report_html(mature_doc, {}, audience="facility")
    assert "scalpmap clinic" not in html.lower() and 'class="clinic"' not in html
    assert "Prepared with scalpmap" in html and "<title>Laser referral summary</title>" in html


def test_a_name_in_greek_cyrillic_chinese_and_arabic_prints_with_embedded_glyphs(
    mature_doc: dict[str, Any], clinic: ClinicIdentity
) -> None:
    html = render_report_html(
        mature_doc, {}, audience="facility", clinic=clinic, patient_label=WORLD_NAME
    )
    pdf = html_to_pdf(html)
    fonts = pdf_fonts(pdf)
    assert any("CJK" in name for name in fonts), (
        f"no CJK font (apt-get install fonts-noto-cjk): {fonts}"
    )
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for word in ("Ελένη", "Иванова", "李明"):
        assert word in text, (word, text[:400])
    # Arabic is shaped (joined letter forms); its letters come back from the text layer.
    assert {"م", "ح", "د"} <= set(text)
    assert "Northside Hair Clinic" in text and "+44 113 496 0000" in text


def test_the_referral_letter_tells_the_facility_how_to_report_back(
    mature_doc: dict[str, Any], clinic: ClinicIdentity
) -> None:
    import datetime as dt
    from types import SimpleNamespace

    from scalpmap.reports.referral import render_referral_html

    facility = SimpleNamespace(
        name="Clear Skin Laser", address="3 Park Row", city="Leeds", country="GB", phone=None,
        email="referrals@clearskin.example",
    )  # fmt: skip
    html = render_referral_html(
        mature_doc, facility, referral_id=4, case_id=12, referred_on=dt.date(2027, 3, 1),
        clinic=clinic, signed_by="Dr Admin",
    )  # fmt: skip
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert (
        "Please report each session back to us by email to reception@northside.example or by "
        "phone on +44 113 496 0000 (date, device" in text
    )
    assert "quoting our reference R-4 (case 12)" in text
    assert (
        "Dr Admin Northside Hair Clinic 12 Mill Lane, Unit 3 LS1 4AP Leeds, United Kingdom" in text
    )
    bare = render_referral_html(
        mature_doc, facility, referral_id=4, case_id=12, referred_on=dt.date(2027, 3, 1)
    )
    assert "report each session back to us (date, device" in " ".join(bare.split())
