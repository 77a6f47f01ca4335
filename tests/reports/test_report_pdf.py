"""The PDF reports and write_reports: valid A4 PDFs, written atomically."""

from __future__ import annotations

import re
import zlib
from pathlib import Path
from typing import Any

import pytest

from scalpmap.reports import html_to_pdf, render_report_html, write_reports
from scalpmap.reports import output as output_module

A4_POINTS = (595, 842)


def _pdf_objects(pdf: bytes) -> bytes:
    """The PDF's bytes plus its decompressed streams (WeasyPrint packs objects in streams)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.DOTALL):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue  # an image
    return b"\n".join(parts)


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", _pdf_objects(pdf)))


def _check_pdf(pdf: bytes, pages: range) -> None:
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert page_count(pdf) in pages
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", _pdf_objects(pdf))
    assert boxes
    for box in boxes:
        x0, y0, x1, y1 = (float(v) for v in box.split())
        assert (round(x1 - x0), round(y1 - y0)) == A4_POINTS


def test_write_reports(
    tmp_path: Path, mature_doc: dict[str, Any], mature_images: dict[str, bytes]
) -> None:
    out = tmp_path / "reports"
    written = write_reports(out, mature_doc, mature_images, patient_label="Case 17")
    assert {role: path.name for role, path in written.items()} == {
        "patient_html": "plan.html",
        "facility_html": "facility.html",
        "patient_pdf": "plan.pdf",
        "facility_pdf": "facility.pdf",
    }
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written.values())
    html = written["patient_html"].read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Case 17" in html
    _check_pdf(written["patient_pdf"].read_bytes(), range(2, 7))
    _check_pdf(written["facility_pdf"].read_bytes(), range(2, 6))
    # Each PDF is small: the pictures were shrunk and embedded as JPEG.
    assert written["patient_pdf"].stat().st_size < 2_000_000


def test_remove_all_pdf(
    remove_all_doc: dict[str, Any], remove_all_images: dict[str, bytes]
) -> None:
    html = render_report_html(remove_all_doc, remove_all_images, audience="patient")
    _check_pdf(html_to_pdf(html), range(2, 6))


def test_no_pdf_and_failures_leave_old_files(
    tmp_path: Path, mature_doc: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    written = write_reports(tmp_path, mature_doc, {}, pdf=False)
    assert sorted(written) == ["facility_html", "patient_html"]
    (tmp_path / "plan.pdf").write_bytes(b"old")
    old_html = written["patient_html"].read_bytes()

    def broken(html: str) -> bytes:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(output_module, "html_to_pdf", broken)
    with pytest.raises(RuntimeError):
        write_reports(tmp_path, mature_doc, {}, patient_label="new")
    assert (tmp_path / "plan.pdf").read_bytes() == b"old"
    assert written["patient_html"].read_bytes() == old_html
    assert sorted(p.name for p in tmp_path.iterdir()) == ["facility.html", "plan.html", "plan.pdf"]


def test_external_urls_are_not_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n")
    html = f'<html><body><img src="file://{secret}"><p>text</p></body></html>'
    pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF-") and b"/Subtype /Image" not in _pdf_objects(pdf)


def test_printing_a_pdf_does_not_let_truncated_photos_through(tmp_path):
    """WeasyPrint switches Pillow's LOAD_TRUNCATED_IMAGES on at import; photos must still fail."""
    import io

    import numpy as np
    import pytest
    from PIL import Image

    from scalpmap.errors import PhotoError
    from scalpmap.imaging.photo_io import load_photo
    from scalpmap.reports import html_to_pdf

    html_to_pdf("<p>hello</p>")
    buffer = io.BytesIO()
    noise = np.random.default_rng(0).integers(0, 256, (200, 200, 3), np.uint8)
    Image.fromarray(noise).save(buffer, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(PhotoError):
        load_photo(path)
