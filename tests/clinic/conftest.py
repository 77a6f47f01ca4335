"""Fixtures for the clinic settings tests: logo files, and a database on each backend."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from scalpmap.store import testing

HOSTILE_SVG = """<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 240 60" onload="alert('svg onload')">
  <script>alert('script')</script>
  <style>@import url(https://tracker.example/a.css);</style>
  <style>.mark { fill: #1f6f8b }</style>
  <a xlink:href="https://evil.example/"><rect width="4" height="4"/></a>
  <image href="https://tracker.example/pixel.png" width="1" height="1"/>
  <foreignObject width="10" height="10"><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>
  <rect class="mark" x="0" y="0" width="60" height="60" rx="10"
        style="fill: url(https://tracker.example/p)"/>
  <circle cx="30" cy="30" r="18" fill="#ffffff" onclick="steal()"/>
  <text x="70" y="40" font-size="28" fill="#1f6f8b">Clinic</text>
</svg>
"""


def logo_png(width: int = 240, height: int = 80, *, seed: int = 1) -> bytes:
    """A small PNG logo: a coloured block on white, with a text chunk that must not survive."""
    from PIL import PngImagePlugin

    pixels = np.full((height, width, 3), 255, dtype=np.uint8)
    rng = np.random.default_rng(seed)
    pixels[10 : height - 10, 10 : height - 10] = rng.integers(0, 200, size=3, dtype=np.uint8)
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


@pytest.fixture
def hostile_svg() -> bytes:
    """An SVG logo carrying scripts, handlers and references outside the file."""
    return HOSTILE_SVG.encode("utf-8")


@pytest.fixture
def png_logo():
    """``png_logo(width, height)``: a small PNG logo."""
    return logo_png


backend = testing.backend
cheap_password_hashing = testing.cheap_password_hashing
db_engine = testing.db_engine
db_session = testing.db_session
db_settings = testing.db_settings
