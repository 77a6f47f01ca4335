"""Check a clinic's logo before it is stored: a real PNG, or an SVG cleaned of anything active.

The logo goes into every report, letter and the public enquiry page, so it is treated as hostile
until checked:

* at most :data:`MAX_LOGO_BYTES` bytes;
* a PNG is read by Pillow (its size from the header first, at most :data:`MAX_LOGO_PIXELS`),
  decoded in full and written again as a plain PNG, which drops every text chunk and anything
  appended after the image;
* an SVG is parsed without DTDs or entities (defusedxml) and rebuilt from an allow-list of
  drawing elements and attributes. Scripts, event handlers, ``foreignObject``, embedded
  images, links, animations and every reference outside the file (``href``, ``url(...)``,
  ``@import``) are removed; the removals are reported. An SVG with nothing left to draw, or
  without a size, is refused.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import defusedxml.ElementTree as SafeTree
from defusedxml import DefusedXmlException
from PIL import Image, UnidentifiedImageError

from scalpmap.errors import InputError

__all__ = [
    "MAX_LOGO_BYTES",
    "MAX_LOGO_PIXELS",
    "CheckedLogo",
    "LogoTooLargeError",
    "check_logo",
    "read_logo_file",
]

MAX_LOGO_BYTES = 1_000_000
"""The largest logo file taken, in bytes (1 MB)."""
MAX_LOGO_PIXELS = 4096 * 4096
"""The largest PNG logo taken, in pixels (from its header, before decoding)."""
MAX_SVG_ELEMENTS = 20_000
"""The most elements an SVG logo may have (a logo has hundreds; more only slows every page)."""

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_HINT = "give the logo as a PNG or SVG file"

_ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "symbol", "use", "title", "desc", "style",
        "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
        "text", "tspan", "textPath",
        "linearGradient", "radialGradient", "stop", "clipPath", "mask", "pattern",
    }
)  # fmt: skip
"""SVG elements kept: shapes, text, grouping, paint servers and clipping."""

_ATTRIBUTES = frozenset(
    {
        "id", "class", "style", "transform", "viewBox", "preserveAspectRatio", "width", "height",
        "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "d",
        "points", "pathLength", "dx", "dy", "rotate", "textLength", "lengthAdjust",
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
        "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray",
        "stroke-dashoffset", "opacity", "color", "display", "visibility", "clip-path",
        "clip-rule", "mask", "font-family", "font-size", "font-weight", "font-style",
        "text-anchor", "dominant-baseline", "letter-spacing", "word-spacing",
        "text-decoration", "offset", "stop-color", "stop-opacity", "gradientUnits",
        "gradientTransform", "spreadMethod", "patternUnits", "patternContentUnits",
        "patternTransform", "clipPathUnits", "maskUnits", "maskContentUnits", "href",
        "version", "baseProfile", "startOffset", "method", "spacing", "type", "media",
    }
)  # fmt: skip
"""Attributes kept (references among them checked to stay inside the file)."""

_DRAWING = frozenset(
    {"path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "use"}
)
_TEXTUAL = frozenset({"style", "text", "tspan", "textPath", "title", "desc"})
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
_CSS_DANGER = re.compile(r"@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding", re.I)


@dataclass(frozen=True)
class CheckedLogo:
    """A logo fit to store.

    Attributes
    ----------
    data : bytes
        The PNG written again, or the cleaned SVG.
    media_type : str
        ``image/png`` or ``image/svg+xml``.
    width, height : int
        Its size in pixels (an SVG's from its ``width``/``height`` or ``viewBox``, rounded).
    removed : tuple of str
        What was taken out of an SVG (e.g. ``"<script>"``, ``"onload"``), for the message.
    """

    data: bytes
    media_type: str
    width: int
    height: int
    removed: tuple[str, ...] = ()


def check_logo(data: bytes, filename: str = "") -> CheckedLogo:
    """Check a logo file and return what may be stored.

    Parameters
    ----------
    data : bytes
        The file's content.
    filename : str, optional
        Its name, only for the messages.

    Returns
    -------
    CheckedLogo
        The logo to store.

    Raises
    ------
    InputError
        When it is empty, too large, neither PNG nor SVG, damaged, or an SVG with nothing to
        draw or without a size (one line saying what to do).
    """
    name = f"{filename} " if filename else ""
    if not data:
        raise InputError(f"the logo file {name}is empty: {_HINT}")
    if len(data) > MAX_LOGO_BYTES:
        raise _too_large(len(data), name)
    if data.startswith(_PNG_SIGNATURE):
        return _check_png(data, name)
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")):
        return _check_svg(data, name)
    raise InputError(f"the logo file {name}is neither a PNG nor an SVG image: {_HINT}")


class LogoTooLargeError(InputError):
    """The logo file is over :data:`MAX_LOGO_BYTES` (HTTP 413)."""


def _too_large(size: int, name: str) -> LogoTooLargeError:
    return LogoTooLargeError(
        f"the logo file {name}is {size / 1e6:.1f} MB; the limit is "
        f"{MAX_LOGO_BYTES / 1e6:.0f} MB: save it smaller (e.g. 600 px wide) and try again"
    )


def read_logo_file(path: Path) -> bytes:
    """Read a logo file, refusing one over :data:`MAX_LOGO_BYTES` before reading it.

    Parameters
    ----------
    path : pathlib.Path
        The file.

    Returns
    -------
    bytes
        Its content (not checked yet: see :func:`check_logo`).

    Raises
    ------
    InputError
        When it cannot be read or is too large.
    """
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_LOGO_BYTES:
                raise _too_large(size, f"{path.name} ")
            return handle.read(MAX_LOGO_BYTES + 1)
    except OSError as error:
        raise InputError(f"cannot read the logo {path}: {error.strerror or error}") from None


def _check_png(data: bytes, name: str) -> CheckedLogo:
    if data[12:16] == b"IHDR":  # the size, from the header, before Pillow reads anything
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        if width * height > MAX_LOGO_PIXELS:
            raise InputError(
                f"the logo {name}is {width} x {height} pixels; the limit is "
                f"{MAX_LOGO_PIXELS / 1e6:.0f} megapixels: save it smaller (e.g. 600 px wide)"
            )
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            width, height = image.size
            image.load()
            mode = "RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB"
            clean = image.convert(mode)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InputError(f"the logo file {name}is a damaged PNG: save it again and retry") from None
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    return CheckedLogo(out.getvalue(), "image/png", width, height)


def _check_svg(data: bytes, name: str) -> CheckedLogo:
    try:
        root = SafeTree.fromstring(data, forbid_dtd=True, forbid_entities=True)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as error:
        reason = "it declares a DTD or entities" if isinstance(error, DefusedXmlException) else ""
        detail = f" ({reason})" if reason else ""
        raise InputError(
            f"the logo file {name}is not a readable SVG{detail}: export it again as plain SVG"
        ) from None
    if _local(root.tag) != "svg" or _namespace(root.tag) not in ("", SVG_NS):
        raise InputError(f"the logo file {name}is XML but not an SVG image: {_HINT}")
    if sum(1 for _ in root.iter()) > MAX_SVG_ELEMENTS:
        raise InputError(
            f"the logo {name}has more than {MAX_SVG_ELEMENTS:,} elements: simplify it and retry"
        )
    removed: list[str] = []
    clean = _clean(root, removed)
    if not any(_local(element.tag) in _DRAWING for element in clean.iter()):
        raise InputError(f"the logo {name}has nothing to draw once cleaned: {_HINT}")
    width, height = _svg_size(clean, name)
    clean.set("width", _number(width))
    clean.set("height", _number(height))
    ElementTree.register_namespace("", SVG_NS)
    text = ElementTree.tostring(clean, encoding="unicode", xml_declaration=False)
    unique = tuple(dict.fromkeys(removed))
    return CheckedLogo(text.encode("utf-8"), "image/svg+xml", round(width), round(height), unique)


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _namespace(tag: Any) -> str:
    return str(tag)[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _clean(element: ElementTree.Element, removed: list[str]) -> ElementTree.Element:
    """Rebuild an element from the allow-list, in the SVG namespace, recording what is dropped."""
    tag = _local(element.tag)
    out = ElementTree.Element(f"{{{SVG_NS}}}{tag}")
    for key, value in element.attrib.items():
        attribute = _local(key) if _namespace(key) in ("", XLINK_NS) else ""
        if attribute not in _ATTRIBUTES:
            removed.append(f"{attribute or _local(key)} attribute")
            continue
        if attribute == "href" and not value.strip().startswith("#"):
            removed.append("link outside the file")
            continue
        if not _internal_references(value):
            removed.append("reference outside the file")
            continue
        out.set(attribute, value)
    if tag == "style":
        css = element.text or ""
        if _CSS_DANGER.search(css) or not _internal_references(css):
            removed.append("<style> with outside references")
            return out
    out.text = element.text if tag in _TEXTUAL else None
    for child in element:
        child_tag = _local(child.tag)
        if _namespace(child.tag) not in ("", SVG_NS) or child_tag not in _ELEMENTS:
            removed.append(f"<{child_tag}>")
            continue
        cleaned = _clean(child, removed)
        if child_tag == "style" and not (cleaned.text or "").strip():
            continue
        cleaned.tail = child.tail if tag in _TEXTUAL else None
        out.append(cleaned)
    return out


def _internal_references(value: str) -> bool:
    """Whether every ``url(...)`` in a value points inside the file (``url(#id)``)."""
    if _CSS_DANGER.search(value):
        return False
    return all(match.group(2).strip().startswith("#") for match in _URL.finditer(value))


def _length(text: str | None) -> float | None:
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*(px)?\s*", text or "")
    return float(match.group(1)) if match else None


def _svg_size(root: ElementTree.Element, name: str) -> tuple[float, float]:
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = [float(v) for v in re.findall(r"-?[0-9]*\.?[0-9]+", root.get("viewBox") or "")]
    if len(box) == 4 and box[2] > 0 and box[3] > 0:
        if width is None and height is None:
            width, height = box[2], box[3]
        elif width is None and height is not None:
            width = height * box[2] / box[3]
        elif height is None and width is not None:
            height = width * box[3] / box[2]
    if not width or not height:
        raise InputError(
            f"the SVG logo {name}has no size: give its <svg> a viewBox (or width and height in "
            "px) and export it again"
        )
    return width, height


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
