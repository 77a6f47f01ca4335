"""The logo check: a PNG is re-written clean, an SVG loses all that is active, bad files fail."""

from __future__ import annotations

import io
import zlib

import pytest
from PIL import Image

from scalpmap.clinic_logo import MAX_LOGO_BYTES, check_logo
from scalpmap.errors import InputError


def test_a_png_logo_is_decoded_and_written_again_without_its_text_chunks(png_logo):
    data = png_logo(300, 90)
    logo = check_logo(data, "logo.png")
    assert (logo.media_type, logo.width, logo.height) == ("image/png", 300, 90)
    with Image.open(io.BytesIO(logo.data)) as image:
        assert image.format == "PNG" and image.size == (300, 90)
        assert "Comment" not in image.info
    assert b"<script>" in data and b"<script>" not in logo.data


def test_an_svg_logo_keeps_its_drawing_and_loses_scripts_handlers_and_outside_references(
    hostile_svg,
):
    logo = check_logo(hostile_svg, "logo.svg")
    text = logo.data.decode("utf-8")
    assert logo.media_type == "image/svg+xml" and (logo.width, logo.height) == (240, 60)
    for gone in (
        "script",
        "onload",
        "onclick",
        "tracker.example",
        "evil.example",
        "@import",
        "foreignObject",
        "<image",
        "alert",
    ):
        assert gone not in text, gone
    for kept in ("<rect", "<circle", ">Clinic</text>", ".mark { fill: #1f6f8b }", 'rx="10"'):
        assert kept in text, kept
    assert "<script>" in logo.removed and "onload attribute" in logo.removed


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "is empty"),
        (b"GIF89a" + b"\0" * 40, "neither a PNG nor an SVG"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "damaged PNG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><rect", "not a readable SVG"),
        (b"<?xml version='1.0'?><html><body/></html>", "not an SVG image"),
        (b"<?xml version='1.0'?><note><rect/></note>", "not an SVG image"),
        (
            b"<!DOCTYPE svg [<!ENTITY a 'aaaa'>]><svg xmlns='http://www.w3.org/2000/svg'"
            b" viewBox='0 0 9 9'><text>&a;</text></svg>",
            "DTD or entities",
        ),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><rect width='5' height='5'/></svg>", "no size"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 9 9'><script>x()</script></svg>",
            "nothing to draw",
        ),
    ],
)
def test_files_that_are_no_fit_logo_are_refused_in_one_line(data, words):
    with pytest.raises(InputError, match=words) as caught:
        check_logo(data, "logo")
    assert "\n" not in str(caught.value)


def test_a_logo_over_the_size_limit_is_refused_before_it_is_read():
    with pytest.raises(InputError, match="the limit is 1 MB"):
        check_logo(b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_LOGO_BYTES, "big.png")


def test_a_png_with_a_huge_header_size_is_refused_before_decoding():
    # A valid header claiming 20000 x 20000 pixels with almost no data: a decompression bomb.
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body).to_bytes(4, "big")
        return len(body).to_bytes(4, "big") + kind + body + crc

    header = (20000).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")
    with pytest.raises(InputError, match="20000 x 20000 pixels"):
        check_logo(data, "bomb.png")
